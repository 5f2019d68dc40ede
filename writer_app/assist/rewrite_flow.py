"""A rewrite of the selection: the passage it was asked for, its request, the candidates streaming in,
and replacing the passage with one of them. Part of the writing session (it shares its requests,
engine, settings, model and listener); no Qt.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from functools import partial

from writer_app.assist.candidates import language_of, rank, wanted_language
from writer_app.assist.claims import ad_blocked_phrases
from writer_app.assist.flow import FlowContext
from writer_app.assist.instruction_model import InstructionModel
from writer_app.assist.language_match import refusal, unwritten_language
from writer_app.assist.model_text import fit_for_document
from writer_app.assist.ports import Document, Edit
from writer_app.assist.prompts import estimate_tokens, task_prompt
from writer_app.assist.requests import AssistError, AssistRequest, RequestKind, Role, sampling_from
from writer_app.assist.tasks import Task, find_task
from writer_app.assist.wording import still_loading, task_language, tr
from writer_app.engine.cjk import CJK_LETTERS, CJK_PUNCTUATION
from writer_app.engine.completion import GenerationResult
from writer_app.errors import ModelError
from writer_app.forms.check import check_form
from writer_app.forms.constraint import FormConstraint
from writer_app.forms.spec import FormError, FormSpec

_CJK = re.compile(f"[{CJK_LETTERS}{CJK_PUNCTUATION}]")
# How much a task may read: before the cursor, the newest characters; of a document, its beginning.
BEFORE_CURSOR_CHARS = 4000
DOCUMENT_CHARS = 12000


def task_span(document: Document, task: Task) -> tuple[int, int]:
    """The document range a task reads. A selection always wins for selection and paragraph tasks;
    without one, a selection task reads the paragraph at the cursor."""
    cursor, _ = document.cursor()
    selection = document.selection()
    if task.reads in ("selection", "paragraph"):
        return selection if selection is not None else document.paragraph_at(cursor)
    if task.reads == "before_cursor":
        return max(0, cursor - BEFORE_CURSOR_CHARS), cursor
    return 0, min(document.length(), DOCUMENT_CHARS)


@dataclass
class RewriteTarget:
    start: int
    end: int
    text: str
    revision: int  # the document revision the passage was selected on
    request_id: int | None = None
    candidates: list[str] = field(default_factory=list)
    task: Task | None = None
    form: FormSpec | None = None  # the task's form made concrete for this passage


class RewriteFlow:
    """A rewrite or task on a passage: its request, its candidates, and using one."""

    def __init__(
        self, context: FlowContext, instruction: InstructionModel, tasks: Callable[[], list[Task]]
    ) -> None:
        self.context = context
        self.session = context.session
        self.instruction = instruction
        self.tasks = tasks
        self.target: RewriteTarget | None = None

    def begin(self, start: int, end: int, text: str) -> None:
        self.close()
        self.target = RewriteTarget(start, end, text, self.session.revision)

    def run(self, task_id: str) -> bool:
        """Ask for candidates for this task, on the instruction model, in the prompt form it follows. A
        separate instruction model is loaded first when it is not yet. Refused (and said why) while the
        shared model is loading: its form is not known yet."""
        target = self.target
        if target is None:
            return False
        instruction = self.instruction
        started = instruction.when_ready(lambda: self._submit(task_id, target))
        if not started:
            error = instruction.state.error
            self.context.listener.rewrite_done(
                still_loading() if error is None else self.session.explain(error)
            )
        elif instruction.state.loading:
            self.context.listener.rewrite_done(
                tr("Loading the instruction model {name}…").format(name=instruction.ref())
            )
        return started

    def _submit(self, task_id: str, target: RewriteTarget) -> None:
        session, context = self.session, self.context
        info = self.instruction.info()
        if target is not self.target or info is None:
            return  # closed, or another passage chosen, while the instruction model loaded
        context.requests.cancel(target.request_id)
        context.requests.cancel_all(RequestKind.WARM, RequestKind.SURPRISE, RequestKind.CHOICES)
        task = find_task(self.tasks(), task_id)
        language = unwritten_language(info.languages, target.text, wanted=wanted_language(task, target.text))
        if language is not None:
            context.listener.rewrite_done(refusal(info.name, language))
            return
        prompt_for = partial(
            task_prompt,
            task,
            target.text,
            text_tokens=estimate_tokens(target.text),
            memory=session.notes.memory,
        )
        try:
            form = task.form.for_text(target.text) if task.form is not None else None
        except FormError as exc:
            context.listener.rewrite_done(str(exc))
            return
        try:
            plan = prompt_for(
                template=info.chat_template if info.follows_instructions else None,
                chat=info.follows_instructions and info.renders_chat,
            )
        except ModelError as exc:  # the model's own template failed (or never finishes): plain prompts
            context.listener.message(tr("{reason}; the task is asked in plain words.").format(reason=exc))
            plan = prompt_for(template=None, chat=False)
        alternatives = task.candidates or session.settings.alternatives
        sampling = sampling_from(session.settings)
        if task.ad_rules:
            sampling = replace(sampling, blocked=(*sampling.blocked, *ad_blocked_phrases()))
        max_new_tokens, stop_at, constraint = plan.max_new_tokens, plan.stop_at, None
        if form is not None:
            constraint = FormConstraint(form)
            # The form decides where the answer ends, and how long it may run; candidates that all keep
            # one form differ only if they are sampled (greedy ones would share every forced line start).
            max_new_tokens, stop_at = max(max_new_tokens, constraint.room_tokens()), None
            if alternatives > 1:
                sampling = replace(sampling, greedy=False)
        request = context.requests.add(
            AssistRequest(
                request_id=context.requests.new_id(),
                kind=RequestKind.REWRITE,
                prompt=plan.prompt,
                revision=session.revision,
                max_new_tokens=max_new_tokens,
                sampling=sampling,
                num_alternatives=alternatives,
                stop_at=stop_at,
                role=Role.INSTRUCTION,
                messages=plan.messages if info.renders_chat else (),
                constraint=constraint,
            )
        )
        target.request_id = request.request_id
        target.task = task
        target.form = form
        target.candidates = [""] * request.num_alternatives
        label = task.label(task_language())
        context.listener.rewrite_started(label, request.num_alternatives, enter_does(task))
        context.engine.submit(request)

    def apply(self, row: int, *, insert: bool = False) -> Edit | None:
        """The edit that uses candidate `row`, or None (and why) when it cannot be used. A task shown in
        the panel changes nothing unless the writer asks to `insert` it; none is used once the passage
        changed since the task began."""
        session, context, target = self.session, self.context, self.target
        if target is None or not 0 <= row < len(target.candidates):
            return None
        replacement = target.candidates[row].strip()
        if not replacement:
            return None
        task = target.task
        output = output_of(task)
        if output == "panel" and not insert:
            context.listener.rewrite_done(enter_does(task))
            return None
        current_text = context.document.text(target.start, target.end)
        if session.revision != target.revision or current_text != target.text:
            context.listener.rewrite_done(
                tr("The text changed since the rewrite began; select it and try again.")
            )
            return None
        self.close()
        if task is not None and output != "replace":
            context.listener.message(tr("Inserted. Ctrl+Z takes it out."))
            if task.reads == "document":  # a summary or title goes where the writer is
                at, _ = context.document.cursor()
                return Edit(at, at, replacement + "\n\n" if at == 0 else "\n\n" + replacement)
            return Edit(target.end, target.end, joined_after(target.text, replacement, task.reads))
        context.listener.message(tr("Replaced. Ctrl+Z restores the original."))
        return Edit(target.start, target.end, replacement)

    def close(self) -> None:
        if self.target is not None:
            self.context.requests.cancel(self.target.request_id)
        self.target = None

    # --- results, routed here by the session -------------------------------------------------------
    def _for(self, request: AssistRequest) -> RewriteTarget | None:
        target = self.target
        return target if target is not None and target.request_id == request.request_id else None

    def chunk(self, request: AssistRequest, row: int, text: str) -> None:
        target = self._for(request)
        if target is not None and 0 <= row < len(target.candidates):
            target.candidates[row] += text
            self.context.listener.rewrite_chunk(row, text)

    def finished(self, request: AssistRequest, result: GenerationResult | None) -> None:
        self.session.record_stats(request, result)
        target = self._for(request)
        ranked = result is not None and (
            len(result.completions) > 1 or target is not None and target.form is not None
        )
        if target is not None and result is not None and ranked:
            # Keeping the form, in the asked language and not a copy of the passage first, then the most
            # probable.
            texts = [fit_for_document(c.text) for c in result.completions]
            means = [c.mean_logprob for c in result.completions]
            order = rank(texts, means, target.text, target.task, target.form)
            target.candidates = [texts[i] for i in order]
            self.context.listener.rewrite_candidates(list(target.candidates), self._form_marks(target))
        if target is not None:
            target.request_id = None
            label = target.task.label(task_language()) if target.task is not None else ""
            count = sum(1 for text in target.candidates if text.strip())
            done = tr("{task}: {count} candidates, the best first.") if count > 1 else tr("{task}: done.")
            if count == 0:
                done = tr("{task}: the model only repeated its instructions. Try again, or a larger model.")
            done = done.format(task=label, count=count)
            wrong = self._wrong_language(target)
            if wrong:
                done += " " + wrong
            info = self.instruction.info()
            if target.form is not None and info is not None and info.where:
                done += " " + tr(
                    "A server keeps a form only as far as it takes a grammar (llama.cpp's server keeps the "
                    "lines, their lengths and an acrostic; rhyme it cannot): its answers were checked "
                    "against the whole form, and ✗ marks what does not hold."
                )
            self.context.listener.rewrite_done(done)

    @staticmethod
    def _form_marks(target: RewriteTarget) -> list[str]:
        """What of the form holds in each candidate, as the panel shows it ("✓ 7 字 ✓ 押 ang")."""
        if target.form is None:
            return []
        return [" ".join(c.mark() for c in check_form(text, target.form)) for text in target.candidates]

    @staticmethod
    def _wrong_language(target: RewriteTarget) -> str:
        """What to tell the writer when even the best candidate is not in the language the task asks
        for (a model that does not write it: SmolLM2 answered a Chinese → English translation in
        Chinese), else ""."""
        wanted = wanted_language(target.task, target.text)
        best = next((text for text in target.candidates if text.strip()), "")
        got = language_of(best)
        if wanted is None or got is None or got == wanted:
            return ""
        names = {"en": tr("English"), "zh": tr("Chinese")}
        return tr(
            "The model answered in {got}, not {wanted}: a model that writes {wanted} may do better."
        ).format(got=names[got], wanted=names[wanted])

    def failed(self, request: AssistRequest, error: AssistError) -> None:
        target = self._for(request)
        message = self.session.explain(error)
        if target is not None:
            target.request_id = None
            self.context.listener.rewrite_done(message)
        else:
            self.context.listener.message(message)


def output_of(task: Task | None) -> str:
    """Where a task's result goes (a passage rewritten by no named task is replaced)."""
    return task.output if task is not None else "replace"


def enter_does(task: Task | None) -> str:
    """What Enter does with the highlighted candidate, said before the writer presses it."""
    output = output_of(task)
    if output == "panel":
        return tr("Shown here only: Enter copies the highlighted candidate; Ctrl+Enter inserts it.")
    if output == "insert_after":
        return tr("Enter inserts the highlighted candidate after the text; Ctrl+C copies it; Esc closes.")
    return tr(
        "Enter replaces the text with the highlighted candidate; Ctrl+C copies it; Esc keeps the original."
    )


def joined_after(read: str, addition: str, reads: str) -> str:
    """What goes after the text a task read: a new paragraph after a paragraph or a document, a space
    between words of space-separated writing, nothing between CJK characters."""
    if reads in ("paragraph", "document"):
        return "\n\n" + addition
    if not read or read[-1].isspace() or _CJK.match(read[-1]) or _CJK.match(addition[:1]):
        return addition
    return " " + addition
