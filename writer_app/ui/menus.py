"""The window's menus: every action, its shortcut and the window method it calls."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMenu

from writer_app.ui.claim_review import review_claims
from writer_app.ui.i18n import tr

if TYPE_CHECKING:
    from writer_app.ui.main_window import MainWindow


def keys_help() -> str:
    return tr(
        "Ctrl+Space  suggest a continuation\nTab  accept it\nCtrl+Right  accept one word\n"
        "Alt+] / Alt+[  next / previous alternative\nEsc  dismiss (typing on also dismisses)\n"
        "Ctrl+R  rewrite the selection (Enter replaces, Esc keeps it)\n"
        "Ctrl+K  find a task: ad copy, lyrics, summary, translation…\n"
        "        (Enter uses a candidate, Ctrl+C copies)\n"
        "Alt+Down  the words the model weighs here; pick one and it writes on from it\n"
        "Ctrl+Shift+G  the surprise view;  Ctrl+Shift+M  memory and author's note\n"
        "Ctrl+Shift+R  mark ad claims the law forbids, and your blocked phrases\n"
        "F1  this help"
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
    file_menu = bar.addMenu(tr("&File"))
    _action(w, file_menu, tr("&New"), w.files.new_file, std.New)
    _action(w, file_menu, tr("&Open…"), w.files.open_dialog, std.Open)
    w.recent_menu = file_menu.addMenu(tr("Open &Recent"))
    w.recent_menu.aboutToShow.connect(lambda: w.files.fill_recent(w.recent_menu))
    _action(w, file_menu, tr("&Save"), w.files.save, std.Save)
    _action(w, file_menu, tr("Save &As…"), w.files.save_as, std.SaveAs)
    file_menu.addSeparator()
    _action(w, file_menu, tr("&Quit"), w.close, std.Quit)

    edit = bar.addMenu(tr("&Edit"))
    _action(w, edit, tr("&Undo"), w.editor.undo, std.Undo)
    _action(w, edit, tr("&Redo"), w.editor.redo, std.Redo)
    edit.addSeparator()
    _action(w, edit, tr("Cu&t"), w.editor.cut, std.Cut)
    _action(w, edit, tr("&Copy"), w.editor.copy, std.Copy)
    _action(w, edit, tr("&Paste"), w.editor.paste, std.Paste)
    edit.addSeparator()
    _action(w, edit, tr("&Find and Replace…"), w.show_find, std.Find)

    view = bar.addMenu(tr("&View"))
    _action(w, view, tr("Zoom &In"), lambda: w.editor.zoomIn(1), std.ZoomIn)
    _action(w, view, tr("Zoom &Out"), lambda: w.editor.zoomOut(1), std.ZoomOut)
    _action(w, view, tr("&Reset Zoom"), w.reset_zoom, "Ctrl+0")
    view.addSeparator()
    w.wrap_action = _action(w, view, tr("Soft &Wrap"), w.toggle_wrap, checkable=True)
    w.dark_action = _action(w, view, tr("&Dark Theme"), w.toggle_dark, checkable=True)
    surprise = _action(w, view, tr("&Surprise View"), w.session.show_surprise, "Ctrl+Shift+G", checkable=True)
    w.surprise_action = surprise
    surprise.setToolTip(tr("Colour the paragraph by how predictable each word was to the model (GLTR)"))
    memory = w.notes_panel.toggleViewAction()
    memory.setText(tr("&Memory and Author's Note"))
    memory.setShortcut(QKeySequence("Ctrl+Shift+M"))
    view.addAction(memory)

    assist = bar.addMenu(tr("&Assist"))
    # Ctrl+Space is handled by the editor itself (it must work while ghost text is showing).
    suggest = _action(w, assist, tr("&Suggest Continuation") + "\tCtrl+Space", w.session.request_suggestion)
    suggest.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
    _action(w, assist, tr("&Rewrite Selection…"), w.open_rewrite, "Ctrl+R")
    _action(w, assist, tr("&Tasks…"), w.show_tasks, "Ctrl+K")
    review = _action(
        w,
        assist,
        tr("Re&view Ad Claims"),
        lambda: review_claims(w.editor, w.settings, w.statusBar()),
        "Ctrl+Shift+R",
    )
    review.setToolTip(
        tr("Mark the claims advertising law forbids (最佳, 国家级, cures…) and your blocked phrases")
    )
    assist.addSeparator()
    _action(w, assist, tr("&Models…"), w.show_models)
    _action(w, assist, tr("&Unload Rewrite Model"), w.session.unload_instruction_model)
    w.server_action = _action(w, assist, tr("Use the Ser&ver"), w.use_server, checkable=True)
    w.server_action.setToolTip(
        tr("Run the models on the server set in Settings, or (unticked) on this computer")
    )
    # Linux desktops other than KDE have no standard Preferences key; Ctrl+, is what editors use there.
    preferences = std.Preferences if QKeySequence.keyBindings(std.Preferences) else "Ctrl+,"
    _action(w, assist, tr("Se&ttings…"), w.show_settings, preferences)
    help_menu = bar.addMenu(tr("&Help"))
    _action(w, help_menu, tr("&Keys"), w.show_keys, std.HelpContents)
    _action(w, help_menu, tr("&About writer_app"), w.show_about)
