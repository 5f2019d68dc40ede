"""An export is compared with its source before it is kept.

optimum's export, our graph rewrites and the GGUF reader can each compute something other than the model
they started from and still give a graph that runs: Gemma 3 270M's GGUF imported without its BOS and with
a tokenizer that split English into fragments, and wrote `<h2><h2>…`. So after every export the float32
graph (rewrites applied) and the source model (PyTorch, through transformers) read the same texts, in each
language the model claims, and the export is refused, naming what differs, unless:
- the token ids the runtime feeds (the manifest's BOS, then the exported tokenizer's ids) are the source
  tokenizer's, with the special tokens the source puts before a text;
- at every position the two next-token distributions agree: mean KL divergence within PARITY_KL_BAR and
  the same most likely token wherever the source's top two are not a near-tie.
A GGUF is checked against the file itself too (gguf_tokens.py): its declared BOS, and its own tokenizer.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from writer_app.errors import UserError
from writer_app.models.library_log import library_output_logged
from writer_app.translation import tr

# Tokens read per text: enough for a dozen words of each kind of text, a few seconds on a 1B model.
PARITY_TOKENS = 48
# Float32 against float32: rounding moves a distribution by ~1e-9 nats here; a wrong rotary table,
# mask or norm by more than 0.01.
PARITY_KL_BAR = 1e-4
# Top-two logits closer than this may be ordered either way by float32 rounding.
NEAR_TIE = 1e-3
# Beside our prose: what writers type and tokenizers trip on (leading spaces, blank lines, emoji, tabs).
ODD_TEXT = "   She said: “Don’t.”\n\n\tThe end 🎉 — 2026年，第3章。"


class ParityError(UserError):
    """The export does not compute what its source does."""


@dataclass
class SourceReading:
    """What the source makes of each parity text: the ids it reads and its logits after each of them."""

    label: str
    texts: dict[str, str] = field(default_factory=dict)
    ids: dict[str, list[int]] = field(default_factory=dict)
    logits: dict[str, np.ndarray] = field(default_factory=dict)


def parity_texts() -> list[tuple[str, str]]:
    """(name, text): the start of our English and Chinese prose, and the odd text. Every model reads
    all three: one that writes no Chinese must still compute the same on its bytes."""
    from writer_app.models.variant import samples_for

    texts = [(name, text[:400]) for name, text in samples_for(["en", "zh"])]
    return [*texts, ("odd characters", ODD_TEXT)]


def tokenizer_bos(tokenizer_file: Path) -> int | None:
    """The token a tokenizer.json puts before every text (its post-processor's BOS), or None."""
    from tokenizers import Tokenizer

    tokenizer = Tokenizer.from_file(str(tokenizer_file))
    plain = tokenizer.encode("a", add_special_tokens=False).ids
    lead, _after = split_specials(tokenizer.encode("a", add_special_tokens=True).ids, plain)
    return lead[-1] if lead else None


def runtime_ids(codec: Any, bos: int | None, text: str) -> list[int]:
    """The first PARITY_TOKENS ids the runtime feeds for text: the manifest's BOS, then the tokens."""
    return (([bos] if bos is not None else []) + codec.encode(text))[:PARITY_TOKENS]


def split_specials(with_specials: list[int], plain: list[int]) -> tuple[list[int], list[int]]:
    """(what a tokenizer put before the text, after it) when encoding with its special tokens."""
    n = len(plain)
    for start in range(len(with_specials) - n + 1):
        if with_specials[start : start + n] == plain:
            return with_specials[:start], with_specials[start + n :]
    return [], []


def read_source(tokenizer: Any, model: Any, label: str) -> SourceReading:
    """Run the source (a transformers tokenizer and PyTorch model) on the parity texts."""
    import torch

    reading = SourceReading(label=label)
    for name, text in parity_texts():
        plain = list(tokenizer(text, add_special_tokens=False)["input_ids"])
        lead, _after = split_specials(list(tokenizer(text, add_special_tokens=True)["input_ids"]), plain)
        ids = (lead + plain)[:PARITY_TOKENS]
        with torch.no_grad():
            logits = model(torch.tensor([ids]), attention_mask=torch.ones(1, len(ids), dtype=torch.long))
        reading.texts[name] = text
        reading.ids[name] = ids
        reading.logits[name] = logits.logits[0].float().numpy()
    return reading


def load_and_read(source: str, *, local: bool) -> SourceReading:
    """Load the source model as transformers does (float32) and read the parity texts with it."""
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    try:
        with library_output_logged(f"transformers reading {source}"):
            tokenizer = AutoTokenizer.from_pretrained(source, local_files_only=local)
            model = AutoModelForCausalLM.from_pretrained(source, local_files_only=local, dtype=torch.float32)
    except Exception as exc:  # noqa: BLE001  (the exporter just read it: this is unexpected)
        raise UserError(
            tr("cannot read {source} to compare the export with it: {problem}").format(
                source=source, problem=exc
            )
        ) from exc
    model.eval()
    return read_source(tokenizer, model, label=source)


def check_export(reading: SourceReading, graph: Path, folder: Path, bos: int | None) -> dict[str, Any]:
    """Raise ParityError naming the first difference; else the figures, for the manifest."""
    from writer_app.engine.agreement import FidelityTally
    from writer_app.engine.onnx_model import OnnxCausalLM
    from writer_app.engine.text_codec import TextCodec

    codec = TextCodec.from_folder(folder)
    for name, source_ids in reading.ids.items():
        ours = runtime_ids(codec, bos, reading.texts[name])
        if ours != source_ids:
            raise ParityError(token_difference(name, source_ids, ours, codec, reading.label))
    model = OnnxCausalLM(graph)
    figures: dict[str, Any] = {"texts": {}}
    for name, ids in reading.ids.items():
        tally = FidelityTally()
        past = model.empty_cache()
        for i, token in enumerate(ids):
            logits, past = model.forward(np.array([[token]], dtype=np.int64), past)
            expected = reading.logits[name][i]
            if not same_choice(expected, logits[0]):
                raise ParityError(
                    tr(
                        "the export computes differently from {source}: after token {position} of the "
                        "{text}, the source's most likely next token is {expected} and the export's {got}"
                    ).format(
                        source=reading.label,
                        position=i + 1,
                        text=describe_text(name),
                        expected=repr(codec.decode([int(np.argmax(expected))])),
                        got=repr(codec.decode([int(np.argmax(logits[0]))])),
                    )
                )
            if i + 1 < len(ids):
                tally.add(expected, logits[0], int(ids[i + 1]))
        kl = tally.result().kl_divergence
        figures["texts"][name] = {"positions": len(ids), "kl_divergence": float(f"{kl:.3g}")}
        if kl > PARITY_KL_BAR:
            raise ParityError(
                tr(
                    "the export computes differently from {source}: on the {text} its next-token "
                    "distributions differ by KL {kl} (float32 rounding stays below {bar})"
                ).format(
                    source=reading.label, text=describe_text(name), kl=f"{kl:.2g}", bar=f"{PARITY_KL_BAR:g}"
                )
            )
    figures["kl_divergence"] = max(t["kl_divergence"] for t in figures["texts"].values())
    figures["bar"] = PARITY_KL_BAR
    return figures


def same_choice(expected: np.ndarray, got: np.ndarray) -> bool:
    """The same most likely token, unless the source's top two are within rounding of each other."""
    top = int(np.argmax(expected))
    if int(np.argmax(got)) == top:
        return True
    return float(expected[top] - expected[int(np.argmax(got))]) <= NEAR_TIE


def describe_text(name: str) -> str:
    languages = {"agreement_en.txt": tr("English text"), "agreement_zh.txt": tr("Chinese text")}
    return languages.get(name, tr("text with {what}").format(what=name))


def token_difference(name: str, source: list[int], ours: list[int], codec: Any, label: str) -> str:
    """Where two readings of a text part, in words a writer can check."""
    where = tr("the exported tokenizer reads the {text} differently from {source}").format(
        text=describe_text(name), source=label
    )
    if source[1:] == ours[: len(source) - 1] and (not ours or ours[0] != source[0]):
        return (
            where
            + ": "
            + tr("the source puts its BOS (token {token}) before every text, the export does not").format(
                token=source[0]
            )
        )
    if ours[1:] == source[: len(ours) - 1] and (not source or ours[0] != source[0]):
        return (
            where
            + ": "
            + tr("the export puts token {token} before the text, which the source does not").format(
                token=ours[0]
            )
        )
    pairs = enumerate(zip(source, ours, strict=False))
    i = next((k for k, (a, b) in pairs if a != b), min(len(source), len(ours)))
    return (
        where
        + ": "
        + tr("from token {position} the source has {expected} and the export {got}").format(
            position=i + 1, expected=_pieces(codec, source[i : i + 3]), got=_pieces(codec, ours[i : i + 3])
        )
    )


def _pieces(codec: Any, ids: list[int]) -> str:
    return " ".join(f"{codec.decode([t])!r} ({t})" for t in ids) or tr("nothing")
