"""Progress of `models export`, `import-gguf`, `install` and `install-default` in a terminal: a bar that
moves from stage to stage with the time so far; detail lines print above it. Not a terminal (a pipe, a
log, the window's model manager reading it): each line printed as it comes, one per stage."""

from __future__ import annotations

import sys
import threading
import time
from typing import TextIO

from writer_app.models.stages import stage_of
from writer_app.translation import tr

BAR_WIDTH = 24
REDRAW_S = 0.5


def _own_copy(stream: TextIO) -> TextIO:
    """The stream's terminal, through a descriptor of its own (stream itself when it has none)."""
    import os

    try:
        copy = open(os.dup(stream.fileno()), "w", encoding=stream.encoding or "utf-8", errors="replace")  # noqa: SIM115
    except (OSError, ValueError, AttributeError):
        return stream
    return copy


class StageProgress:
    """Call with each progress line; close() when the work ends (or fails)."""

    def __init__(self, stream: TextIO | None = None, *, live: bool | None = None) -> None:
        self.stream = stream or sys.stdout
        self.live = self.stream.isatty() if live is None else live
        if self.live and stream is None:
            # A terminal of its own: while the export libraries run, descriptor 1 goes to the log
            # (models/library_log.py), and the bar must keep moving on the screen meanwhile.
            self.stream = _own_copy(self.stream)
        self.started = time.monotonic()
        self.label, self.fraction = tr("Starting"), 0.0
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._ticker: threading.Thread | None = None
        if self.live:
            self._ticker = threading.Thread(target=self._tick, name="writer-app-progress", daemon=True)
            self._ticker.start()

    def __call__(self, line: str) -> None:
        if not self.live:
            print(line, file=self.stream, flush=True)
            return
        with self._lock:
            stage = stage_of(line.strip())
            if stage is not None:
                self.label, self.fraction = tr(stage[0]), stage[1]
            else:  # a detail, or the last word: above the bar, which is drawn again below it
                self.stream.write("\r\x1b[K" + line + "\n")
            self._draw()

    def bar(self) -> str:
        filled = round(self.fraction * BAR_WIDTH)
        elapsed = time.monotonic() - self.started
        drawn = "#" * filled + "-" * (BAR_WIDTH - filled)
        return f"[{drawn}] {self.fraction:4.0%}  {self.label}  {elapsed:.0f} s"

    def _draw(self) -> None:
        self.stream.write("\r\x1b[K" + self.bar())
        self.stream.flush()

    def _tick(self) -> None:
        while not self._stop.wait(REDRAW_S):
            with self._lock:
                self._draw()

    def close(self) -> None:
        if self._ticker is None:
            return
        self._stop.set()
        self._ticker.join()
        self._ticker = None
        with self._lock:
            self.stream.write("\r\x1b[K")
            self.stream.flush()

    def __enter__(self) -> StageProgress:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()
