"""Qwen3: per-head query/key norms and heads wider than hidden size / heads, exported with the same
in-place fused attention as Qwen2, and its greedy tokens equal PyTorch's."""

from __future__ import annotations

from collections import Counter

import onnx
import pytest
import torch

from tests import fixtures_models
from tests.test_engine_parity import assert_greedy_like_pytorch
from writer_app.engine.generate import Engine
from writer_app.engine.manifest import Manifest

PROMPTS = ["The old lighthouse keeper climbed the stairs every evening, and", "在一个寒冷的冬天，她写下了"]


@pytest.fixture(scope="module")
def qwen3_source(tmp_path_factory):
    return fixtures_models.build_tiny_qwen3(tmp_path_factory.mktemp("tiny-qwen3-src"))


def _export(source, home, quantize: str):
    fixtures_models.export_with_cli(source, home, "tiny-qwen3", "--quantize", quantize)
    return home / "models" / "tiny-qwen3"


@pytest.fixture(scope="module")
def qwen3_model(qwen3_source, tmp_path_factory):
    return _export(qwen3_source, tmp_path_factory.mktemp("qwen3-home"), "none")


def _ops(folder) -> Counter:
    return Counter(
        n.op_type for n in onnx.load(str(folder / "model.onnx"), load_external_data=False).graph.node
    )


@pytest.mark.parametrize("quantize", ["none", "int8"])
def test_every_layer_runs_one_fused_attention_after_its_head_norms(qwen3_source, tmp_path, quantize):
    qwen3_model = _export(qwen3_source, tmp_path, quantize)
    ops = _ops(qwen3_model)
    assert ops["GroupQueryAttention"] == 2
    assert ops["Softmax"] == 0  # nothing of the exported attention is left
    manifest = Manifest.load(qwen3_model)
    assert manifest is not None and manifest.architecture == "qwen3"
    assert {"fused_attention", "kv_buffer_in_place"} <= set(manifest.graph_rewrites)
    assert manifest.graph_rewrites_refused == {} and manifest.quantization == quantize


@pytest.mark.parametrize("prompt", PROMPTS)
def test_greedy_tokens_equal_pytorch(qwen3_model, qwen3_source, prompt):
    from transformers import Qwen3ForCausalLM

    torch_model = Qwen3ForCausalLM.from_pretrained(qwen3_source, dtype=torch.float32).eval()
    assert_greedy_like_pytorch(Engine.load(qwen3_model, threads=1), torch_model, prompt)
