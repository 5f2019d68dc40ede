"""4-bit weights: built on request (--quantize int4), tried first by auto for models large enough to
be held back by their weights, kept only within llama.cpp Q4_K_M's distance from float32."""

from __future__ import annotations

from collections import Counter

import onnx
from onnx import helper, numpy_helper

from tests.test_variant_choice import _export
from writer_app.engine.generate import Engine
from writer_app.engine.manifest import Manifest
from writer_app.models import optimize, variant, weight_quantizer
from writer_app.models.export import export_model
from writer_app.models.store import ModelStore


def _bits(folder) -> Counter:
    graph = onnx.load(str(folder / "model.onnx"), load_external_data=False).graph
    found = Counter()
    for node in graph.node:
        if node.op_type == "MatMulNBits":
            found[next(helper.get_attribute_value(a) for a in node.attribute if a.name == "bits")] += 1
    return found


def _int4_bars(monkeypatch, kl: float, ratio: float = 10.0, top1: float = 0.0) -> None:
    monkeypatch.setattr(variant, "INT4_MIN_PARAMETERS", 0)  # the tiny model counts as large
    monkeypatch.setattr(variant, "INT4_KL_DIVERGENCE_BAR", kl)
    monkeypatch.setattr(variant, "INT4_PERPLEXITY_RATIO_BAR", ratio)
    monkeypatch.setattr(variant, "INT4_TOP1_BAR", top1)


def test_int4_on_request_has_4_bit_layers_and_an_8_bit_head(tiny_source, tmp_path):
    folder = export_model(str(tiny_source), name="q4", store=ModelStore(tmp_path / "models"), quantize="int4")
    bits = _bits(folder)
    assert bits[4] >= 8 and bits[8] == 1  # every projection in 4 bits, the LM head in 8
    assert Manifest.load(folder).quantization == "int4"
    assert Engine.load(folder, threads=1).generate("The river", max_new_tokens=4).completions[0].token_ids


def test_sensitive_projections_can_stay_8_bit():
    names = ["/model/layers.0/self_attn/v_proj/MatMul", "/model/layers.0/mlp/down_proj/MatMul"]
    assert all(weight_quantizer.sensitive_projection(n) for n in names)
    assert weight_quantizer.sensitive_projection("/h.0/mlp/c_proj/MatMul")
    assert not weight_quantizer.sensitive_projection("/model/layers.0/self_attn/q_proj/MatMul")


def test_auto_keeps_4_bit_for_a_large_model_within_the_bars(tiny_source, tmp_path, monkeypatch):
    _int4_bars(monkeypatch, kl=10.0)
    folder, manifest, said = _export(tiny_source, tmp_path, "auto-q4")
    assert manifest.quantization == "int4" and _bits(folder)[4] > 0
    assert manifest.quality["bars"]["kl_divergence"] == 10.0 and manifest.quality["tried"] == []
    assert any(line.strip().startswith("4-bit weights (blocks of 32, attention values") for line in said)


def test_small_models_are_not_tried_in_4_bit(tiny_source, tmp_path, monkeypatch):
    monkeypatch.setattr(variant, "INT4_KL_DIVERGENCE_BAR", 10.0)  # would pass, were it tried
    folder, manifest, said = _export(tiny_source, tmp_path, "auto-small")
    assert manifest.quantization != "int4" and _bits(folder)[4] == 0
    assert not any("4-bit" in line for line in said)


def test_the_gate_refuses_a_broken_4_bit_graph_and_falls_back_to_8_bit(tiny_source, tmp_path, monkeypatch):
    """The 4-bit graph is broken on purpose (every 4-bit scale tripled): far past the bars however they
    are set for a working one, so auto goes on to 8-bit."""
    monkeypatch.setattr(variant, "KL_DIVERGENCE_BAR", 10.0)
    monkeypatch.setattr(variant, "PERPLEXITY_RATIO_BAR", 10.0)
    working = variant.measure_quality
    measured: list[dict] = []

    def remember(*args, **kwargs):
        measured.append(working(*args, **kwargs))
        return measured[-1]

    real = optimize.quantize_int4_weights

    def broken(model, **options):
        model = real(model, **options)
        inits = {init.name: init for init in model.graph.initializer}
        for node in model.graph.node:
            if node.op_type == "MatMulNBits" and any(a.name == "bits" and a.i == 4 for a in node.attribute):
                scales = inits[node.input[2]]
                scales.CopyFrom(numpy_helper.from_array(numpy_helper.to_array(scales) * 3, scales.name))
        return model

    monkeypatch.setattr(variant, "measure_quality", remember)
    monkeypatch.setattr(optimize, "quantize_int4_weights", broken)
    _int4_bars(monkeypatch, kl=0.05, ratio=1.06, top1=0.85)
    folder, manifest, _said = _export(tiny_source, tmp_path, "auto-broken-q4")
    assert manifest.quantization == "int8" and _bits(folder)[4] == 0
    tried = manifest.quality["tried"]
    assert [t["kind"] for t in tried] == ["int4"] and tried[0]["kl_divergence"] > 0.05
    assert not measured[0]["int8_kept"] and measured[0]["int8_agreement"] < 0.85
