"""Unsaved text survives a crash, a kill and a closed terminal, and comes back on the next start."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from tests.processes import sigint_as_a_terminal_gives_it
from tests.test_faithful_saves import type_at_end
from tests.test_ui_editor import make_window
from writer_app.document.recovery import RecoveryCopy, RecoveryStore, compare_with_disk, recovery_dir


def copies() -> list[RecoveryCopy]:
    """The copies on disk, each with its journal applied."""
    store = RecoveryStore()
    if not store.folder.is_dir():
        return []
    return [store.load(p) for p in sorted(store.folder.glob("*.recovery.json"))]


def fast(w):
    w.hot_exit._timer.setInterval(30)
    return w


def test_unsaved_text_is_copied_soon_after_it_changes_and_removed_on_save(qtbot, tmp_path):
    doc = tmp_path / "chapter.txt"
    doc.write_bytes(b"It began\r\n")
    w = fast(make_window(qtbot, None))
    assert w.files.open_path(doc)
    type_at_end(w, "with rain.")
    qtbot.waitUntil(lambda: len(copies()) == 1, timeout=3000)
    qtbot.waitUntil(lambda: copies()[0].text == "It began\r\nwith rain.", timeout=3000)
    [copy] = copies()
    assert copy.path == str(doc) and copy.newline == "\r\n"
    assert w.files.save()
    assert copies() == []


def test_discarding_on_close_removes_the_copy_and_cancel_keeps_it(qtbot):
    w = fast(make_window(qtbot, None))
    type_at_end(w, "draft words")
    qtbot.waitUntil(lambda: len(copies()) == 1, timeout=3000)
    w.files.ask_save_changes = lambda: QMessageBox.StandardButton.Cancel
    assert not w.close()
    assert len(copies()) == 1
    w.files.ask_save_changes = lambda: QMessageBox.StandardButton.Discard
    assert w.close()
    assert copies() == []


def test_losing_focus_copies_at_once(qtbot):
    w = make_window(qtbot, None)  # the 2 s interval: only the focus change can have written it
    type_at_end(w, "before lunch")
    w.hot_exit._application_state(Qt.ApplicationState.ApplicationInactive)
    w.hot_exit.wait()
    assert [c.text for c in copies()] == ["before lunch"]


def test_a_copy_left_by_a_dead_editor_is_offered_and_restored_exactly(qtbot, tmp_path):
    doc = tmp_path / "novel.txt"
    doc.write_bytes("Old text\r\n".encode("utf-16-le"))
    text = "Old text\r\nand the part that was never saved\u00a0!"
    raw = "Old text\u2029and the part that was never saved\u00a0!"
    RecoveryStore().write(
        RecoveryCopy(raw=raw, path=str(doc), encoding="utf-16-le", newline="\r\n", cursor=5, pid=2**22 + 7)
    )
    w = make_window(qtbot, None)
    offered = []
    w.hot_exit.ask_restore = lambda copy: offered.append(copy.name) or QMessageBox.StandardButton.Yes
    assert w.hot_exit.offer_recovery()
    assert offered == ["novel.txt"]
    assert w.files.text() == text  # every character, the file's line breaks
    assert w.editor.document().isModified() and w.editor.textCursor().position() == 5
    assert doc.read_bytes() == "Old text\r\n".encode("utf-16-le")  # nothing written until the writer saves
    assert w.files.save()
    assert doc.read_bytes() == text.encode("utf-16-le")
    assert copies() == []


def test_a_copy_can_be_discarded_or_kept_for_later(qtbot):
    store = RecoveryStore()
    store.write(RecoveryCopy(raw="keep me", pid=2**22 + 7))
    w = make_window(qtbot, None)
    w.hot_exit.ask_restore = lambda _copy: QMessageBox.StandardButton.No
    assert not w.hot_exit.offer_recovery()
    assert [c.text for c in copies()] == ["keep me"]
    w.hot_exit.ask_restore = lambda _copy: QMessageBox.StandardButton.Discard
    assert not w.hot_exit.offer_recovery()
    assert copies() == []


def test_an_unreadable_copy_is_left_in_place_not_deleted(qtbot):
    folder = recovery_dir()
    folder.mkdir(parents=True)
    broken = folder / "x.recovery.json"
    broken.write_text("{not json")
    copies_found, problems = RecoveryStore().orphans()
    assert copies_found == [] and len(problems) == 1 and broken.exists()


EDITOR = """
import sys, time
from pathlib import Path
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication
import writer_app.ui.app as app_module

app = QApplication(sys.argv[:1])
TEXT = sys.argv[1]
def type_slowly():
    window = next(w for w in QApplication.topLevelWidgets() if hasattr(w, "hot_exit"))
    typed = []
    def key():
        if len(typed) == len(TEXT):
            return
        typed.append(TEXT[len(typed)])
        window.editor.insertPlainText(typed[-1])
        print(f"{time.time():.3f} {len(typed)}", flush=True)
    timer = QTimer(window, interval=INTERVAL)
    timer.timeout.connect(key)
    timer.start()
QTimer.singleShot(300, type_slowly)
sys.exit(app_module.run_app(file=Path(sys.argv[2])))
"""


def start_editor(tmp_path: Path, text: str, interval_ms: int) -> subprocess.Popen:
    doc = tmp_path / "draft.txt"
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "WRITER_APP_HOME": os.environ["WRITER_APP_HOME"]}
    code = textwrap.dedent(EDITOR).replace("INTERVAL", str(interval_ms))
    return subprocess.Popen(
        [sys.executable, "-c", code, text, str(doc)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=sigint_as_a_terminal_gives_it,
    )


def wait_for_typed(process: subprocess.Popen, count: int) -> list[tuple[float, int]]:
    lines = []
    while True:
        line = process.stdout.readline()
        assert line, f"the editor ended early: {process.stderr.read()[-2000:]}"
        stamp, typed = line.split()
        lines.append((float(stamp), int(typed)))
        if int(typed) >= count:
            return lines


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT, signal.SIGHUP])
def test_a_termination_signal_closes_the_editor_keeping_the_unsaved_text(tmp_path, signum):
    text = "Words that were never saved."
    process = start_editor(tmp_path, text, interval_ms=5)
    wait_for_typed(process, len(text))
    process.send_signal(signum)
    assert process.wait(timeout=20) == 0
    assert [c.text for c in copies()] == [text]


def test_kill_9_loses_at_most_the_last_two_seconds_of_typing(tmp_path):
    text = "The lighthouse keeper counted the ships, one by one, until the fog came in. " * 3
    process = start_editor(tmp_path, text, interval_ms=40)  # 25 characters a second, no pause
    typed = wait_for_typed(process, 130)  # about 5 s of typing
    process.kill()
    process.wait(timeout=20)
    killed_at = typed[-1][0]
    [copy] = copies()
    recovered = copy.text
    assert text.startswith(recovered) and recovered
    kept_until = max(at for at, count in typed if count <= len(recovered))
    lost_seconds = killed_at - kept_until
    print(
        f"kill -9: {typed[-1][1] - len(recovered)} characters lost, the last {lost_seconds:.2f} s of typing"
    )
    assert lost_seconds <= 2.5


def test_the_recovered_text_can_be_compared_with_the_file_on_disk(tmp_path):
    doc = tmp_path / "story.txt"
    doc.write_text("The first line.\nThe second line.\n", encoding="utf-8")
    copy = RecoveryCopy(raw="The first line.\u2029The second line, rewritten.\u2029", path=str(doc))
    diff = compare_with_disk(copy)
    assert "-The second line." in diff and "+The second line, rewritten." in diff
    assert "story.txt (on disk)" in diff and "story.txt (recovered)" in diff
    same = RecoveryCopy(raw="The first line.\u2029The second line.\u2029", path=str(doc))
    assert "already holds exactly this text" in compare_with_disk(same)
    assert "never saved" in compare_with_disk(RecoveryCopy(raw="x"))
    doc.unlink()
    assert "cannot be read" in compare_with_disk(copy)


@pytest.mark.parametrize("after_s", [0.1, 0.3, 0.5, 0.8])
def test_ctrl_c_while_the_editor_starts_never_shows_a_traceback(tmp_path, after_s):
    """Whenever it comes (loading the program, importing Qt, building the window, the loop running), a
    Ctrl-C ends the editor: it once vanished inside Qt's import, and the window stayed open for good."""
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "WRITER_APP_HOME": str(tmp_path)}
    process = subprocess.Popen(
        [sys.executable, "-m", "writer_app", "--no-install", str(tmp_path / "new.txt")],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        preexec_fn=sigint_as_a_terminal_gives_it,
    )
    try:
        time.sleep(after_s)
        process.send_signal(signal.SIGINT)
        _, err = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()  # never leave an editor behind
            process.wait()
    # Before the event loop runs, the command line reports the interrupt; after, the window closes.
    # Dying of the signal itself (as Python does for an unhandled Ctrl-C) also ends it cleanly: seen once
    # in a loaded CI run at 0.1 s, after "writer-app: interrupted" was printed (cause not yet found).
    assert process.returncode in (0, 130, -signal.SIGINT), err
    assert b"Traceback" not in err


WITH_A_DIALOG = """
import sys, os, signal
from pathlib import Path
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication
import writer_app.ui.app as app_module

app = QApplication(sys.argv[:1])
def open_settings():
    window = next(w for w in QApplication.topLevelWidgets() if hasattr(w, "hot_exit"))
    window.editor.insertPlainText("Typed, never saved.")
    QTimer.singleShot(300, lambda: os.kill(os.getpid(), signal.SIGTERM))
    window.show_settings()  # modal: the signal arrives inside its event loop
    print("the dialog's loop returned", flush=True)
QTimer.singleShot(300, open_settings)
sys.exit(app_module.run_app(file=Path(sys.argv[1]), offer_first_run=False))
"""


def test_a_signal_while_a_dialog_is_open_closes_cleanly_and_keeps_the_text(tmp_path, tiny_store, monkeypatch):
    home = tmp_path / "home"  # a model loaded (the crash needed one), recovery copies of this test's own
    home.mkdir()
    (home / "models").symlink_to(tiny_store / "models")
    monkeypatch.setenv("WRITER_APP_HOME", str(home))
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    done = subprocess.run(
        [sys.executable, "-c", WITH_A_DIALOG, str(tmp_path / "draft.txt")],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr[-2000:]  # it crashed on the way out before
    assert "the dialog's loop returned" in done.stdout and "Fatal" not in done.stderr
    assert [c.text for c in copies()] == ["Typed, never saved."]
