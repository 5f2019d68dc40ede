"""View → Memory: the document's memory and author's note, edited beside the text, kept in a sidecar file
next to the document (never inside the writer's text), with the share of the context window they take."""

from __future__ import annotations

import logging

from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import QDockWidget, QLabel, QPlainTextEdit, QVBoxLayout, QWidget

from writer_app.assist.notes import DocumentNotes
from writer_app.ui.i18n import tr

log = logging.getLogger(__name__)
APPLY_DELAY_MS = 500


class NotesPanel(QDockWidget):
    """notesChanged(DocumentNotes), after the writer pauses typing in either box."""

    notesChanged = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(tr("Memory"), parent)
        self.setObjectName("notesPanel")
        body = QWidget()
        layout = QVBoxLayout(body)
        layout.addWidget(
            QLabel(tr("Memory: who the characters are, the setting, the voice. Read before the text."))
        )
        self.memory = QPlainTextEdit()
        self.memory.setPlaceholderText(tr("Mara keeps the lighthouse on Inis Mór; her brother left in 1952…"))
        layout.addWidget(self.memory, 2)
        layout.addWidget(
            QLabel(tr("Author's note: the direction for what comes next. Read near the cursor."))
        )
        self.note = QPlainTextEdit()
        self.note.setPlaceholderText(tr("Tense, quiet; the storm is coming."))
        layout.addWidget(self.note, 1)
        self.budget = QLabel()
        self.budget.setWordWrap(True)
        layout.addWidget(self.budget)
        self.setWidget(body)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(APPLY_DELAY_MS)
        self._timer.timeout.connect(self._apply)
        self._loading = False
        self.memory.textChanged.connect(self._edited)
        self.note.textChanged.connect(self._edited)

    def notes(self) -> DocumentNotes:
        return DocumentNotes(self.memory.toPlainText(), self.note.toPlainText())

    def show_notes(self, notes: DocumentNotes) -> None:
        self._loading = True
        try:
            self.memory.setPlainText(notes.memory)
            self.note.setPlainText(notes.authors_note)
        finally:
            self._loading = False

    def show_budget(self, notes_tokens: int, budget: int) -> None:
        self.budget.setText(
            tr("About {used} of the {budget} tokens a suggestion reads; the text gets the rest.").format(
                used=notes_tokens, budget=budget
            )
        )

    def _edited(self) -> None:
        if not self._loading:
            self._timer.start()

    def _apply(self) -> None:
        self.notesChanged.emit(self.notes())
