"""Typing into a 10 MB document: key-to-paint latency with auto-suggest on.

    python benchmarks/keystrokes.py [--mb 10] [--keys 300] [--model FOLDER]

Opens a document of our own prose in the real window (offscreen Qt, the full app: word counts,
recovery copies, warm-ups, auto-suggest on a model when one is given, by default the gpt2-shape int8
folder that run.py builds). Keys are sent at the times a writer would type them (bursts of 25 keys
at 110 ms, then a 1.2 s pause in which auto-suggest fires and streams); each key's latency is the time
from when it was due to when it was processed and the editor repainted, so a key that waited behind
other work counts that wait. Prints the document's open time, key-to-paint p50 / p99 / worst, the
longest gap in a 5 ms ticker, and, as the peer in the same run, what the count refresh used to cost
(`toPlainText()` and a regex over the whole document on the GUI thread).
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ["ORT_DISABLE_TELEMETRY"] = "1"
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from machine import cpu_model  # noqa: E402

from PySide6.QtCore import Qt, QTimer  # noqa: E402
from PySide6.QtTest import QTest  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from writer_app.settings import Settings  # noqa: E402
from writer_app.ui.main_window import MainWindow  # noqa: E402
from writer_app.ui.word_count import count_words  # noqa: E402

PROSE = (HERE / "prose.txt").read_text(encoding="utf-8")
BURST, KEY_MS, PAUSE_MS = 25, 110, 1200


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--mb", type=float, default=10)
    parser.add_argument("--keys", type=int, default=300)
    parser.add_argument("--model", type=Path, default=HERE / ".cache" / "store" / "int8")
    args = parser.parse_args()
    cpu = cpu_model()
    home = tempfile.mkdtemp(prefix="writer-app-bench-")
    os.environ["WRITER_APP_HOME"] = home
    app = QApplication([])
    model = str(args.model) if args.model.is_dir() else None
    settings = Settings(auto_suggest=True, greedy=True, alternatives=1, suggestion_tokens=16)
    window = MainWindow(settings, model=model, save_settings_on_close=False)
    window.resize(1000, 700)
    window.show()
    if model:
        end = time.monotonic() + 60
        while window.session.model.info is None and time.monotonic() < end:
            app.processEvents()
            time.sleep(0.01)

    document = Path(home) / "long.txt"
    document.write_text((PROSE * int(args.mb * 1e6 // len(PROSE) + 1))[: int(args.mb * 1e6)], encoding="utf-8")
    t0 = time.perf_counter()
    window.files.open_path(document, ask_to_save=False)
    window.editor.viewport().repaint()
    open_ms = (time.perf_counter() - t0) * 1000
    text = window.editor.toPlainText()
    t0 = time.perf_counter()
    count_words(window.editor.toPlainText())
    old_count_ms = (time.perf_counter() - t0) * 1000
    del text

    editor = window.editor
    editor.setFocus()
    cursor = editor.textCursor()
    raw = editor.document().toRawText()
    cursor.setPosition(raw.index("\u2029", len(raw) // 2))  # at the end of a paragraph mid-book
    del raw
    editor.setTextCursor(cursor)

    ticks: list[float] = []
    ticker = QTimer(interval=5)
    ticker.timeout.connect(lambda: ticks.append(time.perf_counter()))
    ticker.start()
    latencies: list[float] = []
    keys = "the quick brown fox jumps over the lazy dog "
    start = time.perf_counter() + 0.5
    due = []
    at = start
    for index in range(args.keys):
        due.append(at)
        at += (KEY_MS if (index + 1) % BURST else PAUSE_MS) / 1000
    index = 0
    while index < len(due):
        now = time.perf_counter()
        if now >= due[index]:
            key = keys[index % len(keys)]
            QTest.keyClick(editor, key if key != " " else Qt.Key.Key_Space)
            editor.viewport().repaint()
            latencies.append((time.perf_counter() - due[index]) * 1000)
            index += 1
        app.processEvents()
        time.sleep(0.0005)
    ticker.stop()
    gaps = [(b - a) * 1000 for a, b in zip(ticks, ticks[1:], strict=False)]
    suggested = window.session.last_stats is not None
    print(f"{platform.machine()}, {cpu}; Qt offscreen; {args.mb:g} MB document, {args.keys} keys, auto-suggest on")
    print(f"model: {model or 'none'}; a suggestion streamed during the run: {suggested}")
    print(f"open (read, decode, lay out, first paint): {open_ms:.0f} ms")
    print(
        f"key to paint: p50 {statistics.median(latencies):.1f} ms, p99 {percentile(latencies, 0.99):.1f} ms, "
        f"worst {max(latencies):.1f} ms"
    )
    print(f"longest gap in a 5 ms ticker while typing: {max(gaps):.1f} ms")
    print(f"peer: the old count refresh (toPlainText + regex, GUI thread): {old_count_ms:.0f} ms each pause")
    window.editor.document().setModified(False)
    window.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
