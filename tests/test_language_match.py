"""A model asked to write a language it does not write is not asked: the writer is told which model,
and where to get one that does."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from tests.session_fakes import make_session, model
from writer_app.assist.language_match import unwritten_language
from writer_app.assist.requests import RequestKind

CHINESE = "春天的早晨，小镇上的茶馆刚刚开门。老板把一壶新茶放在窗边，"
ENGLISH = "The rain came down on the harbour, and the boats"


def test_the_language_a_model_does_not_write_is_found():
    assert unwritten_language(("en",), CHINESE) == "zh"
    assert unwritten_language(("en",), ENGLISH) is None
    assert unwritten_language(("zh", "en"), CHINESE) is None
    assert unwritten_language((), CHINESE) is None  # what it writes is not known: nothing is refused
    assert unwritten_language(("en",), ENGLISH, wanted="zh") == "zh"  # the answer's language counts
    assert unwritten_language(("en",), "1234 — ...") is None  # no letters, no language


def test_ghost_text_in_chinese_on_an_english_only_model_is_refused_with_the_fix():
    english_only = replace(model("smol"), languages=("en",))
    h = make_session(CHINESE, loaded=english_only)
    h.doc.position = len(CHINESE)
    assert not h.session.request_suggestion()
    assert h.engine.of_kind(RequestKind.CONTINUE) == []
    assert "smol does not write Chinese" in h.seen.messages[-1]
    assert "Assist → Models…" in h.seen.messages[-1]
    english = make_session(ENGLISH, loaded=english_only)
    english.doc.position = len(ENGLISH)
    assert english.session.request_suggestion() and english.engine.of_kind(RequestKind.CONTINUE)
    bilingual = make_session(CHINESE, loaded=replace(model("qwen"), languages=("zh", "en")))
    bilingual.doc.position = len(CHINESE)
    assert bilingual.session.request_suggestion()


def test_a_chinese_task_on_an_english_only_model_is_refused_in_the_panel():
    english_only = replace(model("smol", instruct=True), languages=("en",))
    h = make_session(CHINESE, loaded=english_only)
    h.session.begin_rewrite(0, len(CHINESE), CHINESE)
    assert h.session.run_rewrite("shorter")
    assert h.engine.of_kind(RequestKind.REWRITE) == []
    assert h.seen.rewrite[-1][0] == "done" and "smol does not write Chinese" in h.seen.rewrite[-1][1]
    # English text, but the answer is to be Chinese.
    h = make_session(ENGLISH, loaded=english_only)
    h.session.begin_rewrite(0, len(ENGLISH), ENGLISH)
    h.session.run_rewrite("translate-en-zh")
    assert h.engine.of_kind(RequestKind.REWRITE) == []
    assert "does not write Chinese" in h.seen.rewrite[-1][1]
    h.session.run_rewrite("shorter")  # an English task on English text runs
    assert len(h.engine.of_kind(RequestKind.REWRITE)) == 1


def test_a_loaded_model_says_what_it_writes(tiny_model: Path):
    from writer_app.engine.local_backend import LocalBackend

    assert LocalBackend.load(tiny_model, threads=1).info().languages == ("en",)


def test_a_manifest_from_before_languages_were_recorded_refuses_nothing(tiny_model: Path, tmp_path: Path):
    import json
    import shutil

    from writer_app.engine.local_backend import LocalBackend

    old = tmp_path / "old-export"
    shutil.copytree(tiny_model, old)
    manifest = json.loads((old / "writer_app_manifest.json").read_text(encoding="utf-8"))
    del manifest["languages"]
    (old / "writer_app_manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    assert LocalBackend.load(old, threads=1).info().languages == ()  # not known: nothing refused


def test_no_warm_up_runs_for_text_the_model_will_not_be_asked_to_continue():
    english_only = replace(model("smol"), languages=("en",))
    h = make_session(CHINESE, loaded=english_only)
    h.doc.position = len(CHINESE)
    assert not h.session.warm() and h.engine.of_kind(RequestKind.WARM) == []
    english = make_session(ENGLISH, loaded=english_only)
    english.doc.position = len(ENGLISH)
    assert english.session.warm() and english.engine.of_kind(RequestKind.WARM)
