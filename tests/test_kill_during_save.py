"""kill -9 in the middle of a save or of a recovery write: the file on disk is always the complete old
or the complete new text, and the recovery copy always loads."""

from __future__ import annotations

import os
import random
import subprocess
import sys
import time

from writer_app.document.recovery import RecoveryStore

KILLS = 20
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
