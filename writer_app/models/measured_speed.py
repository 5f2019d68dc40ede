"""How fast each model decodes on this machine, as the writer's own suggestions measured it.

The model manager shows it beside each model: a figure from this laptop, not from a benchmark machine.
Kept as a running average per model name in the state folder; a write happens only when the figure
moves by more than a twentieth, so a session of suggestions costs a handful of small writes.
"""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path

from writer_app import paths

log = logging.getLogger(__name__)
FILE_NAME = "model-speeds.json"
WEIGHT_OF_NEW = 0.2
REWRITE_WHEN_MOVED = 0.05


def _path() -> Path:
    return paths.state_home() / FILE_NAME


def measured_speeds() -> dict[str, float]:
    """Decode ms/token by model name ({} when nothing was measured or the file is unreadable)."""
    try:
        data = json.loads(_path().read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(data, dict):
        return {}
    return {str(k): float(v) for k, v in data.items() if isinstance(v, int | float) and v > 0}


def record_speed(name: str, ms_per_token: float) -> None:
    if not ms_per_token > 0:
        return
    speeds = measured_speeds()
    old = speeds.get(name)
    new = ms_per_token if old is None else old + WEIGHT_OF_NEW * (ms_per_token - old)
    if old is not None and abs(new - old) <= REWRITE_WHEN_MOVED * old:
        return
    speeds[name] = round(new, 2)
    path = _path()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(".partial")
        partial.write_text(json.dumps(speeds, indent=1), encoding="utf-8")
        os.replace(partial, path)
    except OSError as exc:  # a full or read-only disk costs the figure, nothing else
        log.warning("could not record the speed of %s: %s", name, exc)
