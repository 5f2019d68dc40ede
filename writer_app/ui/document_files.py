"""The file behind the editor: new, open (asking for an encoding when it is not UTF-8), save, save as,
recent files, and the questions that keep text from being lost: before unsaved text is dropped,
before a file another program changed is overwritten, when a read-only file is saved, and when the
file changes on disk while it is open."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from PySide6.QtCore import QFileSystemWatcher, QObject, Qt, Signal
from PySide6.QtWidgets import QApplication, QFileDialog, QInputDialog, QMainWindow, QMenu, QMessageBox

from writer_app.assist.session import WritingSession
from writer_app.document.byte_variants import ByteVariants
from writer_app.document.line_breaks import LineBreaks
from writer_app.document.textfile import (
    FileStamp,
    NeedsEncoding,
    ReadOnlyFile,
    TextFormat,
    changed_on_disk,
    encode_text,
    interrupted_save,
    read_text_file,
    save_bytes,
)
from writer_app.errors import UserError
from writer_app.settings import Settings
from writer_app.ui.document_text import document_text, set_document_text
from writer_app.ui.ghost_editor import GhostTextEdit
from writer_app.ui.i18n import tr

APP_TITLE = "writer_app"
# Reading and laying out a file this large takes a noticeable moment: the window says so meanwhile.
LARGE_FILE_BYTES = 4_000_000

log = logging.getLogger(__name__)


@contextmanager
def busy(window: QMainWindow, message: str) -> Iterator[None]:
    """A wait cursor and a status message while the UI thread does one long thing."""
    window.statusBar().showMessage(message)
    QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
    QApplication.processEvents()  # paint the message before the work blocks the thread
    try:
        yield
    finally:
        QApplication.restoreOverrideCursor()
        if window.statusBar().currentMessage() == message:  # not a message the work put there
            window.statusBar().clearMessage()


def _mb(path: Path) -> str:
    return f"{path.stat().st_size / 1e6:.0f}"


class DocumentFiles(QObject):
    titleChanged = Signal()
    opened = Signal()  # another document (or a new one) is in the editor
    saved = Signal()

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
        self.format = TextFormat()
        self.variants: ByteVariants | None = None  # characters the file writes its own way (Big5, cp932)
        self.breaks_kept = False  # the file's line breaks are kept per line (they were mixed)
        self.stamp: FileStamp | None = None  # the file as last read or written
        self.loading = False  # the document is being replaced by a file's text (not an edit)
        self.watcher = QFileSystemWatcher(self)
        self.watcher.fileChanged.connect(self._changed_on_disk)
        self._line_breaks: LineBreaks | None = None  # each line's own break, when they were mixed
        editor.edited.connect(self._follow_breaks)

    @property
    def display_name(self) -> str:
        return self.path.name if self.path else tr("Untitled")

    @property
    def encoding(self) -> str:
        return self.format.encoding

    def text(self) -> str:
        """The document as the file's text, character for character."""
        return document_text(self.editor.document(), self.format.newline, self.breaks_kept)

    def put_text(self, text: str, breaks: list[str] | None) -> None:
        """The editor's whole text replaced (not an edit of the writer's); `breaks`: each line's own
        break, when the file's were mixed, followed through the edits from here on."""
        with self.loading_text():
            set_document_text(self.editor.document(), text, breaks)
        self.breaks_kept = breaks is not None
        self._track_breaks()

    def _track_breaks(self) -> None:
        """The document was replaced: if its lines keep their own breaks, follow them from here."""
        self._line_breaks = None
        if self.breaks_kept:
            document = self.editor.document()
            blocks = [document.findBlockByNumber(n) for n in range(document.blockCount())]
            self._line_breaks = LineBreaks([b.position() for b in blocks], [b.userState() for b in blocks])

    def _follow_breaks(self, position: int, removed: int, added: int, _inserted: str) -> None:
        """Each line keeps the break that ended it (Qt moved it to the first half of a split line)."""
        if self._line_breaks is None or self.loading:
            return
        if position < 0:  # an edit Qt did not describe: what the blocks hold now is all there is to go by
            self._track_breaks()
            return
        document = self.editor.document()
        block, end = document.findBlock(position), document.findBlock(position + added)
        blocks = [block]
        while blocks[-1] != end and blocks[-1].isValid():
            blocks.append(blocks[-1].next())
        codes = self._line_breaks.edit(position, removed, added, [b.position() for b in blocks])
        for changed, code in zip(blocks, codes, strict=True):
            changed.setUserState(code)

    @contextmanager
    def loading_text(self) -> Iterator[None]:
        self.loading = True
        try:
            yield
        finally:
            self.loading = False

    # --- questions (tests replace them) -------------------------------------------------------------
    def ask_save_changes(self) -> QMessageBox.StandardButton:
        buttons = (
            QMessageBox.StandardButton.Save
            | QMessageBox.StandardButton.Discard
            | QMessageBox.StandardButton.Cancel
        )
        return QMessageBox.question(
            self.window, APP_TITLE, tr("Save changes to {name}?").format(name=self.display_name), buttons
        )

    def ask_encoding(self, path: Path, candidates: list[str]) -> str | None:
        options = candidates or ["latin-1"]
        choice, ok = QInputDialog.getItem(
            self.window,
            APP_TITLE,
            tr("{name} is not UTF-8. Open it as:").format(name=path.name),
            options,
            0,
            False,
        )
        return choice if ok else None

    def ask_overwrite_changed(self, path: Path) -> QMessageBox.StandardButton:
        """Save (overwrite the other program's version), Save All (meaning Save As: keep both) or Cancel."""
        question = tr("{name} was changed by another program since you opened or saved it.").format(
            name=path.name
        )
        box = QMessageBox(QMessageBox.Icon.Warning, APP_TITLE, question, parent=self.window)
        box.setInformativeText(tr("Overwrite it with your text, or save yours under another name?"))
        buttons = QMessageBox.StandardButton
        box.setStandardButtons(buttons.Save | buttons.SaveAll | buttons.Cancel)
        box.button(buttons.Save).setText(tr("Overwrite"))
        box.button(buttons.SaveAll).setText(tr("Save As…"))
        return buttons(box.exec())

    def ask_read_only(self, path: Path) -> bool:
        """True to save under another name."""
        answer = QMessageBox.question(
            self.window,
            APP_TITLE,
            tr("{name} is read-only. Save your text under another name?").format(name=path.name),
        )
        return answer == QMessageBox.StandardButton.Yes

    def _offer_interrupted_save(self, path: Path, fmt: TextFormat, opened: str) -> None:
        """A save of this file was cut short while it was written in place (a file with other names):
        its complete text was kept beside it. Offered as unsaved text; the file is untouched until saved."""
        keep = interrupted_save(path)
        if keep is None:
            return
        try:
            kept = read_text_file(keep, fmt.encoding)
        except UserError as exc:
            log.warning("the copy of an interrupted save of %s is unreadable: %s", path, exc)
            return
        if kept.text == opened or not self.ask_use_interrupted_save(path):
            return
        self.put_text(kept.text, kept.breaks)
        self.editor.document().setModified(True)
        self.titleChanged.emit()

    def ask_use_interrupted_save(self, path: Path) -> bool:
        answer = QMessageBox.question(
            self.window,
            APP_TITLE,
            tr(
                "A save of {name} was cut short (the computer stopped while it was written), so the file may "
                "be incomplete. The complete text that was being saved was kept. Open that text? (The file "
                "is unchanged until you save.)"
            ).format(name=path.name),
        )
        return answer == QMessageBox.StandardButton.Yes

    def ask_reload(self, path: Path) -> bool:
        answer = QMessageBox.question(
            self.window,
            APP_TITLE,
            tr("{name} was changed by another program. Reload it?").format(name=path.name),
        )
        return answer == QMessageBox.StandardButton.Yes

    # --- open, new ------------------------------------------------------------------------------------
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
        self._show(None, "", TextFormat(), None, None)

    def open_dialog(self) -> None:
        if not self.maybe_save():
            return
        name, _ = QFileDialog.getOpenFileName(
            self.window, tr("Open"), str(self.path.parent if self.path else Path.home())
        )
        if name:
            self.open_path(Path(name), ask_to_save=False)

    def open_path(self, path: Path, *, ask_to_save: bool = True) -> bool:
        if ask_to_save and not self.maybe_save():
            return False
        if not path.exists():
            self._show(path, "", TextFormat(), None, None)  # a new file, created on first save
            return True
        if path.stat().st_size >= LARGE_FILE_BYTES:
            with busy(self.window, tr("Opening {name} ({mb} MB)…").format(name=path.name, mb=_mb(path))):
                return self._open_existing(path)
        return self._open_existing(path)

    def _open_existing(self, path: Path) -> bool:
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
        self._show(path, loaded.text, loaded.format, loaded.breaks, loaded.stamp, loaded.variants)
        self._settings().add_recent(str(path))
        self._offer_interrupted_save(path, loaded.format, loaded.text)
        if loaded.encoding != "utf-8":
            note = tr("Opened as {encoding}; saved in the same encoding.").format(encoding=loaded.encoding)
            self.window.statusBar().showMessage(note, 8000)
        return True

    def _show(
        self,
        path: Path | None,
        text: str,
        fmt: TextFormat,
        breaks: list[str] | None,
        stamp: FileStamp | None,
        variants: ByteVariants | None = None,
    ) -> None:
        self.session.document_replaced()
        self.path, self.format, self.stamp, self.variants = path, fmt, stamp, variants
        self.put_text(text, breaks)
        self.editor.document().setModified(False)
        self._watch()
        self.titleChanged.emit()
        self.opened.emit()

    def fill_recent(self, menu: QMenu) -> None:
        menu.clear()
        for name in self._settings().recent_files:
            action = menu.addAction(name)
            action.triggered.connect(lambda _=False, n=name: self.open_path(Path(n)))
        if not self._settings().recent_files:
            menu.addAction(tr("(none)")).setEnabled(False)

    # --- save -------------------------------------------------------------------------------------------
    def save(self) -> bool:
        if self.path is None:
            return self.save_as()
        return self.write_to(self.path)

    def save_as(self) -> bool:
        start = str(self.path) if self.path else str(Path.home() / (tr("Untitled") + ".txt"))
        name, _ = QFileDialog.getSaveFileName(self.window, tr("Save As"), start)
        if not name:
            return False
        return self.write_to(Path(name))

    def write_to(self, path: Path) -> bool:
        if path == self.path and changed_on_disk(path, self.stamp):
            answer = self.ask_overwrite_changed(path)
            if answer == QMessageBox.StandardButton.SaveAll:
                return self.save_as()
            if answer != QMessageBox.StandardButton.Save:
                return False
        try:
            stamp = save_bytes(path, encode_text(self.text(), self.format, self.variants))
        except ReadOnlyFile:
            return self.ask_read_only(path) and self.save_as()
        except UserError as exc:
            QMessageBox.critical(self.window, APP_TITLE, str(exc))
            return False
        self.path, self.stamp = path, stamp
        self.editor.document().setModified(False)
        self._settings().add_recent(str(path))
        self._watch()
        self.titleChanged.emit()
        saved = tr("Saved {path}").format(path=path)
        if stamp.in_place:  # no atomic replace was possible: say how the file was kept safe
            saved = tr(
                "Saved {path}. A new file could not take its place (it has other names, another owner, or "
                "a folder that takes no new file), so it was written in place; its whole text was kept "
                "aside until the write ended."
            ).format(path=path)
        self.window.statusBar().showMessage(saved, 8000)
        self.saved.emit()
        return True

    # --- changes by other programs -------------------------------------------------------------------
    def _watch(self) -> None:
        """Watch the file (again: a save by rename, ours or another program's, ends a watch)."""
        if self.watcher.files():
            self.watcher.removePaths(self.watcher.files())
        if self.path is not None and self.path.exists():
            self.watcher.addPath(str(self.path))

    def _changed_on_disk(self, _name: str) -> None:
        path = self.path
        if path is None or not changed_on_disk(path, self.stamp):
            self._watch()
            return
        status = self.window.statusBar()
        if not path.exists():
            status.showMessage(
                tr("{name} was removed from disk; Save writes it again.").format(name=path.name), 10000
            )
            return
        if self.editor.document().isModified():
            status.showMessage(
                tr("{name} was changed by another program; saving will ask before overwriting it.").format(
                    name=path.name
                ),
                10000,
            )
        elif self.ask_reload(path):
            self.open_path(path, ask_to_save=False)
            return
        self._watch()
