"""What a flow of the session (continuation, rewrite and tasks, word choices, the surprise view, the
instruction model) is given: the ports it works through, the live requests, named timers, and a narrow,
read-mostly view of the session. No flow holds the session itself or reaches into its private parts;
the session routes each request's answers to the flow that asked, through `RequestFlow`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from writer_app.assist.notes import DocumentNotes
from writer_app.assist.ports import Clock, Document, EngineClient, ModelState, SessionListener, Timer
from writer_app.assist.requests import AssistError, AssistRequest, RequestKind, RequestRegistry
from writer_app.engine.completion import GenerationResult
from writer_app.settings import Settings


class RequestFlow(Protocol):
    """Where the answers to one kind of request go."""

    def chunk(self, request: AssistRequest, row: int, text: str) -> None: ...

    def finished(self, request: AssistRequest, result: GenerationResult | None) -> None: ...

    def failed(self, request: AssistRequest, error: AssistError) -> None: ...


class Timers:
    """Named one-shot timers on the session's clock: starting one again replaces its pending call."""

    def __init__(self, clock: Clock) -> None:
        self._clock = clock
        self._pending: dict[str, Timer] = {}

    def restart(self, name: str, delay_ms: int, callback: Callable[[], object]) -> None:
        self.cancel(name)

        def fire() -> None:
            self._pending.pop(name, None)
            callback()

        self._pending[name] = self._clock.call_later(delay_ms, fire)

    def cancel(self, *names: str) -> None:
        for name in names:
            timer = self._pending.pop(name, None)
            if timer is not None:
                timer.cancel()

    def cancel_all(self) -> None:
        self.cancel(*list(self._pending))


class SessionView(Protocol):
    """What flows read of the session, and the few things they ask of it, by public names."""

    revision: int
    settings: Settings
    model: ModelState
    notes: DocumentNotes
    composing: bool
    continuation_ref: str

    def usable(self) -> bool: ...

    def explain(self, error: AssistError) -> str: ...

    def record_stats(self, request: AssistRequest, result: GenerationResult | None) -> None: ...

    def continuation_request(self, kind: RequestKind, cursor: int, **fields) -> AssistRequest: ...

    def ghost_text(self) -> str: ...

    def request_suggestion(self, starting_with: str = "") -> bool: ...


@dataclass(frozen=True)
class FlowContext:
    document: Document
    engine: EngineClient
    listener: SessionListener
    requests: RequestRegistry
    timers: Timers
    session: SessionView
