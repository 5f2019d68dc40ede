"""Words and phrases generation must never produce, in any language, checked as tokens are chosen.

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


def read_block_list(text: str) -> list[str]:
    """Phrases from a block-list file: one per line; blank lines and lines starting with # are skipped."""
    return [line.strip() for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")]
