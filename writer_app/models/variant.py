"""Which weights an export keeps: the fastest variant whose next tokens agree with float32's often enough.

8-bit weights decode about twice as fast as float32, but how much they change a model's choices depends
on the model (SmolLM2-135M's top two logits are within 0.1 at 11.5% of positions, so 8-bit flips about one
token in twenty). So `--quantize auto` builds both, feeds both the same prose one token at a time, and
keeps 8-bit only when its most likely next token is float32's at AGREEMENT_BAR of the positions. The
manifest records what was measured.
"""

from __future__ import annotations

import logging
import os
import shutil
from collections.abc import Callable
from importlib import resources
from pathlib import Path
from typing import Any

from writer_app.models.optimize import Rewrites, optimize_graph

log = logging.getLogger(__name__)

AUTO = "auto"
AGREEMENT_BAR = 0.97
AGREEMENT_POSITIONS = 512
# Our own prose, in the model's first language.
SAMPLES = {"en": "agreement_en.txt", "zh": "agreement_zh.txt"}
GRAPH_FILES = ("model.onnx", "model.onnx.data")


def sample_for(languages: list[str]) -> tuple[str, str]:
    """(file name, text) of the sample in the model's first language (English if none is known)."""
    name = next((SAMPLES[lang] for lang in languages if lang in SAMPLES), SAMPLES["en"])
    return name, resources.files("writer_app.resources").joinpath(name).read_text(encoding="utf-8")


def measure_agreement(reference: Path, variant: Path, folder: Path, facts: dict[str, Any]) -> dict[str, Any]:
    """Teacher-forced top-1 agreement of the variant graph with the reference graph."""
    from writer_app.engine.agreement import top1_agreement
    from writer_app.engine.onnx_model import OnnxCausalLM
    from writer_app.engine.text_codec import TextCodec

    sample, text = sample_for(facts.get("languages") or ["en"])
    limit = min(AGREEMENT_POSITIONS, max(1, int(facts.get("context_length") or 1024) - 1))
    ids = TextCodec.from_folder(folder).encode(text)[:limit]
    agreement = top1_agreement(OnnxCausalLM(reference), OnnxCausalLM(variant), ids)
    return {
        "measured": "top-1 next-token agreement of 8-bit weights with float32, teacher-forced",
        "int8_agreement": round(agreement, 4),
        "positions": len(ids),
        "text": sample,
        "bar": AGREEMENT_BAR,
    }


def build_weights(
    folder: Path,
    quantize: str,
    config: dict[str, Any],
    facts: dict[str, Any],
    progress: Callable[[str], None],
) -> tuple[str, Rewrites, dict[str, Any]]:
    """Optimize the exported graph in folder; returns (quantization kept, rewrites applied, quality)."""
    graph = folder / "model.onnx"
    if quantize != AUTO:
        return quantize, optimize_graph(graph, quantize=quantize, config=config), {}
    candidate = folder / ".int8-candidate"
    candidate.mkdir()
    try:
        for name in os.listdir(folder):  # the raw export: the graph and any weights file beside it
            if name.startswith("model.onnx"):
                shutil.copy2(folder / name, candidate / name)
        applied = optimize_graph(graph, quantize="none", config=config)
        try:
            applied_int8 = optimize_graph(candidate / "model.onnx", quantize="int8", config=config)
            quality = measure_agreement(graph, candidate / "model.onnx", folder, facts)
        except Exception as exc:  # an unusual graph the quantizer cannot take: float32 still works
            reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            log.warning("8-bit weights could not be built: %s", reason)
            progress(f"      8-bit weights could not be built ({reason}); keeping float32")
            return "none", applied, {"int8_error": reason}
        share = quality["int8_agreement"]
        keep = share >= AGREEMENT_BAR
        progress(
            f"      8-bit weights agree with float32 on {share:.1%} of {quality['positions']} next tokens "
            f"(bar {AGREEMENT_BAR:.0%}): keeping {'8-bit' if keep else 'float32'} weights"
        )
        if not keep:
            return "none", applied, quality
        for name in GRAPH_FILES:
            os.replace(candidate / name, folder / name)
        return "int8", applied_int8, quality
    finally:
        shutil.rmtree(candidate, ignore_errors=True)
