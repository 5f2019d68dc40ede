"""The text editor with inline ghost text: an adapter between keys and the writing session.

Keys become session calls (suggest, accept, type through, cycle, dismiss); the session's ghost becomes
a display. Ghost text is shown in the block layout's pre-edit area, the same mechanism input methods use
for uncommitted text: it flows and wraps inline but is never part of the document (not in undo, saves,
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
from PySide6.QtWidgets import QMenu, QPlainTextEdit, QTextEdit, QToolTip, QWidget

from writer_app.assist.session import Edit, Ghost, WritingSession
from writer_app.assist.suggestion import Suggestion
from writer_app.document.positions import Utf16Positions, utf16_length
from writer_app.document.raw_text import BLOCK_BREAK
from writer_app.engine.completion import TokenSurprise
from writer_app.ui.document_text import with_stand_ins

LINE_SEPARATOR = "\u2028"
_CYCLE_KEYS = (Qt.Key.Key_BracketRight, Qt.Key.Key_BracketLeft)
_PLAIN_MODIFIERS = (Qt.KeyboardModifier.NoModifier, Qt.KeyboardModifier.ShiftModifier)


class EditorDocument:
    """The session's read access to the editor: text by position, never the whole document.

    The session counts code points; Qt counts UTF-16 units. Every position crossing here is converted
    by the editor's `positions` (the one place it happens, both ways)."""

    def __init__(self, editor: GhostTextEdit) -> None:
        self.editor = editor

    def _units(self, position: int) -> int:
        """A code point position as Qt's, clamped to the document."""
        document = self.editor.document()
        last = max(0, document.characterCount() - 1)
        return min(max(0, self.editor.positions.to_units(max(0, position))), last)

    def _points(self, units: int) -> int:
        return self.editor.positions.to_points(units)

    def text(self, start: int, end: int) -> str:
        """The text between two positions, clamped to the document."""
        first = self._units(start)
        cursor = QTextCursor(self.editor.document())
        cursor.setPosition(first)
        cursor.setPosition(max(first, self._units(end)), QTextCursor.MoveMode.KeepAnchor)
        # selectedText marks paragraph breaks with U+2029: the model reads them as newlines.
        return cursor.selectedText().replace(BLOCK_BREAK, "\n")

    def char_at(self, position: int) -> str:
        return self.text(position, position + 1)

    def cursor(self) -> tuple[int, bool]:
        cursor = self.editor.textCursor()
        return self._points(cursor.position()), cursor.hasSelection()

    def selection(self) -> tuple[int, int] | None:
        cursor = self.editor.textCursor()
        if not cursor.hasSelection():
            return None
        return self._points(cursor.selectionStart()), self._points(cursor.selectionEnd())

    def paragraph_at(self, position: int) -> tuple[int, int]:
        block = self.editor.document().findBlock(self._units(position))
        start = block.position()
        return self._points(start), self._points(start + max(0, block.length() - 1))

    def length(self) -> int:
        return self._points(max(0, self.editor.document().characterCount() - 1))

    def has_focus(self) -> bool:
        return self.editor.hasFocus()


# GLTR's colours, light: the model's first choice, its top 10, its top 100, beyond.
SURPRISE_COLORS = (QColor(180, 235, 180), QColor(250, 240, 160), QColor(250, 200, 150), QColor(225, 185, 245))
REVIEW_COLOR = QColor(220, 40, 40)


class GhostTextEdit(QPlainTextEdit):
    # position, removed, added of a real edit (never a ghost relayout), and the raw text it inserted (block
    # breaks as U+2029); position -1 (and no text): could not be told
    edited = Signal(int, int, int, str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session: WritingSession | None = None
        self.choice_menu: QMenu | None = None
        self._ghost: Ghost | None = None
        self._ghost_color = QColor("#8a8a8a")
        self._painted_block = None
        self._own_edit = False
        self._relayout = False
        self._length = 0  # the document's length (without its final paragraph mark) at the last change
        self.positions = Utf16Positions()  # its non-BMP characters: converts Qt's positions and the session's
        self._surprise: list[QTextEdit.ExtraSelection] = []
        # Review marks: their selections follow edits (live cursors); each with the reason it is marked.
        self._review: list[tuple[QTextEdit.ExtraSelection, str]] = []
        self.setTabChangesFocus(False)
        self.document().contentsChange.connect(self._on_contents_change)
        self.cursorPositionChanged.connect(self._on_cursor_moved)

    def attach(self, session: WritingSession) -> None:
        self.session = session

    # --- what the session shows -----------------------------------------------------------------------
    def show_choices(self, prefix: str, choices: list[tuple[str, float]]) -> QMenu:
        """A menu at the cursor of the next words the model weighed; picking one writes on from it."""
        menu = QMenu(self)
        for text, probability in choices:
            shown = text.replace("\n", "⏎")
            shown = "·" + shown[1:] if shown.startswith(" ") else shown  # a leading space, made visible
            action = menu.addAction(f"{prefix}{shown}\t{probability:.0%}")
            action.triggered.connect(lambda _=False, t=text: self._choose(t, prefix))
        self.choice_menu = menu
        menu.popup(self.viewport().mapToGlobal(self.cursorRect().bottomLeft()))
        return menu

    def _choose(self, text: str, prefix: str) -> None:
        if self.session is None:
            return
        rest = self.session.choice_rest()  # inside the model's accepted text: write it anew
        if rest is not None:
            self.apply_edit(rest)
        self.session.choose(text, prefix)

    def show_surprise(self, start: int, ranks: list[TokenSurprise]) -> None:
        """Colour each token of the paragraph at start by its GLTR band; [] clears the colours."""
        self._surprise = []
        for token in ranks:
            selection = self._selection(start + token.start, start + token.end)
            selection.format.setBackground(SURPRISE_COLORS[token.band])
            self._surprise.append(selection)
        self._show_selections()

    def show_review(self, marks: list[tuple[int, int, str]]) -> None:
        """Underline each (start, end) span with a red wave; hovering one shows its reason. [] clears."""
        self._review = []
        for start, end, reason in marks:
            selection = self._selection(start, end)
            selection.format.setUnderlineStyle(QTextCharFormat.UnderlineStyle.WaveUnderline)
            selection.format.setUnderlineColor(REVIEW_COLOR)
            self._review.append((selection, reason))
        self._show_selections()

    def review_reason_at(self, units: int) -> str | None:
        """The reason of the review mark at a document position (Qt's units), if one is there."""
        for selection, reason in self._review:
            if selection.cursor.selectionStart() <= units < selection.cursor.selectionEnd():
                return reason
        return None

    def _selection(self, start: int, end: int) -> QTextEdit.ExtraSelection:
        selection = QTextEdit.ExtraSelection()
        cursor = QTextCursor(self.document())
        cursor.setPosition(self.positions.to_units(start))
        cursor.setPosition(self.positions.to_units(end), QTextCursor.MoveMode.KeepAnchor)
        selection.cursor = cursor
        return selection

    def _show_selections(self) -> None:
        self.setExtraSelections(self._surprise + [selection for selection, _reason in self._review])

    def set_ghost_color(self, color: QColor) -> None:
        self._ghost_color = color
        self._refresh_ghost()

    def show_ghost(self, ghost: Ghost | None) -> None:
        self._ghost = ghost
        self._refresh_ghost()

    @property
    def suggestion(self) -> Suggestion | None:
        return self.session.suggestion if self.session is not None else None

    @property
    def ghost_text(self) -> str:
        return self._ghost.text if self._ghost is not None else ""

    @property
    def composing(self) -> bool:
        return self.session is not None and self.session.composing

    def apply_edit(self, edit: Edit) -> None:
        """Put the session's text into the document as one undo step, without dismissing anything."""
        self._clear_ghost()
        cursor = QTextCursor(self.document())
        cursor.setPosition(self.positions.to_units(edit.start))
        cursor.setPosition(self.positions.to_units(edit.end), QTextCursor.MoveMode.KeepAnchor)
        self._own_edit = True
        try:
            # An edit block is never merged with the neighbouring typing: accepting undoes in one step.
            cursor.beginEditBlock()
            cursor.insertText(with_stand_ins(self.document(), edit.text))
            cursor.endEditBlock()
        finally:
            self._own_edit = False
        self.setTextCursor(cursor)
        self._refresh_ghost()

    # --- text put in by pasting, dropping or code -----------------------------------------------------
    def insertFromMimeData(self, source) -> None:  # noqa: N802 (Qt override)
        if source.hasText():  # a plain-text editor takes the text of whatever is pasted or dropped
            self.insertPlainText(source.text())
            return
        super().insertFromMimeData(source)

    def insertPlainText(self, text: str) -> None:  # noqa: N802 (Qt's name)
        """Qt keeps U+FDD0 / U+FDD1 for itself (they became line breaks): they go in as the document's
        stand-ins for them, and come out as themselves when it is saved."""
        super().insertPlainText(with_stand_ins(self.document(), text))

    # --- keyboard, mouse, input method --------------------------------------------------------------
    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 (Qt override)
        session = self.session
        key, mods = event.key(), event.modifiers()
        if session is None:
            super().keyPressEvent(event)
            return
        if key == Qt.Key.Key_Space and mods == Qt.KeyboardModifier.ControlModifier:
            cursor = self.textCursor()
            if cursor.hasSelection():
                cursor.clearSelection()
                self.setTextCursor(cursor)
            session.request_suggestion()
            return
        if key == Qt.Key.Key_Down and mods == Qt.KeyboardModifier.AltModifier:
            session.request_choices()  # the words the model weighs here; the menu opens when they come
            return
        if session.suggestion is not None:
            if self._handle_suggestion_key(session, event, key, mods):
                return
            session.dismiss()
        elif mods == Qt.KeyboardModifier.AltModifier and key in _CYCLE_KEYS:
            return  # the alternative keys: with nothing to cycle they do nothing (never type a bracket)
        super().keyPressEvent(event)

    def _handle_suggestion_key(
        self, session: WritingSession, event: QKeyEvent, key: int, mods: Qt.KeyboardModifier
    ) -> bool:
        """Keys that act on visible ghost text. False: the key dismisses it and does its usual job."""
        alt, ctrl = Qt.KeyboardModifier.AltModifier, Qt.KeyboardModifier.ControlModifier
        if key == Qt.Key.Key_Escape:
            session.dismiss()
            return True
        if key == Qt.Key.Key_Tab and mods == Qt.KeyboardModifier.NoModifier and self.ghost_text:
            return self._apply(session.accept_all())
        if key == Qt.Key.Key_Right and mods == ctrl and self.ghost_text:
            return self._apply(session.accept_word())
        if mods == alt and key in _CYCLE_KEYS:
            session.cycle(1 if key == Qt.Key.Key_BracketRight else -1)
            return True
        if key in (Qt.Key.Key_Shift, Qt.Key.Key_Control, Qt.Key.Key_Alt, Qt.Key.Key_Meta):
            return True  # a modifier alone changes nothing
        text = event.text()
        if text and text.isprintable() and mods in _PLAIN_MODIFIERS and not self.textCursor().hasSelection():
            return self._apply(session.type_through(self.cursor_position(), text))
        return False

    def cursor_position(self) -> int:
        """The cursor, counted as the session counts (code points)."""
        return self.positions.to_points(self.textCursor().position())

    def _apply(self, edit: Edit | None) -> bool:
        if edit is None:
            return False
        self.apply_edit(edit)
        return True

    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        if self.session is not None:
            self.session.dismiss()
        super().mousePressEvent(event)

    def inputMethodEvent(self, event: QInputMethodEvent) -> None:  # noqa: N802
        """CJK input: no suggestion while composing; a commit types through or dismisses like a key."""
        session = self.session
        if session is not None:
            composing = bool(event.preeditString())
            session.set_composing(composing)
            commit = event.commitString()
            if session.suggestion is not None:
                position = self.cursor_position()
                if not composing and commit and self._apply(session.type_through(position, commit)):
                    return
                session.dismiss()
        super().inputMethodEvent(event)

    def event(self, event) -> bool:
        # Tab must reach keyPressEvent even though QWidget would use it to move focus.
        if event.type() == event.Type.KeyPress and event.key() == Qt.Key.Key_Tab and self.ghost_text:
            self.keyPressEvent(event)
            return True
        if event.type() == event.Type.ToolTip and self._review:
            at = self.cursorForPosition(self.viewport().mapFrom(self, event.pos())).position()
            reason = self.review_reason_at(at)
            if reason is not None:
                QToolTip.showText(event.globalPos(), reason, self)
            else:
                QToolTip.hideText()
            return True
        return super().event(event)

    # --- document bookkeeping -----------------------------------------------------------------------
    def _on_contents_change(self, position: int, removed: int, added: int) -> None:
        if self._relayout:
            return  # a relayout of the ghost text, not an edit
        # Qt counts the document's final paragraph mark in changes that reach the end (and reports an
        # input method's pre-edit as such a change): take it out, so what is reported is what changed.
        length = self.document().characterCount() - 1
        excess = position + removed - self._length
        if excess > 0:
            removed, added = removed - excess, max(0, added - excess)
        exact = added - removed == length - self._length
        self._length = length
        if removed == 0 and added == 0:
            return
        inserted = self._units_text(position, position + added) if exact else ""
        self.edited.emit(position if exact else -1, removed, added, inserted)
        # The session counts code points: convert before the positions learn of the edit.
        points = self.positions
        at, removed_points = points.to_points(position), points.count_points(position, position + removed)
        if exact:
            points.edit(position, removed, inserted)
        else:
            points.reset(self._units_text(0, length))
        added_points = points.count_points(position, position + added)
        if self.session is not None:
            self.session.edit(at, removed_points, added_points, own=self._own_edit)

    def _units_text(self, start: int, end: int) -> str:
        """The document's raw text between two of Qt's positions."""
        if end <= start:
            return ""
        cursor = QTextCursor(self.document())
        cursor.setPosition(start)
        cursor.setPosition(end, QTextCursor.MoveMode.KeepAnchor)
        return cursor.selectedText()

    def _on_cursor_moved(self) -> None:
        if self.session is not None and not self._own_edit:
            self.session.cursor_moved()

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
        ghost = self._ghost
        if ghost is None or not ghost.text:
            self.viewport().update()
            return
        anchor = self.positions.to_units(ghost.anchor)
        block = self.document().findBlock(anchor)
        if not block.isValid():
            return
        offset = anchor - block.position()
        layout = block.layout()
        # A block cannot hold a paragraph break; a line separator shows the ghost's newlines as such.
        layout.setPreeditArea(offset, ghost.text.replace("\n", LINE_SEPARATOR))
        grey = QTextCharFormat()
        grey.setForeground(self._ghost_color)
        span = QTextLayout.FormatRange()
        span.start, span.length, span.format = offset, utf16_length(ghost.text), grey
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
