"""The editor's raw text: every character as it is, each block (paragraph) break as U+2029, the way
Qt's `toRawText()` and `selectedText()` give it; and the file's text made from it."""

from __future__ import annotations

from writer_app.document.textfile import join_lines

BLOCK_BREAK = "\u2029"


def assemble(raw: str, breaks: list[str | None] | None, newline: str) -> str:
    """The file's text from the editor's: block breaks become the file's line breaks."""
    if breaks is None:
        return raw.replace(BLOCK_BREAK, newline) if newline != BLOCK_BREAK else raw
    return join_lines(raw.split(BLOCK_BREAK), breaks, newline)
