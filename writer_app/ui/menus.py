"""The window's menus: every action, its shortcut and the window method it calls."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMenu, QMessageBox

if TYPE_CHECKING:
    from writer_app.ui.main_window import MainWindow

KEYS_HELP = (
    "Ctrl+Space  suggest a continuation\nTab  accept it\nCtrl+Right  accept one word\n"
    "Alt+] / Alt+[  next / previous alternative\nEsc  dismiss (typing on also dismisses)\n"
    "Ctrl+R  rewrite the selection (Enter replaces, Esc keeps it)\n"
    "Ctrl+K  find a task: ad copy, lyrics, summary, translation… (Enter uses a candidate, Ctrl+C copies)\n"
    "Alt+Down  the words the model weighs here; pick one and it writes on from it\n"
    "Ctrl+Shift+G  the surprise view;  Ctrl+Shift+M  memory and author's note"
)


def _action(w: MainWindow, menu: QMenu, text: str, slot, shortcut=None, checkable: bool = False) -> QAction:
    action = QAction(text, w)
    if shortcut is not None:
        action.setShortcut(QKeySequence(shortcut))
    action.setCheckable(checkable)
    action.triggered.connect(slot)
    menu.addAction(action)
    return action


def build_menus(w: MainWindow) -> None:
    """File, Edit, View, Assist and Help; sets w.recent_menu, w.wrap_action and w.dark_action."""
    bar = w.menuBar()
    std = QKeySequence.StandardKey
    file_menu = bar.addMenu("&File")
    _action(w, file_menu, "&New", w.files.new_file, std.New)
    _action(w, file_menu, "&Open…", w.files.open_dialog, std.Open)
    w.recent_menu = file_menu.addMenu("Open &Recent")
    w.recent_menu.aboutToShow.connect(lambda: w.files.fill_recent(w.recent_menu))
    _action(w, file_menu, "&Save", w.files.save, std.Save)
    _action(w, file_menu, "Save &As…", w.files.save_as, std.SaveAs)
    file_menu.addSeparator()
    _action(w, file_menu, "&Quit", w.close, std.Quit)

    edit = bar.addMenu("&Edit")
    _action(w, edit, "&Undo", w.editor.undo, std.Undo)
    _action(w, edit, "&Redo", w.editor.redo, std.Redo)
    edit.addSeparator()
    _action(w, edit, "Cu&t", w.editor.cut, std.Cut)
    _action(w, edit, "&Copy", w.editor.copy, std.Copy)
    _action(w, edit, "&Paste", w.editor.paste, std.Paste)
    edit.addSeparator()
    _action(w, edit, "&Find and Replace…", w.show_find, std.Find)

    view = bar.addMenu("&View")
    _action(w, view, "Zoom &In", lambda: w.editor.zoomIn(1), std.ZoomIn)
    _action(w, view, "Zoom &Out", lambda: w.editor.zoomOut(1), std.ZoomOut)
    _action(w, view, "&Reset Zoom", w.reset_zoom, "Ctrl+0")
    view.addSeparator()
    w.wrap_action = _action(w, view, "Soft &Wrap", w.toggle_wrap, checkable=True)
    w.dark_action = _action(w, view, "&Dark Theme", w.toggle_dark, checkable=True)
    surprise = _action(w, view, "&Surprise View", w.session.surprise.toggle, "Ctrl+Shift+G", checkable=True)
    surprise.setToolTip("Colour the paragraph by how predictable each word was to the model (GLTR)")
    memory = w.notes_panel.toggleViewAction()
    memory.setText("&Memory and Author's Note")
    memory.setShortcut(QKeySequence("Ctrl+Shift+M"))
    view.addAction(memory)

    assist = bar.addMenu("&Assist")
    # Ctrl+Space is handled by the editor itself (it must work while ghost text is showing).
    suggest = _action(w, assist, "&Suggest Continuation\tCtrl+Space", w.session.request_suggestion)
    suggest.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
    _action(w, assist, "&Rewrite Selection…", w.open_rewrite, "Ctrl+R")
    _action(w, assist, "&Tasks…", w.show_tasks, "Ctrl+K")
    assist.addSeparator()
    _action(w, assist, "&Models…", w.show_models)
    _action(w, assist, "&Unload Rewrite Model", w.session.instruction.unload)
    _action(w, assist, "Se&ttings…", w.show_settings, std.Preferences)
    help_menu = bar.addMenu("&Help")
    _action(w, help_menu, "&Keys", lambda: QMessageBox.information(w, "Keys", KEYS_HELP))
