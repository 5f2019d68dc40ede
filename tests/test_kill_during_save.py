"""kill -9 in the middle of a save or of a recovery write: the file on disk is always the complete old
or the complete new text, and the recovery copy always loads."""

from __future__ import annotations

import os
import random
import subprocess
import sys
import time

from writer_app.document.recovery import RecoveryStore

# WRITER_APP_ADVERSARIAL=long: ten times the rounds.
KILLS = 200 if os.environ.get("WRITER_APP_ADVERSARIAL") == "long" else 20
# Two large texts (2 and 3 MB) that differ everywhere and in length, so a torn or half-truncated write
# would show.
OLD = "old line of the novel, written before the save\n" * 45_000
NEW = "NEW LINE OF THE NOVEL, WRITTEN AS IT IS SAVED, A LITTLE LONGER THAN THE OLD!\n" * 40_000

SAVER = """
import sys
from pathlib import Path
from writer_app.document.recovery import RecoveryCopy, RecoveryStore
from writer_app.document.textfile import save_text_atomic

target, folder = Path(sys.argv[1]), Path(sys.argv[2])
old, new = Path(sys.argv[3]).read_text(), Path(sys.argv[4]).read_text()
store = RecoveryStore(folder)
copy = RecoveryCopy(raw=old, id="5a7e" * 8)
print("ready", flush=True)
i = 0
while True:
    text = new if i % 2 == 0 else old
    save_text_atomic(target, text)
    copy.raw = text
    store.write(copy)
    i += 1
"""


def test_kill_9_never_leaves_a_torn_file_or_copy(tmp_path):
    target = tmp_path / "novel.txt"
    target.write_text(OLD, encoding="utf-8")
    (tmp_path / "old.txt").write_text(OLD, encoding="utf-8")
    (tmp_path / "new.txt").write_text(NEW, encoding="utf-8")
    folder = tmp_path / "recovery"
    rng = random.Random(7)
    for _ in range(KILLS):
        args = [str(target), str(folder), str(tmp_path / "old.txt"), str(tmp_path / "new.txt")]
        process = subprocess.Popen([sys.executable, "-c", SAVER, *args], stdout=subprocess.PIPE, text=True)
        assert process.stdout.readline().strip() == "ready"
        time.sleep(rng.uniform(0.01, 0.25))
        process.kill()
        process.wait(timeout=30)
        assert target.read_text(encoding="utf-8") in (OLD, NEW)
        store = RecoveryStore(folder)
        copy_file = folder / ("5a7e" * 8 + ".recovery.json")
        if copy_file.exists():
            assert store.load(copy_file).text in (OLD, NEW)
    # What a killed save can leave is a hidden temporary beside the file, never a damaged file.
    leftovers = [p.name for p in tmp_path.iterdir() if p.name.startswith(".novel.txt.")]
    assert all(name.endswith(".tmp") for name in leftovers)
    assert os.path.getsize(target) in (len(OLD.encode()), len(NEW.encode()))


LINKED_SAVER = """
import sys
from pathlib import Path
from writer_app.document.textfile import save_text_atomic

target = Path(sys.argv[1])
old, new = Path(sys.argv[2]).read_text(), Path(sys.argv[3]).read_text()
print("ready", flush=True)
i = 0
while True:
    save_text_atomic(target, new if i % 2 == 0 else old)
    i += 1
"""


def test_kill_9_while_saving_a_hard_linked_file_always_leaves_the_whole_text_somewhere(tmp_path):
    """A file with two names can only be written in place. A kill in the middle tore it under both names
    (6 of 10 rounds); now the complete new text is kept beside it first, and found when it is opened."""
    from writer_app.document.textfile import interrupted_save

    target, other = tmp_path / "novel.txt", tmp_path / "novel-link.txt"
    target.write_text(OLD, encoding="utf-8")
    os.link(target, other)
    (tmp_path / "old.txt").write_text(OLD, encoding="utf-8")
    (tmp_path / "new.txt").write_text(NEW, encoding="utf-8")
    rng = random.Random(11)
    torn = 0
    for _ in range(KILLS):
        args = [str(target), str(tmp_path / "old.txt"), str(tmp_path / "new.txt")]
        process = subprocess.Popen(
            [sys.executable, "-c", LINKED_SAVER, *args], stdout=subprocess.PIPE, text=True
        )
        assert process.stdout.readline().strip() == "ready"
        time.sleep(rng.uniform(0.01, 0.25))
        process.kill()
        process.wait(timeout=30)
        assert os.path.samefile(target, other)  # still one file under two names
        text = target.read_text(encoding="utf-8", errors="replace")
        if text not in (OLD, NEW):
            torn += 1
            kept = interrupted_save(target)
            assert kept is not None and kept.read_text(encoding="utf-8") in (OLD, NEW)
    print(f"torn in place {torn} of {KILLS}; each time the whole text was kept beside it")


CUT_SHORT = """
import os, sys
from pathlib import Path
from writer_app.document import textfile

def half_then_die(target, data):
    with open(target, "r+b") as fh:
        fh.write(data[: len(data) // 2])
        fh.flush()
    os._exit(9)  # the power goes off half way through the in-place write

textfile._write_in_place = half_then_die
textfile.save_text_atomic(Path(sys.argv[1]), Path(sys.argv[2]).read_text())
"""


def test_a_save_cut_short_in_place_is_offered_back_when_the_file_is_opened(qtbot, tmp_path):
    from PySide6.QtWidgets import QMessageBox

    from tests.test_ui_editor import make_window
    from writer_app.document.textfile import interrupted_save

    target, other = tmp_path / "novel.txt", tmp_path / "novel-link.txt"
    target.write_text(OLD, encoding="utf-8")
    os.link(target, other)
    (tmp_path / "new.txt").write_text(NEW, encoding="utf-8")
    done = subprocess.run([sys.executable, "-c", CUT_SHORT, str(target), str(tmp_path / "new.txt")])
    assert done.returncode == 9
    assert target.read_text(encoding="utf-8") not in (OLD, NEW)  # torn, under both names
    assert interrupted_save(target).read_text(encoding="utf-8") == NEW
    window = make_window(qtbot, None)
    asked = []
    window.files.ask_use_interrupted_save = lambda path: asked.append(path) or True
    window.files.ask_save_changes = lambda: QMessageBox.StandardButton.Discard
    assert window.files.open_path(target, ask_to_save=False)
    assert asked == [target] and window.files.text() == NEW and window.editor.document().isModified()
    assert window.files.save()  # the save ends what was cut short: whole, under both names
    assert "written in place" in window.statusBar().currentMessage()
    assert other.read_text(encoding="utf-8") == NEW and interrupted_save(target) is None
