"""Desktop habits: the About box with each model's licence, F1 for the keys, the window's size and place
kept, a moving bar while a model loads, and word while a very large file opens."""

from __future__ import annotations

import dataclasses

from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QApplication

from tests.test_ui_editor import make_window
from writer_app.assist.ports import ModelState
from writer_app.ui import document_files
from writer_app.ui.main_window import MainWindow


def _action(window: MainWindow, text: str):
    return next(a for a in window.findChildren(type(window.menuBar().actions()[0])) if a.text() == text)


def test_about_names_the_version_the_models_and_their_licences(qtbot, tiny_model):
    QApplication.setApplicationVersion("9.8.7")
    w = make_window(qtbot, tiny_model)
    box = w.show_about()
    assert "writer_app 9.8.7" in box.text()
    assert f"Ghost text model: {w.session.model.info.name}" in box.text()
    assert "licence: not stated in its manifest" in box.text()  # the tiny export has no model card
    assert "Rewrite model: the ghost text model" in box.text()
    box.close()
    w.session.model = ModelState(info=dataclasses.replace(w.session.model.info, licence="apache-2.0"))
    box = w.show_about()
    assert "licence: apache-2.0" in box.text()
    box.close()


def test_f1_opens_the_keys(qtbot):
    w = make_window(qtbot, None)
    keys = _action(w, "&Keys")
    assert QKeySequence("F1") in keys.shortcuts() or keys.shortcut() == QKeySequence("F1")
    keys.trigger()
    shown = [b for b in QApplication.topLevelWidgets() if b.isVisible() and b.windowTitle() == "Keys"]
    assert shown and "Ctrl+Space" in shown[0].text()
    shown[0].close()


def test_the_window_comes_back_at_its_size(qtbot):
    first = make_window(qtbot, None)
    first.resize(640, 470)  # inside the offscreen screen (800x600): restoring clamps to it
    first.close()
    assert first.settings.window_geometry
    second = make_window(qtbot, None, window_geometry=first.settings.window_geometry)
    assert (second.width(), second.height()) == (640, 470)


def test_a_bar_moves_while_the_model_loads(qtbot, tiny_model):
    w = make_window(qtbot, tiny_model)
    assert not w.bridge.loading_bar.isVisible()
    w.session.load_model(str(tiny_model))
    assert w.bridge.loading_bar.isVisible() and w.bridge.loading_bar.maximum() == 0  # busy, no end known
    qtbot.waitUntil(lambda: not w.session.model.loading, timeout=20000)
    assert not w.bridge.loading_bar.isVisible()


def test_a_very_large_file_says_it_is_opening(qtbot, tmp_path, monkeypatch):
    big = tmp_path / "saga.txt"
    big.write_text("The tide came in. " * 300_000, encoding="utf-8")
    assert big.stat().st_size >= document_files.LARGE_FILE_BYTES
    w = make_window(qtbot, None)
    said: list[str] = []
    w.statusBar().messageChanged.connect(said.append)
    assert w.files.open_path(big)
    assert said[0].startswith("Opening saga.txt (5 MB)")
    assert not w.statusBar().currentMessage().startswith("Opening") and QApplication.overrideCursor() is None
    assert w.editor.document().characterCount() > 5_000_000


def test_settings_has_a_key_where_the_platform_names_none(qtbot):
    w = make_window(qtbot, None)
    settings = _action(w, "Se&ttings…")
    assert not settings.shortcut().isEmpty()  # Ctrl+, on Linux desktops other than KDE
