"""Kill a save at each of its steps, for one kind of file; print what each kill left, one JSON line.

Run as `python tests/kill_each_step.py KIND FOLDER`. A save is a sequence of system calls (open, write,
fsync, rename, unlink …). This first saves once, counting them; then, for each step k, a forked child
saves again and dies (os._exit, like kill -9: no cleanup, no flush of its own buffers) just before its
k-th call, or, at a write, half way through it (a write torn by a crash). The parent looks at what is
on disk: the file's text (old, new, or torn), the kept copy an interrupted save leaves for the editor,
and any leftover temporary file, then puts the old file back for the next step.

Kinds: plain, symlink (saved through the link), hard-linked (written in place, a copy kept first),
other-owner (likewise: a new file could not keep its owner), no-temp-folder (the folder takes no new
file: the copy is kept in the editor's state folder), utf-16 and gb18030-crlf (plain, other bytes).
"""

from __future__ import annotations

import io
import json
import os
import shutil
import sys
import tempfile
from pathlib import Path

from writer_app.document import textfile

OLD = "old line of the novel, written before the save — 旧的一行\n" * 3000
NEW = "NEW LINE, WRITTEN AS IT IS SAVED, A LITTLE LONGER THAN THE OLD — 新的一行!\n" * 2800
ENCODINGS = {"utf-16": ("utf-16-le", "\n", True), "gb18030-crlf": ("gb18030", "\r\n", False)}


def _step_calls(frame, event, arg):  # noqa: ANN001 - sys.setprofile's signature
    if event != "c_call":
        return
    owner = getattr(arg, "__self__", None)
    if getattr(arg, "__module__", None) == "posix" or isinstance(owner, io.IOBase):
        _Counter.seen += 1
        if _Counter.seen == _Counter.die_at:
            if _Counter.torn and arg.__name__ == "write" and isinstance(owner, io.IOBase):
                data = frame.f_locals.get("data") or frame.f_locals.get("lines")
                if isinstance(data, bytes):  # the call about to write it: half reaches the disk
                    owner.write(data[: len(data) // 2])
                    owner.flush()
            os._exit(9)


class _Counter:
    seen = 0
    die_at = -1
    torn = False


def _save(kind: str, target: Path) -> None:
    encoding, newline, bom = ENCODINGS.get(kind, ("utf-8", "\n", False))
    textfile.save_text_atomic(target, NEW, encoding, newline, bom)


def _bytes_of(kind: str, text: str) -> bytes:
    encoding, newline, bom = ENCODINGS.get(kind, ("utf-8", "\n", False))
    return textfile.encode_text(text.replace("\n", newline), textfile.TextFormat(encoding, newline, bom))


def _prepare(kind: str, folder: Path) -> tuple[Path, Path]:
    """(the name the editor saves to, the file that holds the bytes)."""
    if folder.exists():
        shutil.rmtree(folder)
    (folder / "docs").mkdir(parents=True)
    real = folder / "docs" / "novel.txt"
    real.write_bytes(_bytes_of(kind, OLD))
    if kind == "symlink":
        link = folder / "docs" / "novel-link.txt"
        link.symlink_to(real)
        return link, real
    if kind == "hard-linked":
        os.link(real, folder / "docs" / "novel-other-name.txt")
    return real, real


def _simulate(kind: str, folder: Path) -> None:
    """What running as an ordinary user would give (the tests run as root)."""
    if kind == "other-owner":
        textfile._owner_would_change = lambda temporary, info: True
    if kind == "no-temp-folder":
        refused = str(folder / "docs")
        real_mkstemp = tempfile.mkstemp

        def mkstemp(*args, **kwargs):
            if str(kwargs.get("dir")) == refused:
                raise PermissionError(13, "Permission denied")
            return real_mkstemp(*args, **kwargs)

        tempfile.mkstemp = mkstemp


def _outcome(kind: str, name: Path, real: Path) -> dict:
    old, new = _bytes_of(kind, OLD), _bytes_of(kind, NEW)
    data = real.read_bytes()
    state = "old" if data == old else "new" if data == new else "torn"
    kept = textfile.interrupted_save(name)
    kept_state = None
    if kept is not None:
        held = kept.read_bytes()
        kept_state = "old" if held == old else "new" if held == new else "torn"
    leftovers = sorted(p.name for p in real.parent.iterdir() if p.name.endswith(".tmp"))
    links_agree = all(
        p.read_bytes() == data for p in real.parent.iterdir() if p.name.startswith("novel") and p.is_file()
    )
    return {"file": state, "kept": kept_state, "tmp": len(leftovers), "links_agree": links_agree}


def main() -> None:
    kind, folder = sys.argv[1], Path(sys.argv[2])
    os.environ["WRITER_APP_HOME"] = str(folder / "home")
    _simulate(kind, folder)
    name, real = _prepare(kind, folder)
    sys.setprofile(_step_calls)
    _save(kind, name)
    sys.setprofile(None)
    steps = _Counter.seen
    assert real.read_bytes() == _bytes_of(kind, NEW)
    for torn in (False, True):
        for step in range(1, steps + 1):
            name, real = _prepare(kind, folder)
            shutil.rmtree(folder / "home", ignore_errors=True)
            child = os.fork()
            if child == 0:
                _Counter.seen, _Counter.die_at, _Counter.torn = 0, step, torn
                sys.setprofile(_step_calls)
                try:
                    _save(kind, name)
                finally:
                    os._exit(0)  # finished before its step: a save that was not cut
            _pid, status = os.waitpid(child, 0)
            outcome = {"step": step, "torn_write": torn, "killed": os.waitstatus_to_exitcode(status) == 9}
            outcome.update(_outcome(kind, name, real))
            print(json.dumps(outcome), flush=True)


if __name__ == "__main__":
    main()
