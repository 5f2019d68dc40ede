"""The file behind the editor: new, open (asking for an encoding when it is not UTF-8), save, save as,
recent files, and the question before unsaved text is dropped."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QFileDialog, QInputDialog, QMainWindow, QMenu, QMessageBox

from writer_app.assist.session import WritingSession
from writer_app.errors import UserError
from writer_app.settings import Settings
from writer_app.textfile import NeedsEncoding, read_text_file, save_text_atomic
from writer_app.ui.ghost_editor import GhostTextEdit

APP_TITLE = "writer_app"


class DocumentFiles(QObject):
    titleChanged = Signal()

    def __init__(
        self,
        window: QMainWindow,
        editor: GhostTextEdit,
        session: WritingSession,
        settings: Callable[[], Settings],
    ) -> None:
        super().__init__(window)
        self.window, self.editor, self.session, self._settings = window, editor, session, settings
        self.path: Path | None = None
        self.encoding = "utf-8"
        self.newline = "\n"

    @property
    def display_name(self) -> str:
        return self.path.name if self.path else "Untitled"

    def ask_save_changes(self) -> QMessageBox.StandardButton:
        buttons = (
            QMessageBox.StandardButton.Save
            | QMessageBox.StandardButton.Discard
            | QMessageBox.StandardButton.Cancel
        )
        return QMessageBox.question(self.window, APP_TITLE, f"Save changes to {self.display_name}?", buttons)

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
        self.titleChanged.emit()

    def open_dialog(self) -> None:
        if not self.maybe_save():
            return
        name, _ = QFileDialog.getOpenFileName(
            self.window, "Open", str(self.path.parent if self.path else Path.home())
        )
        if name:
            self.open_path(Path(name), ask_to_save=False)

    def ask_encoding(self, path: Path, candidates: list[str]) -> str | None:
        options = candidates or ["latin-1"]
        choice, ok = QInputDialog.getItem(
            self.window, APP_TITLE, f"{path.name} is not UTF-8. Open it as:", options, 0, False
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
            self.titleChanged.emit()
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
            QMessageBox.warning(self.window, APP_TITLE, str(exc))
            return False
        self.session.document_replaced()
        self.editor.setPlainText(loaded.text)
        self.path, self.encoding, self.newline = path, loaded.encoding, loaded.newline
        self.editor.document().setModified(False)
        self._settings().add_recent(str(path))
        self.titleChanged.emit()
        if loaded.encoding not in ("utf-8", "utf-8-sig"):
            note = f"Opened as {loaded.encoding}; saved in the same encoding."
            self.window.statusBar().showMessage(note, 8000)
        return True

    def fill_recent(self, menu: QMenu) -> None:
        menu.clear()
        for name in self._settings().recent_files:
            action = menu.addAction(name)
            action.triggered.connect(lambda _=False, n=name: self.open_path(Path(n)))
        if not self._settings().recent_files:
            menu.addAction("(none)").setEnabled(False)

    def save(self) -> bool:
        if self.path is None:
            return self.save_as()
        return self.write_to(self.path)

    def save_as(self) -> bool:
        start = str(self.path) if self.path else str(Path.home() / "Untitled.txt")
        name, _ = QFileDialog.getSaveFileName(self.window, "Save As", start)
        if not name:
            return False
        return self.write_to(Path(name))

    def write_to(self, path: Path) -> bool:
        try:
            save_text_atomic(path, self.editor.toPlainText(), self.encoding, self.newline)
        except UserError as exc:
            QMessageBox.critical(self.window, APP_TITLE, str(exc))
            return False
        self.path = path
        self.editor.document().setModified(False)
        self._settings().add_recent(str(path))
        self.titleChanged.emit()
        self.window.statusBar().showMessage(f"Saved {path}", 4000)
        return True
