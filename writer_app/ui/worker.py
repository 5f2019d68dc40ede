"""The one long-lived thread that owns the loaded model and runs every generation.

The UI thread never waits on it: requests go in as queued signals, text comes back as signals, and
errors cross as messages (never as exceptions). Cancelling sets the request's Event directly, so it takes
effect within one token even while the worker is busy.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field

from PySide6.QtCore import QObject, QThread, Signal, Slot

from writer_app.engine.generate import Engine
from writer_app.engine.sampling import SamplingParams
from writer_app.errors import UserError
from writer_app.models.store import ModelStore

log = logging.getLogger(__name__)


@dataclass
class GenerationRequest:
    request_id: int
    kind: str  # "continue" | "rewrite" | "warm" (run the prompt into the KV cache, generate nothing)
    prompt: str
    revision: int
    max_new_tokens: int = 24
    max_prompt_tokens: int | None = None
    sampling: SamplingParams = field(default_factory=SamplingParams)
    num_alternatives: int = 1
    stop_at: str | None = None
    cancel: threading.Event = field(default_factory=threading.Event)


@dataclass(frozen=True)
class ModelInfo:
    name: str
    context_length: int
    follows_instructions: bool
    prompt_format: str | None
    load_ms: float
    threads: int


class ModelWorker(QObject):
    modelLoaded = Signal(object)  # ModelInfo
    modelFailed = Signal(str)
    chunk = Signal(int, int, str)  # request id, alternative, text
    finished = Signal(int, object)  # request id, GenerationResult (None when skipped)
    failed = Signal(int, str)

    def __init__(self) -> None:
        super().__init__()
        self.engine: Engine | None = None

    @Slot(str, int)
    def load(self, model_ref: str, threads: int) -> None:
        try:
            folder = ModelStore().resolve(model_ref or None)
            engine = Engine.load(folder, threads=threads or None)
        except UserError as exc:
            self.engine = None
            self.modelFailed.emit(str(exc))
            return
        except Exception as exc:  # anything else must still reach the writer as a message
            log.exception("model load failed")
            self.engine = None
            self.modelFailed.emit(f"could not load the model: {exc}")
            return
        self.engine = engine
        spec = engine.spec
        self.modelLoaded.emit(
            ModelInfo(
                name=spec.name,
                context_length=spec.context_length,
                follows_instructions=spec.follows_instructions,
                prompt_format=spec.prompt_format,
                load_ms=engine.load_ms,
                threads=engine.model.threads,
            )
        )

    @Slot(object)
    def run(self, request: GenerationRequest) -> None:
        if request.cancel.is_set():
            self.finished.emit(request.request_id, None)  # superseded before it started
            return
        if self.engine is None:
            self.failed.emit(request.request_id, "no model is loaded")
            return
        if request.kind == "warm":
            self._warm(request)
            return
        try:
            result = self.engine.generate(
                request.prompt,
                max_new_tokens=request.max_new_tokens,
                max_prompt_tokens=request.max_prompt_tokens,
                sampling=request.sampling,
                num_alternatives=request.num_alternatives,
                stop_at=request.stop_at,
                cancel=request.cancel,
                on_text=lambda row, text: self.chunk.emit(request.request_id, row, text),
            )
        except Exception as exc:
            log.exception("generation failed")
            self.failed.emit(request.request_id, f"generation failed: {exc}")
            return
        self.finished.emit(request.request_id, result)

    def _warm(self, request: GenerationRequest) -> None:
        assert self.engine is not None
        try:
            self.engine.warm(
                request.prompt,
                max_new_tokens=request.max_new_tokens,
                max_prompt_tokens=request.max_prompt_tokens,
                cancel=request.cancel,
            )
        except Exception:  # a warm-up is an optimisation: its failure is logged, not shown
            log.exception("warming the cache failed")
        self.finished.emit(request.request_id, None)


class WorkerHost(QObject):
    """Owns the worker thread: submit requests, cancel them, shut down cleanly."""

    _load = Signal(str, int)
    _run = Signal(object)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.thread = QThread()
        self.thread.setObjectName("writer-app-model")
        self.worker = ModelWorker()
        self.worker.moveToThread(self.thread)
        self._load.connect(self.worker.load)
        self._run.connect(self.worker.run)
        self.thread.start()
        self._active: dict[int, GenerationRequest] = {}
        self.worker.finished.connect(self._forget)
        self.worker.failed.connect(self._forget)

    def load_model(self, model_ref: str, threads: int = 0) -> None:
        self._load.emit(model_ref, threads)

    def submit(self, request: GenerationRequest) -> None:
        self._active[request.request_id] = request
        self._run.emit(request)

    def cancel(self, request_id: int) -> None:
        request = self._active.get(request_id)
        if request is not None:
            request.cancel.set()

    def cancel_all(self) -> None:
        for request in self._active.values():
            request.cancel.set()

    @Slot(int)
    def _forget(self, request_id: int, *_: object) -> None:
        self._active.pop(request_id, None)

    def shutdown(self, timeout_ms: int = 10000) -> None:
        """Cancel everything and stop the thread (destroying a running QThread aborts the process)."""
        self.cancel_all()
        self.thread.quit()
        if not self.thread.wait(timeout_ms):
            log.warning("the model thread did not stop in time")
