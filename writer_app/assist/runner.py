"""Running one request on a loaded engine: the work the model thread does, without the thread.

The Qt worker calls this; tests call it directly to run the session synchronously on a real model.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

from writer_app.assist.requests import AssistRequest, ModelInfo, RequestKind
from writer_app.engine.completion import GenerationResult, GenerationStats
from writer_app.engine.generate import Engine

log = logging.getLogger(__name__)


def model_info(engine: Engine) -> ModelInfo:
    """What the session needs to know of a loaded model."""
    spec = engine.spec
    return ModelInfo(
        name=spec.name,
        context_length=spec.context_length,
        follows_instructions=spec.follows_instructions,
        chat_template=spec.chat_template,
        load_ms=engine.load_ms,
        threads=engine.model.threads,
        size_mb=weights_mb(spec.graph_path),
        licence=spec.manifest.license if spec.manifest else "",
        source=spec.manifest.source if spec.manifest else "",
    )


def weights_mb(graph: Path) -> float:
    """The graph and the weights file beside it (model.onnx.data), in MB."""
    files = [p for p in graph.parent.glob(graph.name + "*") if p.is_file()]
    return sum(p.stat().st_size for p in files) / 1e6


def run_request(
    engine: Engine, request: AssistRequest, on_text: Callable[[int, str], None]
) -> GenerationResult | None:
    """Generate for the request, streaming text to on_text(row, delta). A warm-up returns its stats and
    no completions, or None when it failed (logged, never shown: the writer asked for nothing).
    Generation errors propagate."""
    if request.kind is RequestKind.SURPRISE:
        ranks = engine.surprise(request.subject, request.prompt, request.cancel)
        return None if ranks is None else GenerationResult([], GenerationStats(), surprise=ranks)
    if request.kind is RequestKind.CHOICES:
        choices = engine.next_token_choices(
            request.prompt,
            k=request.num_alternatives,
            max_new_tokens=request.max_new_tokens,
            max_prompt_tokens=request.max_prompt_tokens,
            cancel=request.cancel,
        )
        return None if choices is None else GenerationResult([], GenerationStats(), choices=choices)
    if request.kind is RequestKind.WARM:
        try:
            stats = engine.warm(
                request.prompt,
                max_new_tokens=request.max_new_tokens,
                max_prompt_tokens=request.max_prompt_tokens,
                cancel=request.cancel,
            )
        except Exception:
            log.exception("warming the cache failed")
            return None
        return GenerationResult([], stats)
    return engine.generate(
        request.prompt,
        max_new_tokens=request.max_new_tokens,
        max_prompt_tokens=request.max_prompt_tokens,
        sampling=request.sampling,
        num_alternatives=request.num_alternatives,
        stop_at=request.stop_at,
        time_budget_ms=request.time_budget_ms,
        cancel=request.cancel,
        on_text=on_text,
    )
