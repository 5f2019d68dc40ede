"""What the export libraries print goes to a log file, not to the writer.

optimum, transformers, torch's exporter and onnxruntime's quantizer write progress bars, warnings and
notes of their own ("Found different candidate ONNX initializers (likely duplicate) for the tied
weights…", reading like an error; "Converting and de-quantizing GGUF tensors… 291/291"), from Python
and from C. While they run, both output streams (the file descriptors, so C code too) are sent to
models.log in the state folder; the writer sees our stages, and the log keeps the rest for a bug report.
"""

from __future__ import annotations

import contextlib
import os
import sys
import time
from collections.abc import Iterator
from pathlib import Path

from writer_app import paths

LOG_NAME = "models.log"
MAX_LOG_BYTES = 4_000_000  # started afresh beyond this: it is for the last few installs


def log_path() -> Path:
    return paths.state_home() / LOG_NAME


@contextlib.contextmanager
def library_output_logged(what: str) -> Iterator[Path]:
    """Send stdout and stderr (file descriptors 1 and 2) to the log while the block runs."""
    path = log_path()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        if path.exists() and path.stat().st_size > MAX_LOG_BYTES:
            path.unlink()
        log = open(path, "ab")  # noqa: SIM115  (closed below, after the descriptors are restored)
    except OSError:  # no log (a read-only state folder): the libraries speak as they did
        yield path
        return
    with log, open(log.fileno(), "w", encoding="utf-8", errors="replace", closefd=False) as text:
        log.write(f"\n=== {time.strftime('%Y-%m-%d %H:%M:%S')} {what}\n".encode())
        log.flush()
        for stream in (sys.stdout, sys.stderr):
            stream.flush()
        saved = [os.dup(1), os.dup(2)]
        try:
            os.dup2(log.fileno(), 1)
            os.dup2(log.fileno(), 2)
            # Python's own streams too: they need not be descriptors 1 and 2 (a test's capture, a GUI).
            with contextlib.redirect_stdout(text), contextlib.redirect_stderr(text):
                yield path
        finally:
            for stream in (sys.stdout, sys.stderr):
                with contextlib.suppress(Exception):
                    stream.flush()
            os.dup2(saved[0], 1)
            os.dup2(saved[1], 2)
            for fd in saved:
                os.close(fd)
