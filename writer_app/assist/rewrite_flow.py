"""A rewrite of the selection: the passage it was asked for, its request, the candidates streaming in,
and replacing the passage with one of them. Part of the writing session (it shares its requests,
engine, settings, model and listener); no Qt.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from writer_app.assist.ports import Edit
from writer_app.assist.prompts import estimate_tokens, mode_by_id, rewrite_prompt
from writer_app.assist.requests import AssistError, AssistRequest, RequestKind, Role, sampling_from
from writer_app.engine.generate import GenerationResult

if TYPE_CHECKING:
    from writer_app.assist.session import WritingSession

LOADING_MESSAGE = "The model is still loading; try again in a moment."


@dataclass
class RewriteTarget:
    start: int
    end: int
    text: str
    revision: int  # the document revision the passage was selected on
    request_id: int | None = None
    candidates: list[str] = field(default_factory=list)


class RewriteFlow:
    def __init__(self, session: WritingSession) -> None:
        self.session = session
        self.target: RewriteTarget | None = None

    def begin(self, start: int, end: int, text: str) -> None:
        self.close()
        self.target = RewriteTarget(start, end, text, self.session.revision)

    def run(self, mode_id: str) -> bool:
        """Ask for candidates in this mode, on the instruction model, in the prompt form it follows. A
        separate instruction model is loaded first when it is not yet. Refused (and said why) while the
        shared model is loading: its form is not known yet."""
        target = self.target
        if target is None:
            return False
        instruction = self.session.instruction
        started = instruction.when_ready(lambda: self._submit(mode_id, target))
        if not started:
            error = instruction.state.error
            self.session.listener.rewrite_done(
                LOADING_MESSAGE if error is None else self.session.explain(error)
            )
        elif instruction.state.loading:
            self.session.listener.rewrite_done(f"Loading the instruction model {instruction.ref()}…")
        return started

    def _submit(self, mode_id: str, target: RewriteTarget) -> None:
        session = self.session
        info = session.instruction.info()
        if target is not self.target or info is None:
            return  # closed, or another passage chosen, while the instruction model loaded
        session.requests.cancel(target.request_id)
        session.requests.cancel_all(RequestKind.WARM)
        mode = mode_by_id(mode_id)
        plan = rewrite_prompt(
            mode,
            target.text,
            selection_tokens=estimate_tokens(target.text),
            template=info.chat_template if info.follows_instructions else None,
        )
        request = session.requests.add(
            AssistRequest(
                request_id=session.requests.new_id(),
                kind=RequestKind.REWRITE,
                prompt=plan.prompt,
                revision=session.revision,
                max_new_tokens=plan.max_new_tokens,
                sampling=sampling_from(session.settings),
                num_alternatives=session.settings.alternatives,
                stop_at=plan.stop_at,
                role=Role.INSTRUCTION,
            )
        )
        target.request_id = request.request_id
        target.candidates = [""] * request.num_alternatives
        session.listener.rewrite_started(mode.label, request.num_alternatives)
        session.engine.submit(request)

    def apply(self, row: int, current_text: str) -> Edit | None:
        """The replacement for the selection with candidate `row`, or None (and why) when it cannot be
        applied: `current_text` is the document's text at the target now."""
        session, target = self.session, self.target
        if target is None or not 0 <= row < len(target.candidates):
            return None
        replacement = target.candidates[row].strip()
        if not replacement:
            return None
        if session.revision != target.revision or current_text != target.text:
            session.listener.rewrite_done(
                "The text changed since the rewrite began; select it and try again."
            )
            return None
        self.close()
        session.listener.message("Replaced. Ctrl+Z restores the original.")
        return Edit(target.start, target.end, replacement)

    def close(self) -> None:
        if self.target is not None:
            self.session.requests.cancel(self.target.request_id)
        self.target = None

    # --- results, routed here by the session -------------------------------------------------------
    def _for(self, request: AssistRequest) -> RewriteTarget | None:
        target = self.target
        return target if target is not None and target.request_id == request.request_id else None

    def chunk(self, request: AssistRequest, row: int, text: str) -> None:
        target = self._for(request)
        if target is not None and 0 <= row < len(target.candidates):
            target.candidates[row] += text
            self.session.listener.rewrite_chunk(row, text)

    def finished(self, request: AssistRequest, result: GenerationResult | None) -> None:
        self.session.record_stats(request, result)
        target = self._for(request)
        if target is not None:
            target.request_id = None
            self.session.listener.rewrite_done(
                "Enter replaces the selection with the highlighted candidate; Esc keeps it."
            )

    def failed(self, request: AssistRequest, error: AssistError) -> None:
        target = self._for(request)
        message = self.session.explain(error)
        if target is not None:
            target.request_id = None
            self.session.listener.rewrite_done(message)
        else:
            self.session.listener.message(message)
