"""Unsaved text kept on disk, so that a crash, a kill or a closed terminal loses at most a moment's work.

Per open document, in the recovery folder (`WRITER_APP_HOME/recovery`, else the platform's state
folder):
- a base copy (`ID.recovery.json`, written atomically): the document's text as the editor holds it
  (block breaks as U+2029, every other character as it is), what is needed to save it the same way
  (path, encoding, line breaks, byte order mark) and to put the writer back (cursor);
- a journal of the edits made since (`ID.GENERATION.journal`): one JSON line per edit, appended and
  flushed. Copying a 10 MB document costs tens of milliseconds, an edit a few bytes, so the base is
  written rarely (the first edit, then when the journal has grown and the writer pauses) and typing
  only ever appends.
A journal applies only to the base of its own generation, so a base written between two appends can
never be replayed with the wrong edits; a torn last line (a kill mid-append) is ignored. A normal
save or close removes the files. On the next start, copies whose editor is no longer running are
offered back.
"""

from __future__ import annotations

import codecs
import contextlib
import difflib
import json
import os
import re
import time
import uuid
from dataclasses import asdict, dataclass, field
from pathlib import Path

from writer_app import paths
from writer_app.document.raw_text import assemble
from writer_app.document.textfile import TextFormat, read_text_file, split_breaks, write_atomic
from writer_app.errors import UserError
from writer_app.field_types import check_field_types

SUFFIX = ".recovery.json"
_ID = re.compile(r"[0-9a-f]{32}")
JOURNAL = ".journal"
FORMAT_VERSION = 2


@dataclass
class RecoveryCopy:
    raw: str  # the editor's text: block breaks as U+2029 (positions are the editor's)
    breaks: list[str | None] | None = None  # each block's line break in the file, when they were mixed
    path: str | None = None  # the file it belongs to; None for an untitled document
    encoding: str = "utf-8"
    newline: str = "\n"
    bom: bool = False
    cursor: int = 0
    generation: int = 0  # which journal continues this base
    saved_at: float = field(default_factory=time.time)
    pid: int = field(default_factory=os.getpid)
    id: str = field(default_factory=lambda: uuid.uuid4().hex)
    format_version: int = FORMAT_VERSION
    # Not stored: why the journal could not be replayed to its end ("" when it was). The text is then
    # the document as of the last edit that could be replayed.
    problem: str = field(default="", compare=False)

    @property
    def text(self) -> str:
        """As the file would hold it."""
        return assemble(self.raw, self.breaks, self.newline)

    @property
    def format(self) -> TextFormat:
        return TextFormat(self.encoding, self.newline, self.bom)

    @property
    def name(self) -> str:
        return Path(self.path).name if self.path else "Untitled"


@dataclass(frozen=True)
class Edit:
    """position and removed in UTF-16 units, as the editor counts; text as inserted; length: the whole
    text's length after the edit (UTF-16 units), which replay checks (None in journals written before)."""

    position: int
    removed: int
    text: str
    length: int | None = None


def apply_edits(raw: str, edits: list[Edit]) -> tuple[str, str]:
    """(text, problem): edits replayed on raw text, counting positions in UTF-16 units as the editor
    does. An edit that does not fit the text it meets (outside it, or leaving another length than the
    editor saw) was made on another text: replay stops before it, and problem says so ("" if none)."""
    units = bytearray(raw.encode("utf-16-le", "surrogatepass"))
    for number, edit in enumerate(edits, start=1):
        start, end = 2 * edit.position, 2 * (edit.position + edit.removed)
        inserted = edit.text.encode("utf-16-le", "surrogatepass")
        after = (len(units) - (end - start) + len(inserted)) // 2
        if edit.position < 0 or edit.removed < 0 or end > len(units) or edit.length not in (None, after):
            problem = f"edit {number} of {len(edits)} does not fit the text it follows"
            return units.decode("utf-16-le", "surrogatepass"), problem
        units[start:end] = inserted
    return units.decode("utf-16-le", "surrogatepass"), ""


def compare_with_disk(copy: RecoveryCopy, max_lines: int = 400) -> str:
    """What the recovered text changes in the file on disk, as a unified diff (for the writer to read
    before choosing), or why there is nothing to compare with."""
    if copy.path is None:
        return "This text was never saved to a file."
    path = Path(copy.path)
    try:
        on_disk = read_text_file(path, copy.encoding).text
    except UserError as exc:
        return f"The file on disk cannot be read: {exc}"
    recovered = split_breaks(copy.text)[0]
    if on_disk == recovered:
        return f"{path.name} on disk already holds exactly this text."
    diff = list(
        difflib.unified_diff(
            on_disk.splitlines(),
            recovered.splitlines(),
            f"{path.name} (on disk)",
            f"{path.name} (recovered)",
            lineterm="",
        )
    )
    if len(diff) > max_lines:
        diff = [*diff[:max_lines], f"… and {len(diff) - max_lines} more lines of differences"]
    return "\n".join(diff)


def recovery_dir() -> Path:
    return paths.state_home() / "recovery"


class RecoveryStore:
    def __init__(self, folder: Path | None = None) -> None:
        self.folder = folder or recovery_dir()

    def _file(self, copy_id: str) -> Path:
        return self.folder / f"{copy_id}{SUFFIX}"

    def _journal(self, copy_id: str, generation: int) -> Path:
        return self.folder / f"{copy_id}.{generation}{JOURNAL}"

    def write(self, copy: RecoveryCopy) -> Path:
        """Write (or replace) the base copy atomically, then drop the journals of older generations.
        Raises UserError when the folder is not writable."""
        try:
            self.folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        except OSError as exc:
            raise UserError(f"cannot keep a recovery copy in {self.folder}: {exc.strerror or exc}") from exc
        # ensure_ascii: any code point, even a lone surrogate, survives the round trip.
        stored = {k: v for k, v in asdict(copy).items() if k != "problem"}
        data = json.dumps(stored, ensure_ascii=True).encode("ascii")
        target = self._file(copy.id)
        write_atomic(target, data)  # no stamp: nothing compares a recovery copy with itself later
        for old in self.folder.glob(f"{copy.id}.*{JOURNAL}"):
            if old != self._journal(copy.id, copy.generation):
                with contextlib.suppress(OSError):
                    old.unlink()
        return target

    def append(self, copy_id: str, generation: int, edits: list[Edit]) -> None:
        """Append edits to the journal of the base of that generation, on disk before returning."""
        lines = "".join(
            json.dumps([e.position, e.removed, e.text, e.length], ensure_ascii=True) + "\n" for e in edits
        )
        try:
            with open(self._journal(copy_id, generation), "a", encoding="ascii") as journal:
                journal.write(lines)
                journal.flush()
                os.fsync(journal.fileno())
        except OSError as exc:
            raise UserError(f"cannot keep a recovery copy in {self.folder}: {exc.strerror or exc}") from exc

    def remove(self, copy_id: str) -> None:
        for file in (self._file(copy_id), *self.folder.glob(f"{copy_id}.*{JOURNAL}")):
            with contextlib.suppress(FileNotFoundError):
                file.unlink()

    def load(self, file: Path) -> RecoveryCopy:
        """The base copy with its journal's edits applied, as far as they can be (copy.problem says
        where it stopped, and why). Raises ValueError for a base that is not a recovery copy."""
        data = json.loads(file.read_bytes().decode("ascii"))
        if not isinstance(data, dict) or not isinstance(data.get("raw"), str):
            raise ValueError("it is not a recovery copy")
        known = {k: v for k, v in data.items() if k in RecoveryCopy.__dataclass_fields__ and k != "problem"}
        _check_fields(known)
        copy = RecoveryCopy(**known)
        # The id names the journal's file: only the ids this editor makes, and only its own file's.
        if not _ID.fullmatch(str(copy.id)) or file.name != f"{copy.id}{SUFFIX}":
            raise ValueError("its id is not the one its name gives")
        edits, damaged = self._read_journal(copy)
        copy.raw, problem = apply_edits(copy.raw, edits)
        copy.problem = damaged or problem
        return copy

    def _read_journal(self, copy: RecoveryCopy) -> tuple[list[Edit], str]:
        """The journal's edits up to the first damaged line, and what the damage was ("" if none). A
        last line cut short by a kill is no damage: everything before it is whole."""
        journal = self._journal(copy.id, int(copy.generation))
        try:
            data = journal.read_bytes()
        except FileNotFoundError:
            return [], ""
        whole = data.split(b"\n")[:-1]  # the last piece has no line break: cut by a kill, or empty
        edits: list[Edit] = []
        for number, line in enumerate(whole, start=1):
            try:
                entry = json.loads(line.decode("ascii"))
                position, removed, text, *rest = entry
                length = rest[0] if rest else None
                if not (isinstance(position, int) and isinstance(removed, int) and isinstance(text, str)):
                    raise TypeError
                if length is not None and not isinstance(length, int):
                    raise TypeError
            except (ValueError, TypeError):
                return edits, f"the journal is damaged at line {number} of {len(whole)}"
            edits.append(Edit(position, removed, text, length))
        return edits, ""

    def orphans(self) -> tuple[list[RecoveryCopy], list[str]]:
        """Copies left by editors that are no longer running, newest first, and problems with
        unreadable ones (those are kept on disk, never deleted)."""
        found, problems = [], []
        if not self.folder.is_dir():
            return [], []
        for file in sorted(self.folder.glob(f"*{SUFFIX}")):
            try:
                copy = self.load(file)
            except (OSError, ValueError, TypeError) as exc:
                problems.append(f"{file} could not be read ({exc}); it was left in place")
                continue
            if copy.pid != os.getpid() and _running(copy.pid):
                continue  # another open editor's document
            found.append(copy)
        found.sort(key=lambda c: c.saved_at, reverse=True)
        return found, problems


# What each field of a base copy may hold (a copy written by hand, or damaged, is named and skipped).
_FIELD_TYPES: dict[str, tuple[type, ...]] = {
    "raw": (str,),
    "path": (str, type(None)),
    "encoding": (str,),
    "newline": (str,),
    "bom": (bool,),
    "cursor": (int,),
    "generation": (int,),
    "saved_at": (int, float),
    "pid": (int,),
    "id": (str,),
    "format_version": (int,),
}


def _check_fields(fields: dict) -> None:
    check_field_types(fields, _FIELD_TYPES, "a recovery copy")
    if fields.get("newline", "\n") not in ("\n", "\r\n", "\r", "\u2029"):
        raise ValueError("its line break is not one")
    breaks = fields.get("breaks")
    if breaks is not None:
        blocks = fields.get("raw", "").count("\u2029") + 1
        if not isinstance(breaks, list) or len(breaks) != blocks:
            raise ValueError("its line breaks do not match its lines")
        if any(b not in (None, "\n", "\r\n", "\r", "\u2029") for b in breaks):
            raise ValueError("its line breaks are not line breaks")
    try:
        codecs.lookup(fields.get("encoding", "utf-8"))
    except LookupError:
        raise ValueError("its encoding is unknown") from None


def _running(pid: int) -> bool:
    """Whether that process is still a writer_app (a reused process id is not)."""
    try:
        command = Path(f"/proc/{pid}/cmdline").read_bytes()
    except FileNotFoundError:
        return False
    except OSError:
        return True  # cannot tell: leave the copy to its owner
    return b"writer" in command
