"""What a model writes, made fit for the writer's document: the C0 control characters (U+0000 and the
rest, carriage returns among them) never reach it; tabs and line breaks do. A model's U+0000, once
accepted and saved, made the file refuse to open as text."""

from __future__ import annotations

import re

_CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f]")


def fit_for_document(text: str) -> str:
    return _CONTROLS.sub("", text)
