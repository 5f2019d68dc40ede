"""Streaming detokenizer: characters arrive whole, text equals the one-shot decode."""

from __future__ import annotations

import pytest

from writer_app.engine.text_codec import REPLACEMENT_CHAR, TextCodec

SAMPLES = [
    "Plain English, with punctuation!",
    "中文的句子，有标点。还有更多的字。",
    "Emoji 👩‍👩‍👧 and 🎉 mixed with 日本語",
    "  multiple   spaces\n\ttabs and\r\nnewlines  ",
    "Ünïcödé àccents — dashes … ellipses",
]


@pytest.fixture(scope="module")
def codec(tiny_model) -> TextCodec:
    return TextCodec.from_folder(tiny_model)


@pytest.mark.parametrize("text", SAMPLES)
def test_round_trip(codec, text):
    assert codec.decode(codec.encode(text)) == text


@pytest.mark.parametrize("text", SAMPLES)
def test_stream_equals_one_shot_and_never_splits_a_character(codec, text):
    ids = codec.encode(text)
    stream = codec.stream()
    pieces = [stream.push(i) for i in ids]
    pieces.append(stream.flush())
    assert "".join(pieces) == text
    assert all(REPLACEMENT_CHAR not in p for p in pieces)


def test_multi_token_character_is_held_until_complete(codec):
    ids = codec.encode("鑫")
    assert len(ids) > 1  # byte-level BPE splits this character
    stream = codec.stream()
    assert [stream.push(i) for i in ids[:-1]] == [""] * (len(ids) - 1)
    assert stream.push(ids[-1]) == "鑫"


def test_stream_after_prompt_keeps_leading_space(codec):
    prompt = codec.encode("Hello")
    stream = codec.stream(prompt)
    assert stream.push(codec.encode(" world")[0]) == " world"


def test_invalid_bytes_are_dropped_not_shown(codec):
    lone_continuation = codec.encode("鑫")[-1]  # a byte token that alone is not a character
    stream = codec.stream()
    out = (
        stream.push(codec.encode("a")[0]) + stream.push(lone_continuation) + stream.push(codec.encode("b")[0])
    )
    out += stream.flush()
    assert out == "ab"


def test_no_special_tokens_added(codec):
    # GPT-2's own ids for these words, nothing before or after them (no BOS, no <|endoftext|>).
    assert codec.encode("hi") == [5303]
    assert codec.encode("Hello world") == [15496, 995]


def test_chinese_wordpiece_model_decodes_without_spaces(chinese_model):
    codec = TextCodec.from_folder(chinese_model)
    assert codec.wordpiece
    ids = codec.encode("我们说话")
    assert codec.decode(ids) == "我们说话"
    stream = codec.stream()
    assert "".join(stream.push(i) for i in ids) + stream.flush() == "我们说话"
    # Latin words keep their spaces, and word pieces join.
    assert codec.decode(codec.encode("the storys")) == "the storys"
