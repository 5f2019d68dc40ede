"""Content someone else wrote (task files, settings, recovery copies) is validated and bounded: a bad one
is named and skipped, and the editor always starts. Each of these stopped it with a traceback."""

from __future__ import annotations

import json

import pytest

from writer_app.assist.tasks import load_tasks, user_task_folder
from writer_app.document.recovery import RecoveryStore
from writer_app.settings import load_settings, settings_path

DEAD_PID = 2**22 + 7
TASK = {"id": "t", "label": "T", "instruction": "{text}", "cue": "{text}"}
HOSTILE_TASKS = {
    "deep.json": "[" * 30000 + "]" * 30000,  # under the size limit, too deep for the parser
    "big.json": json.dumps({**TASK, "id": "big", "system": "x" * 100_000}),
    "bool.json": json.dumps({**TASK, "id": "bool", "candidates": True}),
    "list-label.json": json.dumps({**TASK, "id": "ll", "label": ["T"]}),
    "id-table.json": json.dumps({**TASK, "id": {"x": 1}}),
    "id-path.json": json.dumps({**TASK, "id": "../../etc"}),
    "langs.json": json.dumps({**TASK, "id": "langs", "languages": 5}),
    "models.json": json.dumps({**TASK, "id": "models", "recommended": [1, 2]}),
}
HOSTILE_BASES = [
    {"raw": "x", "generation": "x"},
    {"raw": "x", "breaks": 5},
    {"raw": "x", "saved_at": "yesterday"},  # sorted beside a real one, it broke the start
    {"raw": "x", "pid": "me"},
    {"raw": "x", "path": 5},
    {"raw": "x", "encoding": "no-such-codec"},
    {"raw": "x\u2029y", "breaks": ["\n"]},  # fewer breaks than lines
    {"raw": "x", "newline": "<br>"},
]


def _write_hostile_tasks() -> None:
    folder = user_task_folder()
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in HOSTILE_TASKS.items():
        (folder / name).write_text(text, encoding="utf-8")
    (folder / "good.json").write_text(json.dumps({**TASK, "id": "good"}), encoding="utf-8")


def test_hostile_task_files_are_named_and_skipped_and_good_ones_load():
    _write_hostile_tasks()
    tasks, problems = load_tasks()
    assert {p.split(":")[0] for p in problems} == set(HOSTILE_TASKS)
    assert all(p.endswith("skipped") for p in problems)
    assert "good" in {t.id for t in tasks}


def _write_hostile_bases() -> RecoveryStore:
    store = RecoveryStore()
    store.folder.mkdir(parents=True, exist_ok=True)
    for n, fields in enumerate(HOSTILE_BASES):
        copy_id = f"{n:032x}"
        data = {"id": copy_id, "pid": DEAD_PID, **fields}
        (store.folder / f"{copy_id}.recovery.json").write_text(json.dumps(data), encoding="ascii")
    real = {"raw": "kept", "id": "f" * 32, "pid": DEAD_PID, "saved_at": 1.0}
    (store.folder / f"{'f' * 32}.recovery.json").write_text(json.dumps(real), encoding="ascii")
    return store


def test_damaged_recovery_copies_are_named_and_skipped_and_a_good_one_is_still_offered():
    store = _write_hostile_bases()
    copies, problems = store.orphans()
    assert [c.raw for c in copies] == ["kept"]
    assert len(problems) == len(HOSTILE_BASES) and all("left in place" in p for p in problems)


@pytest.mark.parametrize(
    ("content", "says"),
    [
        ("[" * 50000 + "]" * 50000, "nested too deeply"),
        ('{"confirmed_hosts": [1, {"a": 2}], "recent_files": ["/a", 3]}', "not text"),
        ("{}" + " " * 1_000_001, "larger than settings can be"),
    ],
)
def test_hostile_settings_reset_with_a_message(content, says):
    path = settings_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(content, encoding="utf-8")
    settings, messages = load_settings()
    assert any(says in m for m in messages)
    assert all(isinstance(h, str) for h in settings.confirmed_hosts + settings.recent_files)


def test_the_editor_starts_with_all_of_them_present(qtbot):
    from PySide6.QtWidgets import QMessageBox

    from tests.test_ui_editor import make_window

    _write_hostile_tasks()
    _write_hostile_bases()
    path = settings_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text('{"confirmed_hosts": [1], "window_geometry": "%%%", "font_size": true}', encoding="utf-8")
    settings, _messages = load_settings()
    window = make_window(qtbot, None)
    offered = []
    window.hot_exit.ask_restore = lambda copy: offered.append(copy.raw) or QMessageBox.StandardButton.No
    window.hot_exit.offer_recovery()
    assert offered == ["kept"] and "good" in {t.id for t in window.session.tasks}
    assert type(settings.font_size) is int  # a bool (true) is no size
