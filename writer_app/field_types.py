"""One check for files written by the editor and read back (a model's manifest, a recovery copy): each
field holds the kind of value it should, or the file is refused by naming the field."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def check_field_types(fields: Mapping[str, Any], kinds: Mapping[str, tuple[type, ...]], what: str) -> None:
    """ValueError naming the first field whose value is not of its kind. True is no number, though
    Python counts a bool as an int. Fields with no kind given are not checked."""
    for name, value in fields.items():
        allowed = kinds.get(name)
        if allowed is None:
            continue
        if not isinstance(value, allowed) or (isinstance(value, bool) and bool not in allowed):
            raise ValueError(f"its {name} is not what {what} holds")
