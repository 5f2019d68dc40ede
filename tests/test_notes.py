"""Memory and author's note: in every prompt, counted against the window, kept beside the document, and
the KV cache of the memory reused from request to request."""

from __future__ import annotations

import json

from tests.fixtures_models import CHATML_TEMPLATE
from tests.session_fakes import SyncEngine, make_session, model
from writer_app.assist.notes import DocumentNotes, with_notes
from writer_app.assist.prompts import task_prompt
from writer_app.assist.requests import RequestKind
from writer_app.assist.tasks import builtin_tasks, find_task
from writer_app.engine.chat_template import ChatTemplate
from writer_app.engine.generate import Engine

MEMORY = "Mara keeps the lighthouse. Her brother Tom left the island in 1952."
NOTE = "Quiet and tense; a storm is coming."
STORY = "line one\nline two\nline three\nline four\nline five, and"


def test_the_memory_leads_and_the_note_sits_three_lines_before_the_cursor():
    prompt = with_notes(DocumentNotes(MEMORY, NOTE), STORY)
    assert prompt.startswith(MEMORY + "\n\nline one\nline two\n[Author's note: " + NOTE + "]\nline three")
    assert prompt.endswith("line five, and")
    assert with_notes(DocumentNotes(), STORY) == STORY
    assert with_notes(DocumentNotes("", NOTE), "one line").startswith("[Author's note:")


def test_every_continuation_and_task_reads_the_notes_and_they_come_out_of_the_budget():
    h = make_session(STORY, loaded=model(context=1024))
    window_chars = h.session.window.max_chars
    notes_tokens, budget = h.session.prompt_budget()
    assert notes_tokens == 0
    h.session.set_notes(DocumentNotes(MEMORY * 20, NOTE))
    notes_tokens, budget = h.session.prompt_budget()
    assert notes_tokens > 300 and budget == 1024 - 12 - 1
    assert h.session.window.max_chars < window_chars * (budget - 300) / budget  # the text gets less
    assert h.session.request_suggestion()
    [request] = h.engine.of_kind(RequestKind.CONTINUE)
    assert request.prompt.startswith(MEMORY) and f"[Author's note: {NOTE}]" in request.prompt
    task = find_task(list(builtin_tasks()), "slogan")
    cue = task_prompt(task, "a tea shop", text_tokens=3, template=None, memory=MEMORY)
    assert cue.prompt.startswith(MEMORY + "\n\n")
    chat = task_prompt(
        task, "a tea shop", text_tokens=3, template=ChatTemplate(CHATML_TEMPLATE), memory=MEMORY
    )
    assert f"Background to keep to:\n{MEMORY}" in chat.prompt


def test_the_memory_stays_cached_while_the_writer_types(tiny_model):
    engine = SyncEngine(Engine.load(tiny_model, threads=1))
    h = make_session("The keeper climbed the stairs", engine=engine, loaded=model(context=96))
    h.session.set_notes(DocumentNotes("Mara keeps the light.", ""))
    assert h.session.request_suggestion()
    h.session.dismiss()
    h.doc.type(" and")
    assert h.session.request_suggestion()
    continuations = [s for kind, s in engine.stats if kind is RequestKind.CONTINUE]
    memory_tokens = len(engine.engine.codec.encode("Mara keeps the light.\n\n"))
    assert continuations[-1].reused_tokens >= memory_tokens + 4


def test_notes_are_kept_beside_the_document_never_in_it(qtbot, tiny_model, tmp_path):
    from tests.test_ui_editor import make_window
    from writer_app.document.sidecar import sidecar_path

    story = tmp_path / "story.md"
    story.write_text("It rained.", encoding="utf-8")
    window = make_window(qtbot, tiny_model)
    assert window.files.open_path(story, ask_to_save=False)
    window.notes_panel.memory.setPlainText(MEMORY)
    window.notes_panel.note.setPlainText(NOTE)
    qtbot.waitUntil(lambda: window.session.notes.authors_note == NOTE, timeout=3000)
    side = sidecar_path(story)
    assert json.loads(side.read_text(encoding="utf-8")) == {"memory": MEMORY, "authors_note": NOTE}
    assert story.read_text(encoding="utf-8") == "It rained."
    assert "tokens a suggestion reads" in window.notes_panel.budget.text()
    other = tmp_path / "other.md"
    other.write_text("Sun.", encoding="utf-8")
    assert window.files.open_path(other, ask_to_save=False)
    assert window.session.notes == DocumentNotes() and window.notes_panel.memory.toPlainText() == ""
    assert window.files.open_path(story, ask_to_save=False)
    assert window.session.notes == DocumentNotes(MEMORY, NOTE)
    window.notes_panel.memory.clear()
    window.notes_panel.note.clear()
    qtbot.waitUntil(lambda: not side.exists(), timeout=3000)
