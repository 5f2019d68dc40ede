"""A folder written by `optimum-cli export onnx --task text-generation-with-past` loads as is."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from writer_app.engine.generate import Engine


@pytest.fixture(scope="module")
def optimum_folder(tiny_source: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("optimum-export")
    cli = Path(sys.executable).parent / "optimum-cli"
    command = [str(cli)] if cli.exists() else [shutil.which("optimum-cli") or "optimum-cli"]
    subprocess.run(
        [
            *command,
            "export",
            "onnx",
            "--model",
            str(tiny_source),
            "--task",
            "text-generation-with-past",
            str(out),
        ],
        check=True,
        capture_output=True,
        timeout=300,
    )
    return out


def test_optimum_cli_folder_loads_and_generates_like_ours(optimum_folder, tiny_engine):
    engine = Engine.load(optimum_folder, threads=1)
    assert engine.spec.manifest is None
    assert engine.spec.eos_token_ids == [50256]
    result = engine.generate("The harbour at dawn", max_new_tokens=10)
    ours = tiny_engine.generate("The harbour at dawn", max_new_tokens=10)
    assert result.completions[0].token_ids == ours.completions[0].token_ids


def test_optimum_cli_folder_works_from_the_command_line(optimum_folder, capsys):
    from writer_app.cli import main

    assert main(["complete", "--model", str(optimum_folder), "--max-new-tokens", "4", "Hello"]) == 0
    assert capsys.readouterr().out.strip()
