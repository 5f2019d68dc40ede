"""The file beside a document that holds its memory and author's note (`NAME.writer-app.json`).

It is the writer's too: they may edit it by hand, another program or a newer version may add keys. So it
is read tolerantly (any encoding the editor opens, a byte order mark), what it holds beyond the memory
and the note is kept when it is written again, and one that cannot be read, is too large, or is a link
to a file outside the document's folder is left exactly as it is: never rewritten, never deleted.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from writer_app.document.textfile import read_text_file, write_atomic
from writer_app.errors import UserError

SIDECAR_SUFFIX = ".writer-app.json"
MAX_SIDECAR_BYTES = 1_000_000
_OURS = ("memory", "authors_note")


@dataclass
class Sidecar:
    memory: str = ""
    authors_note: str = ""
    extra: dict[str, Any] = field(default_factory=dict)  # everything else it holds: written back as it was
    problem: str = ""  # why it is left alone ("" when it is the editor's to write)


def sidecar_path(document: Path) -> Path:
    return document.with_name(document.name + SIDECAR_SUFFIX)


def read_sidecar(document: Path) -> Sidecar:
    path = sidecar_path(document)
    if path.is_symlink() and Path(os.path.realpath(path)).parent != Path(os.path.realpath(document)).parent:
        return Sidecar(problem="it is a link to a file outside the document's folder")
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        return Sidecar()
    except OSError as exc:
        return Sidecar(problem=f"it cannot be read ({exc.strerror or exc})")
    if size > MAX_SIDECAR_BYTES:
        return Sidecar(problem=f"it is larger than a memory can be ({size:,} bytes)")
    try:
        data = json.loads(read_text_file(path).text)
    except (UserError, OSError, ValueError) as exc:
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        return Sidecar(problem=f"it is not JSON this editor can read ({reason})")
    if not isinstance(data, dict) or not all(isinstance(data.get(key, ""), str) for key in _OURS):
        return Sidecar(problem="it does not hold a memory and a note as text")
    extra = {key: value for key, value in data.items() if key not in _OURS}
    return Sidecar(data.get("memory", ""), data.get("authors_note", ""), extra)


def write_sidecar(document: Path, sidecar: Sidecar, memory: str, authors_note: str) -> Sidecar:
    """Write the memory and note beside the document, keeping what else the file held; the sidecar as
    it now is. Nothing left to keep removes the file. Raises UserError (and writes nothing) for a file
    that is left alone, or when the disk refuses."""
    if sidecar.problem:
        raise UserError(f"{sidecar_path(document).name} is left as it is: {sidecar.problem}")
    path = sidecar_path(document)
    written = Sidecar(memory, authors_note, dict(sidecar.extra))
    if not memory.strip() and not authors_note.strip() and not sidecar.extra:
        try:
            path.unlink(missing_ok=True)
        except OSError as exc:
            raise UserError(f"could not remove {path.name}: {exc.strerror or exc}") from exc
        return written
    data = {**sidecar.extra, "memory": memory, "authors_note": authors_note}
    write_atomic(path, (json.dumps(data, ensure_ascii=False, indent=1) + "\n").encode("utf-8"))
    return written
