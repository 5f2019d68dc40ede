"""Words and phrases generation must never produce, in any language: the one list and the one way of
matching both backends use. The local engine checks as tokens are chosen; a server's text is cut where
a phrase begins.

A phrase can be split across tokens ("dam" + "n"), and across the end of the writer's text and the
start of the suggestion, so a candidate token is judged by the text it would create: if that text
holds a blocked phrase that was not there before (case-insensitive), the token is refused and the next
choice is taken. The writer's own text is never judged; only what the model would add to it.
"""

from __future__ import annotations

from collections.abc import Iterable


class BlockList:
    def __init__(self, phrases: Iterable[str]) -> None:
        self.phrases = tuple(sorted({p.strip().casefold() for p in phrases if p.strip()}))

    def __bool__(self) -> bool:
        return bool(self.phrases)

    def creates(self, before: str, after: str) -> bool:
        """True when `after` (which extends `before`) holds a blocked phrase that does not end inside
        `before`."""
        folded_before, folded_after = before.casefold(), after.casefold()
        for phrase in self.phrases:
            if folded_after.find(phrase, max(0, len(folded_before) - len(phrase) + 1)) != -1:
                return True
        return False

    def first_in(self, text: str) -> int | None:
        """Where the first blocked phrase in text begins (None: none is there). For text that arrives
        whole, a server's stream: it is cut there, since its tokens cannot be refused one by one."""
        folded = text.casefold()
        found = [i for i in (folded.find(phrase) for phrase in self.phrases) if i >= 0]
        return min(found) if found else None


def read_block_list(text: str) -> list[str]:
    """Phrases from a block-list file: one per line; blank lines and lines starting with # are skipped."""
    return [line.strip() for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")]
