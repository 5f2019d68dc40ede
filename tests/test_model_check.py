"""Models are checked against their manifest before use; a normal start does not hash them again."""

from __future__ import annotations

import os
import shutil

import pytest

from writer_app.engine import model_check
from writer_app.engine.generate import Engine
from writer_app.errors import ModelError


@pytest.fixture
def model_copy(tiny_model, tmp_path):
    folder = tmp_path / "copy"
    shutil.copytree(tiny_model, folder)
    return folder


def count_hashes(monkeypatch) -> list[str]:
    hashed: list[str] = []
    real = model_check.sha256_file
    monkeypatch.setattr(model_check, "sha256_file", lambda path: hashed.append(path.name) or real(path))
    return hashed


def test_one_flipped_byte_stops_the_load_with_a_clear_message(model_copy):
    weights = model_copy / "model.onnx.data"
    data = bytearray(weights.read_bytes())
    data[len(data) // 2] ^= 0x01
    weights.write_bytes(bytes(data))
    with pytest.raises(ModelError, match=r"model copy is damaged \(model.onnx.data does not match"):
        Engine.load(model_copy, threads=1)


def test_a_missing_file_is_named(model_copy):
    (model_copy / "generation_config.json").unlink()
    with pytest.raises(ModelError, match="generation_config.json is missing"):
        Engine.load(model_copy, threads=1)


def test_files_are_hashed_once_then_recognised_by_size_and_time(model_copy, monkeypatch):
    hashed = count_hashes(monkeypatch)
    Engine.load(model_copy, threads=1)
    assert "model.onnx.data" in hashed
    hashed.clear()
    Engine.load(model_copy, threads=1)
    assert hashed == []
    os.utime(model_copy / "config.json")  # touched: checked again, and still fine
    Engine.load(model_copy, threads=1)
    assert hashed == ["config.json"]


def test_an_export_records_its_files_so_the_first_load_hashes_nothing(tiny_source, tmp_path, monkeypatch):
    from tests import fixtures_models

    fixtures_models.export_with_cli(tiny_source, tmp_path, "fresh")
    monkeypatch.setenv("WRITER_APP_HOME", str(tmp_path))
    hashed = count_hashes(monkeypatch)
    Engine.load(tmp_path / "models" / "fresh", threads=1)
    assert hashed == []
