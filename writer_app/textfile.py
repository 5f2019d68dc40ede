"""Reading and saving the writer's files: encodings detected, saves atomic. The text is sacred."""

from __future__ import annotations

import codecs
import contextlib
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from writer_app.errors import UserError

_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
# Offered when a file is not UTF-8, in this order.
FALLBACK_ENCODINGS = ("gb18030", "big5", "shift_jis", "cp1252", "latin-1")


@dataclass
class LoadedText:
    text: str
    encoding: str
    newline: str  # the file's newline style, kept on save


class NeedsEncoding(UserError):
    """The file is not UTF-8 and has no BOM: the user must choose an encoding."""

    def __init__(self, path: Path, candidates: list[str]) -> None:
        super().__init__(f"{path.name} is not UTF-8 text")
        self.path = path
        self.candidates = candidates


def _newline_of(text: str) -> str:
    if "\r\n" in text:
        return "\r\n"
    if "\r" in text:
        return "\r"
    return "\n"


def read_text_file(path: Path, encoding: str | None = None) -> LoadedText:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise UserError(f"cannot open {path}: {exc.strerror or exc}") from exc
    if encoding is None:
        encoding = next((name for bom, name in _BOMS if raw.startswith(bom)), None)
    if encoding is None:
        try:
            text = raw.decode("utf-8")
            encoding = "utf-8"
        except UnicodeDecodeError:
            candidates = [e for e in FALLBACK_ENCODINGS if _decodes(raw, e)]
            raise NeedsEncoding(path, candidates) from None
    else:
        try:
            text = raw.decode(encoding)
        except (UnicodeDecodeError, LookupError) as exc:
            raise UserError(f"{path.name} cannot be read as {encoding}: {exc}") from exc
    newline = _newline_of(text)
    return LoadedText(text.replace("\r\n", "\n").replace("\r", "\n"), encoding, newline)


def _decodes(raw: bytes, encoding: str) -> bool:
    try:
        raw.decode(encoding)
    except UnicodeDecodeError:
        return False
    return True


def save_text_atomic(path: Path, text: str, encoding: str = "utf-8", newline: str = "\n") -> None:
    """Write to a temporary file in the same folder, flush it to disk, then replace the target.

    On any failure (full disk, no permission, unencodable text) the old file is untouched and a
    UserError says why.
    """
    data_text = text.replace("\n", newline) if newline != "\n" else text
    try:
        data = data_text.encode(encoding)
    except UnicodeEncodeError as exc:
        raise UserError(f"the text has characters that {encoding} cannot store; save as UTF-8") from exc
    folder = path.parent
    tmp_name = None
    try:
        fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        if path.exists():
            with contextlib.suppress(OSError):
                os.chmod(tmp_name, path.stat().st_mode & 0o7777)
        os.replace(tmp_name, path)
        tmp_name = None
    except OSError as exc:
        raise UserError(
            f"could not save {path}: {exc.strerror or exc}; the file on disk is unchanged"
        ) from exc
    finally:
        if tmp_name is not None:
            with contextlib.suppress(OSError):
                os.unlink(tmp_name)
