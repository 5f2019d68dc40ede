"""Hot exit: unsaved text is kept in the recovery folder while the writer works, SIGTERM and SIGINT
close the editor keeping it, and the next start offers it back.

The first edit of a document writes a base copy; later edits are appended to its journal at most
RECOVERY_INTERVAL_MS after they are made (so continuous typing loses at most that much), at once when
the editor loses focus or the process is asked to end. Appending an edit costs a few bytes where a
full copy of a 10 MB document costs tens of milliseconds on the GUI thread, so a new base is taken only
when the journal has grown and the writer pauses. Files with mixed line endings keep full copies (their
per-line breaks do not follow edits). Everything is removed when the text is saved or knowingly
discarded. Writing happens on a thread of its own, in the order it was asked for.
"""

from __future__ import annotations

import logging
import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import datetime
from pathlib import Path

from PySide6.QtCore import QObject, Qt, QTimer
from PySide6.QtWidgets import QApplication, QMainWindow, QMessageBox

from writer_app.document.recovery import Edit, RecoveryCopy, RecoveryStore, compare_with_disk
from writer_app.document.textfile import split_breaks
from writer_app.errors import UserError
from writer_app.ui.document_files import APP_TITLE, DocumentFiles
from writer_app.ui.document_text import snapshot, without_stand_ins
from writer_app.ui.i18n import tr

log = logging.getLogger(__name__)
RECOVERY_INTERVAL_MS = 2000
# A new base when the journal is this long and the writer has paused this long.
REBASE_EDITS = 2000
REBASE_CHARS = 1_000_000
REBASE_PAUSE_MS = 1500


class HotExit(QObject):
    def __init__(self, window: QMainWindow, files: DocumentFiles, store: RecoveryStore | None = None) -> None:
        super().__init__(window)
        self.window, self.files = window, files
        self.store = store or RecoveryStore()
        self.copy = RecoveryCopy(raw="")
        self._based = False  # this document's base copy is written (or queued)
        # An append failed (the disk full for a moment): the journal no longer follows the text, so the
        # next flush writes a new base, which holds everything typed meanwhile, instead of appending.
        self._rebase_needed = False
        self._pending: list[Edit] = []  # edits not yet appended to the journal
        self._journal_edits = 0
        self._journal_chars = 0
        self._warned = False
        self._failure: str | None = None
        self._closed = False
        # One thread, so copies, appends and removals happen in the order they were asked for.
        self._writer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="writer-app-recovery")
        self._timer = QTimer(self, singleShot=True, interval=RECOVERY_INTERVAL_MS)
        self._timer.timeout.connect(self.flush)
        self._rebase_timer = QTimer(self, singleShot=True, interval=REBASE_PAUSE_MS)
        self._rebase_timer.timeout.connect(self._rebase_if_long)
        files.editor.edited.connect(self._edited)
        files.editor.document().modificationChanged.connect(self._modification_changed)
        app = QApplication.instance()
        if isinstance(app, QApplication):
            app.applicationStateChanged.connect(self._application_state)

    @property
    def modified(self) -> bool:
        return self.files.editor.document().isModified()

    def _edited(self, position: int, removed: int, added: int, inserted: str) -> None:
        if self._closed or self.files.loading:
            return
        if self.files.breaks_kept or not self._based or position < 0:
            if not self._based or position < 0:
                self._write_base()  # the first edit (or one Qt did not describe): a base that holds it
            elif not self._timer.isActive():
                self._timer.start()
            return
        text = without_stand_ins(self.files.editor.document(), inserted)  # breaks as U+2029, like the base
        length = self.files.editor.document().characterCount() - 1  # what replay checks it against
        self._pending.append(Edit(position, removed, text, length))
        self._journal_edits += 1
        self._journal_chars += len(text) + 16
        if not self._timer.isActive():  # throttled, not debounced: typing on is still kept
            self._timer.start()
        self._rebase_timer.start()

    def _modification_changed(self, modified: bool) -> None:
        if not modified:  # saved, reloaded, or a new document: nothing unsaved to keep
            self.discard()

    def _application_state(self, state: Qt.ApplicationState) -> None:
        if state != Qt.ApplicationState.ApplicationActive:
            self.flush()

    def flush(self) -> None:
        """Put every unsaved edit on disk now (nothing when there is none)."""
        self._timer.stop()
        self._report_failure()
        if self._closed or not self.modified:
            return
        if self.files.breaks_kept or not self._based or self._rebase_needed:
            self._write_base()
        elif self._pending:
            edits, self._pending = self._pending, []
            self._writer.submit(self._append, self.copy.id, self.copy.generation, edits)

    def _rebase_if_long(self) -> None:
        if self._journal_edits > REBASE_EDITS or self._journal_chars > REBASE_CHARS:
            self._write_base()

    def _write_base(self) -> None:
        """A full copy of the document (about 30 ms of the GUI thread for 10 MB): a new generation."""
        self._timer.stop()
        files = self.files
        raw, breaks = snapshot(files.editor.document(), files.breaks_kept)
        fmt = files.format
        self.copy = replace(
            self.copy,
            raw=raw,
            breaks=breaks,
            path=str(files.path) if files.path else None,
            encoding=fmt.encoding,
            newline=fmt.newline,
            bom=fmt.bom,
            cursor=files.editor.textCursor().position(),
            generation=self.copy.generation + 1,
            saved_at=datetime.now().timestamp(),
        )
        self._based = True
        self._pending, self._journal_edits, self._journal_chars = [], 0, 0
        self._writer.submit(self._write, self.copy)

    def _write(self, copy: RecoveryCopy) -> None:
        """On the writer thread."""
        try:
            self.store.write(copy)
        except UserError as exc:
            self._failure = str(exc)
            self._rebase_needed = True
        else:
            self._failure = None
            self._rebase_needed = False

    def _append(self, copy_id: str, generation: int, edits: list[Edit]) -> None:
        """On the writer thread. After a failed write the journal may end in half a line and no longer
        follows the text: nothing more goes into it (the next flush writes a new base)."""
        if self._rebase_needed:
            return
        try:
            self.store.append(copy_id, generation, edits)
        except UserError as exc:
            self._failure = str(exc)
            self._rebase_needed = True

    def _report_failure(self) -> None:
        if self._failure is not None and not self._warned:  # say it once; the editor keeps working
            self._warned = True
            message = tr("Unsaved text is not being protected: {reason}").format(reason=self._failure)
            self.window.statusBar().showMessage(message, 15000)
        elif self._failure is None and self._warned:  # a base was written since: all of it is kept again
            self._warned = False
            self.window.statusBar().showMessage(tr("Unsaved text is protected again."), 8000)

    def wait(self) -> None:
        """Until every copy and edit asked for is on disk."""
        if not self._closed:
            self._writer.submit(lambda: None).result()
        self._report_failure()

    def discard(self) -> None:
        """Remove this document's copy, after anything still queued (which would bring it back)."""
        self._timer.stop()
        self._rebase_timer.stop()
        self._based, self._pending = False, []
        if not self._closed:
            self._writer.submit(self.store.remove, self.copy.id).result()

    def close(self) -> None:
        """The window closes: finish what is queued; nothing more is copied."""
        self._closed = True
        self._timer.stop()
        self._rebase_timer.stop()
        app = QApplication.instance()
        if isinstance(app, QApplication):
            app.applicationStateChanged.disconnect(self._application_state)
        self._writer.shutdown(wait=True)

    # --- the next start ---------------------------------------------------------------------------------
    def ask_restore(self, copy: RecoveryCopy) -> QMessageBox.StandardButton:
        """Yes restores, Discard deletes the copy, No keeps it for later. "Show Details…" compares
        the recovered text with the file on disk."""
        when = datetime.fromtimestamp(copy.saved_at).strftime("%Y-%m-%d %H:%M")
        buttons = QMessageBox.StandardButton
        box = QMessageBox(
            QMessageBox.Icon.Question,
            APP_TITLE,
            tr(
                "Unsaved text of {name} ({count} characters) was kept when the editor last "
                "closed unexpectedly ({when}). Restore it?"
            ).format(name=copy.name, count=f"{len(copy.text):,}", when=when),
            buttons.Yes | buttons.No | buttons.Discard,
            self.window,
        )
        later = tr("No keeps it for the next start; Discard deletes it.")
        if copy.problem:
            damaged = tr(
                "This copy could not be rebuilt to its end ({problem}): what Yes restores is the text as of "
                "the last change that could be."
            )
            later = damaged.format(problem=copy.problem) + "\n\n" + later
        box.setInformativeText(later)
        box.setDetailedText(compare_with_disk(copy))
        return buttons(box.exec())

    def offer_recovery(self) -> bool:
        """Offer the copies left by editors that ended without saving; True if one was restored."""
        copies, problems = self.store.orphans()
        for problem in problems:
            log.warning(problem)
        for copy in copies:
            answer = self.ask_restore(copy)
            if answer == QMessageBox.StandardButton.Discard:
                self.store.remove(copy.id)
            elif answer == QMessageBox.StandardButton.Yes:
                self.restore(copy)
                return True
        return False

    def restore(self, copy: RecoveryCopy) -> None:
        """Put the recovered text in the editor, unsaved, as it would be saved; the copy stays on disk
        (now this editor's) until the writer saves or discards it."""
        files = self.files
        if copy.path is not None and not files.open_path(Path(copy.path), ask_to_save=False):
            files.path = Path(copy.path)
        text, _newline, breaks = split_breaks(copy.text)
        self.discard()
        if copy.format.encoding != files.format.encoding:
            files.variants = None  # learnt from the file on disk, in another encoding
        files.format = copy.format
        files.put_text(text, breaks)
        cursor = files.editor.textCursor()
        cursor.setPosition(min(copy.cursor, len(text)))
        files.editor.setTextCursor(cursor)
        files.editor.document().setModified(True)
        self.copy = replace(copy, pid=os.getpid(), raw="", problem="")
        self.flush()
        files.titleChanged.emit()
        self.window.statusBar().showMessage(
            tr("Recovered unsaved text of {name}; the file on disk is unchanged until you save.").format(
                name=copy.name
            ),
            15000,
        )
