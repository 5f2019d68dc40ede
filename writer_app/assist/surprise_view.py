"""The surprise view (GLTR): while it is on, the paragraph at the cursor is coloured by how predictable
each word was to the model. Scored in the background after a pause, on the continuation model; any edit
makes the colours stale (they are cleared, and the paragraph is scored again after the next pause), and
a suggestion the writer asks for cancels the scoring at once. Part of the session; no Qt."""

from __future__ import annotations

from writer_app.assist.flow import FlowContext
from writer_app.assist.requests import AssistError, AssistRequest, RequestKind
from writer_app.assist.wording import no_probabilities, tr
from writer_app.engine.completion import GenerationResult

SURPRISE_DELAY_MS = 600
# How far around the cursor a paragraph is looked for, and how much text before it is read as context.
PARAGRAPH_REACH = 3000
CONTEXT_CHARS = 1500


class SurpriseView:
    def __init__(self, context: FlowContext) -> None:
        self.context = context
        self.session = context.session
        self.on = False
        self._starts: dict[int, int] = {}  # request id -> where its paragraph starts in the document

    def toggle(self, on: bool) -> None:
        self.on = on
        self.stale()
        if on:
            self.schedule()

    def stale(self) -> None:
        """The text changed: the colours no longer fit it."""
        self.context.requests.cancel_all(RequestKind.SURPRISE)
        self.context.listener.surprise_changed(0, [])

    def schedule(self) -> None:
        if self.on:
            self.context.timers.restart("surprise", SURPRISE_DELAY_MS, self.request)

    def paragraph(self) -> tuple[int, int]:
        """The paragraph at the cursor: between the blank lines (or line breaks) around it."""
        document = self.context.document
        cursor, _ = document.cursor()
        low = max(0, cursor - PARAGRAPH_REACH)
        before = document.text(low, cursor)
        after = document.text(cursor, cursor + PARAGRAPH_REACH)
        start = low + before.rfind("\n") + 1 if "\n" in before else low
        end = cursor + (after.find("\n") if "\n" in after else len(after))
        return start, end

    def request(self) -> bool:
        session, context = self.session, self.context
        if not self.on or session.model.info is None:
            return False
        if not session.model.info.logprobs:
            context.listener.message(no_probabilities())
            return False
        context.requests.cancel_all(RequestKind.SURPRISE)
        start, end = self.paragraph()
        passage = context.document.text(start, end)
        if not passage.strip():
            return False
        request = context.requests.add(
            AssistRequest(
                request_id=context.requests.new_id(),
                kind=RequestKind.SURPRISE,
                prompt=context.document.text(max(0, start - CONTEXT_CHARS), start),
                subject=passage,
                revision=session.revision,
            )
        )
        self._starts[request.request_id] = start
        context.engine.submit(request)
        return True

    # --- results, routed here by the session -------------------------------------------------------
    def chunk(self, request: AssistRequest, row: int, text: str) -> None:
        pass  # the ranks come whole, at the end

    def finished(self, request: AssistRequest, result: GenerationResult | None) -> None:
        start = self._starts.pop(request.request_id, None)
        fresh = request.revision == self.session.revision and self.on
        if start is not None and fresh and result is not None and result.surprise is not None:
            self.context.listener.surprise_changed(start, result.surprise)

    def failed(self, request: AssistRequest, error: AssistError) -> None:
        self._starts.pop(request.request_id, None)
        self.context.listener.message(
            tr("The surprise view could not score this paragraph: {reason}").format(reason=error.message)
        )
