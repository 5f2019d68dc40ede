"""The local engine as a backend: requests run on the ONNX model loaded on this computer."""

from __future__ import annotations

import logging
from pathlib import Path

from writer_app.engine.backend import GenerationRequest, ModelInfo, OnText, RequestKind
from writer_app.engine.completion import GenerationResult, GenerationStats
from writer_app.engine.generate import Engine
from writer_app.sizes import folder_bytes

log = logging.getLogger(__name__)


class LocalBackend:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    @classmethod
    def load(cls, folder: Path | str, *, threads: int | None = None) -> LocalBackend:
        return cls(Engine.load(folder, threads=threads))

    def info(self) -> ModelInfo:
        """What the session needs to know of a loaded model."""
        engine = self.engine
        spec = engine.spec
        return ModelInfo(
            name=spec.name,
            context_length=spec.context_length,
            follows_instructions=spec.follows_instructions,
            chat_template=spec.chat_template,
            load_ms=engine.load_ms,
            threads=engine.model.threads,
            size_mb=folder_bytes(spec.folder) / 1e6,
            licence=spec.manifest.license if spec.manifest else "",
            source=spec.manifest.source if spec.manifest else "",
            languages=tuple(spec.manifest.languages) if spec.manifest else (),
        )

    def run(self, request: GenerationRequest, on_text: OnText) -> GenerationResult | None:
        """Generate for the request, streaming text to on_text(row, delta). A warm-up returns its stats
        and no completions, or None when it failed (logged, never shown: the writer asked for nothing).
        Generation errors propagate."""
        engine = self.engine
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
            constraint=request.constraint,
        )
