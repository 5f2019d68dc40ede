"""A suggestion's life: alternatives streaming in, typed through, stepped, accepted by word or whole."""

from __future__ import annotations

import re

from writer_app.assist.chat_artefacts import cut_artefacts
from writer_app.engine.cjk import CJK_LETTERS, CJK_PUNCTUATION

_CJK = CJK_LETTERS + CJK_PUNCTUATION
# One step of "accept the next word": leading space, then one CJK character or a run of other non-space.
_NEXT_WORD = re.compile(rf"\s*(?:[{_CJK}]|[^\s{_CJK}]+)", re.DOTALL)


class Suggestion:
    """Ghost text for one request. `typed` is what the writer typed through; alternatives must match it."""

    def __init__(
        self,
        request_id: int,
        anchor: int,
        alternatives: int = 1,
        revision: int = 0,
        start: str = "",
        *,
        markdown_is_prose: bool = False,
    ) -> None:
        self.request_id = request_id
        self.revision = revision  # the document revision it is shown on (own edits move it along)
        self.anchor = anchor  # document position where the ghost text starts
        # `start`: words the writer picked (Alt+Down), shown at once; the model writes on from them.
        self.alternatives: list[str] = [start] * max(1, alternatives)
        self.index = 0
        self.typed = ""
        self.finished = False
        self.markdown_is_prose = markdown_is_prose  # the writer's text is Markdown: its marks are prose
        self._ended: set[int] = set()  # alternatives cut where a chat assistant began talking

    def append(self, row: int, text: str) -> None:
        if 0 <= row < len(self.alternatives) and row not in self._ended:
            kept, cut = cut_artefacts(self.alternatives[row] + text, markdown_is_prose=self.markdown_is_prose)
            self.alternatives[row] = kept
            if cut:
                self._ended.add(row)

    def _remaining(self, row: int) -> str | None:
        alt = self.alternatives[row]
        return alt[len(self.typed) :] if alt.startswith(self.typed) else None

    @property
    def ghost(self) -> str:
        return self._remaining(self.index) or ""

    def viable(self) -> list[int]:
        """Alternatives that are non-empty after what the writer typed through."""
        return [i for i in range(len(self.alternatives)) if self._remaining(i)]

    def type_through(self, text: str) -> bool:
        """The writer typed `text` at the anchor. True if it matches the ghost (which then shrinks)."""
        if not text or not self.ghost.startswith(text):
            return False
        self.typed += text
        self.anchor += len(text)
        return True

    def cycle(self, step: int) -> bool:
        """Show the next (step=1) or previous (-1) alternative that still matches. False if none other."""
        candidates = [i for i in self.viable() if i != self.index]
        if not candidates:
            return False
        n = len(self.alternatives)
        order = sorted(candidates, key=lambda i: (i - self.index) * step % n)
        self.index = order[0]
        return True

    def take_word(self) -> str:
        """Remove and return the next word of the ghost text (what Ctrl+Right accepts)."""
        match = _NEXT_WORD.match(self.ghost)
        word = match.group(0) if match else self.ghost
        self.typed += word
        self.anchor += len(word)
        return word

    def take_all(self) -> str:
        text = self.ghost
        self.typed += text
        self.anchor += len(text)
        return text


def mid_word(following: str) -> bool:
    """True when the character after the cursor continues a word (no auto-suggestion there)."""
    return bool(following) and not following.isspace() and following not in "\u2029\u2028"
