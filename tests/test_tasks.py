"""Writing tasks as data: built-in and user task files, a malformed one skipped by name, the CLI."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.fixtures_models import CHATML_TEMPLATE
from writer_app.assist.prompts import task_prompt
from writer_app.assist.rewrite_flow import joined_after
from writer_app.assist.tasks import (
    READS,
    builtin_tasks,
    find_task,
    load_tasks,
    parse_task,
    ranked_matches,
    user_task_folder,
)
from writer_app.cli import main
from writer_app.engine.chat_template import ChatTemplate

TAGLINE = {
    "id": "tagline-zh",
    "label": {"en": "Tagline (house style)", "zh": "广告语（本店风格）"},
    "reads": "paragraph",
    "instruction": "Write one tagline in our house style for:\n\n{text}",
    "cue": "Product: {text}\nTagline:",
    "max_tokens": 20,
    "candidates": 3,
    "output": "panel",
}


def test_the_built_in_tasks_cover_the_creative_work():
    ids = {t.id for t in builtin_tasks()}
    assert {"continue-story", "brainstorm", "taglines", "slogan", "product-description", "social-post"} <= ids
    assert {"lyrics-verse", "lyrics-chorus", "poem", "summary", "title", "headline"} <= ids
    assert {
        "translate-zh-en",
        "translate-en-zh",
        "polish-concise",
        "polish-friendly",
        "formal",
        "vivid",
    } <= ids
    assert {"zh-polish", "zh-taglines", "zh-summary"} <= ids
    assert {"shorter", "longer", "tldr", "continue"} <= ids  # the seven rewrite modes
    assert {t.reads for t in builtin_tasks()} == set(READS)
    assert all(t.label_zh and t.label_en for t in builtin_tasks())


def test_user_tasks_add_override_and_a_malformed_file_is_named_and_skipped(tmp_path):
    (tmp_path / "tagline.json").write_text(json.dumps(TAGLINE), encoding="utf-8")
    (tmp_path / "tldr.toml").write_text(
        'id = "tldr"\nlabel = "Gist"\ninstruction = "Gist of:\\n\\n{text}"\ncue = "{text}\\n\\nGist:"\n',
        encoding="utf-8",
    )
    (tmp_path / "broken.json").write_text('{"id": "broken", "label": "x",', encoding="utf-8")
    (tmp_path / "no-text.json").write_text(
        json.dumps({**TAGLINE, "id": "no-text", "cue": "Product:\nTagline:"}), encoding="utf-8"
    )
    (tmp_path / "bad-reads.json").write_text(json.dumps({**TAGLINE, "id": "r", "reads": "mind"}), "utf-8")
    (tmp_path / "notes.txt").write_text("not a task", encoding="utf-8")
    tasks, problems = load_tasks(tmp_path)
    by_id = {t.id: t for t in tasks}
    assert by_id["tagline-zh"].candidates == 3 and by_id["tagline-zh"].source.endswith("tagline.json")
    assert by_id["tldr"].label_en == "Gist" and by_id["tldr"].label_zh == "Gist"  # the user's wins
    assert len(tasks) == len(builtin_tasks()) + 1
    assert len(problems) == 3
    assert problems[0].startswith("bad-reads.json: reads must be one of selection")
    assert problems[1].startswith("broken.json: ") and problems[1].endswith("; skipped")
    assert problems[2] == "no-text.json: cue must be text containing {text}; skipped"


def test_the_palette_filter_matches_either_language():
    task = parse_task(dict(TAGLINE), "test")
    assert task.matches("tagline") and task.matches("广告") and task.matches("house TAG")
    assert not task.matches("lyrics")


def test_a_task_prompt_in_both_forms():
    task = find_task(list(builtin_tasks()), "translate-en-zh")
    cue = task_prompt(task, " The tide came in. ", text_tokens=6, template=None)
    assert cue.prompt == "English: The tide came in.\nChinese:" and cue.stop_at == "newline"
    chat = task_prompt(task, "The tide came in.", text_tokens=6, template=ChatTemplate(CHATML_TEMPLATE))
    assert "把下面的英文翻译成" in chat.prompt and chat.prompt.endswith("<|im_start|>assistant\n")


@pytest.mark.parametrize(
    ("read", "addition", "reads", "joined"),
    [
        ("The tide came in", "and went out.", "selection", " and went out."),
        ("The tide came in. ", "Then night.", "before_cursor", "Then night."),
        ("潮水涨了。", "夜来了。", "selection", "夜来了。"),
        ("A paragraph.", "Another one.", "paragraph", "\n\nAnother one."),
    ],
)
def test_what_is_inserted_after_the_text_read(read, addition, reads, joined):
    assert joined_after(read, addition, reads) == joined


def test_the_task_command_lists_runs_and_refuses_in_one_line(tiny_home, capsys):
    assert main(["task", "--list"]) == 0
    out = capsys.readouterr().out
    assert "translate-zh-en" in out and "翻译：中译英" in out and str(user_task_folder()) in out
    assert main(["task", "headline", "--greedy", "The storm reached the harbour at dawn."]) == 0
    assert capsys.readouterr().out.strip()
    assert main(["task", "taglines", "--greedy", "--num", "2", "A lamp", "--max-new-tokens", "6"]) == 0
    assert "--- alternative 2 ---" in capsys.readouterr().out
    assert main(["task", "nope", "x"]) == 2
    err = capsys.readouterr().err
    assert err == "writer-app: error: no task 'nope' (writer-app task --list shows them)\n"
    folder = user_task_folder()
    folder.mkdir(parents=True)
    (folder / "mine.json").write_text("{", encoding="utf-8")
    assert main(["task", "mine", "x"]) == 2
    assert capsys.readouterr().err.startswith("writer-app: error: task file mine.json: ")


def test_the_palette_puts_a_word_named_before_a_word_that_only_contains_it():
    tasks = list(builtin_tasks())
    by_id = {t.id: t for t in tasks}
    assert by_id["taglines"].match_rank("ad") == 0  # "Ad copy: three taglines"
    assert by_id["headline"].match_rank("ad") == 1  # "he-ad-line"
    assert by_id["poem"].match_rank("ad") is None
    found = [t.id for t in ranked_matches(tasks, "ad")]
    assert found.index("taglines") < found.index("headline")
    assert [t.id for t in ranked_matches(tasks, "摘要")][:2] == ["summary", "tldr"]  # Chinese: anywhere


def test_a_task_shown_in_the_panel_is_copied_by_enter_and_inserted_only_on_ctrl_enter(qtbot, monkeypatch):
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QApplication

    from tests.test_ui_editor import Answered, make_window
    from writer_app.assist.requests import ModelInfo, RequestKind

    window = make_window(qtbot, None, alternatives=1)
    answered = Answered(window, monkeypatch)
    window.session.model_loaded(ModelInfo("fake", 1024, False, None, 0.0, 1))
    window.editor.setPlainText("A tea shop by the sea.")
    window.editor.selectAll()
    assert window.run_task("slogan")  # declared "panel": shown, never put in by Enter alone
    assert "Ctrl+Enter inserts" in window.rewrite_panel.enter_label.text()
    answered.answer(answered.last(RequestKind.REWRITE), "Steeped in salt air.")
    panel = window.rewrite_panel.candidates
    qtbot.keyClick(panel, Qt.Key.Key_Return)
    assert window.editor.toPlainText() == "A tea shop by the sea."
    assert QApplication.clipboard().text() == "Steeped in salt air."
    qtbot.keyClick(panel, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert window.editor.toPlainText() == "A tea shop by the sea. Steeped in salt air."


def test_the_chat_model_gets_the_instruction_form(chat_model: Path, capsys):
    assert main(["task", "slogan", "--model", str(chat_model), "--greedy", "a tea shop", "--stats"]) == 0
    captured = capsys.readouterr()
    stats = json.loads(captured.err.strip().splitlines()[-1])
    # The instruction form through the chat template is far longer than the cue "a tea shop\n\nSlogan:".
    assert stats["prompt_tokens"] > 20


def test_the_palette_filters_in_both_languages_and_a_candidate_goes_in_as_one_undo_step(qtbot, tiny_model):
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QTextCursor

    from tests.test_ui_editor import make_window

    window = make_window(qtbot, tiny_model, alternatives=2)
    window.editor.setPlainText("The lamp in the window burned all night.\n\nMorning came slowly.")
    cursor = window.editor.textCursor()
    cursor.setPosition(5)  # in the first paragraph, nothing selected
    window.editor.setTextCursor(cursor)
    palette = window.show_tasks()
    qtbot.keyClicks(palette.query, "vivid")
    assert palette.visible_ids() == ["vivid"]
    palette.query.clear()
    palette.query.setText("翻译")  # QTest cannot type outside Latin-1; the filter reacts the same
    assert set(palette.visible_ids()) == {"translate-zh-en", "translate-en-zh"}
    palette.query.clear()
    qtbot.keyClicks(palette.query, "continue story")
    assert palette.visible_ids() == ["continue-story"]
    palette.query.clear()
    qtbot.keyClicks(palette.query, "more vivid")
    qtbot.keyClick(palette.query, Qt.Key.Key_Return)
    assert not palette.isVisible()
    target = window.session.rewrite
    assert target is not None and target.text == "The lamp in the window burned all night."
    qtbot.waitUntil(lambda: not window.session.busy, timeout=20000)
    assert window.rewrite_panel.candidates.count() == 2
    chosen = window.rewrite_panel.candidate_text(0)
    assert chosen
    window.rewrite_panel.candidates.setCurrentRow(0)
    qtbot.keyClick(window.rewrite_panel.candidates, Qt.Key.Key_Return)
    text = window.editor.toPlainText()
    assert text == chosen + "\n\nMorning came slowly."
    window.editor.undo()
    assert window.editor.toPlainText() == "The lamp in the window burned all night.\n\nMorning came slowly."
    # An inserting task reads the text before the cursor and puts its result after it.
    cursor = window.editor.textCursor()
    cursor.movePosition(QTextCursor.MoveOperation.End)
    window.editor.setTextCursor(cursor)
    assert window.run_task("continue-story")
    qtbot.waitUntil(lambda: not window.session.busy, timeout=20000)
    addition = window.rewrite_panel.candidate_text(0)
    assert window.apply_rewrite(0)
    assert window.editor.toPlainText().startswith(
        "The lamp in the window burned all night.\n\nMorning came slowly."
    )
    assert window.editor.toPlainText().endswith(addition)


def test_finished_candidates_are_ranked_and_deduplicated_before_the_writer_picks():
    from tests.session_fakes import make_session, model
    from writer_app.assist.requests import RequestKind
    from writer_app.engine.completion import Completion, GenerationResult, GenerationStats

    h = make_session("The rain came down.", loaded=model("smol", instruct=True), alternatives=3)
    h.session.begin_rewrite(0, 19, "The rain came down.")
    assert h.session.run_rewrite("formal")
    [request] = h.engine.of_kind(RequestKind.REWRITE)
    completions = [
        Completion("Rain fell.", [1, 2], logprob=-6.0),
        Completion("Precipitation descended.", [1, 2], logprob=-1.0),
        Completion("Rain fell.", [1, 2], logprob=-5.0),
    ]
    for row, c in enumerate(completions):
        h.session.chunk(request.request_id, row, c.text)
    h.session.finished(request.request_id, GenerationResult(completions, GenerationStats()))
    assert ("ranked", ["Precipitation descended.", "Rain fell."]) in h.seen.rewrite
    edit = h.session.apply_rewrite(0)
    assert edit is not None and edit.text == "Precipitation descended."


def test_ghost_text_has_a_time_limit_from_settings():
    from tests.session_fakes import make_session, model
    from writer_app.assist.requests import RequestKind

    h = make_session("The rain", loaded=model(), suggestion_ms=150)
    assert h.session.request_suggestion()
    [request] = h.engine.of_kind(RequestKind.CONTINUE)
    assert request.time_budget_ms == 150
    unlimited = make_session("The rain", loaded=model())
    assert unlimited.session.request_suggestion()
    assert unlimited.engine.of_kind(RequestKind.CONTINUE)[0].time_budget_ms is None


def test_settings_show_the_task_folder_and_the_panel_cycles_with_alt_brackets(qtbot):
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QLabel

    from writer_app.settings import Settings
    from writer_app.ui.rewrite_panel import RewritePanel
    from writer_app.ui.settings_dialog import SettingsDialog

    dialog = SettingsDialog(Settings(), [])
    qtbot.addWidget(dialog)
    labels = [label.text() for label in dialog.findChildren(QLabel)]
    assert any(str(user_task_folder()) in text for text in labels)
    panel = RewritePanel()
    qtbot.addWidget(panel)
    panel.show_candidates(["one", "two", "three"])
    qtbot.keyClick(panel.candidates, Qt.Key.Key_BracketRight, Qt.KeyboardModifier.AltModifier)
    assert panel.candidates.currentRow() == 1
    qtbot.keyClick(panel.candidates, Qt.Key.Key_BracketLeft, Qt.KeyboardModifier.AltModifier)
    qtbot.keyClick(panel.candidates, Qt.Key.Key_BracketLeft, Qt.KeyboardModifier.AltModifier)
    assert panel.candidates.currentRow() == 2


def test_a_document_tasks_result_goes_where_the_writer_is():
    from tests.session_fakes import make_session, model
    from writer_app.assist.requests import RequestKind

    text = "First part.\n\nSecond part."
    h = make_session(text, loaded=model(), alternatives=1)
    h.session.begin_rewrite(0, len(text), text)
    assert h.session.run_rewrite("title")
    [request] = h.engine.of_kind(RequestKind.REWRITE)
    h.engine.answer(request, "Two Parts")
    h.doc.position = 0
    assert h.session.rewrite_shown_only()
    assert h.session.apply_rewrite(0) is None  # a title is only shown: Enter changes nothing...
    assert "Ctrl+Enter inserts" in h.seen.rewrite[-1][1]
    edit = h.session.apply_rewrite(0, insert=True)  # ...until the writer asks for it
    assert edit is not None and (edit.start, edit.end, edit.text) == (0, 0, "Two Parts\n\n")


def test_the_palette_marks_a_task_whose_answer_the_model_cannot_write(qtbot):
    from PySide6.QtCore import Qt

    from writer_app.ui.task_palette import TaskPalette

    tasks = list(builtin_tasks())
    english_only = TaskPalette(tasks, writes=("en",))
    qtbot.addWidget(english_only)
    english_only.filter("translate")
    lines = {english_only.results.item(r).data(Qt.ItemDataRole.UserRole): english_only.results.item(r).text()
             for r in range(english_only.results.count())}  # fmt: skip
    assert "(needs a model that writes Chinese)" in lines["translate-en-zh"]
    assert "needs a model" not in lines["translate-zh-en"]  # an English answer it can write
    unknown = TaskPalette(tasks)  # what the model writes is not known: nothing is marked
    qtbot.addWidget(unknown)
    unknown.filter("translate")
    assert not any("needs a model" in unknown.results.item(r).text() for r in range(unknown.results.count()))
