"""The main window: menus, files, find, counts and settings. Suggestions and rewrites belong to the
writing session (assist/session.py); SessionBridge connects it to this window's widgets."""

from __future__ import annotations

import logging
import re
from pathlib import Path

from PySide6.QtCore import Qt, QTimer, Slot
from PySide6.QtGui import QCloseEvent, QFont
from PySide6.QtWidgets import (
    QApplication,
    QFileDialog,
    QInputDialog,
    QLabel,
    QMainWindow,
    QMessageBox,
    QPlainTextEdit,
)

from writer_app.engine.text_codec import CJK_LETTERS
from writer_app.errors import UserError
from writer_app.models.store import ModelStore
from writer_app.settings import Settings, save_settings
from writer_app.textfile import NeedsEncoding, read_text_file, save_text_atomic
from writer_app.ui.find_dialog import FindReplaceDialog
from writer_app.ui.ghost_editor import GhostTextEdit
from writer_app.ui.menus import build_menus
from writer_app.ui.rewrite_panel import RewritePanel
from writer_app.ui.session_bridge import SessionBridge
from writer_app.ui.settings_dialog import SettingsDialog
from writer_app.ui.themes import GHOST_COLORS, apply_theme

log = logging.getLogger(__name__)
APP_TITLE = "writer_app"
_CJK_CHAR = re.compile(f"[{CJK_LETTERS}]")
_WORD = re.compile(f"[^\\W{CJK_LETTERS}]+")


def count_words(text: str) -> int:
    """Words as writers count them: runs of letters/digits, and each CJK character as one word."""
    return len(_WORD.findall(text)) + len(_CJK_CHAR.findall(text))


class MainWindow(QMainWindow):
    def __init__(
        self,
        settings: Settings,
        *,
        model: str | None = None,
        startup_messages: list[str] | None = None,
        save_settings_on_close: bool = True,
    ) -> None:
        super().__init__()
        self.settings = settings
        self.model_override = model
        self.save_settings_on_close = save_settings_on_close
        self.path: Path | None = None
        self.encoding = "utf-8"
        self.newline = "\n"
        self._closing = False

        self.editor = GhostTextEdit(self)
        self.setCentralWidget(self.editor)
        self.rewrite_panel = RewritePanel(self)
        self.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, self.rewrite_panel)
        self.rewrite_panel.hide()
        self.find_dialog: FindReplaceDialog | None = None

        self.bridge = SessionBridge(settings, self.editor, self.rewrite_panel, self.statusBar(), self)
        self.session = self.bridge.session
        self.counts_label = QLabel()
        for label in (self.bridge.speed_label, self.counts_label, self.bridge.model_label):
            self.statusBar().addPermanentWidget(label)

        self.editor.document().modificationChanged.connect(self.setWindowModified)
        self.editor.textChanged.connect(self._count_timer_start)
        self.rewrite_panel.modeChosen.connect(self.run_rewrite)
        self.rewrite_panel.candidateChosen.connect(self.apply_rewrite)
        self.rewrite_panel.cancelled.connect(self.cancel_rewrite)

        self._count_timer = QTimer(self, singleShot=True, interval=250)
        self._count_timer.timeout.connect(self.update_counts)

        build_menus(self)
        self.apply_settings(settings)
        self._update_title()
        self.update_counts()
        self.resize(1000, 700)
        for message in startup_messages or []:
            self.statusBar().showMessage(message, 10000)
        self.load_model()

    # --- settings and look --------------------------------------------------------------------------
    def apply_settings(self, settings: Settings) -> None:
        self.settings = settings
        font = QFont(settings.font_family) if settings.font_family else self.editor.font()
        font.setPointSize(settings.font_size)
        self.editor.setFont(font)
        self.wrap_action.setChecked(settings.soft_wrap)
        self.toggle_wrap(settings.soft_wrap)
        self.dark_action.setChecked(settings.theme == "dark")
        app = QApplication.instance()
        if isinstance(app, QApplication):
            apply_theme(app, settings.theme)
        self.editor.set_ghost_color(GHOST_COLORS.get(settings.theme, GHOST_COLORS["light"]))
        self.session.settings_changed(settings)

    def show_settings(self) -> None:
        dialog = SettingsDialog(self.settings, ModelStore().names(), self)
        if dialog.exec() != SettingsDialog.DialogCode.Accepted:
            return
        new = dialog.result_settings()
        reload = (new.model, new.threads) != (self.settings.model, self.settings.threads)
        self.apply_settings(new)
        self._save_settings()
        if reload:
            self.model_override = None
            self.load_model()

    def _save_settings(self) -> None:
        try:
            save_settings(self.settings)
        except OSError as exc:
            self.statusBar().showMessage(f"Could not save settings: {exc}", 8000)

    def reset_zoom(self) -> None:
        font = self.editor.font()
        font.setPointSize(self.settings.font_size)
        self.editor.setFont(font)

    def toggle_wrap(self, on: bool) -> None:
        mode = QPlainTextEdit.LineWrapMode.WidgetWidth if on else QPlainTextEdit.LineWrapMode.NoWrap
        self.editor.setLineWrapMode(mode)
        self.settings.soft_wrap = bool(on)

    def toggle_dark(self, on: bool) -> None:
        self.settings.theme = "dark" if on else "light"
        self.apply_settings(self.settings)

    # --- model and rewrite: the session decides, the window shows --------------------------------------
    def load_model(self) -> None:
        self.session.load_model(self.model_override or self.settings.model or "")

    def open_rewrite(self) -> None:
        cursor = self.editor.textCursor()
        if not cursor.hasSelection():
            self.statusBar().showMessage("Select the passage to rewrite first.", 6000)
            return
        text = cursor.selection().toPlainText()
        self.session.begin_rewrite(cursor.selectionStart(), cursor.selectionEnd(), text)
        self.rewrite_panel.open_for(text)

    @Slot(str)
    def run_rewrite(self, mode_id: str) -> None:
        self.session.run_rewrite(mode_id)

    @Slot(int)
    def apply_rewrite(self, row: int) -> bool:
        target = self.session.rewrite
        if target is None:
            return False
        edit = self.session.apply_rewrite(row, self.bridge.document.text(target.start, target.end))
        if edit is None:
            return False
        self.rewrite_panel.hide()
        self.editor.apply_edit(edit)
        self.editor.setFocus()
        return True

    @Slot()
    def cancel_rewrite(self) -> None:
        self.session.close_rewrite()
        self.rewrite_panel.hide()
        self.editor.setFocus()

    # --- files --------------------------------------------------------------------------------------
    def _update_title(self) -> None:
        name = self.path.name if self.path else "Untitled"
        self.setWindowTitle(f"{name}[*] — {APP_TITLE}")

    def ask_save_changes(self) -> QMessageBox.StandardButton:
        buttons = (
            QMessageBox.StandardButton.Save
            | QMessageBox.StandardButton.Discard
            | QMessageBox.StandardButton.Cancel
        )
        name = self.path.name if self.path else "Untitled"
        return QMessageBox.question(self, APP_TITLE, f"Save changes to {name}?", buttons)

    def maybe_save(self) -> bool:
        """True when it is safe to drop the current text (saved, discarded on purpose, or unmodified)."""
        if not self.editor.document().isModified():
            return True
        answer = self.ask_save_changes()
        if answer == QMessageBox.StandardButton.Save:
            return self.save()
        return answer == QMessageBox.StandardButton.Discard

    def new_file(self) -> None:
        if not self.maybe_save():
            return
        self.session.document_replaced()
        self.editor.setPlainText("")
        self.path, self.encoding, self.newline = None, "utf-8", "\n"
        self.editor.document().setModified(False)
        self._update_title()

    def open_dialog(self) -> None:
        if not self.maybe_save():
            return
        name, _ = QFileDialog.getOpenFileName(
            self, "Open", str(self.path.parent if self.path else Path.home())
        )
        if name:
            self.open_path(Path(name), ask_to_save=False)

    def ask_encoding(self, path: Path, candidates: list[str]) -> str | None:
        options = candidates or ["latin-1"]
        choice, ok = QInputDialog.getItem(
            self, APP_TITLE, f"{path.name} is not UTF-8. Open it as:", options, 0, False
        )
        return choice if ok else None

    def open_path(self, path: Path, *, ask_to_save: bool = True) -> bool:
        if ask_to_save and not self.maybe_save():
            return False
        if not path.exists():
            # A new file: opened empty, created on first save.
            self.session.document_replaced()
            self.editor.setPlainText("")
            self.path, self.encoding, self.newline = path, "utf-8", "\n"
            self.editor.document().setModified(False)
            self._update_title()
            return True
        try:
            try:
                loaded = read_text_file(path)
            except NeedsEncoding as need:
                encoding = self.ask_encoding(path, need.candidates)
                if encoding is None:
                    return False
                loaded = read_text_file(path, encoding)
        except UserError as exc:
            QMessageBox.warning(self, APP_TITLE, str(exc))
            return False
        self.session.document_replaced()
        self.editor.setPlainText(loaded.text)
        self.path, self.encoding, self.newline = path, loaded.encoding, loaded.newline
        self.editor.document().setModified(False)
        self.settings.add_recent(str(path))
        self._update_title()
        if loaded.encoding not in ("utf-8", "utf-8-sig"):
            self.statusBar().showMessage(f"Opened as {loaded.encoding}; saved in the same encoding.", 8000)
        return True

    def fill_recent(self) -> None:
        self.recent_menu.clear()
        for name in self.settings.recent_files:
            action = self.recent_menu.addAction(name)
            action.triggered.connect(lambda _=False, n=name: self.open_path(Path(n)))
        if not self.settings.recent_files:
            self.recent_menu.addAction("(none)").setEnabled(False)

    def save(self) -> bool:
        if self.path is None:
            return self.save_as()
        return self.write_to(self.path)

    def save_as(self) -> bool:
        start = str(self.path) if self.path else str(Path.home() / "Untitled.txt")
        name, _ = QFileDialog.getSaveFileName(self, "Save As", start)
        if not name:
            return False
        return self.write_to(Path(name))

    def write_to(self, path: Path) -> bool:
        try:
            save_text_atomic(path, self.editor.toPlainText(), self.encoding, self.newline)
        except UserError as exc:
            QMessageBox.critical(self, APP_TITLE, str(exc))
            return False
        self.path = path
        self.editor.document().setModified(False)
        self.settings.add_recent(str(path))
        self._update_title()
        self.statusBar().showMessage(f"Saved {path}", 4000)
        return True

    # --- find, counts -------------------------------------------------------------------------------
    def show_find(self) -> None:
        if self.find_dialog is None:
            self.find_dialog = FindReplaceDialog(self.editor, self)
        selected = self.editor.textCursor().selectedText()
        if selected:
            self.find_dialog.find_edit.setText(selected)
        self.find_dialog.show()
        self.find_dialog.raise_()
        self.find_dialog.find_edit.setFocus()

    def _count_timer_start(self) -> None:
        self._count_timer.start()

    def update_counts(self) -> None:
        text = self.editor.toPlainText()
        self.counts_label.setText(f"{count_words(text)} words · {len(text)} characters")

    # --- closing ------------------------------------------------------------------------------------
    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802
        if not self._closing and not self.maybe_save():
            event.ignore()
            return
        self._closing = True
        self.bridge.shutdown()
        if self.save_settings_on_close:
            self._save_settings()
        event.accept()
