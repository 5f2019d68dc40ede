"""Words and phrases generation must never produce, in any language: the one list and the one way of
matching both backends use. The local engine checks as tokens are chosen; a server's text is cut where
a phrase begins.

A phrase can be split across tokens ("dam" + "n"), and across the end of the writer's text and the
start of the suggestion, so a candidate token is judged by the text it would create: if that text
holds a blocked phrase that was not there before, the token is refused and the next choice is taken.
The writer's own text is never judged; only what the model would add to it.

Matching ignores case, and the spaces, hyphens, dots and invisible characters written inside a word to
split it: a block on "driftwood" catches "Drift Wood", "drift-wood" and "d.r.i.f.t.w.o.o.d"; one on
"国家级" catches "国 家 级".
"""

from __future__ import annotations

import re
from collections.abc import Iterable

# What splits a word without changing it: spaces, hyphens and dashes, dots, underscores, middle dots,
# apostrophes, and the invisible characters (zero-width spaces and joiners, soft hyphen, BOM).
_SPLITTERS = re.compile(r"[\s\-‐-―_.·・'’*\u00ad\u200b-\u200d\u2060\ufeff]+")


def _compact(text: str) -> tuple[str, list[int]]:
    """The text folded for matching, and where each of its characters stands in the text."""
    kept: list[str] = []
    where: list[int] = []
    last = 0
    for match in _SPLITTERS.finditer(text):
        for i in range(last, match.start()):
            kept.append(text[i])
            where.append(i)
        last = match.end()
    for i in range(last, len(text)):
        kept.append(text[i])
        where.append(i)
    folded = "".join(kept).casefold()
    if len(folded) != len(kept):  # a character that folds to several ("ß" -> "ss"): fold one by one
        pieces = [c.casefold() for c in kept]
        where = [w for piece, w in zip(pieces, where, strict=True) for _ in piece]
        folded = "".join(pieces)
    return folded, where


def _folded(text: str) -> str:
    return _SPLITTERS.sub("", text).casefold()


class BlockList:
    def __init__(self, phrases: Iterable[str]) -> None:
        self.phrases = tuple(sorted({_compact(p)[0] for p in phrases} - {""}))

    def __bool__(self) -> bool:
        return bool(self.phrases)

    def creates(self, before: str, after: str) -> bool:
        """True when `after` (which extends `before`) holds a blocked phrase that does not end inside
        `before`."""
        folded_before, folded_after = _folded(before), _folded(after)
        for phrase in self.phrases:
            if folded_after.find(phrase, max(0, len(folded_before) - len(phrase) + 1)) != -1:
                return True
        return False

    def first_in(self, text: str) -> int | None:
        """Where the first blocked phrase in text begins (None: none is there). For text that arrives
        whole, a server's stream: it is cut there, since its tokens cannot be refused one by one."""
        found = [start for start, _end, _phrase in self.spans(text)]
        return min(found) if found else None

    def spans(self, text: str) -> list[tuple[int, int, str]]:
        """Every blocked phrase in text: (start, end, the phrase as listed, folded), by position."""
        folded, where = _compact(text)
        spans = []
        for phrase in self.phrases:
            at = folded.find(phrase)
            while at != -1:
                spans.append((where[at], where[at + len(phrase) - 1] + 1, phrase))
                at = folded.find(phrase, at + 1)
        return sorted(spans)


def read_block_list(text: str) -> list[str]:
    """Phrases from a block-list file: one per line; blank lines and lines starting with # are skipped."""
    return [line.strip() for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")]
