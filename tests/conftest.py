"""Shared fixtures: tiny GPT-2 models built here and exported through the product's own exporter.

No test touches the network or the real home folder: WRITER_APP_HOME points at a temporary folder and
the hub libraries run offline.
"""

from __future__ import annotations

import os
import tempfile

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ["HF_HUB_OFFLINE"] = "1"
os.environ["TRANSFORMERS_OFFLINE"] = "1"
os.environ["WRITER_APP_OFFLINE"] = "1"
# Before any fixture, session-wide ones included: the state folder (logs, verified checksums) is never
# the real one. Each test gets a folder of its own below (_isolated_home).
os.environ["WRITER_APP_HOME"] = tempfile.mkdtemp(prefix="writer-app-tests-")
# The command line speaks the locale's language; tests that read its English say so whatever the machine's.
os.environ["WRITER_APP_LANGUAGE"] = "en"

from pathlib import Path  # noqa: E402
from unittest import mock  # noqa: E402

import pytest  # noqa: E402

from tests import fixtures_models  # noqa: E402


@pytest.fixture(autouse=True)
def _isolated_home(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path_factory.mktemp("writer-app-home")
    monkeypatch.setenv("WRITER_APP_HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / "xdg-config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / "xdg-data"))
    return home


@pytest.fixture(scope="session")
def tiny_source(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A tiny random GPT-2 (HF folder) with GPT-2's real tokenizer."""
    return fixtures_models.build_tiny_gpt2(tmp_path_factory.mktemp("tiny-gpt2-src"))


@pytest.fixture(scope="session")
def tiny_store(tmp_path_factory: pytest.TempPathFactory, tiny_source: Path) -> Path:
    """A store holding the tiny model, exported once per session with `writer-app models export`."""
    home = tmp_path_factory.mktemp("tiny-store-home")
    fixtures_models.export_with_cli(tiny_source, home, "tiny")
    return home


@pytest.fixture(scope="session")
def tiny_model(tiny_store: Path) -> Path:
    return tiny_store / "models" / "tiny"


@pytest.fixture(scope="session")
def int8_model(tmp_path_factory: pytest.TempPathFactory, tiny_source: Path) -> Path:
    """The tiny model exported with 8-bit weights."""
    home = tmp_path_factory.mktemp("int8-home")
    fixtures_models.export_with_cli(tiny_source, home, "tiny-int8", "--quantize", "int8")
    return home / "models" / "tiny-int8"


@pytest.fixture
def tiny_home(tiny_store: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Use the session store holding the tiny model as WRITER_APP_HOME."""
    monkeypatch.setenv("WRITER_APP_HOME", str(tiny_store))
    return tiny_store


@pytest.fixture(scope="session")
def tiny_torch(tiny_source: Path):
    from transformers import GPT2LMHeadModel

    return GPT2LMHeadModel.from_pretrained(tiny_source).eval()


@pytest.fixture(scope="session")
def tiny_engine(tiny_model: Path):
    from writer_app.engine.generate import Engine

    return Engine.load(tiny_model, threads=1)


@pytest.fixture(scope="session")
def chinese_source(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A tiny GPT-2 with a BERT-style Chinese vocabulary (HF folder)."""
    return fixtures_models.build_tiny_chinese_gpt2(tmp_path_factory.mktemp("tiny-zh-src"))


@pytest.fixture(scope="session")
def chinese_model(tmp_path_factory: pytest.TempPathFactory, chinese_source: Path) -> Path:
    """The Chinese tiny model exported into its own store."""
    src = chinese_source
    home = tmp_path_factory.mktemp("zh-store-home")
    fixtures_models.export_with_cli(src, home, "tiny-zh")
    return home / "models" / "tiny-zh"


@pytest.fixture(scope="session")
def long_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small GPT-2 with a 1024-token context, slow enough (a few ms a token) to stream for a while."""
    src = fixtures_models.build_tiny_gpt2(
        tmp_path_factory.mktemp("long-gpt2-src"), n_positions=1024, n_embd=192, n_layer=4
    )
    home = tmp_path_factory.mktemp("long-store-home")
    fixtures_models.export_with_cli(src, home, "long")
    return home / "models" / "long"


@pytest.fixture(scope="session")
def chat_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A tiny instruction model with a ChatML chat template, imported from a GGUF file (float32)."""
    gguf = fixtures_models.build_tiny_gguf(tmp_path_factory.mktemp("chat-gguf") / "Tiny-Chat.Q8.gguf")
    home = tmp_path_factory.mktemp("chat-home")
    from writer_app.cli import main

    with mock.patch.dict(os.environ, {"WRITER_APP_HOME": str(home)}):
        assert main(["models", "import-gguf", str(gguf), "--name", "tiny-chat", "--quantize", "none"]) == 0
    return home / "models" / "tiny-chat"


@pytest.fixture(scope="session")
def smollm2_gguf(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from tests.server_fixtures import starter_gguf

    return starter_gguf(tmp_path_factory.mktemp("smollm2-gguf"))


@pytest.fixture(scope="session")
def llama_server(smollm2_gguf: Path, tmp_path_factory: pytest.TempPathFactory):
    """The base URL (…/v1) of a llama.cpp server serving SmolLM2 as "smollm2", for the whole session."""
    from tests.server_fixtures import llama_server as start

    with start(smollm2_gguf, tmp_path_factory.mktemp("llama-server") / "server.log") as (base_url, _process):
        yield base_url


@pytest.fixture
def faults():
    """A FaultServer (tests/fault_server.py) on 127.0.0.1, serving one model "m"."""
    import threading

    from tests.fault_server import FaultServer

    server = FaultServer()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture
def no_proxy_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """No proxy from the machine's environment: a test naming a made-up host must not reach a real proxy."""
    for name in ("http_proxy", "https_proxy", "all_proxy", "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY"):
        monkeypatch.delenv(name, raising=False)
