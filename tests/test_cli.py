"""writer-app complete / models: output, statistics, and user errors (exit code 2, one clear line)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.fixtures_models import TINY_CONTEXT
from writer_app import cli
from writer_app.assist.prompts import CONTINUATION_PROMPT_TOKENS
from writer_app.cli import main


def run_cli(args: list[str], home: Path, stdin: bytes | None = None) -> subprocess.CompletedProcess:
    env = {**os.environ, "WRITER_APP_HOME": str(home)}
    return subprocess.run(
        [sys.executable, "-m", "writer_app", *args], input=stdin, capture_output=True, env=env, timeout=120
    )


def test_complete_streams_the_engines_text(tiny_home, tiny_engine, capsys):
    code = main(["complete", "--model", "tiny", "--max-new-tokens", "12", "--greedy", "Once upon"])
    assert code == 0
    expected = tiny_engine.generate("Once upon", max_new_tokens=12).text
    assert capsys.readouterr().out == expected + "\n"


def test_complete_reads_stdin_and_prints_stats(tiny_home):
    proc = run_cli(
        ["complete", "--max-new-tokens", "6", "--stats", "-"], tiny_home, stdin="日记：今天".encode()
    )
    assert proc.returncode == 0, proc.stderr
    stats = json.loads(proc.stderr.decode().strip().splitlines()[-1])
    for key in ("prompt_tokens", "new_tokens", "load_ms", "prefill_ms", "decode_ms_per_token"):
        assert key in stats
    assert stats["prompt_tokens"] > 0 and 0 < stats["new_tokens"] <= 6
    assert "\ufffd" not in proc.stdout.decode()


def test_complete_with_alternatives_and_seed(tiny_home, capsys):
    args = ["complete", "--num", "3", "--temperature", "0.9", "--seed", "3", "--max-new-tokens", "5", "Hi"]
    assert main(args) == 0
    first = capsys.readouterr().out
    assert first.count("--- alternative") == 2
    assert main(args) == 0
    assert capsys.readouterr().out == first  # same seed, same text


def test_complete_reads_a_file(tiny_home, tmp_path, capsys):
    doc = tmp_path / "draft.txt"
    doc.write_text("A draft about the sea", encoding="utf-8")
    assert main(["complete", "--file", str(doc), "--max-new-tokens", "3"]) == 0
    assert capsys.readouterr().out.strip()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["complete", "--model", "nope", "hi"], "no model named 'nope'"),
        (["complete", "--temperature", "0", "hi"], "temperature must be greater than 0"),
        (["complete", "--top-p", "1.5", "hi"], "top-p must be in (0, 1]"),
        (["complete", "--file", "/no/such/file.txt"], "cannot read /no/such/file.txt"),
        (["models", "remove", "nope"], "no model named 'nope'"),
        (["models", "verify", "nope"], "no model named 'nope'"),
        (["models", "export", "gpt2", "--name", "bad name!"], "invalid model name"),
        (["models", "import-gguf", "/no/such.gguf"], "does not exist"),
    ],
)
def test_user_errors_exit_2_with_one_clear_line(tiny_home, args, message):
    proc = run_cli(args, tiny_home)
    err = proc.stderr.decode()
    assert proc.returncode == 2, err
    assert message in err
    assert "Traceback" not in err
    assert len(err.strip().splitlines()) == 1


def test_bad_flags_exit_2(tiny_home):
    proc = run_cli(["complete", "--max-new-tokens", "0", "hi"], tiny_home)
    assert proc.returncode == 2
    assert "must be between 1 and 4096" in proc.stderr.decode()
    assert "Traceback" not in proc.stderr.decode()


def test_non_utf8_input_is_a_user_error(tiny_home, tmp_path):
    bad = tmp_path / "latin1.txt"
    bad.write_bytes("caf\xe9".encode("latin-1"))
    proc = run_cli(["complete", "--file", str(bad)], tiny_home)
    assert proc.returncode == 2 and "not UTF-8" in proc.stderr.decode()
    proc = run_cli(["complete", "-"], tiny_home, stdin=b"\xff\xfe\xfa")
    assert proc.returncode == 2 and "stdin is not UTF-8" in proc.stderr.decode()


def test_no_model_installed_says_how_to_get_one(tmp_path):
    proc = run_cli(["complete", "hi"], tmp_path)
    assert proc.returncode == 2
    assert "writer-app models install-default" in proc.stderr.decode()


def test_corrupt_model_gives_a_clear_error(tiny_model, tmp_path):
    home = tmp_path / "home"
    broken = home / "models" / "broken"
    shutil.copytree(tiny_model, broken)
    (broken / "model.onnx").write_bytes(b"this is not an onnx graph")
    proc = run_cli(["complete", "--model", "broken", "hi"], home)
    err = proc.stderr.decode()
    assert proc.returncode == 2 and "Traceback" not in err
    assert "model broken is damaged (model.onnx does not match its checksum)" in err
    assert "writer-app models verify broken" in err
    proc = run_cli(["models", "verify", "broken"], home)
    assert proc.returncode == 2 and "model.onnx: checksum mismatch" in proc.stderr.decode()
    (broken / "tokenizer.json").write_text("{not json", encoding="utf-8")
    proc = run_cli(["complete", "--model", "broken", "hi"], home)
    assert proc.returncode == 2 and "tokenizer" in proc.stderr.decode()


def test_models_list_verify_remove(tiny_model, tmp_path, capsys, monkeypatch):
    home = tmp_path / "home"
    shutil.copytree(tiny_model, home / "models" / "copy")
    monkeypatch.setenv("WRITER_APP_HOME", str(home))
    assert main(["models", "list"]) == 0
    listing = capsys.readouterr().out
    assert "copy" in listing and "gpt2" in listing and str(TINY_CONTEXT) in listing
    assert main(["models", "verify", "copy"]) == 0
    assert "all files match" in capsys.readouterr().out
    assert main(["models", "remove", "copy"]) == 0
    assert not (home / "models" / "copy").exists()
    assert main(["models", "list"]) == 0
    assert "no models installed" in capsys.readouterr().out


def test_export_refuses_to_overwrite_without_force(tiny_home, tiny_source):
    proc = run_cli(["models", "export", str(tiny_source), "--name", "tiny"], tiny_home)
    assert proc.returncode == 2 and "already exists" in proc.stderr.decode()


@pytest.mark.parametrize(
    "argv",
    [
        ["-v", "models", "list"],
        ["models", "-v", "list"],
        ["models", "list", "-v"],
        ["models", "list", "--verbose"],
    ],
)
def test_verbose_is_taken_before_or_after_a_sub_command(argv, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("WRITER_APP_HOME", str(tmp_path))
    seen: list[bool] = []
    monkeypatch.setattr(cli, "_configure_logging", seen.append)
    assert main(argv) == 0
    assert seen == [True] and "no models installed" in capsys.readouterr().out


def test_without_verbose_a_sub_command_logs_quietly(tmp_path, monkeypatch):
    monkeypatch.setenv("WRITER_APP_HOME", str(tmp_path))
    seen: list[bool] = []
    monkeypatch.setattr(cli, "_configure_logging", seen.append)
    assert main(["models", "list"]) == 0
    assert seen == [False]


def test_sampling_flags_that_are_not_numbers_are_user_errors(tiny_home, capsys):
    assert main(["complete", "--temperature", "nan", "hi"]) == 2
    assert "temperature and top-p must be numbers" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["--num", "100000"], "--num: 100000 must be between 1 and 8"),  # asked for 37 GB of caches
        (["--num", "99999999999999999999"], "must be between 1 and 8"),
        (["--max-new-tokens", "99999999999"], "must be between 1 and 4096"),
        (["--file", "/dev/zero"], "it is not a file of text"),  # read for ever
        (["--file", "/"], "it is a folder"),
        (["--server", "http://[::1", "--server-model", "m"], "is not a server address (Invalid IPv6 URL"),
    ],
)
def test_every_command_line_value_is_one_line_and_exit_2(tiny_home, capsys, args, says):
    text = [] if "--file" in args else ["Hi"]
    assert main(["complete", "--model", "tiny", *args, *text]) == 2
    err = capsys.readouterr().err
    assert says in err and len(err.strip().splitlines()) == 1


@pytest.mark.parametrize(
    "manifest", [[1, 2], {"context_length": "long"}, {"files": {"../../etc/passwd": "x"}}]
)
def test_a_model_whose_manifest_has_the_wrong_shape_is_one_line(
    tiny_store, tmp_path, monkeypatch, capsys, manifest
):
    home = tmp_path / "home"  # a store of this test's own: the shared one stays as built
    folder = home / "models" / "odd"
    shutil.copytree(tiny_store / "models" / "tiny", folder)
    monkeypatch.setenv("WRITER_APP_HOME", str(home))
    path = folder / "writer_app_manifest.json"
    if isinstance(manifest, dict):
        manifest = {**json.loads(path.read_text(encoding="utf-8")), **manifest}
    path.write_text(json.dumps(manifest), encoding="utf-8")
    assert main(["complete", "--model", "odd", "Hi"]) == 2
    assert "is unreadable" in capsys.readouterr().err
    assert main(["models", "list"]) == 0  # the store still lists, naming the bad entry
    assert "odd" in capsys.readouterr().out


def test_a_50_mb_file_is_read_from_its_end_in_bounded_memory(tiny_home, tmp_path):
    """--file on a 50 MB text took 6.7 GB: a continuation reads the end (a model reads far less)."""
    big = tmp_path / "novel.txt"
    line = "The tide came in over the flats, and the birds rose from the mud. 潮水漫过滩涂。\n"
    with big.open("w", encoding="utf-8") as out:
        for _ in range(50_000_000 // len(line.encode())):
            out.write(line)
        out.write("THE END")
    code = (
        "import sys\nfrom writer_app.cli import main\n"
        "status = main(sys.argv[1:])\n"
        # VmHWM, not ru_maxrss: that one carries the forking test process's own peak across exec
        "hwm = [l for l in open('/proc/self/status') if l.startswith('VmHWM')][0].split()[1]\n"
        "print('maxrss_kb', hwm, file=sys.stderr)\n"
        "sys.exit(status)"
    )
    args = ["complete", "--model", "tiny", "--file", str(big), "--max-new-tokens", "2", "--stats"]
    done = subprocess.run(
        [sys.executable, "-c", code, *args],
        capture_output=True,
        text=True,
        env={**os.environ, "WRITER_APP_HOME": str(tiny_home)},
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    assert "novel.txt is 50 MB; its end is read" in done.stderr
    rss_mb = int(done.stderr.split("maxrss_kb")[1].split()[0]) / 1024
    stats = json.loads([line for line in done.stderr.splitlines() if line.startswith("{")][0])
    assert stats["prompt_tokens"] > 0 and rss_mb < 600, (rss_mb, done.stderr[-2000:])
    # The model reads the end as the editor's ghost text does, and says what it left out.
    assert stats["prompt_tokens"] <= CONTINUATION_PROMPT_TOKENS and stats["cut_tokens"] > 0
    assert f"the model read the last {stats['prompt_tokens']} tokens of the text" in done.stderr


def test_context_tokens_sets_how_much_of_the_text_the_model_reads(tiny_home, capsys):
    text = "The tide came in over the flats. " * 200
    assert main(["complete", text, "--model", "tiny", "--max-new-tokens", "2", "--stats"]) == 0
    default = json.loads(capsys.readouterr().err.strip().splitlines()[-1])
    args = ["complete", text, "--model", "tiny", "--max-new-tokens", "2", "--stats", "--context-tokens", "40"]
    assert main(args) == 0
    err = capsys.readouterr().err
    narrow = json.loads(err.strip().splitlines()[-1])
    assert narrow["prompt_tokens"] <= 40 < default["prompt_tokens"]
    assert "--context-tokens reads more" in err
    for bad in ("0", "-3", "x"):
        assert main(["complete", "hi", "--model", "tiny", "--context-tokens", bad]) == 2
        assert "--context-tokens" in capsys.readouterr().err
