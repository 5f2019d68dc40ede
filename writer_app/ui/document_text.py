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


# QTextDocument keeps U+FDD0 and U+FDD1 (Unicode noncharacters) as its own frame marks: a file's own
# came back as line breaks. They are held as private-use stand-ins the text does not use, and put back
# on the way out. (A stand-in the writer types later is saved as the character it stands for.)
_QT_RESERVED = ("\ufdd0", "\ufdd1")
_STAND_INS = "writerAppStandIns"


def set_document_text(document: QTextDocument, text: str, breaks: list[str] | None) -> None:
    """Show text (line breaks as "\\n"); remember each file line break when they were not all alike."""
    document.setProperty(_STAND_INS, "")
    document.setPlainText(with_stand_ins(document, text, text))
    if breaks is None:
        return
    block = document.firstBlock()
    for line_break in breaks:
        block.setUserState(_CODES[line_break])
        block = block.next()


def with_stand_ins(document: QTextDocument, text: str, present: str | None = None) -> str:
    """Text to put into the document, Qt's reserved characters replaced by the document's stand-ins for
    them (new ones are chosen among those `present`, the document's text, does not use)."""
    if not any(reserved in text for reserved in _QT_RESERVED):
        return text
    pairs = document.property(_STAND_INS) or ""
    stand_ins = dict(zip(pairs[1::2], pairs[::2], strict=True))  # reserved -> stand-in
    for reserved in _QT_RESERVED:
        if reserved in text and reserved not in stand_ins:
            used = (present if present is not None else document.toRawText()) + text + pairs
            stand_ins[reserved] = next(chr(c) for c in range(0xE000, 0xF900) if chr(c) not in used)
            pairs += stand_ins[reserved] + reserved
        text = text.replace(reserved, stand_ins.get(reserved, reserved))
    document.setProperty(_STAND_INS, pairs)
    return text


def without_stand_ins(document: QTextDocument, text: str) -> str:
    """Text read from the document, each stand-in back to the character it stands for."""
    pairs = document.property(_STAND_INS) or ""
    for stand_in, reserved in zip(pairs[::2], pairs[1::2], strict=True):
        text = text.replace(stand_in, reserved)
    return text


def document_text(document: QTextDocument, newline: str, breaks_kept: bool) -> str:
    """The document as the file's text: every character as it is, each line break as in the file
    (lines the writer made get `newline`)."""
    return assemble(*snapshot(document, breaks_kept), newline)


def snapshot(document: QTextDocument, breaks_kept: bool) -> tuple[str, list[str | None] | None]:
    """What must be read in the GUI thread: the raw text and, if kept, each block's line break."""
    raw = without_stand_ins(document, document.toRawText())
    if not breaks_kept:
        return raw, None
    breaks: list[str | None] = []
    block = document.firstBlock()
    while block.isValid():
        breaks.append(_BREAKS.get(block.userState()))
        block = block.next()
    return raw, breaks
