"""Recovery copies under a hostile world: a journal append that fails for a moment (the disk full), a
journal damaged in the middle, an edit that was made for another text, a copy whose id would name
another file. A copy is rebuilt exactly, or offered as far as it is good and labelled as such; never
silently wrong, never a path."""

from __future__ import annotations

import collections
import json
import os

from tests.test_faithful_saves import type_at_end
from tests.test_ui_editor import make_window
from writer_app.document.recovery import Edit, RecoveryCopy, RecoveryStore
from writer_app.errors import UserError

DEAD_PID = 2**22 + 7  # no editor runs with it: its copies are orphans


def test_a_failed_append_is_followed_by_a_new_base_so_the_copy_is_exact(qtbot, monkeypatch):
    w = make_window(qtbot, None)
    hot = w.hot_exit
    type_at_end(w, "The boats lay still.")
    hot.flush()
    hot.wait()  # the base
    type_at_end(w, " The harbour slept.")
    hot.flush()
    hot.wait()  # journalled
    real_append = hot.store.append
    failures = []

    def full_disk_once(*args):
        if not failures:
            failures.append(args)
            raise UserError("cannot keep a recovery copy: No space left on device")
        real_append(*args)

    monkeypatch.setattr(hot.store, "append", full_disk_once)
    type_at_end(w, " Then the ships")
    hot.flush()
    hot.wait()  # this append fails
    assert failures and "not being protected" in w.statusBar().currentMessage()
    type_at_end(w, " came home.")
    hot.flush()
    hot.wait()  # a new base, holding everything typed while the disk was full
    type_at_end(w, " At dawn.")
    hot.flush()
    hot.wait()  # and the journal continues from it
    store = RecoveryStore()
    [copy_file] = store.folder.glob("*.recovery.json")
    copy = store.load(copy_file)
    assert (
        copy.text
        == w.files.text()
        == ("The boats lay still. The harbour slept. Then the ships came home. At dawn.")
    )
    assert copy.problem == ""
    assert w.statusBar().currentMessage() == "Unsaved text is protected again."


def _store_with_journal(
    tmp_path, lines: list[bytes], raw: str = "Hello"
) -> tuple[RecoveryStore, RecoveryCopy]:
    store = RecoveryStore(tmp_path / "recovery")
    copy = RecoveryCopy(raw=raw, pid=DEAD_PID)
    store.write(copy)
    (store.folder / f"{copy.id}.{copy.generation}.journal").write_bytes(b"".join(lines))
    return store, copy


def _line(position: int, removed: int, text: str, length: int | None) -> bytes:
    return json.dumps([position, removed, text, length]).encode() + b"\n"


def test_a_journal_damaged_in_the_middle_is_offered_as_far_as_it_is_good_and_says_so(tmp_path):
    lines = [_line(5, 0, " there", 11), b'[11, 0, " \xff friend"]\n', _line(17, 0, "!", 18)]
    store, _copy = _store_with_journal(tmp_path, lines)
    [offered], problems = store.orphans()
    assert problems == []  # it is offered, not skipped
    assert offered.raw == "Hello there"
    assert offered.problem == "the journal is damaged at line 2 of 3"


def test_an_edit_made_for_another_text_stops_the_replay_before_it(tmp_path):
    # The second edit was made after an append that never reached the disk: its offsets belong to a text
    # the journal does not hold. Its recorded length gives it away.
    lines = [_line(5, 0, " there", 11), _line(17, 0, " ships", 23)]
    store, _copy = _store_with_journal(tmp_path, lines)
    [offered], _problems = store.orphans()
    assert offered.raw == "Hello there"
    assert offered.problem == "edit 2 of 2 does not fit the text it follows"
    lines = [_line(5, 0, " there", 11), _line(3, 2, "p!", 99)]  # inside the text, another length
    store, _copy = _store_with_journal(tmp_path / "b", lines)
    [offered], _problems = store.orphans()
    assert offered.raw == "Hello there" and offered.problem.startswith("edit 2 of 2")


def test_a_line_cut_by_a_kill_is_no_damage(tmp_path):
    store, _copy = _store_with_journal(tmp_path, [_line(5, 0, " there", 11), b'[11, 0, " fri'])
    [offered], _problems = store.orphans()
    assert offered.raw == "Hello there" and offered.problem == ""


def test_journals_written_before_lengths_were_kept_still_replay(tmp_path):
    store, _copy = _store_with_journal(tmp_path, [b'[5, 0, " there"]\n', b'[0, 1, "J"]\n'])
    [offered], _problems = store.orphans()
    assert offered.raw == "Jello there" and offered.problem == ""


def test_a_copy_whose_id_names_another_file_is_refused_and_touches_nothing(tmp_path):
    store = RecoveryStore(tmp_path / "recovery")
    victim = tmp_path / "notes.journal"
    victim.write_text("the writer's own file", encoding="utf-8")
    crafted = {"raw": "x", "id": "../notes", "generation": 0, "pid": DEAD_PID}
    store.folder.mkdir(parents=True)
    (store.folder / "crafted.recovery.json").write_text(json.dumps(crafted), encoding="ascii")
    also = {"raw": "y", "id": "ab" * 16, "pid": DEAD_PID}  # a valid id, but not this file's own
    (store.folder / ("cd" * 16 + ".recovery.json")).write_text(json.dumps(also), encoding="ascii")
    copies, problems = store.orphans()
    assert copies == [] and len(problems) == 2
    assert all("its id is not the one its name gives" in p for p in problems)
    assert victim.read_text(encoding="utf-8") == "the writer's own file"


def test_edits_replay_in_the_editors_units_and_check_each_length():
    from writer_app.document.recovery import apply_edits

    text, problem = apply_edits("a😀b", [Edit(3, 1, "c", 4), Edit(0, 0, "𠀀", 6)])
    assert (text, problem) == ("𠀀a😀c", "")
    text, problem = apply_edits("ab", [Edit(5, 0, "x", 3)])  # past the end: never appended elsewhere
    assert (text, problem) == ("ab", "edit 1 of 1 does not fit the text it follows")


# WRITER_APP_ADVERSARIAL=long: the disk full for up to three writes in a row, from every write on.
LONG = os.environ.get("WRITER_APP_ADVERSARIAL") == "long"


def _edit_session(w) -> list[str]:
    """A writer's few minutes: typing, Enter, emoji and CJK, a deletion, an undo, a paste of lines. The
    text after each flush to disk."""
    from PySide6.QtGui import QTextCursor

    def delete_back(count: int) -> None:
        cursor = w.editor.textCursor()
        cursor.movePosition(QTextCursor.MoveOperation.End)
        cursor.movePosition(QTextCursor.MoveOperation.Left, QTextCursor.MoveMode.KeepAnchor, count)
        cursor.removeSelectedText()

    steps = [
        lambda: type_at_end(w, "The boats lay still."),
        lambda: type_at_end(w, " The harbour slept.\n"),
        lambda: type_at_end(w, "Then the ships 🚢 came"),
        lambda: delete_back(4),
        lambda: type_at_end(w, "went home, 回家了。"),
        lambda: w.editor.undo(),
        lambda: type_at_end(w, "\nLine one\nLine two 👩‍👧\n"),
        lambda: type_at_end(w, "At dawn."),
    ]
    if LONG:
        steps += [lambda n=n: type_at_end(w, f" and {n}") for n in range(12)]
    states = []
    for step in steps:
        step()
        w.hot_exit.flush()
        w.hot_exit.wait()
        states.append(w.files.text())
    return states


def _counting_writes(hot, failing: set[int]) -> list[str]:
    """Replaces the store's writes: the n-th write (from 1) fails when n is in failing, as a full disk
    does: a base is not replaced, an append leaves half its line in the journal. Returns the log."""
    store, log = hot.store, []
    real_write, real_append = store.write, store.append

    def write(copy):
        log.append("base")
        if len(log) in failing:
            raise UserError("cannot keep a recovery copy: No space left on device")
        return real_write(copy)

    def append(copy_id, generation, edits):
        log.append("append")
        if len(log) in failing:
            line = json.dumps([edits[0].position, edits[0].removed, edits[0].text, edits[0].length])
            with open(store._journal(copy_id, generation), "a", encoding="ascii") as journal:
                journal.write(line[: len(line) // 2])
            raise UserError("cannot keep a recovery copy: No space left on device")
        return real_append(copy_id, generation, edits)

    store.write, store.append = write, append
    return log


def test_the_disk_full_at_each_recovery_write_never_gives_back_a_text_that_was_not(qtbot):
    """Each write (base or journal append) of a writer's session fails in turn, an append leaving half a
    line behind. The copy is the exact last text whenever a later write succeeded, and a text the writer
    had (the last one kept) when the very last write failed: never a text that never was."""
    clean = make_window(qtbot, None)
    writes = _counting_writes(clean.hot_exit, set())
    expected = _edit_session(clean)
    total = len(writes)
    assert total >= 8 and "append" in writes and "base" in writes
    runs = [{n} for n in range(1, total + 1)]
    if LONG:
        runs += [set(range(n, n + width)) for width in (2, 3) for n in range(1, total + 1)]
    outcomes = collections.Counter()
    for failing in runs:
        w = make_window(qtbot, None)
        _counting_writes(w.hot_exit, failing)
        states = _edit_session(w)
        assert states == expected
        folder = w.hot_exit.store.folder
        copy = RecoveryStore(folder).load(folder / f"{w.hot_exit.copy.id}.recovery.json")
        if total not in failing:
            assert (copy.text, copy.problem) == (states[-1], ""), failing
            outcomes["exact"] += 1
        else:  # nothing written after the failure: the last text that was kept, whole
            assert copy.text in states[:-1] and copy.problem == "", failing
            assert "not being protected" in w.statusBar().currentMessage()
            outcomes["the text before the last flush, and the window said so"] += 1
        w.files.editor.document().setModified(False)  # discards this run's copy
        w.close()
    print(f"{len(runs)} sessions of {total} writes, failing writes {runs[:3]}…: {dict(outcomes)}")


def test_appends_queued_behind_a_failed_one_are_not_written_after_its_half_line(qtbot):
    """Flushes queue appends while the disk is slow; the first fails half way through its line. The ones
    queued behind it would have been glued to that half line (a journal damaged in the middle, the copy
    offered only up to it). They are dropped; the next flush writes a new base holding all of it."""
    import threading

    w = make_window(qtbot, None)
    hot = w.hot_exit
    type_at_end(w, "The boats lay still.")  # the base
    hot.wait()
    log = _counting_writes(hot, {1})
    slow_disk = threading.Event()
    hot._writer.submit(slow_disk.wait)
    for words in (" The harbour", " slept.", " Ships came home."):
        type_at_end(w, words)
        hot.flush()  # queued behind the slow disk
    slow_disk.set()
    hot.wait()
    assert log == ["append"]  # the failed one; the two behind it were not written
    hot.flush()  # the disk has room again: a new base
    hot.wait()
    copy = RecoveryStore(hot.store.folder).load(hot.store.folder / f"{hot.copy.id}.recovery.json")
    assert (copy.text, copy.problem) == ("The boats lay still. The harbour slept. Ships came home.", "")
