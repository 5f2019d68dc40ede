"""The catalog of known-good models, installing from it, importing ONNX folders; nothing half-installed."""

from __future__ import annotations

import dataclasses
import shutil
from pathlib import Path

import pytest

from writer_app.cli import main
from writer_app.errors import UserError
from writer_app.models import catalog
from writer_app.models.store import ModelStore


def _store_names(home: Path) -> list[str]:
    root = home / "models"
    return sorted(p.name for p in root.iterdir() if not p.name.startswith(".lock-")) if root.exists() else []


def test_the_catalog_lists_the_models_the_writer_can_choose(capsys):
    ids = {e.id for e in catalog.catalog()}
    assert {"gpt2", "distilgpt2", "gpt2-medium", "gpt2-chinese", "smollm2-135m-instruct"} <= ids
    assert {"smollm2-360m-instruct", "qwen2.5-0.5b-instruct", "qwen2.5-1.5b-instruct", "qwen3-0.6b"} <= ids
    assert catalog.find_entry("gpt2-chinese").source == "uer/gpt2-chinese-cluecorpussmall"
    assert main(["models", "catalog"]) == 0
    out = capsys.readouterr().out
    for entry in catalog.catalog():
        assert entry.id in out and entry.label in out
    assert "zh,en" in out and "instruction" in out and "model hub" in out and "PyPI" in out
    assert "ms/token (estimate)" in out and "SPEED HERE" in out


@pytest.mark.parametrize(
    ("locale", "first"), [("zh_CN", "zh"), ("zh-Hant-TW", "zh"), ("en_US.UTF-8", "en"), ("fr_FR", "en")]
)
def test_models_that_write_the_writers_language_come_first(locale, first):
    ordered = catalog.ordered_for(catalog.writer_language(locale))
    leading = [e for e in ordered if first in e.languages]
    assert ordered[: len(leading)] == leading
    if first == "zh":
        assert ordered[0].id == "gpt2-chinese"  # Chinese first among the Chinese-capable
    assert sorted(e.id for e in ordered) == sorted(e.id for e in catalog.catalog())


def test_offline_a_hub_entry_says_so_and_points_to_the_gguf_import(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("WRITER_APP_HOME", str(tmp_path))
    assert main(["models", "install", "qwen2.5-0.5b-instruct"]) == 2
    err = capsys.readouterr().err
    assert "model hub, which is not reachable" in err and "import-gguf" in err and err.count("\n") == 1
    assert _store_names(tmp_path) == []


def test_an_unknown_id_names_the_known_ones(capsys):
    assert main(["models", "install", "gpt5"]) == 2
    err = capsys.readouterr().err
    assert "no catalog entry 'gpt5'" in err and "gpt2-chinese" in err


def test_not_enough_disk_is_said_before_any_download(tmp_path, monkeypatch):
    usage = shutil.disk_usage(tmp_path)
    monkeypatch.setattr(catalog.shutil, "disk_usage", lambda _p: usage._replace(free=100_000_000))
    with pytest.raises(UserError, match=r"not enough disk space for Qwen2.5-1.5B-Instruct: .*12\.4 GB free"):
        catalog.install_entry(
            catalog.find_entry("qwen2.5-1.5b-instruct"), store=ModelStore(tmp_path), online=True
        )
    assert list(tmp_path.iterdir()) == []


def test_an_entry_installs_through_the_exporter(tiny_source, tmp_path):
    entry = dataclasses.replace(catalog.find_entry("gpt2"), source=str(tiny_source), name="tiny-gpt2")
    said: list[str] = []
    folder = catalog.install_entry(entry, store=ModelStore(tmp_path), progress=said.append, online=True)
    assert folder == tmp_path / "tiny-gpt2" and (folder / "model.onnx").is_file()
    assert any(line.startswith("[1/3]") for line in said) and any(line.startswith("[3/3]") for line in said)
    with pytest.raises(UserError, match="already installed"):
        catalog.install_entry(entry, store=ModelStore(tmp_path), online=True)


def test_an_onnx_folder_is_imported_checked_and_a_damaged_one_leaves_nothing(
    tiny_model, tmp_path, monkeypatch
):
    monkeypatch.setenv("WRITER_APP_HOME", str(tmp_path))
    assert main(["models", "import-onnx", str(tiny_model), "--name", "copied"]) == 0
    assert ModelStore().verify("copied") == []
    damaged = tmp_path / "damaged"
    shutil.copytree(tiny_model, damaged)
    with (damaged / "model.onnx.data").open("r+b") as fh:
        fh.seek(100)
        fh.write(b"\x00\x01\x02\x03")
    assert main(["models", "import-onnx", str(damaged), "--name", "broken"]) == 2
    assert main(["models", "import-onnx", str(tmp_path / "nothing-here")]) == 2
    assert _store_names(tmp_path) == ["copied"]


def test_what_a_killed_install_left_is_discarded(tmp_path):
    store = ModelStore(tmp_path)
    (tmp_path / ".staging-qwen").mkdir(parents=True)
    (tmp_path / ".staging-qwen" / "model.onnx.data").write_bytes(b"half")
    assert store.discard_staging("qwen") and not (tmp_path / ".staging-qwen").exists()
    assert not store.discard_staging("qwen")
    assert store.names() == []


def test_every_entry_has_its_note_in_chinese_too():
    from writer_app.models.catalog import catalog

    for entry in catalog():
        assert entry.note_zh and entry.note_zh != entry.note, entry.id
        assert entry.note_in("zh") == entry.note_zh and entry.note_in("en") == entry.note


def test_ghost_text_is_recommended_only_where_it_keeps_up(monkeypatch, tmp_path):
    from writer_app.models import machine_fit

    monkeypatch.setattr(catalog, "measured_speeds", lambda: {})
    here = catalog.fits_here(catalog.catalog(), ModelStore(tmp_path))
    small, large = catalog.find_entry("qwen2.5-0.5b"), catalog.find_entry("qwen2.5-1.5b")
    # Estimated from the reference machine (Qwen2.5-0.5B 8-bit, 24.7 ms/token): 0.5B keeps up, 1.5B does not.
    assert 20 < here[small.id].decode_ms < machine_fit.GHOST_TEXT_BUDGET_MS < here[large.id].decode_ms
    assert not here[small.id].measured
    assert catalog.recommended_roles(small, here[small.id]) == ("continuation",)
    assert catalog.recommended_roles(large, here[large.id]) == ()
    instruct = catalog.find_entry("qwen2.5-1.5b-instruct")
    assert catalog.recommended_roles(instruct, here[instruct.id]) == ("instruction",)  # a task can wait


def test_speeds_measured_here_replace_the_estimate_and_scale_it(monkeypatch, tmp_path):
    store = ModelStore(tmp_path)
    (tmp_path / "qwen2.5-0.5b").mkdir(parents=True)
    (tmp_path / "qwen2.5-0.5b" / "model.onnx").write_bytes(b"0" * 700_000)  # 0.7 MB "installed"
    # This computer is slow: the installed model decodes at 70 ms/token (100 ms per MB).
    monkeypatch.setattr(catalog, "measured_speeds", lambda: {"qwen2.5-0.5b": 70.0})
    here = catalog.fits_here(catalog.catalog(), store)
    assert here["qwen2.5-0.5b"].measured and here["qwen2.5-0.5b"].decode_ms == 70.0
    assert not here["qwen2.5-0.5b"].ghost_text
    assert here["gpt2"].decode_ms > 1000  # estimated at this computer's rate, 100 ms/MB


def test_a_model_that_does_not_fit_in_memory_is_recommended_for_nothing():
    from writer_app.models.machine_fit import fit, sizes_mb

    tight = fit(2032, memory=4000.0)  # Qwen3-1.7B's 8-bit weights on a 4 GB machine
    assert not tight.fits_memory
    assert catalog.recommended_roles(catalog.find_entry("qwen3-1.7b"), tight) == ()
    assert fit(2032, memory=16000.0).fits_memory
    assert sizes_mb(494) == {"float32": 1976, "8-bit": 692, "4-bit": 593}
