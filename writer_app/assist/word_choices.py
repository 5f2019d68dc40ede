"""The words the model weighed (mikupad, NovelAI): at the cursor, or at a word of the ghost text, the
most likely next pieces of text with their probabilities; picking one starts a new suggestion with it,
so the model writes on from the writer's choice. Inside text the model wrote and the writer accepted,
picking one also takes out the rest of that text (one undo step), so the model writes it anew from
there. Text the writer has edited is theirs: it is no longer the model's. Part of the session; no Qt."""

from __future__ import annotations

from writer_app.assist.flow import FlowContext
from writer_app.assist.model_text import fit_for_document
from writer_app.assist.ports import Edit
from writer_app.assist.requests import AssistError, AssistRequest, RequestKind
from writer_app.assist.wording import no_probabilities
from writer_app.engine.completion import GenerationResult

CHOICES_SHOWN = 8


class WrittenText:
    """Where the document holds text the model wrote and the writer accepted, as it moves with edits."""

    def __init__(self) -> None:
        self.spans: list[tuple[int, int]] = []
        self._expected: tuple[int, int] | None = None

    def expect(self, position: int, length: int) -> None:
        """An accepted suggestion is about to be inserted here."""
        self._expected = (position, length)

    def edit(self, position: int, removed: int, added: int) -> None:
        kept = []
        for start, end in self.spans:
            if end <= position:
                kept.append((start, end))
            elif start >= position + removed:
                kept.append((start + added - removed, end + added - removed))
            # an edit inside the model's text makes it the writer's: the span is dropped
        if self._expected == (position, added) and removed == 0:
            kept.append((position, position + added))
        self._expected = None
        self.spans = _merged(kept)

    def at(self, position: int) -> tuple[int, int] | None:
        return next(((s, e) for s, e in self.spans if s <= position < e), None)


def _merged(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if out and start <= out[-1][1]:
            out[-1] = (out[-1][0], max(end, out[-1][1]))
        else:
            out.append((start, end))
    return out


class WordChoices:
    def __init__(self, context: FlowContext) -> None:
        self.context = context
        self.session = context.session
        self.written = WrittenText()
        self._prefix: dict[int, str] = {}  # request id -> the ghost text kept before the choice
        self.rest: tuple[int, int] | None = None  # the model's text after the cursor, for the shown choices

    def request(self, ghost_offset: int = 0) -> bool:
        """Ask what the model weighs after the cursor and the first ghost_offset characters of the ghost
        text (0: right at the cursor)."""
        session, context = self.session, self.context
        if session.composing or not session.usable() or session.model.info is None:
            return False
        if not session.model.info.logprobs:
            context.listener.message(no_probabilities())
            return False
        prefix = session.ghost_text()[: max(0, ghost_offset)]
        context.requests.cancel_all(RequestKind.WARM, RequestKind.SURPRISE, RequestKind.CHOICES)
        cursor, _ = context.document.cursor()
        request = session.continuation_request(RequestKind.CHOICES, cursor, num_alternatives=CHOICES_SHOWN)
        request.prompt += prefix
        self._prefix[request.request_id] = prefix
        span = None if prefix else self.written.at(cursor)
        self.rest = (cursor, span[1]) if span is not None else None
        context.engine.submit(request)
        return True

    def take_out_rest(self) -> Edit | None:
        """The edit that removes the model's text after the cursor, before a choice writes it anew."""
        rest, self.rest = self.rest, None
        cursor, _ = self.context.document.cursor()
        if rest is None or rest[0] != cursor or rest[1] <= cursor:
            return None
        return Edit(rest[0], rest[1], "")

    def choose(self, text: str, prefix: str = "") -> bool:
        """Start a suggestion that begins with the ghost text kept and the chosen piece."""
        return self.session.request_suggestion(starting_with=prefix + text)

    # --- results, routed here by the session -------------------------------------------------------
    def chunk(self, request: AssistRequest, row: int, text: str) -> None:
        pass  # the choices come whole, at the end

    def finished(self, request: AssistRequest, result: GenerationResult | None) -> None:
        prefix = self._prefix.pop(request.request_id, "")
        fresh = request.revision == self.session.revision
        if fresh and result is not None and result.choices:
            choices = [(fit_for_document(text), p) for text, p in result.choices if fit_for_document(text)]
            self.context.listener.choices_ready(prefix, choices)

    def failed(self, request: AssistRequest, error: AssistError) -> None:
        self._prefix.pop(request.request_id, None)
        self.context.listener.message(self.session.explain(error))
