"""Which weights an export keeps: 8-bit when it keeps float32's next-token distributions, else float32.

8-bit weights decode about twice as fast as float32 at half the memory, but how much they change a model
depends on the model. So `--quantize auto` builds both and feeds both the same prose, one token at a time,
in every language the model writes, and compares the two next-token distributions the way llama.cpp's
`perplexity --kl-divergence` does (engine/agreement.py). 8-bit is kept when, on every text, the mean KL
divergence and the perplexity ratio are within what llama.cpp's q8_0 (the format the local-LLM world treats
as near-lossless) shows under the same protocol. Top-1 agreement is recorded beside them: on a small model
it mostly counts near-ties (SmolLM2-135M's top two logits are within 0.1 at 11.5% of positions).
The manifest records what was measured.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from writer_app.models.optimize import Rewrites, optimize_graph
from writer_app.translation import tr

log = logging.getLogger(__name__)

AUTO = "auto"
# The bars: the worst figure llama.cpp's q8_0 showed against its own float32 under this very protocol
# (these texts, POSITIONS_PER_TEXT positions each) on the languages each model writes: SmolLM2-135M-Instruct
# in English (KL 0.00359, perplexity x1.0049) and Qwen2.5-Coder-0.5B-Instruct in English (0.00080, x1.0017)
# and Chinese (0.00132, x1.0050). Measured by `python benchmarks/quantization_quality.py` on an Intel Xeon
# with AMX (table in benchmarks/README.md).
KL_DIVERGENCE_BAR = 0.0036
PERPLEXITY_RATIO_BAR = 1.005
POSITIONS_PER_TEXT = 512
# 4-bit bars: what llama.cpp's Q4_K_M showed against its own float32 under the same protocol on
# SmolLM2-135M-Instruct, English: KL 0.0444, perplexity x1.0555, top-1 agrees 88.9% (its 576-wide
# matrices fall back to q5_0 in Q4_K_M). Measured by `python benchmarks/four_bit.py` on an AMD EPYC (no
# AMX), 2026-12-06. Provisional: the float32 there is a GGUF dequantized (q4_1), not the true weights,
# which flatters a format close to the source's grid; on Qwen2.5-Coder-0.5B, whose GGUF is Q4_K_M,
# llama.cpp's Q4_K_M requantized came out at KL 0.007, which is no bar at all. Our 4-bit there: KL
# 0.068 (Chinese), perplexity x1.104, top-1 82.0%: not kept.
INT4_KL_DIVERGENCE_BAR = 0.0444
INT4_PERPLEXITY_RATIO_BAR = 1.0555
INT4_TOP1_BAR = 0.888
# 4-bit is tried for models from this many weights: below it, 8-bit is already fast (SmolLM2-135M decodes
# at 10.2 ms/token in 8 bits, 8.5 in 4) and 4 bits cost a small model more of its quality (KL 0.28).
INT4_MIN_PARAMETERS = 300_000_000
# 8-bit blocks tried, in order: 32 weights per scale (as q8_0), then 16, which keeps more of float32 for
# small models (SmolLM2-135M: KL 0.00246 against 0.00409 at 32; benchmarks/int8_variants.py) at 11% more
# disk and memory for the weights.
BLOCK_SIZES = (32, 16)
# Our own prose, one text per language the model writes.
SAMPLES = {"en": "agreement_en.txt", "zh": "agreement_zh.txt"}
GRAPH_FILES = ("model.onnx", "model.onnx.data")
MEASURED = (
    "8-bit against float32 next-token distributions, teacher-forced: mean KL divergence, perplexity ratio"
)


def samples_for(languages: list[str]) -> list[tuple[str, str]]:
    """(file name, text) of our prose in each language the model writes (English if none is known)."""
    names = [SAMPLES[lang] for lang in languages if lang in SAMPLES] or [SAMPLES["en"]]
    folder = resources.files("writer_app.resources")
    return [(name, folder.joinpath(name).read_text(encoding="utf-8")) for name in names]


def sample_ids(codec: Any, text: str, context_length: int | None) -> list[int]:
    """The text's first tokens, as many as the protocol scores and the model's context holds."""
    limit = min(POSITIONS_PER_TEXT + 1, int(context_length or 1024))
    return list(codec.encode(text))[:limit]


def passes(figures: dict[str, float], kind: str = "int8") -> bool:
    if kind == "int4":
        return (
            figures["kl_divergence"] <= INT4_KL_DIVERGENCE_BAR
            and figures["perplexity_ratio"] <= INT4_PERPLEXITY_RATIO_BAR
            and figures["int8_agreement"] >= INT4_TOP1_BAR
        )
    return (
        figures["kl_divergence"] <= KL_DIVERGENCE_BAR and figures["perplexity_ratio"] <= PERPLEXITY_RATIO_BAR
    )


def bars(kind: str) -> dict[str, float]:
    if kind == "int4":
        return {
            "kl_divergence": INT4_KL_DIVERGENCE_BAR,
            "perplexity_ratio": INT4_PERPLEXITY_RATIO_BAR,
            "top1_agreement": INT4_TOP1_BAR,
        }
    return {"kl_divergence": KL_DIVERGENCE_BAR, "perplexity_ratio": PERPLEXITY_RATIO_BAR}


def measure_quality(
    reference: Path, variant: Path, folder: Path, facts: dict[str, Any], kind: str = "int8"
) -> dict[str, Any]:
    """The variant graph's fidelity to the reference graph on each text, and the worst of each figure."""
    from writer_app.engine.agreement import compare
    from writer_app.engine.onnx_model import OnnxCausalLM
    from writer_app.engine.text_codec import TextCodec

    codec = TextCodec.from_folder(folder)
    reference_model, variant_model = OnnxCausalLM(reference), OnnxCausalLM(variant)
    texts = {}
    for name, text in samples_for(facts.get("languages") or ["en"]):
        ids = sample_ids(codec, text, facts.get("context_length"))
        figures = compare(reference_model, variant_model, ids).as_dict()
        texts[name] = {key: round(value, 6) for key, value in figures.items()}
    worst = {
        "kl_divergence": max(t["kl_divergence"] for t in texts.values()),
        "perplexity_ratio": max(t["perplexity_ratio"] for t in texts.values()),
        "int8_agreement": min(t["top1_agreement"] for t in texts.values()),
    }
    return {
        "measured": MEASURED,
        **worst,
        "positions": sum(int(t["positions"]) for t in texts.values()),
        "texts": texts,
        "bars": bars(kind),
        "int8_kept": passes(worst, kind),
    }


@dataclass(frozen=True)
class Candidate:
    """One set of weights auto tries."""

    kind: str  # "int4" or "int8"
    block_size: int
    sensitive_in_8_bits: bool = False  # int4: attention values and MLP down projections kept at 8 bits

    @property
    def bits(self) -> str:
        return "4-bit" if self.kind == "int4" else "8-bit"

    def label(self) -> str:
        kept = ", attention values and MLP down projections 8-bit" if self.sensitive_in_8_bits else ""
        return f"{self.bits} weights (blocks of {self.block_size}{kept})"

    def build(self, graph: Path, config: dict[str, Any]) -> Rewrites:
        """Rewrite the graph in place with these weights."""
        return optimize_graph(
            graph,
            quantize=self.kind,
            config=config,
            block_size=self.block_size,
            sensitive_in_8_bits=self.sensitive_in_8_bits,
        )


def candidates_for(parameters: int) -> list[Candidate]:
    """What auto tries, smallest first: 4-bit for a model large enough to be held back by its weights'
    size, then 8-bit blocks from the largest to the finest."""
    tried = []
    if parameters >= INT4_MIN_PARAMETERS:  # the best 4-bit measured (benchmarks/four_bit.py), once
        tried.append(Candidate("int4", 32, sensitive_in_8_bits=True))
    return tried + [Candidate("int8", block) for block in BLOCK_SIZES]


RECORDED = "recorded_quality.json"


def recorded_files() -> dict[str, dict[str, Any]]:
    text = resources.files("writer_app.resources").joinpath(RECORDED).read_text(encoding="utf-8")
    return json.loads(text)["files"]


def recorded_candidate(source_sha256: str | None) -> tuple[Candidate, dict[str, Any]] | None:
    """What auto chose for this very source file when it was measured before (resources/RECORDED), with
    the figures measured then; None for a file never measured."""
    if not source_sha256:
        return None
    known = recorded_files().get(source_sha256)
    if known is None:
        return None
    candidate = Candidate(known["kind"], int(known["block_size"]), bool(known.get("sensitive_in_8_bits")))
    note = f"measured before on this very file (sha256 {source_sha256[:12]}…), with {known['measured_with']}"
    return candidate, {**known["quality"], "recorded": note}


def float32_parameters(folder: Path) -> int:
    """About how many weights a float32 export holds (4 bytes each)."""
    return sum((folder / name).stat().st_size for name in GRAPH_FILES if (folder / name).exists()) // 4


def build_weights(
    folder: Path,
    quantize: str,
    config: dict[str, Any],
    facts: dict[str, Any],
    progress: Callable[[str], None],
    check: Callable[[Path], dict[str, Any]] | None = None,
    source_sha256: str | None = None,
) -> tuple[str, Rewrites, dict[str, Any]]:
    """Optimize the exported graph in folder; returns (quantization kept, rewrites applied, quality).

    The float32 graph, rewrites applied, is built first and given to check (the comparison with the
    source, which raises when they differ). auto then tries the candidates_for the model in order and
    keeps the first that passes its bars; float32 if none does. A source file measured before
    (recorded_candidate) gets what was chosen for it then, without measuring again."""
    graph = folder / "model.onnx"
    raw, scratch = folder / ".raw-export", folder / ".quantized-candidate"
    raw.mkdir()
    try:
        for name in os.listdir(folder):  # the raw export: the graph and any weights file beside it
            if name.startswith("model.onnx"):
                shutil.copy2(folder / name, raw / name)
        applied = optimize_graph(graph, quantize="none", config=config)
        checked = {"source_parity": check(graph)} if check is not None else {}
        if quantize == "none":
            return "none", applied, checked
        if quantize != AUTO:
            _restore(raw, folder)
            return quantize, optimize_graph(graph, quantize=quantize, config=config), checked
        recorded = recorded_candidate(source_sha256)
        if recorded is not None:
            candidate, quality = recorded
            progress(
                "      [measure] "
                + tr("{weights} weights: {figures}, as measured before on this file").format(
                    weights=candidate.bits, figures=describe(quality)
                )
            )
            _restore(raw, folder)
            return candidate.kind, candidate.build(graph, config), {**quality, **checked}
        tried: list[dict[str, Any]] = []
        quality = {}
        for candidate in candidates_for(float32_parameters(raw)):
            shutil.copytree(raw, scratch)
            try:
                applied_q = candidate.build(scratch / "model.onnx", config)
                progress(
                    "      [measure] "
                    + tr("measuring {weights} against float32 on our prose…").format(
                        weights=candidate.label()
                    )
                )
                quality = measure_quality(graph, scratch / "model.onnx", folder, facts, candidate.kind)
            except Exception as exc:  # an unusual graph the quantizer cannot take: float32 still works
                reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
                log.warning("%s could not be built: %s", candidate.label(), reason)
                progress(
                    "      "
                    + tr("{weights} could not be built ({reason}); keeping float32").format(
                        weights=candidate.label(), reason=reason
                    )
                )
                return "none", applied, {"int8_error": reason, **checked}
            kept = quality["int8_kept"]
            limits = quality["bars"]
            verdict = tr("kept") if kept else tr("not kept")
            bars = f"KL {limits['kl_divergence']:.4f}, perplexity x{limits['perplexity_ratio']:.4f}"
            progress(
                "      "
                + tr("{weights}: {figures} (bars: {bars}): {verdict}").format(
                    weights=candidate.label(), figures=describe(quality), bars=bars, verdict=verdict
                )
            )
            quality["block_size"] = candidate.block_size
            if candidate.kind == "int4":
                quality["sensitive_in_8_bits"] = candidate.sensitive_in_8_bits
            if kept:
                for name in GRAPH_FILES:
                    os.replace(scratch / name, folder / name)
                return candidate.kind, applied_q, {**quality, "tried": tried, **checked}
            figures = {k: quality[k] for k in ("block_size", "kl_divergence", "perplexity_ratio")}
            tried.append({"kind": candidate.kind, **figures})
            shutil.rmtree(scratch)
        progress("      " + tr("keeping float32 weights: no smaller variant kept float32's distributions"))
        return "none", applied, {**quality, "tried": tried, **checked}
    finally:
        shutil.rmtree(raw, ignore_errors=True)
        shutil.rmtree(scratch, ignore_errors=True)


def _restore(raw: Path, folder: Path) -> None:
    """Put the raw export back in place of the optimized float32 graph."""
    for name in os.listdir(folder):
        if name.startswith("model.onnx"):
            os.remove(folder / name)
    for name in os.listdir(raw):
        os.replace(raw / name, folder / name)


def describe(quality: dict[str, Any]) -> str:
    """The measured figures in one phrase (older manifests recorded top-1 agreement only)."""
    if "kl_divergence" not in quality:
        return f"top-1 agrees {quality['int8_agreement']:.1%}"
    blocks = f", blocks of {quality['block_size']}" if "block_size" in quality else ""
    return (
        f"KL {quality['kl_divergence']:.4f}, perplexity x{quality['perplexity_ratio']:.4f}, "
        f"top-1 agrees {quality['int8_agreement']:.1%}{blocks}"
    )
