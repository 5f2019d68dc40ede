"""What the export libraries print goes to models.log, from Python and from C, not to the writer."""

from __future__ import annotations

import os
import sys

from writer_app.models.library_log import library_output_logged, log_path


def test_library_output_goes_to_the_log_and_the_terminal_gets_its_streams_back(capfd):
    print("before", flush=True)
    with library_output_logged("a test export"):
        print("Found different candidate ONNX initializers (likely duplicate)", flush=True)
        sys.stderr.write("Converting and de-quantizing GGUF tensors: 100%\n")
        os.write(2, b"a C library's own line\n")  # as onnxruntime writes, below Python
    print("after", flush=True)
    out, err = capfd.readouterr()
    assert out == "before\nafter\n" and err == ""
    log = log_path().read_text(encoding="utf-8")
    assert "=== " in log and "a test export" in log
    for line in ("likely duplicate", "de-quantizing GGUF tensors", "a C library's own line"):
        assert line in log


def test_an_export_shows_its_stages_and_keeps_the_libraries_noise_in_the_log(tiny_source, tmp_path):
    import subprocess

    env = {**os.environ, "WRITER_APP_HOME": str(tmp_path)}
    command = [sys.executable, "-m", "writer_app", "models", "export", str(tiny_source), "--name", "quiet"]
    done = subprocess.run(
        [*command, "--quantize", "none"], env=env, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr
    assert "[1/3]" in done.stdout and "[3/3]" in done.stdout
    assert "likely duplicate" not in done.stdout + done.stderr  # optimum's note on GPT-2's tied weights
    assert "likely duplicate" in (tmp_path / "models.log").read_text(encoding="utf-8")


def test_the_progress_bar_keeps_moving_on_the_terminal_while_the_libraries_speak_to_the_log(tmp_path):
    import pty
    import subprocess

    child = (
        "import time\n"
        "from writer_app.cli_progress import StageProgress\n"
        "from writer_app.models.library_log import library_output_logged\n"
        "with StageProgress() as say:\n"
        "    say('[1/3] exporting x to ONNX')\n"
        "    with library_output_logged('a long library call'):\n"
        "        print('library noise', flush=True)\n"
        "        time.sleep(1.6)\n"
    )
    leader, follower = pty.openpty()  # a terminal, as the writer's
    env = {**os.environ, "WRITER_APP_HOME": str(tmp_path)}
    process = subprocess.Popen([sys.executable, "-c", child], stdout=follower, stderr=follower, env=env)
    os.close(follower)
    screen = b""
    while True:
        try:
            chunk = os.read(leader, 4096)
        except OSError:  # the child closed the terminal
            break
        if not chunk:
            break
        screen += chunk
    assert process.wait(timeout=30) == 0
    os.close(leader)
    assert b"library noise" not in screen
    assert screen.count(b"Exporting to ONNX") >= 3  # redrawn every half second during the library call
    assert "library noise" in (tmp_path / "models.log").read_text(encoding="utf-8")
