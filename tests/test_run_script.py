"""scripts/run.sh, the README's first command: installs only when it must, and opens the editor offline."""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _fake(path: Path, body: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        f'#!/usr/bin/env bash\necho "$(basename "$0") $*" >> "$CALLS"\n{body}\n', encoding="utf-8"
    )
    path.chmod(path.stat().st_mode | stat.S_IXUSR)


def _checkout(tmp_path: Path, *, install_default_exit: int = 0, pip: str = "exit 0") -> Path:
    """A copy of the script beside a pyproject.toml and a .venv whose programs only record their calls."""
    root = tmp_path / "repo"
    (root / "scripts").mkdir(parents=True)
    shutil.copy2(ROOT / "scripts" / "run.sh", root / "scripts" / "run.sh")
    shutil.copy2(ROOT / "pyproject.toml", root / "pyproject.toml")
    body = f'[ "$1 $2" = "models install-default" ] && exit {install_default_exit}\nexit 0'
    _fake(root / ".venv" / "bin" / "writer-app", body)
    _fake(root / ".venv" / "bin" / "python", pip)
    _fake(tmp_path / "bin" / "python3.11", "exit 0")  # `python3.11 -m venv .venv`: the .venv above stays
    return root


def _run(
    root: Path, tmp_path: Path, *args: str, locale: str = "en_US.UTF-8"
) -> tuple[subprocess.CompletedProcess, list[str]]:
    calls = tmp_path / "calls.txt"
    calls.write_text("", encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if k not in ("WRITER_APP_LANGUAGE", "LC_ALL", "LC_MESSAGES")}
    env.update(CALLS=str(calls), PATH=f"{tmp_path / 'bin'}:{os.environ['PATH']}", LANG=locale)
    done = subprocess.run(
        ["bash", str(root / "scripts" / "run.sh"), *args], env=env, capture_output=True, text=True, timeout=60
    )
    return done, calls.read_text(encoding="utf-8").splitlines()


def test_the_first_run_installs_and_later_runs_only_open_the_editor(tmp_path):
    root = _checkout(tmp_path)
    first, calls = _run(root, tmp_path, "notes.md")
    assert first.returncode == 0 and "setting up .venv" in first.stdout
    assert calls[0] == "python3.11 -m venv .venv"
    assert any(c.startswith("python -m pip install --quiet -e .[export]") for c in calls)
    assert calls[-2:] == ["writer-app models install-default", "writer-app notes.md"]
    again, calls = _run(root, tmp_path, "notes.md")
    assert again.returncode == 0 and "setting up" not in again.stdout
    assert calls == ["writer-app models install-default", "writer-app notes.md"]  # no pip: no network
    with (root / "pyproject.toml").open("a", encoding="utf-8") as project:
        project.write("\n# a new dependency\n")
    _, calls = _run(root, tmp_path)
    assert any("pip install" in c for c in calls)  # the project changed: installed again


def test_with_no_model_and_no_network_the_editor_still_opens(tmp_path):
    root = _checkout(tmp_path, install_default_exit=2)
    _run(root, tmp_path)  # the set-up run
    done, calls = _run(root, tmp_path, "notes.md")
    assert done.returncode == 0 and "the editor offers one" in done.stdout
    assert calls[-1] == "writer-app notes.md"


def test_a_failed_install_shows_the_end_of_its_log_and_opens_nothing(tmp_path):
    noisy = (
        'echo "Please be careful with this build"; echo "ERROR: No matching distribution for torch"; exit 1'
    )
    root = _checkout(tmp_path, pip=noisy)
    done, calls = _run(root, tmp_path, "notes.md")
    assert done.returncode == 1
    assert "Please be careful" not in done.stdout  # pip's own noise stays in the log...
    assert (
        "installing failed" in done.stderr and "No matching distribution" in done.stderr
    )  # ...its cause not
    assert not any(c.startswith("writer-app") for c in calls)


def test_it_speaks_chinese_in_a_chinese_locale(tmp_path):
    root = _checkout(tmp_path, install_default_exit=2)
    first, _ = _run(root, tmp_path, locale="zh_CN.UTF-8")
    assert "正在准备 .venv" in first.stdout and "还没有安装模型" in first.stdout
    assert "setting up" not in first.stdout
