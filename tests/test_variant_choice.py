"""`--quantize auto` (the default): 8-bit weights only when they keep float32's next-token distributions."""

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


def _bars(monkeypatch, kl: float, ratio: float) -> None:
    monkeypatch.setattr(variant, "KL_DIVERGENCE_BAR", kl)
    monkeypatch.setattr(variant, "PERPLEXITY_RATIO_BAR", ratio)


def test_int8_is_kept_when_it_meets_both_bars(tiny_source, tmp_path, monkeypatch):
    _bars(monkeypatch, kl=10.0, ratio=10.0)
    folder, manifest, said = _export(tiny_source, tmp_path, "auto-int8")
    assert manifest.quantization == "int8" and _ops(folder)["MatMulNBits"] > 0
    quality = manifest.quality
    assert quality["int8_kept"] and quality["bars"] == {"kl_divergence": 10.0, "perplexity_ratio": 10.0}
    english = quality["texts"]["agreement_en.txt"]
    assert (
        list(quality["texts"]) == ["agreement_en.txt"] and quality["positions"] == english["positions"] > 50
    )
    assert 0.0 < english["kl_divergence"] == quality["kl_divergence"]
    assert english["perplexity_ratio"] == quality["perplexity_ratio"] > 0.9
    assert 0.0 <= quality["int8_agreement"] <= 1.0
    assert quality["block_size"] == 32 and quality["tried"] == []
    kept = "8-bit weights (blocks of 32): KL"
    assert any(line.strip().startswith(kept) and line.endswith("kept") for line in said)
    assert sorted(p.name for p in folder.iterdir() if p.name.startswith((".", "model.onnx"))) == [
        "model.onnx",
        "model.onnx.data",
    ]
    assert Engine.load(folder, threads=1).generate("The river", max_new_tokens=4).completions[0].token_ids


@pytest.mark.parametrize(("kl", "ratio"), [(0.0, 10.0), (10.0, 0.5)], ids=["kl-over", "perplexity-over"])
def test_float32_is_kept_when_int8_misses_either_bar(tiny_source, tmp_path, monkeypatch, capsys, kl, ratio):
    _bars(monkeypatch, kl=kl, ratio=ratio)
    folder, manifest, said = _export(tiny_source, tmp_path, "auto-fp32")
    assert manifest.quantization == "none" and _ops(folder)["MatMulNBits"] == 0
    assert not manifest.quality["int8_kept"]
    assert any("keeping float32 weights" in line for line in said)
    assert not (folder / ".quantized-candidate").exists()
    monkeypatch.setenv("WRITER_APP_HOME", str(tmp_path))
    assert main(["models", "list"]) == 0
    q = manifest.quality
    assert (
        f"none (8-bit: KL {q['kl_divergence']:.4f}, perplexity x{q['perplexity_ratio']:.4f}, "
        f"top-1 agrees {q['int8_agreement']:.1%}, blocks of 16)"
    ) in capsys.readouterr().out
    assert [t["block_size"] for t in q["tried"]] == [32, 16]


def test_float32_is_kept_when_8bit_weights_cannot_be_built(tiny_source, tmp_path, monkeypatch):
    real = optimize.optimize_graph

    def no_int8(path, *, quantize="none", **options):
        if quantize == "int8":
            raise ValueError("this graph has no weights the quantizer knows")
        return real(path, quantize=quantize, **options)

    monkeypatch.setattr(variant, "optimize_graph", no_int8)
    folder, manifest, said = _export(tiny_source, tmp_path, "auto-broken")
    assert manifest.quantization == "none"
    assert manifest.quality["int8_error"] == "this graph has no weights the quantizer knows"
    assert set(manifest.quality) == {"int8_error", "source_parity"}
    assert Engine.load(folder, threads=1).generate("The river", max_new_tokens=4).completions[0].token_ids


@pytest.mark.parametrize(
    ("languages", "samples"),
    [
        (["en"], ["agreement_en.txt"]),
        (["zh", "en"], ["agreement_zh.txt", "agreement_en.txt"]),
        ([], ["agreement_en.txt"]),
        (["fr"], ["agreement_en.txt"]),
    ],
)
def test_the_gate_reads_our_prose_in_every_language_the_model_writes(languages, samples):
    chosen = variant.samples_for(languages)
    assert [name for name, _ in chosen] == samples and all(len(text) > 800 for _, text in chosen)


def test_a_chinese_model_is_measured_on_both_texts_and_judged_by_the_worse(
    chinese_source, tmp_path, monkeypatch
):
    _bars(monkeypatch, kl=10.0, ratio=10.0)
    folder, manifest, _ = _export(chinese_source, tmp_path, "auto-zh")
    texts = manifest.quality["texts"]
    assert set(texts) == {"agreement_zh.txt", "agreement_en.txt"}
    assert manifest.quality["kl_divergence"] == max(t["kl_divergence"] for t in texts.values())
    assert manifest.quality["perplexity_ratio"] == max(t["perplexity_ratio"] for t in texts.values())
    assert manifest.quality["positions"] == sum(t["positions"] for t in texts.values())


def test_the_gate_passes_its_reference_and_refuses_damaged_weights(tiny_model, tmp_path):
    """The real bars, on graphs whose distance from the reference is known: the reference itself, and the
    reference with every weight matrix disturbed by 5% of its spread."""
    import numpy as np
    from onnx import numpy_helper

    facts = {"languages": ["en"], "context_length": Manifest.load(tiny_model).context_length}
    same = variant.measure_quality(tiny_model / "model.onnx", tiny_model / "model.onnx", tiny_model, facts)
    assert same["kl_divergence"] == 0.0 and same["perplexity_ratio"] == 1.0 and same["int8_kept"]
    graph = onnx.load(str(tiny_model / "model.onnx"))
    rng = np.random.default_rng(0)
    for init in graph.graph.initializer:
        w = numpy_helper.to_array(init)
        if w.ndim == 2 and w.dtype == np.float32:
            noisy = w + rng.normal(0, 0.05 * float(w.std()), w.shape).astype(np.float32)
            init.CopyFrom(numpy_helper.from_array(noisy, init.name))
    damaged = tmp_path / "damaged.onnx"
    onnx.save(graph, str(damaged))
    hurt = variant.measure_quality(tiny_model / "model.onnx", damaged, tiny_model, facts)
    assert hurt["kl_divergence"] > variant.KL_DIVERGENCE_BAR and not hurt["int8_kept"]


def test_finer_blocks_are_tried_when_blocks_of_32_miss_the_bars(tiny_source, tmp_path, monkeypatch):
    """Blocks of 32 are made to miss (their measured KL divergence is raised past the bar); blocks of 16,
    measured as they are, pass, and the kept graph is quantized in blocks of 16."""
    _bars(monkeypatch, kl=1.0, ratio=10.0)
    real = variant.measure_quality
    calls: list[dict] = []

    def first_misses(*args, **kwargs):
        quality = real(*args, **kwargs)
        if not calls:
            quality = {**quality, "kl_divergence": 2.0, "int8_kept": False}
        calls.append(quality)
        return quality

    monkeypatch.setattr(variant, "measure_quality", first_misses)
    folder, manifest, said = _export(tiny_source, tmp_path, "auto-b16")
    assert len(calls) == 2 and manifest.quantization == "int8"
    assert manifest.quality["block_size"] == 16
    missed = {
        "kind": "int8",
        "block_size": 32,
        "kl_divergence": 2.0,
        "perplexity_ratio": calls[0]["perplexity_ratio"],
    }
    assert manifest.quality["tried"] == [missed]
    graph = onnx.load(str(folder / "model.onnx"), load_external_data=False).graph
    nbits = [n for n in graph.node if n.op_type == "MatMulNBits"]
    assert nbits and {a.i for n in nbits for a in n.attribute if a.name == "block_size"} == {16}
    assert not (folder / ".raw-export").exists() and not (folder / ".quantized-candidate").exists()


def test_a_file_measured_before_gets_its_recorded_weights_without_measuring(tmp_path, monkeypatch):
    from tests.fixtures_models import build_tiny_gguf
    from writer_app.engine.manifest import sha256_file
    from writer_app.models.gguf_import import import_gguf

    gguf = build_tiny_gguf(tmp_path / "Tiny.gguf")
    figures = {"kl_divergence": 0.001, "perplexity_ratio": 1.001, "int8_agreement": 0.99, "block_size": 16}
    record = {
        "kind": "int8",
        "block_size": 16,
        "quality": figures,
        "measured_with": {"onnxruntime": "1.32.0"},
    }
    monkeypatch.setattr(variant, "recorded_files", lambda: {sha256_file(gguf): record})

    def never(*_args, **_kwargs):
        raise AssertionError("a recorded file is not measured again")

    monkeypatch.setattr(variant, "measure_quality", never)
    said: list[str] = []
    folder = import_gguf(gguf, store=ModelStore(tmp_path / "models"), progress=said.append)
    manifest = Manifest.load(folder)
    assert manifest is not None and manifest.quantization == "int8"
    assert manifest.quality["recorded"].startswith("measured before on this very file")
    assert manifest.quality["kl_divergence"] == 0.001 and "source_parity" in manifest.quality
    blocks = {
        a.i
        for n in onnx.load(str(folder / "model.onnx")).graph.node
        if n.op_type == "MatMulNBits"
        for a in n.attribute
        if a.name == "block_size"
    }
    assert 16 in blocks
    assert any("as measured before on this file" in line for line in said)


def test_the_starter_models_file_is_recorded():
    from writer_app.models.default_model import STARTER_PACKAGE

    [starter] = [r for r in variant.recorded_files().values() if STARTER_PACKAGE.split("==")[0] in r["file"]]
    assert starter["kind"] == "int8" and starter["quality"]["int8_kept"]
    assert starter["quality"]["kl_divergence"] <= variant.KL_DIVERGENCE_BAR
