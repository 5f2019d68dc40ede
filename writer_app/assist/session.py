"""The writing session: what the writer asked for, and what happens to the answer. No Qt.

One object owns every request: it builds continuation, rewrite and warm-up requests from the document
and the cursor, chooses the prompt form from the loaded model, maps settings to sampling, keeps the
registry of live requests, drops results whose request or document revision is stale, decides when to
warm the cache and when to suggest by itself, and routes chunks, finishes and failures by the request's
kind. The window and the editor are adapters: a key becomes a call here, a call on the listener becomes
a widget update. Tests drive it with a fake engine, clock and document.
"""

from __future__ import annotations

from dataclasses import replace

from writer_app.assist.chat_artefacts import uses_markdown
from writer_app.assist.context_window import ContextWindow
from writer_app.assist.continuation_flow import ContinuationFlow, WarmFlow
from writer_app.assist.flow import FlowContext, RequestFlow, Timers
from writer_app.assist.instruction_model import InstructionModel
from writer_app.assist.language_match import GLANCE_CHARS, refusal, unwritten_language
from writer_app.assist.model_text import fit_for_document
from writer_app.assist.notes import DocumentNotes, with_notes
from writer_app.assist.ports import (
    Clock,
    Document,
    Edit,
    EngineClient,
    Ghost,
    ModelState,
    SessionListener,
)
from writer_app.assist.prompts import CONTINUATION_NO_REPEAT, CONTINUATION_PROMPT_TOKENS
from writer_app.assist.requests import (
    AssistError,
    AssistRequest,
    ModelInfo,
    RequestKind,
    RequestRegistry,
    Role,
    sampling_from,
)
from writer_app.assist.rewrite_flow import RewriteFlow, RewriteTarget, output_of, task_span
from writer_app.assist.suggestion import Suggestion, mid_word
from writer_app.assist.surprise_view import SurpriseView
from writer_app.assist.tasks import Task, find_task, load_tasks_saying_problems
from writer_app.assist.word_choices import WordChoices
from writer_app.assist.wording import explain_error, task_language, tr
from writer_app.engine.completion import GenerationResult, GenerationStats
from writer_app.settings import Settings

WARM_DELAY_MS = 300  # a pause this long in typing or moving the cursor warms the model's cache
# Characters per token before any request has measured it: English prose with GPT-2's vocabulary runs
# 4 to 5. A wrong guess costs little: the engine cuts an over-long prompt at stable steps, and the first
# measurement corrects the window (down at once).
INITIAL_CHARS_PER_TOKEN = 4.0


class WritingSession:
    def __init__(
        self,
        settings: Settings,
        engine: EngineClient,
        clock: Clock,
        document: Document,
        listener: SessionListener,
    ) -> None:
        self.settings = settings
        self.engine = engine
        self.document = document
        self.listener = listener
        self.requests = RequestRegistry()
        self.timers = Timers(clock)
        self.revision = 0
        self.model = ModelState()
        self.continuation_ref = ""
        self.tasks: list[Task] = []
        self.notes = DocumentNotes()
        self.suggestion: Suggestion | None = None
        self.composing = False
        self.last_stats: GenerationStats | None = None
        self.window = ContextWindow(int(CONTINUATION_PROMPT_TOKENS * INITIAL_CHARS_PER_TOKEN))
        self._chars_per_token = INITIAL_CHARS_PER_TOKEN
        context = FlowContext(document, engine, listener, self.requests, self.timers, self)
        self.instruction = InstructionModel(context)
        self.rewrites = RewriteFlow(context, self.instruction, lambda: self.tasks)
        self.surprise = SurpriseView(context)
        self.choices = WordChoices(context)
        self._flows: dict[RequestKind, RequestFlow] = {
            RequestKind.CONTINUE: ContinuationFlow(self),
            RequestKind.REWRITE: self.rewrites,
            RequestKind.WARM: WarmFlow(),
            RequestKind.SURPRISE: self.surprise,
            RequestKind.CHOICES: self.choices,
        }
        self.tasks = load_tasks_saying_problems(self.listener.message)

    # --- the model ----------------------------------------------------------------------------------
    def load_model(self, model_ref: str) -> None:
        self.requests.cancel_all()
        self.continuation_ref = model_ref
        self._set_model(ModelState(loading=True))
        self.engine.load(model_ref, self.settings.threads)
        self.instruction.settings_changed()

    def model_loaded(self, info: ModelInfo, role: Role = Role.CONTINUATION) -> None:
        if role is Role.INSTRUCTION:
            self.instruction.loaded(info)
            return
        self._set_model(ModelState(info=info))
        self.window.reset()
        self._fit_window()
        self.listener.message(
            tr("Model {name} ready. Ctrl+Space suggests, Ctrl+R rewrites.").format(name=info.name)
        )
        self._schedule_warm()

    def model_failed(self, error: AssistError, role: Role = Role.CONTINUATION) -> None:
        if role is Role.INSTRUCTION:
            self.instruction.failed(error)
            return
        self._set_model(ModelState(error=error))
        self.listener.message(self.explain(error))

    def _set_model(self, state: ModelState) -> None:
        self.model = state
        self.listener.model_changed(state)

    def _token_budget(self) -> int:
        """Prompt tokens a continuation may use: our cap, within the model's context."""
        info = self.model.info
        if info is None:
            return CONTINUATION_PROMPT_TOKENS
        room = info.context_length - self.settings.suggestion_tokens - 1
        return max(1, min(CONTINUATION_PROMPT_TOKENS, room))

    def _fit_window(self) -> None:
        # 0.9: the character estimate of the token budget errs short, so the engine rarely has to cut.
        # The memory and author's note come out of the same budget.
        room = max(1, self._token_budget() - self.notes.tokens())
        self.window.resize(int(room * self._chars_per_token * 0.9))

    def set_notes(self, notes: DocumentNotes) -> None:
        """The document's memory and author's note; the next request reads them."""
        self.notes = notes
        self._fit_window()
        self.dismiss()

    def prompt_budget(self) -> tuple[int, int]:
        """(tokens the notes take, tokens a continuation may read in all): what the notes panel shows."""
        return self.notes.tokens(), self._token_budget()

    def usable(self) -> bool:
        """True when a request can be made now (continuations queue behind a load); else says why."""
        if self.model.error is not None:
            self.listener.message(self.explain(self.model.error))
            return False
        return True

    explain = staticmethod(explain_error)

    # --- the document -------------------------------------------------------------------------------
    def edit(self, position: int, removed: int, added: int, *, own: bool = False) -> None:
        """The document changed. `own` edits are the session's (accepted or typed-through text)."""
        self.revision += 1
        self.window.edit(position, removed, added)
        self.choices.written.edit(position, removed, added)
        if own:
            if self.suggestion is not None:
                self.suggestion.revision = self.revision
            return
        self.dismiss()
        self._schedule_warm()
        if self.surprise.on:
            self.surprise.stale()
            self.surprise.schedule()
        if self.settings.auto_suggest:
            self.timers.restart("auto", self.settings.auto_suggest_delay_ms, self.auto_suggest)

    def document_replaced(self) -> None:
        """A new file (or a new document): nothing shown or pending belongs to it, the last speed
        figure included (it was measured on the other document's text)."""
        self.dismiss()
        self.close_rewrite()
        self.window.reset()
        if self.last_stats is not None:
            self.last_stats = None
            self.listener.stats_changed(None)

    def cursor_moved(self) -> None:
        self._schedule_warm()
        self.surprise.schedule()

    def set_composing(self, composing: bool) -> None:
        self.composing = composing
        if composing:
            self.dismiss()

    def settings_changed(self, settings: Settings) -> None:
        self.settings = settings
        self._fit_window()
        self.instruction.settings_changed()

    # --- continuation -------------------------------------------------------------------------------
    def request_suggestion(self, starting_with: str = "") -> bool:
        """Ctrl+Space: suggest a continuation at the cursor (one that begins with `starting_with`, when
        the writer picked its first words). False when nothing was asked."""
        if self.composing or not self.usable():
            return False
        self.timers.cancel("warm", "surprise")
        self.requests.cancel_all(RequestKind.WARM, RequestKind.SURPRISE, RequestKind.CHOICES)
        self.dismiss()
        cursor, _ = self.document.cursor()
        language = self._unwritten_language(cursor)
        if language is not None and self.model.info is not None:
            self.listener.message(refusal(self.model.info.name, language))
            return False
        request = self.continuation_request(
            RequestKind.CONTINUE,
            cursor,
            num_alternatives=self.settings.alternatives,
            stop_at=self._continuation_stop(cursor),
            sampling=replace(sampling_from(self.settings), no_repeat_ngram=CONTINUATION_NO_REPEAT),
        )
        request.prompt += starting_with
        self.suggestion = Suggestion(
            request.request_id,
            cursor,
            request.num_alternatives,
            self.revision,
            start=starting_with,
            markdown_is_prose=uses_markdown(request.prompt),
        )
        self.engine.submit(request)
        if starting_with:
            self.publish_ghost()
        return True

    def _unwritten_language(self, cursor: int) -> str | None:
        """The language of the text before the cursor when the ghost-text model does not write it."""
        info = self.model.info
        if info is None:
            return None
        return unwritten_language(info.languages, self.document.text(max(0, cursor - GLANCE_CHARS), cursor))

    def _continuation_stop(self, cursor: int) -> str:
        """Ghost text ends with the paragraph it continues (at an empty line: with the one it begins),
        and at the sentence's end when Settings say so."""
        if self.settings.stop_at_sentence:
            return "sentence"
        start, _end = self.document.paragraph_at(cursor)
        before = self.document.text(max(start, cursor - 64), cursor)  # a glance, not the paragraph
        return "line" if before.strip() else "newline"

    def continuation_request(self, kind: RequestKind, cursor: int, **kwargs) -> AssistRequest:
        """A request on the window before the cursor. Suggestions and warm-ups share it, so a warm-up
        runs exactly the prompt the next suggestion reuses."""
        start, end = self.window.span(cursor, self.document.text)
        prompt = with_notes(self.notes, self.document.text(start, end))
        request = AssistRequest(
            request_id=self.requests.new_id(),
            kind=kind,
            prompt=prompt,
            revision=self.revision,
            max_new_tokens=self.settings.suggestion_tokens,
            max_prompt_tokens=self._token_budget(),
            time_budget_ms=self.settings.suggestion_ms or None,
            **kwargs,
        )
        return self.requests.add(request)

    def auto_suggest(self) -> bool:
        """After a pause in typing: suggest if the writer would want it now."""
        if not self.settings.auto_suggest or self.model.info is None or self.suggestion is not None:
            return False
        cursor, selected = self.document.cursor()
        if self.composing or selected or not self.document.has_focus():
            return False
        if mid_word(self.document.char_at(cursor)):
            return False  # a suggestion would split the word
        return self.request_suggestion()

    def warm(self) -> bool:
        """Run the text before the cursor into the cache, unless the model is busy with the writer's own
        request. A newer warm-up, suggestion or rewrite cancels it within one prefill chunk."""
        busy = any(self.requests.live(RequestKind.CONTINUE, RequestKind.REWRITE))
        if self.model.info is None or busy or self.suggestion is not None or self.composing:
            return False
        self.requests.cancel_all(RequestKind.WARM)
        cursor, _ = self.document.cursor()
        if self._unwritten_language(cursor) is not None:
            return False  # no suggestion will be asked of this model here: nothing to prepare
        self.engine.submit(self.continuation_request(RequestKind.WARM, cursor))
        return True

    def _schedule_warm(self) -> None:
        self.timers.restart("warm", WARM_DELAY_MS, self.warm)

    # --- the suggestion: accept, type through, cycle, dismiss ----------------------------------------
    def ghost_text(self) -> str:
        """The ghost text shown now ("" when none)."""
        return self.suggestion.ghost if self.suggestion is not None else ""

    def ghost(self) -> Ghost | None:
        s = self.suggestion
        if s is None or not s.ghost:
            return None
        return Ghost(s.request_id, s.anchor, s.ghost, s.index, len(s.alternatives))

    def publish_ghost(self) -> None:
        self.listener.ghost_changed(self.ghost())

    def accept_all(self) -> Edit | None:
        s = self.suggestion
        if s is None or not s.ghost:
            return None
        text = s.take_all()
        self.suggestion = None
        self.requests.cancel(s.request_id)  # stop generating the rest
        self.publish_ghost()
        return self._accepted(s.anchor - len(text), text)

    def accept_word(self) -> Edit | None:
        s = self.suggestion
        if s is None or not s.ghost:
            return None
        word = s.take_word()
        if not s.ghost and s.finished:
            self.dismiss()
        else:
            self.publish_ghost()
        return self._accepted(s.anchor - len(word), word)

    def _accepted(self, position: int, text: str) -> Edit:
        self.choices.written.expect(position, len(text))  # the model's text, until the writer edits it
        return Edit(position, position, text)

    def type_through(self, position: int, text: str) -> Edit | None:
        """The writer typed `text` at `position`: if it matches the ghost there, the ghost shrinks and
        the text is the session's own edit; None means it is an ordinary edit (which dismisses)."""
        s = self.suggestion
        if s is None or position != s.anchor or not s.type_through(text):
            return None
        if not s.ghost and s.finished:
            self.dismiss()
        else:
            self.publish_ghost()
        return Edit(position, position, text)

    def cycle(self, step: int) -> bool:
        """Alt+] / Alt+[: the next or previous alternative, and which of how many it is."""
        suggestion = self.suggestion
        if suggestion is None or not suggestion.cycle(step):
            return False
        self.publish_ghost()
        viable = suggestion.viable()
        if suggestion.index in viable:
            self.listener.message(
                tr("Suggestion {n} of {m}").format(n=viable.index(suggestion.index) + 1, m=len(viable))
            )
        return True

    def dismiss(self) -> None:
        if self.suggestion is None:
            return
        self.requests.cancel(self.suggestion.request_id)
        self.suggestion = None
        self.publish_ghost()

    # --- word choices, the surprise view, the instruction model: the window's commands -------------------
    def request_choices(self) -> bool:
        """Alt+Down: ask for the words the model weighs at the cursor (a menu opens when they come)."""
        return self.choices.request()

    def choice_rest(self) -> Edit | None:
        """Before a picked word writes on from inside the model's own accepted text: the edit that takes
        out the rest of that text (None when there is none)."""
        return self.choices.take_out_rest()

    def choose(self, text: str, prefix: str = "") -> bool:
        """The writer picked `text` (after the ghost text kept, `prefix`): a suggestion begins with it."""
        return self.choices.choose(text, prefix)

    def show_surprise(self, on: bool) -> None:
        self.surprise.toggle(on)

    def instruction_state(self) -> ModelState | None:
        """The separate instruction model's state; None when rewrites run on the continuation model."""
        return self.instruction.state if self.instruction.separate else None

    def unload_instruction_model(self) -> None:
        self.instruction.unload()

    # --- rewrite: its own flow, sharing the session's requests, engine and listener ---------------------
    @property
    def rewrite(self) -> RewriteTarget | None:
        return self.rewrites.target

    def begin_rewrite(self, start: int, end: int, text: str) -> None:
        self.dismiss()
        self.rewrites.begin(start, end, text)

    def rewrite_selection(self) -> str | None:
        """Ctrl+R: a rewrite of the selected passage begins; its text, or None (and why) without one."""
        selection = self.document.selection()
        if selection is None:
            self.listener.message(tr("Select the passage to rewrite first."))
            return None
        text = self.document.text(*selection)
        self.begin_rewrite(*selection, text)
        return text

    def begin_task(self, task_id: str) -> str | None:
        """A task begins on the text it reads (see task_span); that text, or None (and why) if empty."""
        task = find_task(self.tasks, task_id)
        start, end = task_span(self.document, task)
        text = self.document.text(start, end)
        if not text.strip():
            problem = tr("{task}: there is no text here to work on.")
            self.listener.message(problem.format(task=task.label(task_language())))
            return None
        self.begin_rewrite(start, end, text)
        return text

    def run_rewrite(self, task_id: str) -> bool:
        return self.usable() and self.rewrites.run(task_id)

    def apply_rewrite(self, row: int, *, insert: bool = False) -> Edit | None:
        """The edit that uses candidate row (None: nothing to change, and why). A task whose result is
        only shown changes the document only when the writer asks to `insert` it."""
        return self.rewrites.apply(row, insert=insert)

    def rewrite_shown_only(self) -> bool:
        """True while the open task's result is only shown (Enter copies it; inserting is asked for)."""
        target = self.rewrites.target
        return target is not None and output_of(target.task) == "panel"

    def close_rewrite(self) -> None:
        self.rewrites.close()

    # --- results from the model thread: each to the flow of its request's kind ------------------------
    def chunk(self, request_id: int, row: int, text: str) -> None:
        request = self.requests.get(request_id)
        if request is not None:
            self._flows[request.kind].chunk(request, row, fit_for_document(text))

    def finished(self, request_id: int, result: GenerationResult | None) -> None:
        request = self.requests.pop(request_id)
        if request is None:
            return
        if result is not None and request.kind is not RequestKind.REWRITE:  # windows of the document only
            self._learn_chars_per_token(len(request.prompt), result.stats)
        self._flows[request.kind].finished(request, result)

    def failed(self, request_id: int, error: AssistError) -> None:
        request = self.requests.pop(request_id)
        if request is not None:
            self._flows[request.kind].failed(request, error)

    def _learn_chars_per_token(self, chars: int, stats: GenerationStats) -> None:
        """Size the window from what the model's tokenizer really made of recent prompts."""
        tokens = stats.prompt_tokens + stats.cut_tokens
        if chars < 200 or tokens < 50:
            return
        measured = chars / tokens
        # Down at once (the window must fit the budget now); up gradually (one long word is no trend).
        updated = min(measured, 0.7 * self._chars_per_token + 0.3 * measured)
        if abs(updated - self._chars_per_token) / self._chars_per_token > 0.02:
            self._chars_per_token = updated
            self._fit_window()

    def record_stats(self, request: AssistRequest, result: GenerationResult | None) -> None:
        """The status bar's speed: the last request that ran to its end (cancelled ones do not count)."""
        if result is not None and not request.cancel.is_set():
            self.last_stats = result.stats
            self.listener.stats_changed(result.stats)

    def shutdown(self) -> None:
        self.timers.cancel_all()
        self.requests.cancel_all()
        self.suggestion = None
        self.rewrites.target = None

    @property
    def busy(self) -> bool:  # any request in flight
        return len(self.requests) > 0
