"""Light and dark palettes, and the ghost-text colour that reads as a suggestion on each."""

from __future__ import annotations

from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication

GHOST_COLORS = {"light": QColor("#8f8f8f"), "dark": QColor("#7d7d7d")}


def apply_theme(app: QApplication, theme: str) -> None:
    if theme != "dark":
        app.setPalette(app.style().standardPalette())
        return
    p = QPalette()
    base, text, window = QColor("#1e1f22"), QColor("#dcdcdc"), QColor("#2b2d30")
    p.setColor(QPalette.ColorRole.Window, window)
    p.setColor(QPalette.ColorRole.WindowText, text)
    p.setColor(QPalette.ColorRole.Base, base)
    p.setColor(QPalette.ColorRole.AlternateBase, window)
    p.setColor(QPalette.ColorRole.Text, text)
    p.setColor(QPalette.ColorRole.Button, window)
    p.setColor(QPalette.ColorRole.ButtonText, text)
    p.setColor(QPalette.ColorRole.ToolTipBase, window)
    p.setColor(QPalette.ColorRole.ToolTipText, text)
    p.setColor(QPalette.ColorRole.Highlight, QColor("#2f65ca"))
    p.setColor(QPalette.ColorRole.HighlightedText, QColor("#ffffff"))
    p.setColor(QPalette.ColorRole.PlaceholderText, QColor("#7d7d7d"))
    app.setPalette(p)
