"""Quantized graphs load from a prepared copy that holds onnxruntime's packed weights."""

from __future__ import annotations

import logging
import os
import shutil
from pathlib import Path

import numpy as np
import pytest

from writer_app import paths
from writer_app.engine import prepared_graph
from writer_app.engine.agreement import top1_predictions
from writer_app.engine.generate import Engine
from writer_app.engine.onnx_model import OnnxCausalLM
from writer_app.models.store import ModelStore

TEXT = "The ferry left the harbour a little after six, while the town was still asleep."


@pytest.fixture
def int8_copy(int8_model: Path, tmp_path: Path) -> Path:
    """A private copy, so a test may touch or remove it."""
    return Path(shutil.copytree(int8_model, tmp_path / "models" / "tiny-int8"))


def _entries() -> list[Path]:
    root = paths.prepared_graphs_dir()
    return sorted(p for p in root.iterdir() if not p.name.startswith(".")) if root.is_dir() else []


def test_int8_engine_runs_the_prepared_copy_with_the_same_predictions(int8_copy: Path):
    engine = Engine.load(int8_copy, threads=1)
    [entry] = _entries()
    assert engine.model.graph_path == entry / prepared_graph.GRAPH_NAME
    assert (entry / prepared_graph.DATA_NAME).stat().st_size > (int8_copy / "model.onnx").stat().st_size
    ids = engine.codec.encode(TEXT)
    original = OnnxCausalLM(int8_copy / "model.onnx", threads=1)
    assert np.array_equal(top1_predictions(engine.model, ids), top1_predictions(original, ids))


def test_the_prepared_copy_is_made_once_and_reused(int8_copy: Path):
    Engine.load(int8_copy, threads=1)
    [entry] = _entries()
    made = (entry / prepared_graph.GRAPH_NAME).stat().st_mtime_ns
    Engine.load(int8_copy, threads=1)
    assert _entries() == [entry]
    assert (entry / prepared_graph.GRAPH_NAME).stat().st_mtime_ns == made


def test_a_changed_graph_gets_a_new_copy_and_the_stale_one_goes(int8_copy: Path):
    Engine.load(int8_copy, threads=1)
    [old] = _entries()
    graph = int8_copy / "model.onnx"
    stat = graph.stat()
    os.utime(graph, ns=(stat.st_atime_ns, stat.st_mtime_ns + 10**9))  # re-exported in place
    Engine.load(int8_copy, threads=1)
    [new] = _entries()
    assert new != old and not old.exists()


def test_a_broken_prepared_copy_is_replaced_and_the_model_still_loads(int8_copy: Path, caplog):
    Engine.load(int8_copy, threads=1)
    [entry] = _entries()
    (entry / prepared_graph.DATA_NAME).write_bytes(b"not weights")
    with caplog.at_level(logging.WARNING):
        engine = Engine.load(int8_copy, threads=1)
    assert "did not load" in caplog.text
    assert engine.generate(TEXT, max_new_tokens=4).completions[0].token_ids
    assert _entries() == []  # removed, rebuilt at the next load
    Engine.load(int8_copy, threads=1)
    assert len(_entries()) == 1


def test_an_unwritable_cache_falls_back_to_the_original_graph(int8_copy: Path, caplog):
    root = paths.prepared_graphs_dir()
    root.parent.mkdir(parents=True, exist_ok=True)
    root.write_text("a file where the cache folder should be")
    with caplog.at_level(logging.WARNING):
        engine = Engine.load(int8_copy, threads=1)
    assert "could not prepare" in caplog.text
    assert engine.generate(TEXT, max_new_tokens=4).completions[0].token_ids


def test_float32_graphs_load_as_they_are(tiny_model: Path):
    Engine.load(tiny_model, threads=1)
    assert _entries() == []


def test_removing_a_model_removes_its_prepared_copy(int8_copy: Path):
    Engine.load(int8_copy, threads=1)
    assert len(_entries()) == 1
    ModelStore(int8_copy.parent).remove("tiny-int8")
    assert _entries() == []
