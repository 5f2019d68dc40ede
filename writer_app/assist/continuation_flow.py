"""The answers to the session's own requests: ghost text streaming into the suggestion it was asked
for (dropped when the writer has moved on), and warm-ups, whose answer shows nothing. Part of the
session (they read and change the suggestion it shows); no Qt."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from writer_app.assist.requests import AssistError, AssistRequest
from writer_app.assist.suggestion import Suggestion
from writer_app.assist.wording import tr
from writer_app.engine.completion import GenerationResult

if TYPE_CHECKING:
    from writer_app.assist.session import WritingSession

log = logging.getLogger(__name__)


class ContinuationFlow:
    """Ghost text streaming in: into the suggestion it was asked for, if that is still the one shown."""

    def __init__(self, session: WritingSession) -> None:
        self.session = session

    def _current(self, request: AssistRequest) -> Suggestion | None:
        """The suggestion this request feeds, if it is still the one shown on this revision."""
        s = self.session.suggestion
        if s is None or s.request_id != request.request_id or s.revision != self.session.revision:
            return None
        return s

    def chunk(self, request: AssistRequest, row: int, text: str) -> None:
        s = self._current(request)
        if s is None:
            return  # stale: the writer moved on; never inserted at a wrong place
        s.append(row, text)
        if row == s.index or not s.ghost:
            if not s.ghost and s.viable():
                s.cycle(1)
            self.session.publish_ghost()

    def finished(self, request: AssistRequest, result: GenerationResult | None) -> None:
        session = self.session
        session.record_stats(request, result)
        s = self._current(request)
        if s is None:
            return
        s.finished = True
        if not s.viable():
            session.suggestion = None
            session.publish_ghost()
            session.listener.message(tr("The model had nothing to suggest here."))

    def failed(self, request: AssistRequest, error: AssistError) -> None:
        session = self.session
        shown = self._current(request)
        if shown is not None and not shown.ghost:  # text already streamed stays for the writer to take
            session.suggestion = None
            session.publish_ghost()
        session.listener.message(session.explain(error))


class WarmFlow:
    """A warm-up's answer: nothing to show (the writer asked for nothing)."""

    def chunk(self, request: AssistRequest, row: int, text: str) -> None:
        pass

    def finished(self, request: AssistRequest, result: GenerationResult | None) -> None:
        if result is not None:
            log.debug("warmed %d tokens, %d reused", result.stats.prompt_tokens, result.stats.reused_tokens)

    def failed(self, request: AssistRequest, error: AssistError) -> None:
        log.debug("warm-up failed (%s): %s", error.kind.value, error.message)
