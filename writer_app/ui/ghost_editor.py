"""The text editor with inline ghost text.

Ghost text is shown in the block layout's pre-edit area, the same mechanism input methods use for
uncommitted text: it flows and wraps inline but is never part of the document (not in undo, saves,
counts or toPlainText) until accepted.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import (
    QColor,
    QInputMethodEvent,
    QKeyEvent,
    QMouseEvent,
    QTextCharFormat,
    QTextCursor,
    QTextLayout,
)
from PySide6.QtWidgets import QPlainTextEdit, QWidget

from writer_app.assist.suggestion import Suggestion

LINE_SEPARATOR = "\u2028"
_PLAIN_MODIFIERS = (Qt.KeyboardModifier.NoModifier, Qt.KeyboardModifier.ShiftModifier)


class GhostTextEdit(QPlainTextEdit):
    suggestRequested = Signal()
    suggestionDismissed = Signal(int)  # request id: stop generating for it
    typingPaused = Signal()  # emitted on every edit; the window debounces it for auto-suggest

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.suggestion: Suggestion | None = None
        self.revision = 0
        self._ghost_color = QColor("#8a8a8a")
        self._painted_block = None
        self._own_edit = False
        self._relayout = False
        self._composing = False
        self.setTabChangesFocus(False)
        self.document().contentsChange.connect(self._on_contents_change)

    # --- public API -------------------------------------------------------------------------------
    def set_ghost_color(self, color: QColor) -> None:
        self._ghost_color = color
        self._refresh_ghost()

    @property
    def composing(self) -> bool:
        return self._composing

    @property
    def ghost_text(self) -> str:
        return self.suggestion.ghost if self.suggestion else ""

    def start_suggestion(self, request_id: int, alternatives: int) -> None:
        self.dismiss_suggestion()
        self.suggestion = Suggestion(request_id, self.textCursor().position(), alternatives)

    def append_suggestion(self, request_id: int, row: int, text: str) -> bool:
        """Add streamed text; False (dropped) if it belongs to a suggestion that no longer exists."""
        if self.suggestion is None or self.suggestion.request_id != request_id:
            return False
        self.suggestion.append(row, text)
        if row == self.suggestion.index or not self.suggestion.ghost:
            if not self.suggestion.ghost and self.suggestion.viable():
                self.suggestion.cycle(1)
            self._refresh_ghost()
        return True

    def finish_suggestion(self, request_id: int) -> None:
        if self.suggestion is not None and self.suggestion.request_id == request_id:
            self.suggestion.finished = True
            if not self.suggestion.viable():
                self.dismiss_suggestion(notify=False)

    def dismiss_suggestion(self, *, notify: bool = True) -> None:
        if self.suggestion is None:
            return
        request_id = self.suggestion.request_id
        self.suggestion = None
        self._clear_ghost()
        if notify:
            self.suggestionDismissed.emit(request_id)

    def accept_all(self) -> bool:
        if not self.ghost_text:
            return False
        suggestion = self.suggestion
        assert suggestion is not None
        text = suggestion.take_all()
        self._insert_own(suggestion.anchor - len(text), text)
        self.suggestion = None
        self._clear_ghost()
        self.suggestionDismissed.emit(suggestion.request_id)  # stop generating the rest
        return True

    def accept_word(self) -> bool:
        if not self.ghost_text:
            return False
        suggestion = self.suggestion
        assert suggestion is not None
        word = suggestion.take_word()
        self._insert_own(suggestion.anchor - len(word), word)
        if not suggestion.ghost and suggestion.finished:
            self.dismiss_suggestion()
        else:
            self._refresh_ghost()
        return True

    def cycle(self, step: int) -> bool:
        if self.suggestion is None or not self.suggestion.cycle(step):
            return False
        self._refresh_ghost()
        return True

    # --- keyboard, mouse, input method --------------------------------------------------------------
    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 (Qt override)
        key, mods = event.key(), event.modifiers()
        if key == Qt.Key.Key_Space and mods == Qt.KeyboardModifier.ControlModifier:
            self.suggestRequested.emit()
            return
        if self.suggestion is not None:
            if self._handle_suggestion_key(event, key, mods):
                return
            self.dismiss_suggestion()
        super().keyPressEvent(event)

    def _handle_suggestion_key(self, event: QKeyEvent, key: int, mods: Qt.KeyboardModifier) -> bool:
        """Keys that act on visible ghost text. False: the key dismisses it and does its usual job."""
        alt, ctrl = Qt.KeyboardModifier.AltModifier, Qt.KeyboardModifier.ControlModifier
        if key == Qt.Key.Key_Escape:
            self.dismiss_suggestion()
            return True
        if key == Qt.Key.Key_Tab and mods == Qt.KeyboardModifier.NoModifier and self.ghost_text:
            return self.accept_all()
        if key == Qt.Key.Key_Right and mods == ctrl and self.ghost_text:
            return self.accept_word()
        if mods == alt and key in (Qt.Key.Key_BracketRight, Qt.Key.Key_BracketLeft):
            self.cycle(1 if key == Qt.Key.Key_BracketRight else -1)
            return True
        if key in (Qt.Key.Key_Shift, Qt.Key.Key_Control, Qt.Key.Key_Alt, Qt.Key.Key_Meta):
            return True  # a modifier alone changes nothing
        text = event.text()
        if text and text.isprintable() and mods in _PLAIN_MODIFIERS and not self.textCursor().hasSelection():
            return self._type_through(text)
        return False

    def _type_through(self, text: str) -> bool:
        suggestion = self.suggestion
        assert suggestion is not None
        if self.textCursor().position() != suggestion.anchor or not suggestion.type_through(text):
            return False
        self._insert_own(suggestion.anchor - len(text), text)
        if not suggestion.ghost and suggestion.finished:
            self.dismiss_suggestion()
        else:
            self._refresh_ghost()
        return True

    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        self.dismiss_suggestion()
        super().mousePressEvent(event)

    def inputMethodEvent(self, event: QInputMethodEvent) -> None:  # noqa: N802
        """CJK input: no suggestion while composing; a commit types through or dismisses like a key."""
        self._composing = bool(event.preeditString())
        commit = event.commitString()
        if self.suggestion is not None:
            if self._composing:
                self.dismiss_suggestion()
            elif commit and not event.preeditString() and self._type_through(commit):
                return
            else:
                self.dismiss_suggestion()
        super().inputMethodEvent(event)

    def event(self, event) -> bool:
        # Tab must reach keyPressEvent even though QWidget would use it to move focus.
        if event.type() == event.Type.KeyPress and event.key() == Qt.Key.Key_Tab and self.ghost_text:
            self.keyPressEvent(event)
            return True
        return super().event(event)

    # --- document bookkeeping -----------------------------------------------------------------------
    def _on_contents_change(self, position: int, removed: int, added: int) -> None:
        if self._relayout or (removed == 0 and added == 0):
            return  # a relayout of the ghost text, not an edit
        self.revision += 1
        if not self._own_edit:
            self.dismiss_suggestion()
            self.typingPaused.emit()

    def _insert_own(self, position: int, text: str) -> None:
        """Insert accepted or typed-through text as its own undo step without dismissing the suggestion."""
        self._clear_ghost()
        cursor = QTextCursor(self.document())
        cursor.setPosition(position)
        self._own_edit = True
        try:
            # An edit block is never merged with the neighbouring typing: accepting undoes in one step.
            cursor.beginEditBlock()
            cursor.insertText(text)
            cursor.endEditBlock()
        finally:
            self._own_edit = False
        self.setTextCursor(cursor)

    # --- ghost text display -------------------------------------------------------------------------
    def _clear_ghost(self) -> None:
        block = self._painted_block
        self._painted_block = None
        if block is None or not block.isValid():
            return
        layout = block.layout()
        layout.setPreeditArea(-1, "")
        layout.setFormats([])
        self._mark_dirty(block)

    def _refresh_ghost(self) -> None:
        self._clear_ghost()
        suggestion = self.suggestion
        if suggestion is None or not suggestion.ghost:
            self.viewport().update()
            return
        block = self.document().findBlock(suggestion.anchor)
        if not block.isValid():
            return
        offset = suggestion.anchor - block.position()
        layout = block.layout()
        # A block cannot hold a paragraph break; a line separator shows the ghost's newlines as such.
        layout.setPreeditArea(offset, suggestion.ghost.replace("\n", LINE_SEPARATOR))
        grey = QTextCharFormat()
        grey.setForeground(self._ghost_color)
        span = QTextLayout.FormatRange()
        span.start, span.length, span.format = offset, len(suggestion.ghost), grey
        layout.setFormats([span])
        self._painted_block = block
        self._mark_dirty(block)
        self.ensureCursorVisible()

    def _mark_dirty(self, block) -> None:
        """Relayout one block (the document reports this as a change; it is not an edit)."""
        self._relayout = True
        try:
            self.document().markContentsDirty(block.position(), block.length())
        finally:
            self._relayout = False
