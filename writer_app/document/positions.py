"""Positions counted two ways: Qt counts UTF-16 code units (a character outside the Basic Multilingual
Plane, such as an emoji or 𠀀, is two), Python and the writing session count code points (one).

`Utf16Positions` keeps where the document's non-BMP characters are, so a position converts either way
with a binary search instead of a scan of the text: typing in a 10 MB document stays as cheap as it is
without them. It is told every edit (in UTF-16 units, with the inserted text), as the editor reports them.
"""

from __future__ import annotations

import re

import numpy as np

_ASTRAL = re.compile("[\U00010000-\U0010ffff]")


def utf16_length(text: str) -> int:
    """How many UTF-16 code units Qt counts for text."""
    return len(text) + sum(1 for _ in _ASTRAL.finditer(text))


def _astral_units(text: str, base: int) -> np.ndarray:
    """UTF-16 positions (from base) where each non-BMP character of text starts."""
    # The k-th one (0-based) at code point index i starts at unit base + i + k.
    points = [m.start() for m in _ASTRAL.finditer(text)]
    return np.asarray(points, dtype=np.int64) + np.arange(len(points), dtype=np.int64) + base


class Utf16Positions:
    """Where the non-BMP characters of a text are, kept up to date through its edits."""

    def __init__(self, text: str = "") -> None:
        self.reset(text)

    def reset(self, text: str) -> None:
        self._units = _astral_units(text, 0)  # sorted: the unit where each one starts
        self._points = self._units - np.arange(len(self._units), dtype=np.int64)  # ... in code points

    def edit(self, position: int, removed: int, added: str) -> None:
        """In UTF-16 units: `removed` units at `position` were replaced by `added`."""
        units = self._units
        low = int(np.searchsorted(units, position, "left"))
        high = int(np.searchsorted(units, position + removed, "left"))
        shift = utf16_length(added) - removed
        self._units = np.concatenate((units[:low], _astral_units(added, position), units[high:] + shift))
        self._points = self._units - np.arange(len(self._units), dtype=np.int64)

    def to_points(self, units: int) -> int:
        """A UTF-16 position as a code point index. One inside a surrogate pair falls before the pair."""
        before = int(np.searchsorted(self._units, units, "left"))  # non-BMP characters starting before
        if before and self._units[before - 1] == units - 1:
            before -= 1  # the position splits that one: count from its start
            units -= 1
        return units - before

    def to_units(self, points: int) -> int:
        """A code point index as a UTF-16 position."""
        return points + int(np.searchsorted(self._points, points, "left"))

    def count_points(self, start_units: int, end_units: int) -> int:
        """Code points in a UTF-16 range."""
        return self.to_points(end_units) - self.to_points(start_units)

    def __len__(self) -> int:
        return len(self._units)
