"""The words the model weighed (mikupad, NovelAI): at the cursor, or at a word of the ghost text, the
most likely next pieces of text with their probabilities; picking one starts a new suggestion with it,
so the model writes on from the writer's choice. Part of the session; no Qt."""

from __future__ import annotations

from typing import TYPE_CHECKING

from writer_app.assist.requests import AssistError, AssistRequest, RequestKind
from writer_app.engine.completion import GenerationResult

if TYPE_CHECKING:
    from writer_app.assist.session import WritingSession

CHOICES_SHOWN = 8


class WordChoices:
    def __init__(self, session: WritingSession) -> None:
        self.session = session
        self._prefix: dict[int, str] = {}  # request id -> the ghost text kept before the choice

    def request(self, ghost_offset: int = 0) -> bool:
        """Ask what the model weighs after the cursor and the first ghost_offset characters of the ghost
        text (0: right at the cursor)."""
        session = self.session
        if session.composing or not session.usable() or session.model.info is None:
            return False
        suggestion = session.suggestion
        prefix = suggestion.ghost[: max(0, ghost_offset)] if suggestion is not None else ""
        session.requests.cancel_all(RequestKind.WARM, RequestKind.SURPRISE, RequestKind.CHOICES)
        cursor, _ = session.document.cursor()
        request = session._continuation(RequestKind.CHOICES, cursor, num_alternatives=CHOICES_SHOWN)
        request.prompt += prefix
        self._prefix[request.request_id] = prefix
        session.engine.submit(request)
        return True

    def choose(self, text: str, prefix: str = "") -> bool:
        """Start a suggestion that begins with the ghost text kept and the chosen piece."""
        return self.session.request_suggestion(starting_with=prefix + text)

    # --- results, routed here by the session -------------------------------------------------------
    def finished(self, request: AssistRequest, result: GenerationResult | None) -> None:
        prefix = self._prefix.pop(request.request_id, "")
        fresh = request.revision == self.session.revision
        if fresh and result is not None and result.choices:
            self.session.listener.choices_ready(prefix, result.choices)

    def failed(self, request: AssistRequest, error: AssistError) -> None:
        self._prefix.pop(request.request_id, None)
        self.session.listener.message(self.session.explain(error))
