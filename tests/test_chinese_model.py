"""A BertTokenizer-based Chinese GPT-2: exported, generated from, streamed without broken text."""

from __future__ import annotations

import re

import torch

from writer_app.engine.generate import Engine
from writer_app.engine.manifest import Manifest


def test_manifest_records_chinese_and_cls_sep_as_bounds(chinese_model):
    manifest = Manifest.load(chinese_model)
    assert manifest is not None
    assert "zh" in manifest.languages
    assert manifest.eos_token_ids == [3]  # [SEP]
    # The tokenizer opens every text with [CLS], as the model was trained: the engine does too.
    assert manifest.bos_token_id == 2


def test_chinese_continuation_streams_whole_characters_without_spaces(chinese_model, chinese_source):
    from transformers import GPT2LMHeadModel

    engine = Engine.load(chinese_model, threads=1)
    pieces: list[str] = []
    result = engine.generate("我们在山上", max_new_tokens=20, on_text=lambda _r, t: pieces.append(t))
    completion = result.completions[0]
    assert completion.text and "".join(pieces) == completion.text
    assert "\ufffd" not in completion.text
    assert not re.search(r"[\u4e00-\u9fff] [\u4e00-\u9fff]", completion.text)
    # Same tokens as PyTorch greedy for the same weights.
    model = GPT2LMHeadModel.from_pretrained(chinese_source)
    ids = [2, *engine.codec.encode("我们在山上")]  # [CLS] first, as the tokenizer reads a text
    with torch.no_grad():
        out = model.generate(
            torch.tensor([ids]), max_new_tokens=20, do_sample=False, eos_token_id=3, pad_token_id=0
        )
    expected = out[0, len(ids) :].tolist()
    expected = expected[: expected.index(3)] if 3 in expected else expected
    assert completion.token_ids == expected


def _vocabulary(tokens: list[str], decoder: str) -> dict:
    return {"model": {"vocab": {tok: i for i, tok in enumerate(tokens)}}, "decoder": {"type": decoder}}


def test_chinese_is_recognised_in_byte_level_and_bert_vocabularies():
    """Qwen's byte-level vocabulary spells each Chinese character as three byte symbols; it was once
    read as English-only because only single-character tokens were counted."""
    from writer_app.models.export import _byte_level_alphabet, vocabulary_languages

    spell = {b: ch for ch, b in _byte_level_alphabet().items()}
    hanzi = [chr(0x4E00 + i) + chr(0x4E00 + i + 1) for i in range(4000)]
    latin = [f"word{i}" for i in range(1000)]
    byte_level = ["".join(spell[b] for b in tok.encode("utf-8")) for tok in hanzi]
    assert vocabulary_languages(_vocabulary(latin + byte_level, "ByteLevel")) == ["zh", "en"]
    assert vocabulary_languages(_vocabulary(latin + hanzi, "WordPiece")) == ["zh", "en"]
    # GPT-2's English vocabulary has a few hundred Chinese tokens among 50,000.
    english = [f"w{i}" for i in range(50_000)] + byte_level[:300]
    assert vocabulary_languages(_vocabulary(english, "ByteLevel")) == ["en"]
    assert vocabulary_languages({"model": {}}) == ["en"]
