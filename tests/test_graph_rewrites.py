"""Graph rewrites apply to every layer or to none, refuse configurations they would compute wrongly,
and record only what they changed."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import onnx
import pytest

from tests.test_engine_parity import torch_greedy
from writer_app.engine.generate import Engine
from writer_app.models.export import _run_optimum_export
from writer_app.models.gpt2_graph import fuse_gpt2_attention, fuse_gpt2_norms
from writer_app.models.graph_edits import count_ops
from writer_app.models.optimize import optimize_graph

PROMPT = "The lighthouse keeper climbed the stairs and"


@pytest.fixture(scope="module")
def raw_export(tiny_source: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The tiny GPT-2 as optimum exports it, before any of our rewrites."""
    folder = tmp_path_factory.mktemp("raw-gpt2")
    _run_optimum_export(str(tiny_source), folder, local=True)
    return folder


@pytest.fixture
def config(raw_export: Path) -> dict:
    return json.loads((raw_export / "config.json").read_text())


def _break_layer(model, layer: int) -> None:
    """Make one layer's attention look unlike GPT-2's export (as a changed exporter might)."""
    split = next(n for n in model.graph.node if n.name == f"/transformer/h.{layer}/attn/Split")
    split.name = "/renamed/Split"


def test_a_layer_that_does_not_match_leaves_every_layer_unfused(raw_export, config):
    model = onnx.load(str(raw_export / "model.onnx"))
    _break_layer(model, 1)
    before = model.SerializeToString()
    fusion = fuse_gpt2_attention(model, config)
    assert fusion.layers == 0 and "layer 1" in fusion.refused
    assert model.SerializeToString() == before  # layer 0 was not rewritten either


@pytest.mark.parametrize(
    ("flag", "value"), [("scale_attn_by_inverse_layer_idx", True), ("scale_attn_weights", False)]
)
def test_configurations_the_fused_op_would_compute_differently_are_refused(raw_export, config, flag, value):
    model = onnx.load(str(raw_export / "model.onnx"))
    before = model.SerializeToString()
    fusion = fuse_gpt2_attention(model, {**config, flag: value})
    assert fusion.layers == 0 and flag in fusion.refused
    assert model.SerializeToString() == before


def test_a_matching_export_fuses_every_layer(raw_export, config):
    model = onnx.load(str(raw_export / "model.onnx"))
    fusion = fuse_gpt2_attention(model, config)
    assert fusion.refused is None and fusion.layers == config["n_layer"]
    assert count_ops(model, "GroupQueryAttention") == config["n_layer"]


def test_a_refused_fusion_is_recorded_and_the_graph_still_runs(raw_export, config, tmp_path, tiny_torch):
    folder = tmp_path / "partial"
    shutil.copytree(raw_export, folder)
    model = onnx.load(str(folder / "model.onnx"))
    _break_layer(model, 1)
    onnx.save(model, str(folder / "model.onnx"))
    rewrites = optimize_graph(folder / "model.onnx", config=config)
    assert "fused_attention" not in rewrites.applied and "kv_buffer_in_place" not in rewrites.applied
    assert "layer 1" in rewrites.refused["fused_attention"]
    assert {"fused_norms", "last_position_logits"} <= set(rewrites.applied)
    engine = Engine.load(folder, threads=1)
    ids = engine.codec.encode(PROMPT)
    result = engine.generate(PROMPT, max_new_tokens=12)
    assert result.completions[0].token_ids == torch_greedy(tiny_torch, ids, 12)


def test_norm_fusion_is_recorded_only_when_it_changes_the_graph(raw_export, config):
    model = onnx.load(str(raw_export / "model.onnx"))
    fused, changed = fuse_gpt2_norms(model, config)
    assert changed and count_ops(fused, "SkipLayerNormalization") > 0
    nothing_to_fuse = _single_matmul()
    _, changed = fuse_gpt2_norms(nothing_to_fuse, config)
    assert not changed


def _single_matmul():
    import numpy as np
    from onnx import TensorProto, helper, numpy_helper

    weight = numpy_helper.from_array(np.ones((4, 3), dtype=np.float32), "w")
    graph = helper.make_graph(
        [helper.make_node("MatMul", ["a", "w"], ["y"], name="mm")],
        "g",
        [helper.make_tensor_value_info("a", TensorProto.FLOAT, [2, 4])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [2, 3])],
        [weight],
    )
    return helper.make_model(graph)
