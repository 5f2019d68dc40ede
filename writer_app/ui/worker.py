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
    Role,
    generation_error,
    load_error,
)
from writer_app.backends import open_backend
from writer_app.engine.backend import Backend, ModelInfo
from writer_app.models.measured_speed import record_speed
from writer_app.ui.i18n import tr

log = logging.getLogger(__name__)
# Fewer new tokens than this say little about decode speed (the first one is mostly the prompt).
MIN_TOKENS_FOR_SPEED = 8


class ModelWorker(QObject):
    """Holds one backend per role: the continuation model, and a separate instruction model when
    Settings name one (requests for instructions run on the continuation model otherwise)."""

    modelLoaded = Signal(object, object)  # Role, ModelInfo
    modelFailed = Signal(object, object)  # Role, AssistError
    chunk = Signal(int, int, str)  # request id, alternative, text
    finished = Signal(int, object)  # request id, GenerationResult (None when skipped)
    failed = Signal(int, object)  # request id, AssistError

    def __init__(self) -> None:
        super().__init__()
        self.backends: dict[Role, tuple[Backend, ModelInfo]] = {}

    @property
    def backend(self) -> Backend | None:
        loaded = self.backends.get(Role.CONTINUATION)
        return loaded[0] if loaded else None

    @Slot(str, int, object)
    def load(self, model_ref: str, threads: int, role: Role) -> None:
        self.backends.pop(role, None)
        try:
            backend = open_backend(model_ref, threads)
            info = backend.info()
        except Exception as exc:  # every failure must reach the writer as a message
            log.debug("model load failed", exc_info=True)
            self.modelFailed.emit(role, load_error(exc))
            return
        self.backends[role] = (backend, info)
        self.modelLoaded.emit(role, info)

    @Slot(object)
    def unload(self, role: Role) -> None:
        self.backends.pop(role, None)

    @Slot(object)
    def run(self, request: AssistRequest) -> None:
        if request.cancel.is_set():
            self.finished.emit(request.request_id, None)  # superseded before it started
            return
        loaded = self.backends.get(request.role) or self.backends.get(Role.CONTINUATION)
        if loaded is None:
            self.failed.emit(request.request_id, AssistError(ErrorKind.NO_MODEL, tr("no model is loaded")))
            return
        backend, info = loaded

        def on_text(row: int, text: str) -> None:
            self.chunk.emit(request.request_id, row, text)

        try:
            result = backend.run(request, on_text)
        except Exception as exc:
            log.exception("generation failed")
            self.failed.emit(request.request_id, generation_error(exc))
            return
        self.finished.emit(request.request_id, result)
        # After the answer is on its way: the file it reads and writes never delays the writer. Only this
        # computer's speed is this computer's to remember.
        if not info.where and result is not None and result.stats.new_tokens >= MIN_TOKENS_FOR_SPEED:
            record_speed(info.name, result.stats.decode_ms_per_token)


class WorkerHost(QObject):
    """Owns the worker thread: the session's engine client (load, submit), and a clean shutdown."""

    _load = Signal(str, int, object)
    _unload = Signal(object)
    _run = Signal(object)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.thread = QThread()
        self.thread.setObjectName("writer-app-model")
        self.worker = ModelWorker()
        self.worker.moveToThread(self.thread)
        self._load.connect(self.worker.load)
        self._unload.connect(self.worker.unload)
        self._run.connect(self.worker.run)
        self.thread.start()

    def load(self, model_ref: str, threads: int = 0, role: Role = Role.CONTINUATION) -> None:
        self._load.emit(model_ref, threads, role)

    def unload(self, role: Role) -> None:
        self._unload.emit(role)

    def submit(self, request: AssistRequest) -> None:
        self._run.emit(request)

    def shutdown(self, timeout_ms: int = 10000) -> None:
        """Stop the thread once its current request ends (the session cancels what is in flight first;
        destroying a running QThread aborts the process)."""
        self.thread.quit()
        if not self.thread.wait(timeout_ms):
            log.warning("the model thread did not stop in time")
