"""An export that does not compute what its source does is refused, naming what differs."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests import fixtures_models
from writer_app.engine.manifest import Manifest
from writer_app.engine.text_codec import TextCodec
from writer_app.models import export, gguf_tokens, variant
from writer_app.models.export import export_model
from writer_app.models.gguf_import import import_gguf
from writer_app.models.source_parity import PARITY_KL_BAR, ParityError, split_specials
from writer_app.models.store import ModelStore


def _export(source: Path, home: Path, name: str, **options) -> Path:
    return export_model(
        str(source), name=name, store=ModelStore(home / "models"), progress=lambda _m: None, **options
    )


def _nothing_installed(home: Path) -> bool:
    models = home / "models"
    return not models.exists() or not [p for p in models.iterdir() if not p.name.startswith(".")]


def test_an_export_records_that_it_matches_its_source(tiny_source, tmp_path):
    folder = _export(tiny_source, tmp_path, "same", quantize="int8")
    manifest = Manifest.load(folder)
    assert manifest is not None and manifest.quantization == "int8"
    parity = manifest.quality["source_parity"]
    assert set(parity["texts"]) == {"agreement_en.txt", "agreement_zh.txt", "odd characters"}
    positions = {name: t["positions"] for name, t in parity["texts"].items()}
    assert positions["agreement_en.txt"] == positions["agreement_zh.txt"] == 48
    assert positions["odd characters"] >= 10
    assert parity["kl_divergence"] <= PARITY_KL_BAR
    assert manifest.bos_token_id is None  # GPT-2's tokenizer puts nothing before a text


def test_a_tokenizer_that_reads_text_differently_is_refused(tiny_source, tmp_path, monkeypatch):
    real = export._run_optimum_export

    def export_with_fewer_merges(source: str, output: Path, *, local: bool) -> None:
        real(source, output, local=local)
        tokenizer_file = output / "tokenizer.json"
        data = json.loads(tokenizer_file.read_text(encoding="utf-8"))
        data["model"]["merges"] = data["model"]["merges"][:200]  # "keeper" now comes out in pieces
        tokenizer_file.write_text(json.dumps(data), encoding="utf-8")

    monkeypatch.setattr(export, "_run_optimum_export", export_with_fewer_merges)
    with pytest.raises(ParityError, match=r"reads the English text differently from .*: from token 1"):
        _export(tiny_source, tmp_path, "fragments")
    assert _nothing_installed(tmp_path)


def test_a_bos_the_source_does_not_use_is_refused(tiny_source, tmp_path, monkeypatch):
    monkeypatch.setattr(export, "tokenizer_bos", lambda _path: 50256)
    with pytest.raises(ParityError, match="the export puts token 50256 before the text"):
        _export(tiny_source, tmp_path, "extra-bos")
    assert _nothing_installed(tmp_path)


def test_a_dropped_bos_is_refused(chinese_source, tmp_path, monkeypatch):
    # The Chinese GPT-2's tokenizer opens every text with [CLS] (2): an export that forgets it (as
    # Gemma 3's GGUF import once did with its <bos>) reads every text wrongly.
    monkeypatch.setattr(export, "tokenizer_bos", lambda _path: None)
    with pytest.raises(ParityError, match=r"the source puts its BOS \(token 2\) before every text"):
        _export(chinese_source, tmp_path, "no-bos")
    assert _nothing_installed(tmp_path)


def test_a_graph_rewrite_that_computes_wrong_is_refused(tmp_path, monkeypatch):
    # The fused attention built with the wrong rotary base (the model's is 1,000,000): it runs, and
    # every position after the first attends wrongly.
    source = fixtures_models.build_tiny_qwen2(tmp_path / "qwen-src")
    real = variant.optimize_graph

    def wrong_rotary(path, *, quantize="none", config=None, **options):
        return real(path, quantize=quantize, config={**(config or {}), "rope_theta": 10000.0}, **options)

    monkeypatch.setattr(variant, "optimize_graph", wrong_rotary)
    with pytest.raises(ParityError, match="the export computes differently from"):
        _export(source, tmp_path, "wrong-rotary", quantize="none")
    assert _nothing_installed(tmp_path)


def test_the_same_rewrite_with_the_right_rotary_base_is_kept(tmp_path):
    source = fixtures_models.build_tiny_qwen2(tmp_path / "qwen-src")
    manifest = Manifest.load(_export(source, tmp_path, "right-rotary", quantize="none"))
    assert manifest is not None and "fused_attention" in manifest.graph_rewrites
    assert manifest.quality["source_parity"]["kl_divergence"] <= PARITY_KL_BAR


def test_specials_around_a_text_are_told_apart_from_it():
    assert split_specials([2, 10, 11, 3], [10, 11]) == ([2], [3])
    assert split_specials([10, 11], [10, 11]) == ([], [])
    assert split_specials([1, 10, 11], [10, 11]) == ([1], [])


def test_an_imported_gguf_reads_text_as_llama_cpp_reads_the_file(tmp_path):
    gguf_file = fixtures_models.build_tiny_gguf(tmp_path / "Tiny.gguf", add_bos=False)
    manifest = Manifest.load(import_gguf(gguf_file, store=ModelStore(tmp_path / "models"), progress=print))
    assert manifest is not None
    checked = manifest.quality["source_parity"]["file_tokens"]
    assert checked == {"declared_bos": False, "same_ids_as_llama_cpp": True}


def test_an_import_that_drops_the_bos_the_file_declares_is_refused(tmp_path):
    # The file says every text starts with its BOS (<|im_start|>, 1); the ChatML fix drops it.
    gguf_file = fixtures_models.build_tiny_gguf(tmp_path / "Tiny.gguf", add_bos=True)
    with pytest.raises(ParityError, match=r"Tiny.gguf says its tokenizer puts token 1 \(its BOS\) before"):
        import_gguf(gguf_file, store=ModelStore(tmp_path / "models"), progress=lambda _m: None)
    assert _nothing_installed(tmp_path)


def test_without_llama_cpp_a_tokenizer_that_splits_whole_words_is_refused(tmp_path, monkeypatch):
    gguf_file = fixtures_models.build_tiny_gguf(tmp_path / "Tiny.gguf")
    monkeypatch.setattr(gguf_tokens, "llama_cpp_ids", lambda _path, _texts: None)
    # The file's vocabulary holds English words whole that its converted tokenizer cannot make.
    facts = gguf_tokens.declared_tokens(gguf_file)
    monkeypatch.setattr(
        gguf_tokens,
        "declared_tokens",
        lambda _path: {**facts, "tokens": [*facts["tokens"], "Ġadvice", "Ġhabits", "Ġmorning"]},
    )
    with pytest.raises(ParityError, match=r"splits words its vocabulary holds whole \(advice, "):
        import_gguf(gguf_file, store=ModelStore(tmp_path / "models"), progress=lambda _m: None)


def test_whole_words_are_counted_against_the_vocabulary(tiny_source, tmp_path):
    codec = TextCodec.from_folder(tiny_source)
    vocabulary = list(json.loads((tiny_source / "vocab.json").read_text(encoding="utf-8")))
    text = " The old lighthouse keeper climbed the stairs every evening"
    share, split = gguf_tokens.fragmented_words(codec, vocabulary, "Ġ", text)
    assert share == 1.0 and split == []
    data = json.loads((tiny_source / "tokenizer.json").read_text(encoding="utf-8"))
    data["model"]["merges"] = data["model"]["merges"][:100]
    (tmp_path / "tokenizer.json").write_text(json.dumps(data), encoding="utf-8")
    share, split = gguf_tokens.fragmented_words(TextCodec.from_folder(tmp_path), vocabulary, "Ġ", text)
    assert share < 0.5 and "lighthouse" in split
