"""What a continuation reads: the text from a stable start up to the cursor.

The start is a document position that stays put while the writer types at the end, so every request
begins with the same tokens and the engine reuses its cached prefix (llama.vim keeps a slowly changing
head for the same reason). It moves only when the span outgrows the budget, when the cursor leaves it
(before the start, or so close after it that little context is left), and then jumps to a line or word
boundary that leaves room to type on. Edits before the start shift it, as any document position.
Nothing here reads more than the window itself: no per-keystroke work grows with the document.
"""

from __future__ import annotations

from collections.abc import Callable

# A new start keeps this share of the budget behind the cursor, so the writer can type the rest of the
# budget before the start has to move again.
KEEP_SHARE = 0.75
# Below this share of the budget (with text before the start), the window grows back.
MIN_SHARE = 0.25
# How far past a candidate start to look for a line or word boundary.
SNAP_CHARS = 200

# Where a start may fall, best first: after a line break, a sentence end (CJK text has no spaces), a space.
_BOUNDARIES = ("\n", "。", "！", "？", " ", "，", "\t", "\u3000")

ReadText = Callable[[int, int], str]  # (start, end) -> the document's text there


class ContextWindow:
    def __init__(self, max_chars: int) -> None:
        self.max_chars = max(16, max_chars)
        self.start = 0

    def resize(self, max_chars: int) -> None:
        """A new budget (another model, or a better estimate of characters per token)."""
        self.max_chars = max(16, max_chars)

    def edit(self, position: int, removed: int, added: int) -> None:
        """The document changed at position: keep the start on the same text."""
        if position >= self.start:
            return
        if position + removed <= self.start:
            self.start += added - removed
        else:  # the edit swallowed the start: begin where the edit ends
            self.start = position + added

    def reset(self) -> None:
        self.start = 0

    def span(self, cursor: int, read: ReadText) -> tuple[int, int]:
        """(start, cursor) for a request made with the cursor there, moving the start if it must."""
        length = cursor - self.start
        if length < 0 or length > self.max_chars or (self.start > 0 and length < self.max_chars * MIN_SHARE):
            self.start = self._new_start(cursor, read)
        return self.start, cursor

    def _new_start(self, cursor: int, read: ReadText) -> int:
        candidate = max(0, cursor - int(self.max_chars * KEEP_SHARE))
        if candidate == 0:
            return 0
        ahead = read(candidate, min(cursor, candidate + SNAP_CHARS))
        for boundary in _BOUNDARIES:
            found = ahead.find(boundary)
            if found >= 0:
                return candidate + found + 1
        return candidate
