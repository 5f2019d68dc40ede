"""Two roles, one store: ghost text on the continuation model, rewrites on a separate instruction model
that loads when first used and can be unloaded."""

from __future__ import annotations

import shutil
from pathlib import Path

from tests.session_fakes import make_session, model
from writer_app.assist.requests import AssistError, ErrorKind, RequestKind, Role
from writer_app.models.store import ModelStore
from writer_app.settings import Settings

PASSAGE = "The rain came down."


def _rewrite(h, mode: str = "formal") -> bool:
    h.session.begin_rewrite(0, len(PASSAGE), PASSAGE)
    return h.session.run_rewrite(mode)


def test_a_rewrite_loads_the_instruction_model_once_then_runs_on_it():
    h = make_session(PASSAGE, loaded=model("gpt2"), instruction_model="qwen")
    h.session.continuation_ref = "gpt2"
    assert h.seen.instruction_states == []  # nothing loads before it is needed
    assert _rewrite(h)
    assert h.engine.loads == ["qwen"] and h.engine.roles == [Role.INSTRUCTION]
    assert h.engine.of_kind(RequestKind.REWRITE) == []  # waits for the load
    assert h.seen.rewrite[-1] == ("done", "Loading the instruction model qwen…")
    assert _rewrite(h)  # asked again while loading: no second load
    assert h.engine.loads == ["qwen"]
    h.session.model_loaded(model("qwen", instruct=True), Role.INSTRUCTION)
    [rewrite] = h.engine.of_kind(RequestKind.REWRITE)
    assert rewrite.role is Role.INSTRUCTION and rewrite.prompt.startswith("<|im_start|>system")
    assert h.seen.instruction_states[-1].info.name == "qwen"
    h.engine.answer(rewrite, "The rain fell steadily.")
    assert h.session.apply_rewrite(0).text == "The rain fell steadily."
    # Ghost text stays on the continuation model.
    h.doc.position = len(PASSAGE)
    assert h.session.request_suggestion()
    [suggestion] = h.engine.of_kind(RequestKind.CONTINUE)
    assert suggestion.role is Role.CONTINUATION


def test_without_an_instruction_model_rewrites_use_the_continuation_model():
    h = make_session(PASSAGE, loaded=model("smol", instruct=True))
    assert _rewrite(h)
    [rewrite] = h.engine.of_kind(RequestKind.REWRITE)
    assert h.engine.loads == [] and rewrite.prompt.startswith("<|im_start|>system")
    assert h.seen.instruction_states == []
    named_the_same = make_session(PASSAGE, loaded=model("smol", instruct=True), instruction_model="smol")
    named_the_same.session.continuation_ref = "smol"
    assert _rewrite(named_the_same) and named_the_same.engine.loads == []


def test_an_instruction_model_that_fails_to_load_says_why_in_the_panel():
    h = make_session(PASSAGE, loaded=model("gpt2"), instruction_model="missing")
    assert _rewrite(h)
    h.session.model_failed(AssistError(ErrorKind.MODEL_BROKEN, "no model named 'missing'"), Role.INSTRUCTION)
    assert h.seen.rewrite[-1] == ("done", "no model named 'missing'")
    assert h.session.model.info is not None and h.session.model.info.name == "gpt2"  # ghost text unharmed
    assert not _rewrite(h)  # the same broken model is not retried on every keypress
    assert h.seen.rewrite[-1] == ("done", "no model named 'missing'") and h.engine.loads == ["missing"]


def test_choosing_another_instruction_model_unloads_the_old_one():
    h = make_session(PASSAGE, loaded=model("gpt2"), instruction_model="qwen")
    _rewrite(h)
    h.session.model_loaded(model("qwen", instruct=True), Role.INSTRUCTION)
    h.session.settings_changed(Settings(**{**vars(h.session.settings), "instruction_model": "qwen-1.5b"}))
    assert h.engine.unloads == [Role.INSTRUCTION]
    assert h.seen.instruction_states[-1].info is None and not h.seen.instruction_states[-1].loading
    h.session.instruction.unload()  # nothing loaded: nothing to free
    assert h.engine.unloads == [Role.INSTRUCTION]


def test_the_window_runs_rewrites_on_the_instruction_model_and_ghost_text_on_the_other(
    qtbot, tiny_model: Path, chat_model: Path
):
    from tests.test_ui_editor import make_window

    window = make_window(qtbot, tiny_model, instruction_model=str(chat_model))
    worker = window.bridge.host.worker
    window.editor.setPlainText(PASSAGE)
    window.editor.selectAll()
    window.open_rewrite()
    window.session.run_rewrite("formal")
    # The worker holds the engine before the UI thread hears of it; the rewrite starts on that news.
    qtbot.waitUntil(lambda: window.session.instruction.state.info is not None, timeout=20000)
    qtbot.waitUntil(
        lambda: not window.session.busy and window.session.rewrite.request_id is None, timeout=20000
    )
    assert worker.backends[Role.INSTRUCTION][1].name == "tiny-chat"
    assert worker.backends[Role.CONTINUATION][1].name == "tiny"
    assert window.bridge.instruction_label.text().startswith("Instructions: tiny-chat (")
    assert window.rewrite_panel.isVisible()
    window.session.instruction.unload()
    qtbot.waitUntil(lambda: Role.INSTRUCTION not in worker.backends, timeout=5000)
    assert window.bridge.instruction_label.text() == "Instructions: loads when first used"


def test_naming_the_default_model_for_rewrites_does_not_load_it_twice():
    h = make_session(PASSAGE, loaded=model("smol", instruct=True), instruction_model="smol")
    h.session.continuation_ref = ""  # the installed default, loaded under its own name
    assert _rewrite(h) and h.engine.loads == []
    assert h.engine.of_kind(RequestKind.REWRITE)[0].role is Role.INSTRUCTION


def test_a_model_whose_template_fails_still_runs_tasks_in_plain_words():
    from tests.session_fakes import make_session
    from writer_app.assist.requests import ModelInfo, RequestKind
    from writer_app.engine.chat_template import ChatTemplate

    broken = ChatTemplate("{{ raise_exception('no system role') }}")
    h = make_session(PASSAGE, loaded=ModelInfo("odd", 1024, True, broken, 1.0, 1), alternatives=1)
    h.session.begin_rewrite(0, len(PASSAGE), PASSAGE)
    assert h.session.run_rewrite("shorter")
    [request] = h.engine.of_kind(RequestKind.REWRITE)
    assert request.prompt == "Original: The rain came down.\nSame meaning in fewer words:"  # its cue form
    assert not request.messages
    assert any("asked in plain words" in m for m in h.seen.messages)


def _store_with(root: Path, **models: Path) -> ModelStore:
    for name, folder in models.items():
        shutil.copytree(folder, root / "models" / name)
    return ModelStore(root / "models")


def test_a_base_model_writes_the_ghost_text_and_one_that_follows_instructions_the_tasks(
    tmp_path, tiny_model: Path, chat_model: Path
):
    # By name the instruction model would come first; by kind the base model continues text.
    store = _store_with(tmp_path, **{"aa-chat": chat_model, "zz-base": tiny_model})
    assert store.default_name() == "zz-base"
    assert store.instruction_default("zz-base") == "aa-chat"
    assert store.instruction_default("aa-chat") == "aa-chat"  # one model in memory when it can do both
    only_base = _store_with(tmp_path / "b", base=tiny_model)
    assert only_base.instruction_default("base") == "base"
    only_chat = _store_with(tmp_path / "c", chat=chat_model)
    assert only_chat.default_name() == "chat"


def test_the_window_sends_tasks_to_the_installed_model_that_follows_instructions(
    qtbot, tmp_path, monkeypatch, tiny_model: Path, chat_model: Path
):
    from tests.test_ui_editor import make_window

    monkeypatch.setenv("WRITER_APP_HOME", str(tmp_path))
    _store_with(tmp_path, **{"aa-chat": chat_model, "zz-base": tiny_model})
    window = make_window(qtbot, None)
    qtbot.waitUntil(lambda: window.session.model.info is not None, timeout=20000)
    assert window.session.model.info.name == "tiny"  # zz-base, under its manifest's name
    assert window.session.settings.instruction_model == "aa-chat"
    assert window.session.instruction.ref() == "aa-chat"
    named = make_window(qtbot, None, instruction_model="zz-base")  # the writer's choice stands
    assert named.session.settings.instruction_model == "zz-base"


def test_the_task_command_runs_on_a_model_that_follows_instructions(
    tmp_path, monkeypatch, capsys, tiny_model: Path, chat_model: Path
):
    from writer_app.cli import main

    monkeypatch.setenv("WRITER_APP_HOME", str(tmp_path))
    _store_with(tmp_path, **{"aa-chat": chat_model, "zz-base": tiny_model})
    assert main(["task", "shorter", "The rain came down.", "--stats", "--max-new-tokens", "4"]) == 0
    assert '"model": "tiny-chat"' in capsys.readouterr().err


def test_with_no_model_named_ghost_text_goes_to_a_model_that_writes_the_writers_language(
    tmp_path, tiny_model: Path, chinese_model: Path
):
    # Both are base models; by name the Chinese one ("a-…") would come first.
    store = _store_with(tmp_path, **{"a-chinese": chinese_model, "b-english": tiny_model})
    assert store.default_name("en") == "b-english"
    assert store.default_name("zh") == "a-chinese"
    assert store.default_name() == "a-chinese"  # the language not known: by kind and name
