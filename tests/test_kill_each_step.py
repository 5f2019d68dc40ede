"""A save killed at each of its steps (and with its write torn half way), for every kind of file: the
file holds the complete old or the complete new text, or, where it can only be written in place, its
complete new text is kept where the next open offers it. See tests/kill_each_step.py."""

from __future__ import annotations

import collections
import json
import subprocess
import sys
from pathlib import Path

import pytest

KINDS = ("plain", "symlink", "hard-linked", "other-owner", "no-temp-folder", "utf-16", "gb18030-crlf")
DRIVER = Path(__file__).with_name("kill_each_step.py")


@pytest.mark.parametrize("kind", KINDS)
def test_a_save_killed_at_any_step_loses_nothing(tmp_path, kind):
    done = subprocess.run(
        [sys.executable, str(DRIVER), kind, str(tmp_path / "run")],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr
    rows = [json.loads(line) for line in done.stdout.splitlines()]
    assert len(rows) > 40 and all(row["killed"] for row in rows)  # every step, each cut short
    for row in rows:
        assert row["links_agree"], row  # every name of the file shows the same bytes
        assert row["kept"] in (None, "new"), row  # a kept copy is always the whole new text
        assert row["file"] in ("old", "new") or row["kept"] == "new", row
    outcomes = collections.Counter(
        f"file {row['file']}" + (", new text kept for the next open" if row["kept"] else "") for row in rows
    )
    in_place = kind in ("hard-linked", "other-owner", "no-temp-folder")
    assert (outcomes["file torn, new text kept for the next open"] > 0) == in_place
    print(f"{kind}: {len(rows)} kills: {dict(outcomes)}")
