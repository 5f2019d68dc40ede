"""The one long-lived thread that owns the loaded model and runs every generation.

The UI thread never waits on it: requests go in as queued signals, text comes back as signals, and
errors cross as an AssistError (a kind and a message), never as exceptions. Cancelling sets the
request's Event directly, so it takes effect within one token even while the worker is busy.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QObject, QThread, Signal, Slot

from writer_app.assist.requests import (
    AssistError,
    AssistRequest,
    ErrorKind,
    generation_error,
    load_error,
)
from writer_app.assist.runner import model_info, run_request
from writer_app.engine.generate import Engine
from writer_app.models.store import ModelStore

log = logging.getLogger(__name__)


class ModelWorker(QObject):
    modelLoaded = Signal(object)  # ModelInfo
    modelFailed = Signal(object)  # AssistError
    chunk = Signal(int, int, str)  # request id, alternative, text
    finished = Signal(int, object)  # request id, GenerationResult (None when skipped)
    failed = Signal(int, object)  # request id, AssistError

    def __init__(self) -> None:
        super().__init__()
        self.engine: Engine | None = None

    @Slot(str, int)
    def load(self, model_ref: str, threads: int) -> None:
        self.engine = None
        try:
            folder = ModelStore().resolve(model_ref or None)
            engine = Engine.load(folder, threads=threads or None)
        except Exception as exc:  # every failure must reach the writer as a message
            log.debug("model load failed", exc_info=True)
            self.modelFailed.emit(load_error(exc))
            return
        self.engine = engine
        self.modelLoaded.emit(model_info(engine))

    @Slot(object)
    def run(self, request: AssistRequest) -> None:
        if request.cancel.is_set():
            self.finished.emit(request.request_id, None)  # superseded before it started
            return
        if self.engine is None:
            self.failed.emit(request.request_id, AssistError(ErrorKind.NO_MODEL, "no model is loaded"))
            return
        try:
            result = run_request(
                self.engine, request, lambda row, text: self.chunk.emit(request.request_id, row, text)
            )
        except Exception as exc:
            log.exception("generation failed")
            self.failed.emit(request.request_id, generation_error(exc))
            return
        self.finished.emit(request.request_id, result)


class WorkerHost(QObject):
    """Owns the worker thread: the session's engine client (load, submit), and a clean shutdown."""

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

    def load(self, model_ref: str, threads: int = 0) -> None:
        self._load.emit(model_ref, threads)

    def submit(self, request: AssistRequest) -> None:
        self._run.emit(request)

    def shutdown(self, timeout_ms: int = 10000) -> None:
        """Stop the thread once its current request ends (the session cancels what is in flight first;
        destroying a running QThread aborts the process)."""
        self.thread.quit()
        if not self.thread.wait(timeout_ms):
            log.warning("the model thread did not stop in time")
