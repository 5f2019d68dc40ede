"""A task's candidates: a copy of the input and an answer in the wrong language go last; a multi-line
passage gets a multi-line answer; an English instruction on Chinese text asks for Chinese."""

from __future__ import annotations

from tests.session_fakes import CHATML_TEMPLATE
from writer_app.assist.candidates import copied_share, language_of, rank
from writer_app.assist.prompts import task_prompt
from writer_app.assist.tasks import builtin_tasks
from writer_app.engine.chat_template import ChatTemplate
from writer_app.engine.completion import find_stop

TASKS = {task.id: task for task in builtin_tasks()}
BLURB = "Our Longjing green tea is picked by hand in spring on the hills above West Lake."
TEMPLATE = ChatTemplate(CHATML_TEMPLATE)


def test_a_copy_of_the_input_is_ranked_after_a_poem_however_probable():
    """For a poem on a tea blurb, the blurb itself was the top candidate (its log-probability is best)."""
    texts = [BLURB, "Spring hands on the hill,\nleaves that taste of the lake's mist.", ""]
    assert rank(texts, [-0.2, -1.4, -0.1], BLURB, TASKS["poem"]) == [1, 0]
    assert copied_share(BLURB, BLURB) == 1.0 and copied_share(texts[1], BLURB) < 0.5


def test_chinese_taglines_that_copy_the_product_text_go_last():
    source = "这款龙井绿茶春季手工采摘于西湖群山之上，清香持久。"
    copied = "龙井绿茶春季手工采摘于西湖"
    own = "一口春色，满杯西湖"
    order = rank([copied, own], [-0.3, -1.1], source, TASKS["zh-taglines"])
    assert order == [1, 0] and copied_share(copied, source) > 0.89 > copied_share(own, source)


def test_a_light_polish_keeps_close_wording_first_but_not_an_unchanged_copy():
    draft = "The meeting, which was held on Monday, was attended by all of the staff members."
    polished = "The meeting on Monday was attended by all of the staff."
    texts = [draft, polished]
    assert rank(texts, [-0.1, -0.9], draft, TASKS["polish-concise"]) == [1, 0]
    assert rank([polished, "Everyone came."], [-0.5, -0.6], draft, TASKS["polish-concise"]) == [0, 1]


def test_an_answer_in_the_wrong_language_goes_last():
    chinese = "春天的第一场雨落在西湖上。"
    texts = ["春天的第一场雨落在了西湖上。", "The first spring rain fell on West Lake."]
    assert rank(texts, [-0.2, -1.5], chinese, TASKS["translate-zh-en"]) == [1, 0]
    english = "The first spring rain fell on West Lake."
    assert rank(
        ["The first spring rain.", "春雨落在西湖。"], [-0.1, -0.9], english, TASKS["translate-en-zh"]
    ) == [
        1,
        0,
    ]
    # "same": a Chinese paragraph made formal is answered in Chinese
    assert rank(["A formal text.", "正式的文字。"], [-0.1, -0.9], chinese, TASKS["formal"]) == [1, 0]


def test_language_is_told_by_the_letters_a_brand_name_does_not_change_it():
    assert language_of("在创意产业中，大型语言模型（LLM）的应用前景广阔。") == "zh"
    assert language_of("The Longjing (龙井) tea of West Lake.") == "en"
    assert language_of("2024 — 100%") is None


def test_a_multi_line_passage_gets_an_answer_of_as_many_lines():
    """A four-line lyric was translated as one line, a two-paragraph story as its first paragraph."""
    lyric = "月光照在窗前\n风吹过旧街\n你说不要走远\n我在等明天"
    plan = task_prompt(TASKS["translate-zh-en"], lyric, text_tokens=40, template=TEMPLATE)
    assert plan.stop_at == "lines:4"
    answer = "Moonlight on the window\n\nWind down the old street\nYou said don't go far\nI wait\nNote:"
    assert answer[: find_stop(answer, plan.stop_at)] == answer.rsplit("\n", 1)[0]
    single = task_prompt(TASKS["translate-zh-en"], "月光照在窗前", text_tokens=8, template=TEMPLATE)
    assert single.stop_at == "newline"
    headline = task_prompt(TASKS["headline"], lyric, text_tokens=40, template=TEMPLATE)
    assert headline.stop_at == "newline"  # one line whatever it reads


def test_an_english_instruction_on_chinese_text_asks_for_a_chinese_answer():
    chinese = "这家茶馆开在西湖边，已经有一百年了。"
    plan = task_prompt(TASKS["formal"], chinese, text_tokens=20, template=TEMPLATE)
    assert "请用中文回答" in plan.prompt
    english = task_prompt(TASKS["formal"], "The tea house is old.", text_tokens=8, template=TEMPLATE)
    assert "请用中文回答" not in english.prompt
    to_english = task_prompt(TASKS["translate-zh-en"], chinese, text_tokens=20, template=TEMPLATE)
    assert "请用中文回答" not in to_english.prompt


def test_task_files_can_say_the_answers_language_and_whether_it_keeps_the_wording():
    import pytest

    from writer_app.assist.tasks import TaskFileError, parse_task

    base = {"id": "x", "label": "X", "instruction": "Do {text}", "cue": "{text}"}
    task = parse_task({**base, "answer_language": "zh", "keeps_wording": True}, "mine")
    assert (task.answer_language, task.keeps_wording) == ("zh", True)
    with pytest.raises(TaskFileError, match="answer_language"):
        parse_task({**base, "answer_language": "fr"}, "mine")
    with pytest.raises(TaskFileError, match="keeps_wording"):
        parse_task({**base, "keeps_wording": "yes"}, "mine")


def test_a_loop_or_the_instruction_repeated_back_goes_after_real_text():
    """SmolLM2's 'polish' candidates: a loop, the hidden instruction repeated back, a copy, a real try."""
    draft = "The lighthouse keeper climbed the stairs every evening, counting the steps aloud."
    texts = [
        "Klampen-en-Lighthouse-Lighthouse-Lighthouse-Lighthouse-Lighthouse-Lighthouse",
        "Polish this text to be concise and clear, keeping its meaning",
        draft,
        "Each evening the keeper climbed the stairs, counting aloud.",
    ]
    order = rank(texts, [-0.1, -0.2, -0.05, -1.5], draft, TASKS["polish-concise"])
    assert order[0] == 3 and 0 in order  # the loop is still there, last among the real ones
    assert 1 not in order  # the hidden instruction repeated back is never offered
    chinese = "灯塔看守人每天傍晚都要爬上楼梯。"
    zh = [
        "从翻译中，可以看出，从翻译中，可以看出，从翻译中，可以看出，",
        "请用中文回答：",
        "看守人每晚登上灯塔。",
    ]
    assert rank(zh, [-0.1, -0.2, -1.0], chinese, TASKS["formal"]) == [2, 0]


def test_when_every_candidate_copies_the_least_copied_comes_first():
    source = "一款陶瓷旅行杯，能让茶保温六小时，还能放进自行车水壶架。"
    texts = [
        "这款陶瓷旅行杯，能让茶保温六小时，还能放进自行车水壶架。",
        "品质卓越，保温六小时，放进自行车水壶架。",
    ]
    assert rank(texts, [-0.1, -0.8], source, TASKS["zh-taglines"]) == [1, 0]


def test_the_writer_is_told_when_even_the_best_answer_is_in_the_wrong_language():
    from tests.session_fakes import make_session, model
    from writer_app.assist.requests import RequestKind

    chinese = "春天的第一场雨落在西湖上。"
    h = make_session(chinese, loaded=model("smol", instruct=True), alternatives=1)
    h.session.begin_rewrite(0, len(chinese), chinese)
    assert h.session.run_rewrite("translate-zh-en")
    [request] = h.engine.of_kind(RequestKind.REWRITE)
    h.engine.answer(request, "春天的雨。")
    said = h.seen.rewrite[-1][1]
    assert "answered in Chinese, not English" in said and "a model that writes English" in said
    h.session.begin_rewrite(0, len(chinese), chinese)
    assert h.session.run_rewrite("translate-zh-en")
    request = h.engine.of_kind(RequestKind.REWRITE)[-1]
    h.engine.answer(request, "The first spring rain fell on West Lake.")
    assert "answered in" not in h.seen.rewrite[-1][1]


def test_a_task_whose_candidates_only_repeat_the_prompt_offers_none_and_says_so():
    from tests.session_fakes import make_session, model
    from writer_app.assist.requests import RequestKind
    from writer_app.engine.completion import Completion, GenerationResult, GenerationStats

    draft = "The lighthouse keeper climbed the stairs every evening, counting the steps aloud."
    h = make_session(draft, loaded=model("smol", instruct=True), alternatives=2)
    h.session.begin_rewrite(0, len(draft), draft)
    h.session.run_rewrite("polish-concise")
    [request] = h.engine.of_kind(RequestKind.REWRITE)
    echoes = [
        "Polish this text to be concise and clear, keeping its meaning",
        "Polish this text to be concise",
    ]
    for row, text in enumerate(echoes):
        h.session.chunk(request.request_id, row, text)
    completions = [Completion(text, [1, 2], "eos", -1.0) for text in echoes]
    h.session.finished(request.request_id, GenerationResult(completions, GenerationStats(prompt_tokens=9)))
    assert ("ranked", []) in h.seen.rewrite
    assert "only repeated its instructions" in h.seen.rewrite[-1][1]
    assert h.session.apply_rewrite(0) is None  # nothing to put in the text


def test_the_candidate_the_writer_is_on_stays_selected_when_the_ranking_comes(qtbot):
    from writer_app.ui.rewrite_panel import RewritePanel

    panel = RewritePanel()
    qtbot.addWidget(panel)
    panel.start("Polish", 3)
    for row, text in enumerate(["first try", "second try", "third try"]):
        panel.append(row, text)
    panel.candidates.setCurrentRow(2)  # the writer moved to the third while they streamed
    panel.show_candidates(["second try", "third try", "first try"])
    assert panel.candidates.currentItem().text() == "third try"
    panel.start("Polish", 2)  # never moved: the best, first, is selected
    panel.show_candidates(["b", "a"])
    assert panel.candidates.currentRow() == 0
