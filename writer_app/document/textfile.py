"""Reading and saving the writer's files. The text is sacred: what is saved is exactly what was read,
except what the writer changed.

- Every code point round-trips (no-break spaces, U+2028 / U+2029, tabs, anything).
- Line breaks are kept one by one: a file with mixed endings stays mixed where it was not edited.
- The encoding and its byte order mark are kept (UTF-16 BE stays BE); a character the encoding can
  write more than one way (Big5, cp932) is written back the way the file wrote it (byte_variants).
- Saves are atomic: a temporary file in the target's folder, flushed, renamed over the target, the
  folder flushed too. A symlink is saved through to its target. A file that a new one cannot replace
  (other names, another owner, a folder that takes no new file) is written in place, its whole new text
  kept aside first where the next open finds it (interrupted_save). Mode, owner (where allowed) and
  extended attributes are kept. A read-only file is refused.
- A stamp (times, size, inode, sha256) taken at open and save tells when another program changed the
  file: by content whenever the metadata is not exactly as stamped.
- Encodings are detected (charset-normalizer) when a file is not UTF-8; binary files are refused.
"""

from __future__ import annotations

import codecs
import contextlib
import hashlib
import os
import re
import stat
import tempfile
import time
from dataclasses import dataclass, replace
from pathlib import Path

from writer_app import paths
from writer_app.document.byte_variants import ByteVariants
from writer_app.errors import UserError

# Longest first: a UTF-32 LE mark starts with the UTF-16 LE one.
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_BOM_OF = {name: bom for bom, name in _BOMS}
# Offered after the detector's guesses when a file is not UTF-8.
FALLBACK_ENCODINGS = ("gb18030", "big5", "shift_jis", "euc-kr", "cp1252", "latin-1")
LINE_BREAK = re.compile("\r\n|\r|\n|\u2029")
BINARY_SAMPLE = 8192
STALE_TEMPORARY_S = 120


@dataclass(frozen=True)
class FileStamp:
    """What a file was when we last read or wrote it: its content's hash, and the metadata that tells
    at a glance that it is untouched (the change time too, which no program can put back)."""

    mtime_ns: int
    size: int
    sha256: str
    ctime_ns: int = 0
    inode: int = 0
    # The save that made this stamp could not replace the file atomically and wrote it in place (other
    # names, another owner, a folder that takes no new file), its whole text kept aside first.
    in_place: bool = False

    @classmethod
    def of_bytes(cls, path: Path, data: bytes) -> FileStamp:
        info = path.stat()
        digest = hashlib.sha256(data).hexdigest()
        return cls(info.st_mtime_ns, info.st_size, digest, info.st_ctime_ns, info.st_ino)

    def untouched(self, info: os.stat_result) -> bool:
        """True when the metadata says for certain nothing was written since (else: compare content)."""
        now = (info.st_mtime_ns, info.st_size, info.st_ctime_ns, info.st_ino)
        return now == (self.mtime_ns, self.size, self.ctime_ns, self.inode)


@dataclass(frozen=True)
class TextFormat:
    encoding: str = "utf-8"
    newline: str = "\n"  # for new lines, and every line break when the file had one kind
    bom: bool = False


@dataclass
class LoadedText:
    text: str  # line breaks as "\n", as the editor holds them
    format: TextFormat
    breaks: list[str] | None  # each line break as it was in the file, when they were not all alike
    stamp: FileStamp
    # Characters the file writes its own way, where its encoding has more than one (Big5, cp932).
    variants: ByteVariants | None = None

    @property
    def encoding(self) -> str:
        return self.format.encoding

    @property
    def newline(self) -> str:
        return self.format.newline


class NeedsEncoding(UserError):
    """The file is not UTF-8 and has no BOM: the user must choose an encoding."""

    def __init__(self, path: Path, candidates: list[str]) -> None:
        super().__init__(f"{path.name} is not UTF-8 text")
        self.path = path
        self.candidates = candidates


class ReadOnlyFile(UserError):
    """The file may not be written: save it under another name."""


def split_breaks(text: str) -> tuple[str, str, list[str] | None]:
    """(text with "\\n" breaks, the most common break, every break when they are not all alike)."""
    breaks = LINE_BREAK.findall(text)
    if not breaks:
        return text, "\n", None
    newline = max(("\n", "\r\n", "\r"), key=breaks.count)
    normalized = LINE_BREAK.sub("\n", text)
    return normalized, newline, None if all(b == newline for b in breaks) else breaks


def join_lines(lines: list[str], breaks: list[str | None], newline: str) -> str:
    """Lines joined by their own break (None: a line the writer made, which gets `newline`)."""
    out = []
    for index, line in enumerate(lines):
        out.append(line)
        if index < len(lines) - 1:
            out.append(breaks[index] if index < len(breaks) and breaks[index] else newline)
    return "".join(out)


def read_text_file(path: Path, encoding: str | None = None) -> LoadedText:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise UserError(f"cannot open {path}: {exc.strerror or exc}") from exc
    bom = next(((mark, name) for mark, name in _BOMS if raw.startswith(mark)), None)
    has_bom = False
    if encoding is None and bom is not None:
        encoding, has_bom = bom[1], True
        body = raw[len(bom[0]) :]
    elif encoding is not None and bom is not None and _BOM_OF.get(_canonical(encoding)) == bom[0]:
        has_bom, body = True, raw[len(bom[0]) :]
    else:
        body = raw
    if encoding is None:
        utf16 = _utf16_without_bom(body)
        if utf16:
            encoding = utf16
        else:
            if b"\x00" in body[:BINARY_SAMPLE]:
                raise UserError(f"{path.name} looks like a binary file, not text: it was not opened")
            try:
                body.decode("utf-8")
                encoding = "utf-8"
            except UnicodeDecodeError:
                raise NeedsEncoding(path, detect_encodings(body)) from None
    try:
        text = body.decode(encoding)
    except (UnicodeDecodeError, LookupError) as exc:
        raise UserError(f"{path.name} cannot be read as {encoding}: {exc}") from exc
    normalized, newline, breaks = split_breaks(text)
    fmt = TextFormat(_canonical(encoding), newline, has_bom)
    variants = ByteVariants.learn(body, text, fmt.encoding)
    return LoadedText(normalized, fmt, breaks, FileStamp.of_bytes(path, raw), variants)


def _canonical(encoding: str) -> str:
    try:
        return codecs.lookup(encoding).name
    except LookupError:
        return encoding


def _utf16_without_bom(body: bytes) -> str | None:
    """UTF-16 text without a mark shows as every other byte zero (ASCII-heavy text). None if not."""
    sample = body[:BINARY_SAMPLE]
    if len(sample) < 4 or len(sample) % 2:
        return None
    evens, odds = sample[0::2], sample[1::2]
    for zeros, other, name in ((odds, evens, "utf-16-le"), (evens, odds, "utf-16-be")):
        if zeros.count(0) > 0.4 * len(zeros) and other.count(0) == 0:
            try:
                body.decode(name)
            except UnicodeDecodeError:
                continue
            return name
    return None


def detect_encodings(raw: bytes) -> list[str]:
    """Encodings that decode raw, the detector's best guesses first."""
    from charset_normalizer import from_bytes

    guesses = [match.encoding for match in from_bytes(raw[: 1 << 20])]
    ordered = list(dict.fromkeys([*guesses, *FALLBACK_ENCODINGS]))
    return [name for name in ordered if _decodes(raw, name)]


def _decodes(raw: bytes, encoding: str) -> bool:
    try:
        raw.decode(encoding)
    except (UnicodeDecodeError, LookupError):
        return False
    return True


def encode_text(text: str, fmt: TextFormat, variants: ByteVariants | None = None) -> bytes:
    """The file's bytes for text whose line breaks are already the file's (characters its encoding
    writes more than one way written as `variants` learnt the file writes them)."""
    try:
        data = variants.encode(text) if variants else text.encode(fmt.encoding)
    except UnicodeEncodeError as exc:
        raise UserError(f"the text has characters that {fmt.encoding} cannot store; save as UTF-8") from exc
    except LookupError as exc:
        raise UserError(f"unknown encoding {fmt.encoding}") from exc
    return _BOM_OF.get(fmt.encoding, b"") + data if fmt.bom else data


def changed_on_disk(path: Path, stamp: FileStamp | None) -> bool:
    """True when the file is not what it was when stamped (gone counts as changed)."""
    if stamp is None:
        return False
    try:
        if stamp.untouched(path.stat()):
            return False
        # Written since, or its time put back: the content decides (a same-size change with the old
        # modification time was overwritten without a question).
        return hashlib.sha256(path.read_bytes()).hexdigest() != stamp.sha256
    except OSError:
        return True


def save_text_atomic(
    path: Path, text: str, encoding: str = "utf-8", newline: str = "\n", bom: bool = False
) -> FileStamp:
    """Save text whose line breaks are "\\n" with one newline style throughout."""
    body = text.replace("\n", newline) if newline != "\n" else text
    return save_bytes(path, encode_text(body, TextFormat(_canonical(encoding), newline, bom)))


def save_bytes(path: Path, data: bytes) -> FileStamp:
    """Replace the file's content with data, atomically; returns the new stamp (to tell later
    whether another program changed the file, and how this save wrote it)."""
    in_place = write_atomic(path, data, private=False)
    return replace(FileStamp.of_bytes(Path(os.path.realpath(path)), data), in_place=in_place)


def write_atomic(path: Path, data: bytes, *, private: bool = True) -> bool:
    """Replace the file's content with data, atomically where the file allows it; True when it could
    not and the file was written in place (its whole new text kept aside first). An existing file
    keeps its mode; a new one is readable by its owner alone when `private` (recovery copies, sidecars,
    settings), else as the user's umask says (a writer's document, like any program's).

    On any failure (full disk, no permission, read-only) before an in-place write the old file is
    untouched and a UserError says why; one during it says where the whole text is kept."""
    target = Path(os.path.realpath(path))  # a symlink is saved through to its target
    try:
        info = target.stat()
    except FileNotFoundError:
        info = None
    except OSError as exc:
        raise UserError(f"could not save {path}: {exc.strerror or exc}") from exc
    if info is not None and not info.st_mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH):
        raise ReadOnlyFile(f"{path} is read-only; save it under another name (Save As)")
    try:
        try:
            tmp = _write_temporary(target, data, info, private)
        except PermissionError:
            if info is None or not os.access(target, os.W_OK):
                raise
            _write_in_place_kept_elsewhere(target, data)  # the folder takes no new file; the file is ours
            return True
        try:
            in_place = info is not None and (info.st_nlink > 1 or _owner_would_change(tmp, info))
            if in_place:
                # A file with other names (hard links), or one whose owner a new file could not keep (it
                # belongs to someone else), can only be written in place, which is not atomic: the
                # complete new text is kept beside it first, under a name the editor looks for when it
                # opens the file (interrupted_save), and removed once the write has ended.
                keep = saving_copy(target)
                os.replace(tmp, keep)
                _fsync_folder(target.parent)
                _write_in_place_or_say(target, data, keep)
                os.unlink(keep)
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(saving_copy_elsewhere(target))
            else:
                os.replace(tmp, target)
                for ended in (saving_copy(target), saving_copy_elsewhere(target)):  # an interrupted save's
                    with contextlib.suppress(FileNotFoundError):
                        os.unlink(ended)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise
        _fsync_folder(target.parent)
    except OSError as exc:
        reason = exc.strerror or exc
        raise UserError(f"could not save {path}: {reason}; the file on disk is unchanged") from exc
    _remove_stale_temporaries(target)
    return in_place


def _remove_stale_temporaries(target: Path) -> None:
    """Temporaries an earlier save of this file left when it was killed (hidden, beside the file). One
    younger than STALE_TEMPORARY_S may be another editor's save under way: it is left alone."""
    own = re.compile(rf"\.{re.escape(target.name)}\.[a-z0-9_]{{8}}\.tmp")
    old_enough = time.time() - STALE_TEMPORARY_S
    with contextlib.suppress(OSError):
        for entry in os.scandir(target.parent):
            if own.fullmatch(entry.name) and entry.is_file(follow_symlinks=False):
                with contextlib.suppress(OSError):
                    if entry.stat(follow_symlinks=False).st_mtime < old_enough:
                        os.unlink(entry.path)


def _owner_would_change(temporary: str, info: os.stat_result) -> bool:
    """True when the new file could not be given the old one's owner and group (not ours to give)."""
    made = os.stat(temporary)
    return (made.st_uid, made.st_gid) != (info.st_uid, info.st_gid)


def saving_copy(path: Path) -> Path:
    """Where the complete new text of a file written in place is kept while it is written."""
    return path.with_name(f".{path.name}.writer-app-saving")


def saving_copy_elsewhere(path: Path) -> Path:
    """The same, for a file in a folder that takes no new file: in the editor's own state folder."""
    key = hashlib.sha256(str(Path(os.path.realpath(path))).encode("utf-8", "surrogateescape")).hexdigest()
    return paths.state_home() / "saving" / f"{key[:32]}.writer-app-saving"


def interrupted_save(path: Path) -> Path | None:
    """The complete text of a save of this file that was interrupted (a kill, a power cut), if one was."""
    for keep in (saving_copy(Path(os.path.realpath(path))), saving_copy_elsewhere(path)):
        if keep.is_file():
            return keep
    return None


def _write_in_place_kept_elsewhere(target: Path, data: bytes) -> None:
    """A writable file in a folder that refuses new files (no temporary beside it, so no atomic replace):
    its complete new text is kept in the editor's state folder first, then it is written in place."""
    keep = saving_copy_elsewhere(target)
    keep.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    write_atomic(keep, data)
    _write_in_place_or_say(target, data, keep)
    os.unlink(keep)


def _write_in_place_or_say(target: Path, data: bytes, keep: Path) -> None:
    """Write in place; if that fails half way the file may be incomplete, and the message says where its
    whole text is (the next open offers it back)."""
    try:
        _write_in_place(target, data)
    except OSError as exc:
        raise UserError(
            f"could not finish saving {target}: {exc.strerror or exc}; the file may be incomplete, and its "
            f"whole text is kept in {keep} (offered when you open the file)"
        ) from exc


def _write_temporary(target: Path, data: bytes, info: os.stat_result | None, private: bool = True) -> str:
    """The new content, complete and on disk, beside the target, with the target's metadata (a new
    file: 0600 when private, else what the umask leaves of 0666)."""
    fd, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        if info is not None:
            _copy_metadata(target, name, info)
        elif not private:
            os.chmod(name, 0o666 & ~_umask())
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(name)
        raise
    return name


def _umask() -> int:
    """The process's umask, read without changing it where the system allows (Linux)."""
    with contextlib.suppress(OSError, ValueError), open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("Umask:"):
                return int(line.split()[1], 8)
    mask = os.umask(0o022)  # elsewhere the only way to read it is to set it, briefly
    os.umask(mask)
    return mask


def _copy_metadata(source: Path, destination: str, info: os.stat_result) -> None:
    with contextlib.suppress(OSError):
        os.chmod(destination, stat.S_IMODE(info.st_mode))
    with contextlib.suppress(OSError):  # only root, or the owner keeping their own group, may do this
        os.chown(destination, info.st_uid, info.st_gid)
    if hasattr(os, "listxattr"):
        with contextlib.suppress(OSError):
            for attribute in os.listxattr(source):
                with contextlib.suppress(OSError):
                    os.setxattr(destination, attribute, os.getxattr(source, attribute))


def _write_in_place(target: Path, data: bytes) -> None:
    with open(target, "r+b") as fh:
        fh.write(data)
        fh.truncate()
        fh.flush()
        os.fsync(fh.fileno())


def _fsync_folder(folder: Path) -> None:
    """Make the rename itself durable."""
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
