"""The editor's text, exactly: in from a file's text and out to it, without Qt's plain-text conversions.

`QTextDocument.toPlainText()` turns no-break spaces into spaces and U+2028 / U+2029 into newlines;
`toRawText()` keeps every character and marks each block break with U+2029. A file's own line breaks
(CRLF, CR, LF, U+2029, mixed) are kept per block in the block's user state, so that a saved file differs
from the opened one only where the writer changed it.
"""

from __future__ import annotations

from PySide6.QtGui import QTextDocument

from writer_app.document.raw_text import assemble

_CODES = {"\n": 0, "\r\n": 1, "\r": 2, "\u2029": 3}
_BREAKS = {code: text for text, code in _CODES.items()}


def set_document_text(document: QTextDocument, text: str, breaks: list[str] | None) -> None:
    """Show text (line breaks as "\\n"); remember each file line break when they were not all alike."""
    document.setPlainText(text)
    if breaks is None:
        return
    block = document.firstBlock()
    for line_break in breaks:
        block.setUserState(_CODES[line_break])
        block = block.next()


def document_text(document: QTextDocument, newline: str, breaks_kept: bool) -> str:
    """The document as the file's text: every character as it is, each line break as in the file
    (lines the writer made get `newline`)."""
    return assemble(*snapshot(document, breaks_kept), newline)


def snapshot(document: QTextDocument, breaks_kept: bool) -> tuple[str, list[str | None] | None]:
    """What must be read in the GUI thread: the raw text and, if kept, each block's line break."""
    raw = document.toRawText()
    if not breaks_kept:
        return raw, None
    breaks: list[str | None] = []
    block = document.firstBlock()
    while block.isValid():
        breaks.append(_BREAKS.get(block.userState()))
        block = block.next()
    return raw, breaks
