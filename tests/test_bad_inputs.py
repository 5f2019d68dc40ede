"""Every bad input found by trying the command line as a user would: one clear line on stderr, exit
code 2, no traceback, and nothing started that has to be undone."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from tests.processes import sigint_as_a_terminal_gives_it
from writer_app.cli import MAX_THREADS, main
from writer_app.models.store import ModelStore


def run(args: list, home: Path, stdout=subprocess.PIPE) -> subprocess.CompletedProcess:
    env = {**os.environ, "WRITER_APP_HOME": str(home)}
    command = [sys.executable, "-m", "writer_app", *args]
    return subprocess.run(command, stdout=stdout, stderr=subprocess.PIPE, env=env, timeout=120)


def one_line_error(proc: subprocess.CompletedProcess, expected: str) -> None:
    err = proc.stderr.decode("utf-8", "replace")
    assert proc.returncode == 2, err
    assert "Traceback" not in err
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("writer-app: error: ") and expected in lines[0], err


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["complete", "--temperature", "nan", "hi"], "must be numbers"),
        (["complete", "--repetition-penalty", "nan", "hi"], "repetition penalty must be a number"),
        (["complete", "--seed", "-1", "hi"], "-1 must be between 0 and"),
        (["complete", "--threads", "1000", "hi"], f"1000 must be between 1 and {MAX_THREADS}"),
        (["complete", "--top-k", "-3", "hi"], "-3 must be at least 0"),
        (["complete", "--max-new-tokens", "many", "hi"], "'many' is not a whole number"),
        (["complete", "--stop", "paragraph", "hi"], "invalid choice"),
        (["models", "frobnicate"], "invalid choice"),
    ],
)
def test_bad_flags(args, expected, tiny_home):
    one_line_error(run(args, tiny_home), expected)


def test_an_argument_that_is_not_utf8(tiny_home):
    one_line_error(run(["complete", b"caf\xe9 au lait"], tiny_home), "is not valid UTF-8 text")


def test_output_to_a_full_disk(tiny_home):
    with open("/dev/full", "w") as full:
        proc = run(["complete", "--max-new-tokens", "4", "Once upon"], tiny_home, stdout=full)
    one_line_error(proc, "cannot write the output: No space left on device")


def test_a_store_that_is_a_file_is_reported_before_any_work(tmp_path, tiny_source):
    home_file = tmp_path / "not-a-folder"
    home_file.write_text("x")
    proc = run(["models", "export", str(tiny_source), "--name", "x"], home_file)
    one_line_error(proc, "a file is in the way (check WRITER_APP_HOME)")
    one_line_error(run(["models", "install-default"], home_file), "a file is in the way")


def test_a_store_that_cannot_be_written_is_reported_before_any_work(
    tmp_path, tiny_source, monkeypatch, capsys
):
    import writer_app.models.export as export

    monkeypatch.setenv("WRITER_APP_HOME", str(tmp_path))
    started = []
    monkeypatch.setattr(export, "require_export_tools", lambda: started.append("work"))

    def read_only(*_args, **_kwargs):
        raise PermissionError(13, "Read-only file system")

    monkeypatch.setattr("writer_app.models.store.tempfile.TemporaryFile", read_only)
    assert main(["models", "export", str(tiny_source), "--name", "x"]) == 2
    assert "cannot write models into" in capsys.readouterr().err and started == []


def test_a_truncated_gguf_file(tmp_path):
    from tests.fixtures_models import build_tiny_gguf

    whole = build_tiny_gguf(tmp_path / "whole.gguf")
    cut = tmp_path / "cut.gguf"
    cut.write_bytes(whole.read_bytes()[:200])
    one_line_error(run(["models", "import-gguf", str(cut)], tmp_path / "home"), "incomplete or damaged")


def test_two_exports_of_one_name_do_not_share_a_staging_folder(tmp_path, tiny_source, monkeypatch, capsys):
    monkeypatch.setenv("WRITER_APP_HOME", str(tmp_path))
    with ModelStore().locked("draft"):  # another process is exporting "draft"
        assert main(["models", "export", str(tiny_source), "--name", "draft"]) == 2
    assert "being exported, imported or removed by another process" in capsys.readouterr().err
    assert not (tmp_path / "models" / "draft").exists()


def test_ctrl_c_while_generating_stops_with_one_line(long_model, tmp_path):
    env = {**os.environ, "WRITER_APP_HOME": str(tmp_path)}
    # One thread leaves this process a core: with onnxruntime's spinning pool on both cores, a CI run once
    # saw the answer end before the signal arrived (exit 0).
    args = ["complete", "--model", str(long_model), "--max-new-tokens", "1000", "--threads", "1"]
    args.append("A long road")
    process = subprocess.Popen(
        [sys.executable, "-m", "writer_app", *args],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        preexec_fn=sigint_as_a_terminal_gives_it,
    )
    assert process.stdout.read(1)  # it is streaming
    process.send_signal(signal.SIGINT)
    _, err = process.communicate(timeout=60)
    assert process.returncode == 130, err
    assert b"Traceback" not in err and err.decode().strip() == "writer-app: interrupted"


def test_an_architecture_the_exporter_cannot_take_is_named_with_the_ones_that_work(
    tmp_path, tiny_source, monkeypatch, capsys
):
    from writer_app.models import export

    def optimum_refuses(*_args, **_kwargs):
        raise ValueError(
            "Trying to export a mamba model, that is a custom or unsupported architecture, but no custom "
            "onnx "
            "configuration was passed as `custom_onnx_configs`. Please refer to https://huggingface.co/docs"
        )

    monkeypatch.setattr(export, "_run_optimum_export", optimum_refuses)
    monkeypatch.setenv("WRITER_APP_HOME", str(tmp_path))
    assert main(["models", "export", str(tiny_source), "--name", "snake"]) == 2
    err = capsys.readouterr().err
    assert "is a mamba model, which cannot be exported" in err and "Qwen2, Qwen2.5 and Qwen3" in err
    assert err.count("\n") == 1 and not (tmp_path / "models" / "snake").exists()
