"""Fakes for driving the writing session without Qt: a document, a clock, an engine, a listener."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from tests.fixtures_models import CHATML_TEMPLATE
from writer_app.assist.requests import AssistRequest, ModelInfo, RequestKind, Role
from writer_app.assist.session import Edit, Ghost, ModelState, WritingSession
from writer_app.engine.chat_template import ChatTemplate
from writer_app.engine.generate import Engine, GenerationResult, GenerationStats
from writer_app.engine.local_backend import LocalBackend
from writer_app.settings import Settings


class FakeDocument:
    """A text and a cursor, counted in code points as the port says; counts how many characters the
    session reads. `selected` is (start, end) of a selection, or False."""

    def __init__(self, text: str = "", cursor: int | None = None) -> None:
        self.content = text
        self.position = len(text) if cursor is None else cursor
        self.selected: tuple[int, int] | bool = False
        self.focused = True
        self.chars_read = 0
        self.session: WritingSession | None = None

    # --- the Document protocol ---
    def text(self, start: int, end: int) -> str:
        self.chars_read += max(0, end - start)
        return self.content[start:end]

    def char_at(self, position: int) -> str:
        return self.content[position] if 0 <= position < len(self.content) else ""

    def cursor(self) -> tuple[int, bool]:
        return self.position, bool(self.selected)

    def selection(self) -> tuple[int, int] | None:
        return self.selected if isinstance(self.selected, tuple) else None

    def paragraph_at(self, position: int) -> tuple[int, int]:
        start = self.content.rfind("\n", 0, position) + 1
        end = self.content.find("\n", position)
        return start, len(self.content) if end < 0 else end

    def length(self) -> int:
        return len(self.content)

    def has_focus(self) -> bool:
        return self.focused

    # --- what the writer does ---
    def type(self, text: str) -> None:
        """Type at the cursor: through the ghost if it matches, else as an ordinary edit."""
        assert self.session is not None
        for ch in text:
            edit = self.session.type_through(self.position, ch)
            self.insert(self.position, ch, own=edit is not None)

    def insert(self, position: int, text: str, *, own: bool = False) -> None:
        self.replace(position, position, text, own=own)

    def replace(self, start: int, end: int, text: str, *, own: bool = False) -> None:
        assert self.session is not None
        self.content = self.content[:start] + text + self.content[end:]
        if self.position >= end:
            self.position += len(text) - (end - start)
        elif self.position > start:
            self.position = start + len(text)
        if own:
            self.position = start + len(text)
        self.session.edit(start, end - start, len(text), own=own)

    def apply(self, edit: Edit | None) -> None:
        assert edit is not None
        self.replace(edit.start, edit.end, edit.text, own=True)


@dataclass
class _Pending:
    due: int
    callback: Callable[[], None]
    cancelled: bool = False

    def cancel(self) -> None:
        self.cancelled = True


class FakeClock:
    def __init__(self) -> None:
        self.now = 0
        self.pending: list[_Pending] = []

    def call_later(self, delay_ms: int, callback: Callable[[], None]) -> _Pending:
        timer = _Pending(self.now + delay_ms, callback)
        self.pending.append(timer)
        return timer

    def advance(self, ms: int) -> None:
        end = self.now + ms
        while True:
            due = [t for t in self.pending if not t.cancelled and t.due <= end]
            if not due:
                break
            timer = min(due, key=lambda t: t.due)
            self.pending.remove(timer)
            self.now = timer.due
            timer.callback()
        self.now = end


class FakeEngine:
    """Keeps what the session submits; the test answers."""

    def __init__(self) -> None:
        self.loads: list[str] = []
        self.roles: list[Role] = []
        self.unloads: list[Role] = []
        self.submitted: list[AssistRequest] = []
        self.session: WritingSession | None = None

    def load(self, model_ref: str, threads: int, role: Role = Role.CONTINUATION) -> None:
        self.loads.append(model_ref)
        self.roles.append(role)

    def unload(self, role: Role) -> None:
        self.unloads.append(role)

    def submit(self, request: AssistRequest) -> None:
        self.submitted.append(request)

    def of_kind(self, kind: RequestKind) -> list[AssistRequest]:
        return [r for r in self.submitted if r.kind is kind]

    def answer(self, request: AssistRequest, *rows: str, prompt_tokens: int = 10) -> None:
        assert self.session is not None
        for row, text in enumerate(rows):
            self.session.chunk(request.request_id, row, text)
        stats = GenerationStats(prompt_tokens=prompt_tokens, first_token_ms=5.0, decode_ms_per_token=2.0)
        self.session.finished(request.request_id, GenerationResult([], stats))


class SyncEngine:
    """A real engine run in the caller's thread: answers every request as it is submitted."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.session: WritingSession | None = None
        self.stats: list[tuple[RequestKind, GenerationStats]] = []

    def load(self, model_ref: str, threads: int, role: Role = Role.CONTINUATION) -> None:
        pass

    def unload(self, role: Role) -> None:
        pass

    def submit(self, request: AssistRequest) -> None:
        assert self.session is not None
        session = self.session
        result = LocalBackend(self.engine).run(
            request, lambda row, text: session.chunk(request.request_id, row, text)
        )
        if result is not None:
            self.stats.append((request.kind, result.stats))
        session.finished(request.request_id, result)


@dataclass
class Recorder:
    ghosts: list[Ghost | None] = field(default_factory=list)
    models: list[ModelState] = field(default_factory=list)
    instruction_states: list[ModelState | None] = field(default_factory=list)
    surprises: list[tuple[int, list]] = field(default_factory=list)
    choices: list[tuple[str, list]] = field(default_factory=list)
    messages: list[str] = field(default_factory=list)
    stats: list[GenerationStats | None] = field(default_factory=list)
    rewrite: list[tuple] = field(default_factory=list)
    enter_does: str = ""

    @property
    def ghost(self) -> Ghost | None:
        return self.ghosts[-1] if self.ghosts else None

    def ghost_changed(self, ghost: Ghost | None) -> None:
        self.ghosts.append(ghost)

    def choices_ready(self, prefix: str, choices: list) -> None:
        self.choices.append((prefix, choices))

    def surprise_changed(self, start: int, ranks: list) -> None:
        self.surprises.append((start, ranks))

    def instruction_model_changed(self, state: ModelState | None) -> None:
        self.instruction_states.append(state)

    def model_changed(self, state: ModelState) -> None:
        self.models.append(state)

    def message(self, text: str) -> None:
        self.messages.append(text)

    def stats_changed(self, stats: GenerationStats | None) -> None:
        self.stats.append(stats)

    def rewrite_started(self, label: str, count: int, enter_does: str) -> None:
        self.rewrite.append(("started", label, count))
        self.enter_does = enter_does

    def rewrite_chunk(self, row: int, text: str) -> None:
        self.rewrite.append(("chunk", row, text))

    def rewrite_done(self, message: str) -> None:
        self.rewrite.append(("done", message))

    def rewrite_candidates(self, texts: list[str], marks: list[str] | None = None) -> None:
        self.rewrite.append(("ranked", texts))
        self.marks = marks or []


def model(name: str = "tiny", *, instruct: bool = False, context: int = 1024) -> ModelInfo:
    return ModelInfo(
        name=name,
        context_length=context,
        follows_instructions=instruct,
        chat_template=ChatTemplate(CHATML_TEMPLATE) if instruct else None,
        load_ms=1.0,
        threads=1,
    )


@dataclass
class Harness:
    session: WritingSession
    doc: FakeDocument
    clock: FakeClock
    engine: FakeEngine | SyncEngine
    seen: Recorder


def make_session(
    text: str = "",
    *,
    engine: FakeEngine | SyncEngine | None = None,
    loaded: ModelInfo | None = None,
    **settings,
) -> Harness:
    doc, clock, seen = FakeDocument(text), FakeClock(), Recorder()
    engine = engine if engine is not None else FakeEngine()
    values = {"greedy": True, "alternatives": 2, "suggestion_tokens": 12, **settings}
    session = WritingSession(Settings(**values), engine, clock, doc, seen)
    doc.session = engine.session = session
    if loaded is not None:
        session.model_loaded(loaded)
    return Harness(session, doc, clock, engine, seen)
