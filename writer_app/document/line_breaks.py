"""Which line break ends each line of a file whose line breaks were mixed, kept through the writer's
edits: a break belongs to the line it ended. Enter pressed inside a CRLF line of an LF file leaves that
line's CRLF at its end and gives the new break the file's own; joining two lines keeps the second
one's break, and undoing the join brings the first one's back. Qt moved a line's break to the first
half of a split line, so an untouched line's ending changed.

Positions are the editor's (UTF-16 units, one per block break). Qt-free: the editor reports each edit
(`edit`) and where the blocks that edit made begin; this says which break each of them ends with.
"""

from __future__ import annotations

import numpy as np

NEW = -1  # a break the writer made: saved as the file's usual line break


class LineBreaks:
    def __init__(self, starts: list[int], breaks: list[int]) -> None:
        """starts: where each block begins; breaks: the break code that ends each."""
        self._starts = np.asarray(starts, dtype=np.int64)
        self._breaks = np.asarray(breaks, dtype=np.int64)
        # Breaks taken out by edits, newest last, as (position, how many) and their codes.
        self._removed: list[tuple[int, int]] = []
        self._removed_codes: list[list[int]] = []

    def edit(self, position: int, removed: int, added: int, new_starts: list[int]) -> list[int]:
        """`removed` units at `position` were replaced by `added`; new_starts: where the blocks that now
        hold position..position+added begin (the first is the block of position). The break code each
        of those blocks ends with: the last keeps the break that ended the text the edit reached into,
        the ones before it end with the writer's new breaks."""
        first = int(np.searchsorted(self._starts, position, "right")) - 1
        last = int(np.searchsorted(self._starts, position + removed, "right")) - 1
        kept = int(self._breaks[last])
        gone = [int(code) for code in self._breaks[first:last]]  # the breaks the edit removed
        made = len(new_starts) - 1
        if made and self._removed and self._removed[-1] == (position, made):
            # the same breaks put back where they were taken out: an undo (or a redo) brings their codes
            codes = self._removed_codes.pop() + [kept]
            self._removed.pop()
        else:
            codes = [NEW] * made + [kept]
        if gone:
            self._removed.append((position, len(gone)))
            self._removed_codes.append(gone)
        shift = added - removed
        self._starts = np.concatenate(
            (
                self._starts[: first + 1],
                np.asarray(new_starts[1:], dtype=np.int64),
                self._starts[last + 1 :] + shift,
            )
        )
        self._breaks = np.concatenate(
            (self._breaks[:first], np.asarray(codes, dtype=np.int64), self._breaks[last + 1 :])
        )
        return codes
