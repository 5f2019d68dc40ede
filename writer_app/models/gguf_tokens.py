"""A GGUF file's own word on its tokens, against what the import made of them.

transformers converts a GGUF's vocabulary into a tokenizer of its own, and the comparison with the
source (source_parity.py) compares the export with that conversion; when the conversion itself is wrong
(Gemma 3's split English into fragments and lost its BOS), both agree and both are wrong. So an import is
also held to the file:
- the BOS it declares (`tokenizer.ggml.add_bos_token`, `tokenizer.ggml.bos_token_id`);
- llama.cpp's tokenizer reading the file, where llama-cpp-python is installed: the same ids, exactly;
- where it is not: words the file's vocabulary holds whole come out as one token each, as the file's own
  tokenizer gives them (a converted tokenizer that splits them reads a different text than the model
  was trained on).
"""

from __future__ import annotations

import logging
import re
from pathlib import Path
from typing import Any

from writer_app.models.source_parity import (
    PARITY_TOKENS,
    ParityError,
    parity_texts,
    runtime_ids,
    token_difference,
)
from writer_app.translation import tr

log = logging.getLogger(__name__)
# The share of whole-vocabulary words a sound tokenizer keeps whole (1.0 on SmolLM2's and Qwen2.5's files).
WHOLE_WORDS_BAR = 0.8
_WORD_MARKERS = {"gpt2": "Ġ", "llama": "▁"}
_ENGLISH_WORD = re.compile(r"(?<= )[A-Za-z]{3,}")


def _field(fields: dict[str, Any], key: str) -> Any:
    found = fields.get(key)
    if found is None or not found.data:
        return None
    value = found.parts[found.data[0]]
    if found.types and found.types[0].name == "STRING":
        return bytes(value).decode("utf-8", errors="replace")
    return value.tolist()[0]


def declared_tokens(path: Path) -> dict[str, Any]:
    """The file's tokenizer facts: model ("gpt2", "llama", …), add_bos (None when not declared), bos id
    and its token list."""
    from gguf import GGUFReader

    fields = GGUFReader(str(path)).fields
    tokens_field = fields.get("tokenizer.ggml.tokens")
    tokens = (
        [bytes(tokens_field.parts[i]).decode("utf-8", "replace") for i in tokens_field.data]
        if tokens_field
        else []
    )
    add_bos = _field(fields, "tokenizer.ggml.add_bos_token")
    return {
        "model": _field(fields, "tokenizer.ggml.model"),
        "add_bos": None if add_bos is None else bool(add_bos),
        "bos_token_id": _field(fields, "tokenizer.ggml.bos_token_id"),
        "tokens": tokens,
    }


def llama_cpp_ids(path: Path, texts: dict[str, str]) -> dict[str, list[int]] | None:
    """llama.cpp's token ids for each parity text (with the BOS it adds), or None without llama-cpp-python."""
    try:
        import llama_cpp
    except ImportError:
        return None
    _quiet_llama_cpp(llama_cpp)
    try:
        vocab = llama_cpp.Llama(str(path), vocab_only=True, verbose=False)
    except Exception as exc:  # noqa: BLE001  (a file llama.cpp cannot read is judged by the other checks)
        log.info("llama.cpp cannot read %s: %s", path.name, exc)
        return None
    return {
        name: vocab.tokenize(text.encode("utf-8"), add_bos=True, special=False)[:PARITY_TOKENS]
        for name, text in texts.items()
    }


_SILENCE: list[Any] = []  # the C callback must outlive the call that installs it


def _quiet_llama_cpp(llama_cpp: Any) -> None:
    """llama.cpp writes its own log lines to stderr even with verbose=False; the writer needs none."""
    import ctypes

    if not _SILENCE:
        _SILENCE.append(llama_cpp.llama_log_callback(lambda _level, _text, _data: None))
        llama_cpp.llama_log_set(_SILENCE[0], ctypes.c_void_p(0))


def fragmented_words(codec: Any, tokens: list[str], marker: str, text: str) -> tuple[float, list[str]]:
    """(share of the text's words the vocabulary holds whole that come out as one token, examples of
    those that do not)."""
    vocabulary = set(tokens)
    ids, offsets = codec.encode_with_offsets(text)
    single = {(start, end) for start, end in offsets} | {(start + 1, end) for start, end in offsets}
    expected = whole = 0
    split: list[str] = []
    for match in _ENGLISH_WORD.finditer(text):
        if marker + match.group() not in vocabulary:
            continue
        expected += 1
        if (match.start(), match.end()) in single:
            whole += 1
        elif len(split) < 3:
            split.append(match.group())
    return (whole / expected if expected else 1.0), split


def check_gguf_tokens(path: Path, folder: Path, bos: int | None) -> dict[str, Any]:
    """Raise ParityError when the export reads text otherwise than the GGUF file says; else what was
    checked, for the manifest."""
    from writer_app.engine.text_codec import TextCodec

    facts = declared_tokens(path)
    codec = TextCodec.from_folder(folder)
    if facts["add_bos"] is not None:
        wanted = facts["bos_token_id"] if facts["add_bos"] else None
        if bos != wanted:
            said = (
                tr("puts token {token} (its BOS) before every text").format(token=wanted)
                if wanted is not None
                else tr("adds no BOS")
            )
            got = tr("token {token}").format(token=bos) if bos is not None else tr("nothing")
            raise ParityError(
                tr("{file} says its tokenizer {said}; the import puts {got} there").format(
                    file=path.name, said=said, got=got
                )
            )
    checked: dict[str, Any] = {"declared_bos": facts["add_bos"]}
    texts = dict(parity_texts())
    reference = llama_cpp_ids(path, texts)
    if reference is not None:
        for name, text in texts.items():
            ours = runtime_ids(codec, bos, text)
            if ours != reference[name]:
                raise ParityError(token_difference(name, reference[name], ours, codec, "llama.cpp"))
        checked["same_ids_as_llama_cpp"] = True
        return checked
    marker = _WORD_MARKERS.get(str(facts["model"]))
    if marker is not None:
        share, split = fragmented_words(codec, facts["tokens"], marker, texts["agreement_en.txt"])
        if share < WHOLE_WORDS_BAR:
            raise ParityError(
                tr(
                    "the tokenizer converted from {file} splits words its vocabulary holds whole ({words}; "
                    "{share} kept whole): it reads text otherwise than the model did"
                ).format(file=path.name, words=", ".join(split), share=f"{share:.0%}")
            )
        checked["whole_words"] = round(share, 3)
    return checked
