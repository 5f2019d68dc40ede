"""Qwen2: exported with the in-place fused attention (rotary inside the op, biased q/k/v projections),
and its greedy tokens equal PyTorch's."""

from __future__ import annotations

from collections import Counter

import onnx
import pytest
import torch

from tests import fixtures_models
from tests.test_engine_parity import assert_greedy_like_pytorch, torch_greedy
from writer_app.engine.generate import Engine
from writer_app.engine.manifest import Manifest

PROMPTS = ["The old lighthouse keeper climbed the stairs every evening, and", "在一个寒冷的冬天，她写下了"]


@pytest.fixture(scope="module")
def qwen_source(tmp_path_factory):
    return fixtures_models.build_tiny_qwen2(tmp_path_factory.mktemp("tiny-qwen-src"))


@pytest.fixture(scope="module")
def qwen_model(qwen_source, tmp_path_factory):
    home = tmp_path_factory.mktemp("qwen-home")
    fixtures_models.export_with_cli(qwen_source, home, "tiny-qwen")
    return home / "models" / "tiny-qwen"


def test_every_layer_runs_one_fused_attention_with_the_bias_kept(qwen_model):
    ops = Counter(
        n.op_type for n in onnx.load(str(qwen_model / "model.onnx"), load_external_data=False).graph.node
    )
    assert ops["GroupQueryAttention"] == 2
    manifest = Manifest.load(qwen_model)
    assert {"fused_attention", "kv_buffer_in_place"} <= set(manifest.graph_rewrites)
    assert manifest.architecture == "qwen2" and manifest.graph_rewrites_refused == {}


@pytest.mark.parametrize("prompt", PROMPTS)
def test_greedy_tokens_equal_pytorch(qwen_model, qwen_source, prompt):
    from transformers import Qwen2ForCausalLM

    torch_model = Qwen2ForCausalLM.from_pretrained(qwen_source, dtype=torch.float32).eval()
    assert_greedy_like_pytorch(Engine.load(qwen_model, threads=1), torch_model, prompt)


def test_sliding_window_attention_is_refused(qwen_source):
    from writer_app.models.llama_graph import attention_config_problem

    config = {"num_attention_heads": 4, "hidden_size": 64, "use_sliding_window": True}
    assert "sliding-window" in attention_config_problem(config)


@pytest.fixture(scope="module")
def qwen_gguf(tmp_path_factory):
    return fixtures_models.build_tiny_gguf(tmp_path_factory.mktemp("qwen-gguf") / "Tiny-Qwen.gguf", "qwen2")


def test_a_qwen_gguf_imports_fused_and_generates_like_transformers_reads_it(qwen_gguf, tmp_path, monkeypatch):
    from transformers import AutoModelForCausalLM

    from writer_app.cli import main

    monkeypatch.setenv("WRITER_APP_HOME", str(tmp_path))
    assert main(["models", "import-gguf", str(qwen_gguf), "--name", "tqg", "--quantize", "none"]) == 0
    folder = tmp_path / "models" / "tqg"
    manifest = Manifest.load(folder)
    assert manifest.architecture == "qwen2" and "fused_attention" in manifest.graph_rewrites
    reference = AutoModelForCausalLM.from_pretrained(
        qwen_gguf.parent, gguf_file=qwen_gguf.name, dtype=torch.float32
    ).eval()
    engine = Engine.load(folder, threads=1)
    ids = engine.codec.encode("<|im_start|>user\nthe theme<|im_end|>\n<|im_start|>assistant\n")
    result = engine.generate(ids, max_new_tokens=16)
    assert result.completions[0].token_ids == torch_greedy(reference, ids, 16, eos=manifest.eos_token_ids[0])
