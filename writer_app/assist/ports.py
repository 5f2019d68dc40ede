"""The writing session's ports: what it asks of the world (an engine, a clock, a document) and what it
tells it (a listener), and the values that cross them. The Qt window implements them; the tests fake them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from writer_app.assist.requests import AssistError, AssistRequest, ModelInfo, Role
from writer_app.engine.completion import GenerationStats, TokenSurprise


class EngineClient(Protocol):
    """The model thread, as the session sees it: fire-and-forget; answers come back as calls to
    model_loaded / model_failed / chunk / finished / failed."""

    def load(self, model_ref: str, threads: int, role: Role = Role.CONTINUATION) -> None: ...

    def unload(self, role: Role) -> None: ...

    def submit(self, request: AssistRequest) -> None: ...


class Timer(Protocol):
    def cancel(self) -> None: ...


class Clock(Protocol):
    def call_later(self, delay_ms: int, callback: Callable[[], None]) -> Timer: ...


class Document(Protocol):
    """Read access to the editor's text by position: no call reads the whole document.

    Every position that crosses this port, in either direction (here, in `Ghost`, `Edit`, the
    listener's calls and `WritingSession.edit`), counts code points, as Python's `str` does: an emoji
    or 𠀀 is one. Qt counts UTF-16 units (such a character is two); its adapter converts, once, at
    this edge. Paragraph breaks read as "\n" (one code point).
    """

    def text(self, start: int, end: int) -> str:
        """The text between two positions, clamped to the document."""
        ...

    def char_at(self, position: int) -> str:
        """The character at position ("" past the end)."""
        ...

    def cursor(self) -> tuple[int, bool]:
        """(position, whether text is selected)."""
        ...

    def selection(self) -> tuple[int, int] | None:
        """(start, end) of the selected text, None when nothing is selected."""
        ...

    def paragraph_at(self, position: int) -> tuple[int, int]:
        """(start, end) of the paragraph (block) holding position, its break not included."""
        ...

    def length(self) -> int:
        """The document's length (its final paragraph mark not counted)."""
        ...

    def has_focus(self) -> bool: ...


@dataclass(frozen=True)
class Ghost:
    """The ghost text to show: `text` at document position `anchor`, alternative `index` of `count`."""

    request_id: int
    anchor: int
    text: str
    index: int
    count: int


@dataclass(frozen=True)
class ModelState:
    info: ModelInfo | None = None
    loading: bool = False
    error: AssistError | None = None


@dataclass(frozen=True)
class Edit:
    """Text for the adapter to put into the document as the session's own edit (one undo step)."""

    start: int
    end: int
    text: str


class SessionListener(Protocol):
    def ghost_changed(self, ghost: Ghost | None) -> None: ...

    def model_changed(self, state: ModelState) -> None: ...

    def instruction_model_changed(self, state: ModelState | None) -> None:
        """The separate instruction model's state; None when rewrites use the continuation model."""

    def message(self, text: str) -> None: ...

    def stats_changed(self, stats: GenerationStats | None) -> None: ...

    def rewrite_started(self, label: str, count: int, enter_does: str) -> None:
        """Candidates for the task `label` are coming; `enter_does` says what Enter will do with one."""

    def rewrite_chunk(self, row: int, text: str) -> None: ...

    def rewrite_done(self, message: str) -> None: ...

    def choices_ready(self, prefix: str, choices: list[tuple[str, float]]) -> None:
        """The next pieces of text the model weighed (after prefix, the ghost text kept), to pick from."""

    def surprise_changed(self, start: int, ranks: list[TokenSurprise]) -> None:
        """Colours for the paragraph starting at start (ranks relative to it); [] clears them."""

    def rewrite_candidates(self, texts: list[str], marks: list[str] | None = None) -> None:
        """The finished candidates in their final order (ranked, duplicates dropped); for a task with a
        form, what of it each keeps ("✓ 7 字 ✗ 押 ang"), one text per candidate."""
