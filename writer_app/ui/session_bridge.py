"""Qt's side of the writing session: a clock made of QTimers, the worker's signals turned into session
calls, and the session's events turned into widget updates (ghost text, rewrite panel, status bar)."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, QTimer, Signal, Slot
from PySide6.QtWidgets import QLabel, QProgressBar, QStatusBar

from writer_app.assist.requests import AssistError, ModelInfo, Role
from writer_app.assist.session import Ghost, ModelState, WritingSession
from writer_app.engine.completion import GenerationResult, GenerationStats, TokenSurprise
from writer_app.settings import Settings
from writer_app.sizes import size_text
from writer_app.ui.ghost_editor import EditorDocument, GhostTextEdit
from writer_app.ui.i18n import tr
from writer_app.ui.rewrite_panel import RewritePanel
from writer_app.ui.worker import WorkerHost

MESSAGE_MS = 8000


class QtTimer:
    """One pending call; the QTimer is deleted once it has fired or been cancelled."""

    def __init__(self, parent: QObject, delay_ms: int, callback: Callable[[], None]) -> None:
        self._callback = callback
        self._timer: QTimer | None = QTimer(parent, singleShot=True, interval=delay_ms)
        self._timer.timeout.connect(self._fire)
        self._timer.start()

    def _fire(self) -> None:
        self._release()
        self._callback()

    def cancel(self) -> None:
        if self._timer is not None:
            self._timer.stop()
        self._release()

    def _release(self) -> None:
        timer, self._timer = self._timer, None
        if timer is not None:
            timer.deleteLater()


class QtClock:
    def __init__(self, parent: QObject) -> None:
        self._parent = parent

    def call_later(self, delay_ms: int, callback: Callable[[], None]) -> QtTimer:
        return QtTimer(self._parent, delay_ms, callback)


class SessionBridge(QObject):
    """Owns the session and the worker thread; shows what the session says. modelShown(ModelState):
    the continuation model changed (the window enables what it can do)."""

    modelShown = Signal(object)

    def __init__(
        self,
        settings: Settings,
        editor: GhostTextEdit,
        panel: RewritePanel,
        status: QStatusBar,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.editor, self.panel, self.status = editor, panel, status
        self.speed_label = QLabel()
        self.model_label = QLabel(tr("Model: loading…"))
        self.instruction_label = QLabel()
        self.instruction_label.hide()
        # Moving while a model loads (it takes seconds for the larger ones); hidden otherwise.
        self.loading_bar = QProgressBar()
        self.loading_bar.setRange(0, 0)
        self.loading_bar.setMaximumWidth(90)
        self.loading_bar.setMaximumHeight(14)
        self.loading_bar.setTextVisible(False)
        self.loading_bar.hide()
        # Where the text goes, whenever it leaves this computer.
        self.where_label = QLabel()
        self.where_label.hide()
        self.host = WorkerHost(self)
        self.document = EditorDocument(editor)
        self.session = WritingSession(settings, self.host, QtClock(self), self.document, self)
        editor.attach(self.session)
        # Slots of this QObject, not the session's plain methods: a signal connected to a plain callable
        # runs it in the emitting (model) thread; these run queued in the UI thread.
        worker = self.host.worker
        worker.modelLoaded.connect(self._model_loaded)
        worker.modelFailed.connect(self._model_failed)
        worker.chunk.connect(self._chunk)
        worker.finished.connect(self._finished)
        worker.failed.connect(self._failed)

    # --- the model thread's answers, in the UI thread ----------------------------------------------------
    @Slot(object, object)
    def _model_loaded(self, role: Role, info: ModelInfo) -> None:
        self.session.model_loaded(info, role)

    @Slot(object, object)
    def _model_failed(self, role: Role, error: AssistError) -> None:
        self.session.model_failed(error, role)

    @Slot(int, int, str)
    def _chunk(self, request_id: int, row: int, text: str) -> None:
        self.session.chunk(request_id, row, text)

    @Slot(int, object)
    def _finished(self, request_id: int, result: GenerationResult | None) -> None:
        self.session.finished(request_id, result)

    @Slot(int, object)
    def _failed(self, request_id: int, error: AssistError) -> None:
        self.session.failed(request_id, error)

    # --- SessionListener ------------------------------------------------------------------------------
    def ghost_changed(self, ghost: Ghost | None) -> None:
        self.editor.show_ghost(ghost)

    def model_changed(self, state: ModelState) -> None:
        _show_state(self.model_label, tr("Model"), state)
        self._show_loading()
        where = state.info.where if state.info is not None else ""
        self.where_label.setVisible(bool(where))
        self.where_label.setText(tr("⇄ Text goes to {host}").format(host=where))
        self.where_label.setToolTip(
            tr("The text around the cursor is sent to this server for each suggestion and rewrite.")
        )
        self.modelShown.emit(state)

    def instruction_model_changed(self, state: ModelState | None) -> None:
        self.instruction_label.setVisible(state is not None)
        if state is not None:
            _show_state(self.instruction_label, tr("Instructions"), state, idle=tr("loads when first used"))
        self._show_loading()

    def _show_loading(self) -> None:
        instruction = self.session.instruction_state()
        self.loading_bar.setVisible(self.session.model.loading or bool(instruction and instruction.loading))

    def message(self, text: str) -> None:
        self.status.showMessage(text, MESSAGE_MS)

    def stats_changed(self, stats: GenerationStats | None) -> None:
        """The last completed request's time to first token and speed (cancelled ones do not count)."""
        if stats is None:
            self.speed_label.setText("")
            return
        speed = tr("first token {ms} ms · {speed} tok/s").format(
            ms=f"{stats.first_token_ms:.0f}", speed=f"{stats.tokens_per_s:.0f}"
        )
        self.speed_label.setText(speed)

    def rewrite_started(self, label: str, count: int, enter_does: str) -> None:
        self.panel.start(label, count, enter_does)

    def rewrite_chunk(self, row: int, text: str) -> None:
        self.panel.append(row, text)

    def rewrite_done(self, message: str) -> None:
        self.panel.done(message)

    def choices_ready(self, prefix: str, choices: list[tuple[str, float]]) -> None:
        self.editor.show_choices(prefix, choices)

    def surprise_changed(self, start: int, ranks: list[TokenSurprise]) -> None:
        self.editor.show_surprise(start, ranks)

    def rewrite_candidates(self, texts: list[str], marks: list[str] | None = None) -> None:
        self.panel.show_candidates(texts, marks or [])

    def shutdown(self) -> None:
        self.session.shutdown()
        self.host.shutdown()


def _show_state(label: QLabel, role: str, state: ModelState, idle: str = "") -> None:
    """A model's name and memory in the status bar; its details in the tooltip."""
    if state.loading:
        label.setText(tr("{role}: loading…").format(role=role))
        label.setToolTip("")
    elif state.info is not None and state.info.where:  # on a server: no memory here to speak of
        info = state.info
        label.setText(tr("{role}: {name} (server)").format(role=role, name=info.name))
        label.setToolTip(
            tr("{name} runs on the server at {host}: context {context} tokens, connected in {ms} ms").format(
                name=info.name, host=info.where, context=info.context_length, ms=f"{info.load_ms:.0f}"
            )
        )
    elif state.info is not None:
        info = state.info
        size = size_text(info.size_mb * 1e6)
        label.setText(tr("{role}: {name} ({size})").format(role=role, name=info.name, size=size))
        details = (
            tr(
                "{name} follows instructions: context {context} tokens, {size} in memory, "
                "{threads} threads, loaded in {ms} ms"
            )
            if info.follows_instructions
            else tr(
                "{name} continues text: context {context} tokens, {size} in memory, "
                "{threads} threads, loaded in {ms} ms"
            )
        )
        label.setToolTip(
            details.format(
                name=info.name,
                context=info.context_length,
                size=size,
                threads=info.threads,
                ms=f"{info.load_ms:.0f}",
            )
        )
    else:
        none = tr("none")
        label.setText(
            tr("{role}: {state}").format(role=role, state=(idle or none) if state.error is None else none)
        )
        label.setToolTip(state.error.message if state.error else "")
