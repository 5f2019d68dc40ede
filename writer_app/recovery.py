"""Unsaved text kept on disk, so that a crash, a kill or a closed terminal loses at most a moment's work.

One JSON file per open document in the recovery folder (`WRITER_APP_HOME/recovery`, else the
platform's state folder), written atomically: the exact text as it would be saved, and what is needed
to save it the same way (path, encoding, line breaks, byte order mark) and to put the writer back
(cursor). A normal save or close removes it. On the next start, copies whose editor is no longer
running are offered back.
"""

from __future__ import annotations

import contextlib
import json
import os
import time
import uuid
from dataclasses import asdict, dataclass, field
from pathlib import Path

from writer_app import paths
from writer_app.errors import UserError
from writer_app.textfile import TextFormat, save_bytes

SUFFIX = ".recovery.json"
FORMAT_VERSION = 1


@dataclass
class RecoveryCopy:
    text: str  # as the file would hold it: the file's own line breaks
    path: str | None = None  # the file it belongs to; None for an untitled document
    encoding: str = "utf-8"
    newline: str = "\n"
    bom: bool = False
    cursor: int = 0
    saved_at: float = field(default_factory=time.time)
    pid: int = field(default_factory=os.getpid)
    id: str = field(default_factory=lambda: uuid.uuid4().hex)
    format_version: int = FORMAT_VERSION

    @property
    def format(self) -> TextFormat:
        return TextFormat(self.encoding, self.newline, self.bom)

    @property
    def name(self) -> str:
        return Path(self.path).name if self.path else "Untitled"


def recovery_dir() -> Path:
    return paths.state_home() / "recovery"


class RecoveryStore:
    def __init__(self, folder: Path | None = None) -> None:
        self.folder = folder or recovery_dir()

    def _file(self, copy_id: str) -> Path:
        return self.folder / f"{copy_id}{SUFFIX}"

    def write(self, copy: RecoveryCopy) -> Path:
        """Write (or replace) the copy atomically. Raises UserError when the folder is not writable."""
        try:
            self.folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        except OSError as exc:
            raise UserError(f"cannot keep a recovery copy in {self.folder}: {exc.strerror or exc}") from exc
        # ensure_ascii: any code point, even a lone surrogate, survives the round trip.
        data = json.dumps(asdict(copy), ensure_ascii=True).encode("ascii")
        target = self._file(copy.id)
        save_bytes(target, data)
        return target

    def remove(self, copy_id: str) -> None:
        with contextlib.suppress(FileNotFoundError):
            self._file(copy_id).unlink()

    def load(self, file: Path) -> RecoveryCopy:
        data = json.loads(file.read_text(encoding="ascii"))
        known = {k: v for k, v in data.items() if k in RecoveryCopy.__dataclass_fields__}
        return RecoveryCopy(**known)

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


def _running(pid: int) -> bool:
    """Whether that process is still a writer_app (a reused process id is not)."""
    try:
        command = Path(f"/proc/{pid}/cmdline").read_bytes()
    except FileNotFoundError:
        return False
    except OSError:
        return True  # cannot tell: leave the copy to its owner
    return b"writer" in command
