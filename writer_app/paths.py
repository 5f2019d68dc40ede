"""Where writer_app keeps its data: WRITER_APP_HOME if set, else the platform's user folders."""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

APP_NAME = "writer-app"


def data_home() -> Path:
    override = os.environ.get("WRITER_APP_HOME")
    if override:
        return Path(override).expanduser()
    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


def config_home() -> Path:
    override = os.environ.get("WRITER_APP_HOME")
    if override:
        return Path(override).expanduser() / "config"
    return Path(platformdirs.user_config_dir(APP_NAME, appauthor=False))


def state_home() -> Path:
    """Where the editor keeps what it must not lose: recovery copies of unsaved text."""
    override = os.environ.get("WRITER_APP_HOME")
    if override:
        return Path(override).expanduser()
    return Path(platformdirs.user_state_dir(APP_NAME, appauthor=False))


def models_dir() -> Path:
    return data_home() / "models"
