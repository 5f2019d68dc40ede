"""`--quantize auto` (the default): 8-bit weights only when they agree with float32 often enough."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import onnx
import pytest

from writer_app.cli import main
from writer_app.engine.generate import Engine
from writer_app.engine.manifest import Manifest
from writer_app.models import optimize, variant
from writer_app.models.export import export_model
from writer_app.models.store import ModelStore


def _export(source: Path, home: Path, name: str) -> tuple[Path, Manifest, list[str]]:
    said: list[str] = []
    folder = export_model(str(source), name=name, store=ModelStore(home / "models"), progress=said.append)
    manifest = Manifest.load(folder)
    assert manifest is not None
    return folder, manifest, said


def _ops(folder: Path) -> Counter:
    return Counter(n.op_type for n in onnx.load(str(folder / "model.onnx")).graph.node)


def test_int8_is_kept_when_it_meets_the_bar(tiny_source, tmp_path, monkeypatch):
    monkeypatch.setattr(variant, "AGREEMENT_BAR", 0.0)
    folder, manifest, said = _export(tiny_source, tmp_path, "auto-int8")
    assert manifest.quantization == "int8" and _ops(folder)["MatMulNBits"] > 0
    quality = manifest.quality
    assert 0.0 <= quality["int8_agreement"] <= 1.0 and quality["bar"] == 0.0
    assert quality["positions"] > 50 and quality["text"] == "agreement_en.txt"
    assert any("keeping 8-bit weights" in line for line in said)
    assert sorted(p.name for p in folder.iterdir() if p.name.startswith((".", "model.onnx"))) == [
        "model.onnx",
        "model.onnx.data",
    ]
    assert Engine.load(folder, threads=1).generate("The river", max_new_tokens=4).completions[0].token_ids


def test_float32_is_kept_when_int8_misses_the_bar(tiny_source, tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(variant, "AGREEMENT_BAR", 1.01)
    folder, manifest, said = _export(tiny_source, tmp_path, "auto-fp32")
    assert manifest.quantization == "none" and _ops(folder)["MatMulNBits"] == 0
    assert manifest.quality["int8_agreement"] < 1.01
    assert any("keeping float32 weights" in line for line in said)
    assert not (folder / ".int8-candidate").exists()
    monkeypatch.setenv("WRITER_APP_HOME", str(tmp_path))
    assert main(["models", "list"]) == 0
    assert f"none (int8 agrees {manifest.quality['int8_agreement']:.1%})" in capsys.readouterr().out


def test_float32_is_kept_when_8bit_weights_cannot_be_built(tiny_source, tmp_path, monkeypatch):
    real = optimize.optimize_graph

    def no_int8(path, *, quantize="none", config=None):
        if quantize == "int8":
            raise ValueError("this graph has no weights the quantizer knows")
        return real(path, quantize=quantize, config=config)

    monkeypatch.setattr(variant, "optimize_graph", no_int8)
    folder, manifest, said = _export(tiny_source, tmp_path, "auto-broken")
    assert manifest.quantization == "none"
    assert manifest.quality == {"int8_error": "this graph has no weights the quantizer knows"}
    assert Engine.load(folder, threads=1).generate("The river", max_new_tokens=4).completions[0].token_ids


@pytest.mark.parametrize(
    ("languages", "sample"),
    [(["en"], "agreement_en.txt"), (["zh", "en"], "agreement_zh.txt"), ([], "agreement_en.txt")],
)
def test_the_sample_is_prose_in_the_models_first_language(languages, sample):
    name, text = variant.sample_for(languages)
    assert name == sample and len(text) > 800
