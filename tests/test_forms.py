"""Forms: counting, rhyme, the form as data, the checks the panel shows, and the engine keeping a form
token by token on tiny models (the lengths, the acrostic, the required phrase, the rhyme, and a form
the vocabulary cannot write, reported and not looped on)."""

from __future__ import annotations

from functools import partial

import pytest

from writer_app.engine.sampling import SamplingParams
from writer_app.forms.check import check_form, form_lines, unmet
from writer_app.forms.constraint import FormConstraint
from writer_app.forms.rhyme import rhyme_name, shared_rhyme, zh_rhymes
from writer_app.forms.spec import FormError, FormSpec
from writer_app.forms.units import count, syllable_count, zi_count

JUEJU = FormSpec(language="zh", unit="zi", lines=4, line_units=(7,), rhyme="AAxA")
LI_BAI = "日照香炉生紫烟，\n遥看瀑布挂前川。\n飞流直下三千尺，\n疑是银河落九天。"


# --- counting and rhyme -----------------------------------------------------------------------------
def test_zi_are_counted_as_chinese_editors_count_them():
    assert zi_count("朝辞白帝彩云间，") == 7  # punctuation is not a 字
    assert zi_count("用 iPhone 拍 2 张照片。") == 7  # a Latin word or a number counts one
    assert zi_count("𠀀𪚥") == 2  # characters beyond the basic plane are one each


def test_syllables_come_from_the_pronouncing_dictionary_and_spelling_for_the_rest():
    assert syllable_count("beautiful") == 3 and syllable_count("fire") in (1, 2)
    assert syllable_count("Zorblaxe") == 2  # not in the dictionary: its vowel groups, the silent e dropped
    assert count("An old silent pond", "syllable") == 5


def test_chinese_rhyme_groups_follow_the_new_rhyme_table_and_a_poems_readings():
    assert "寒" in zh_rhymes("朝辞白帝彩云间") and "寒" in zh_rhymes("轻舟已过万重山")
    assert zh_rhymes("微风拂面轻拂耳") == frozenset({"齐"})  # today's reading: 耳 is ěr, never réng
    assert zh_rhymes("物归还") == frozenset({"寒"}) and zh_rhymes("他还") == frozenset({"开"})  # in context
    assert zh_rhymes("春眠不觉晓") & zh_rhymes("处处闻啼鸟")  # 晓 xiao and 鸟 niao: 豪
    assert not shared_rhyme(["床前明月光", "疑是地上霜", "举头望明月"], "zh")
    assert zh_rhymes("日") == frozenset({"支"}) and "齐" in zh_rhymes("衣")  # ri is 支, yi is 齐
    assert rhyme_name("疑是银河落九天。", "zh") == "ian"


def test_english_rhymes_come_from_the_pronouncing_dictionary():
    assert shared_rhyme(["I saw the light", "upon the night"], "en")
    assert not shared_rhyme(["I saw the light", "upon the day"], "en")


# --- the form as data ------------------------------------------------------------------------------
def test_a_task_files_form_is_read_and_checked_field_by_field():
    spec = FormSpec.from_json({"lines": 4, "line_units": 7, "rhyme": "AAxA", "required": ["山"]})
    assert spec.lines == 4 and spec.units_of_line(3) == 7 and spec.rhyme_letter(2) == ""
    for raw, words in [
        ({"lines": "four"}, "lines"),
        ({"colour": "red"}, "unknown field 'colour'"),
        ({"rhyme": "A1"}, "rhyme"),
        ({"lines": 2, "line_units": [5, 7, 5]}, "3 lengths for 2 lines"),
        ({"lines": 2, "acrostic": "春夏秋"}, "needs 3 lines"),
        ({"max_units": 4, "required": ["七个字的品牌名"]}, "more than the 4"),
        ({"repeat": [[1, 2]]}, "cannot repeat"),
    ]:
        with pytest.raises(FormError, match=words):
            FormSpec.from_json(raw)


def test_a_form_takes_its_acrostic_and_its_length_from_the_writers_text():
    acrostic = FormSpec.from_json({"acrostic": "{text}", "line_units": 5})
    assert acrostic.for_text(" 王小明 ").acrostic == "王小明" and acrostic.for_text("王小明").lines == 3
    couplet = FormSpec.from_json({"lines": 1, "line_units": "{text}"})
    assert couplet.for_text("海阔凭鱼跃，\n").line_units == (5,)
    with pytest.raises(FormError, match="select one first"):
        acrostic.for_text("，。 ")


def test_the_checks_say_what_holds_and_what_does_not():
    assert [c.mark() for c in check_form(LI_BAI, JUEJU)] == ["✓ 4 行", "✓ 7 字", "✓ 押 ian"]
    broken = "朝辞白帝彩云间，\n千里江陵一日去。\n两岸猿声啼不住，\n轻舟已过万重"
    assert [c.what for c in unmet(check_form(broken, JUEJU))] == ["length", "rhyme"]
    same_word = "朝辞白帝彩云间，\n千里江陵彩云间。\n两岸猿声啼不住，\n轻舟已过万重山。"
    assert [c.what for c in unmet(check_form(same_word, JUEJU))] == ["rhyme"]  # 间 … 间 is no rhyme
    slogan = FormSpec(max_units=12, required=("山泉",))
    assert [c.mark() for c in check_form("山泉入茶，一口回甘", slogan)] == ["✓ “山泉”", "✓ 8 字"]
    assert form_lines("\n  一\n\n二 \n") == ["一", "二"]


# --- the constraint, judged on text -----------------------------------------------------------------
def test_the_constraint_refuses_a_line_too_long_early_or_off_rhyme():
    form = FormConstraint(JUEJU)
    assert form.allows("朝辞白帝彩云间，") and not form.allows("朝辞白帝彩云间啊")
    assert not form.allows("朝辞白帝\n")  # a line break before the seventh 字
    assert form.allows("朝辞白帝彩云间，\n千里江陵万重山")
    assert not form.allows("朝辞白帝彩云间，\n千里江陵一日去")  # 去 does not rhyme with 间
    assert form.forced("朝辞白帝彩云间，") == "\n"  # a full line with its punctuation ends
    assert form.forced("朝辞白帝彩云间，\n千里江陵一日去，。") is None  # not one that does not rhyme
    assert form.finished(LI_BAI) and not form.finished(LI_BAI[:-3])
    assert not form.allows(LI_BAI + "\n")  # no fifth line


def test_the_constraint_forces_the_acrostic_the_hook_and_a_phrase_that_is_running_out_of_room():
    acrostic = FormConstraint(FormSpec(acrostic="春风", lines=2, line_units=(5,)))
    assert acrostic.forced("") == "春" and acrostic.forced("春天来了啊，\n") == "风"
    assert not acrostic.allows("秋")
    hook = FormConstraint(FormSpec(language="en", unit="word", lines=3, repeat=((2, 0),)))
    assert hook.forced("Hold on\nto me\nHol") == "d on"
    slogan = FormConstraint(FormSpec(max_units=6, required=("山泉",)))
    assert slogan.forced("清甜") is None and slogan.forced("清甜好喝") == "山泉"
    assert not slogan.allows("清甜好喝呀")  # no room left for the brand


def test_a_line_of_chinese_verse_is_whole_and_filler_is_refused():
    form = FormConstraint(JUEJU)
    assert not form.allows("在海边的微风，")  # punctuation before the seventh 字: a line padded after it
    assert not form.allows("人生若只如此，请")  # nor inside it, even when one token brings both
    assert not form.allows("秋雨落满地秋夜。《") and not form.allows("秋夜听雨雨雨")  # a dangling 《, a loop
    assert form.allows("秋雨绵绵")
    assert not form.allows("朝辞白帝彩云间，\n千里江陵彩云间")  # 间 rhymed with itself (重韵)
    hook = FormConstraint(FormSpec(lines=3, line_units=(4,), rhyme="AxA", repeat=((2, 0),)))
    assert hook.allows("春风十里\n不如有你\n春风十里")  # a hook repeated rhymes as its first time
    assert [c.ok for c in check_form("春风十里\n不如有你\n春风十里", hook.spec)] == [True, True, True, True]
    assert not form.allows("雪落秋风山水（）")  # empty brackets fill nothing
    hook = FormConstraint(FormSpec(language="en", unit="syllable", lines=3, line_units=(5,)))
    assert not hook.allows("Cats''") and not hook.allows("Cat's ...!") and hook.allows("Cat's cradle,")
    assert not hook.allows("Lines of syllabl.") and hook.allows("Lines of syllabl")  # cut short, or growing
    assert hook.allows("Whispers to Zorblax,") and hook.allows("NASA,")  # a name, an acronym
    assert not hook.allows("SfootMaybe ")  # pieces glued together
    assert hook.allows("He couldn'") and not hook.allows("He aggreg'")  # "couldn't" on its way; no word
    assert not hook.allows("Isn'nt it,")  # no name: a word misspelt with a capital


def test_filler_a_writer_would_strike_is_refused():
    form = FormConstraint(JUEJU)
    assert not form.allows("码头送别人来了，，") and not form.allows("码头送别人来了，。")  # two marks
    assert form.allows("码头送别人来了？！")
    # A line written twice is a loop (a 律诗 repeating 孤帆一帆夜空破), unless it is the form's hook.
    assert not form.allows("孤帆一帆夜空破，\n江水潺潺滴水流。\n孤帆一帆夜空破")
    assert not form.allows("秋雨落满地秋夜， \n") and form.allows("秋雨落满地秋夜，\n")  # a space after it
    english = FormConstraint(FormSpec(language="en", unit="syllable", lines=2, line_units=((3, 12),) * 2))
    assert english.allows("He said, “Tim, come home.”") and english.allows("U.S. pay rose 2.5 percent")
    for misset in ("He said,Tim", "and then swam back, .slim", "open and , Smith", "it was  late", "no！"):
        assert not english.allows(misset), misset


def test_english_forms_write_words_in_use_and_rhyme_on_them():
    from writer_app.forms.rhyme import rhyming_words
    from writer_app.forms.units import known_word

    # The pronouncing dictionary lists "ault" and "aine"; nobody writes them.
    assert not known_word("ault") and not known_word("aine") and known_word("fault")
    assert rhyming_words("salt")[:2] == ("fault", "assault") and "ault" not in rhyming_words("salt")
    spec = FormSpec(language="en", unit="syllable", lines=2, line_units=((3, 8), (5, 5)), rhyme="AA")
    form = FormConstraint(spec)
    assert form.allows("A girl who was late for her train,\nShe ran in the rain,")
    assert not form.allows("A girl who was late for her train,\nShe ran like a pane,")  # too rare
    assert not form.allows("A girl who was late for her train,\nShe ran for the ANE,")  # read as letters


def test_a_line_may_hold_a_range_of_units():
    spec = FormSpec.from_json({"language": "en", "unit": "syllable", "lines": 2, "line_units": [[3, 5], 2]})
    assert spec.line_range(0) == (3, 5) and spec.line_range(1) == (2, 2)
    form = FormConstraint(spec)
    assert form.allows("the cat sat\n") and form.allows("the cat sat down\n") and not form.allows("the cat\n")
    assert not form.allows("the cat sat on the mat")
    assert [c.mark() for c in check_form("the cat sat down\nby me", spec)] == [
        "✓ 2 lines",
        "✓ 3–5/2 syllables",
    ]
    with pytest.raises(FormError, match="fewest, most"):
        FormSpec.from_json({"line_units": [[5, 3]]})


# --- the engine keeps the form ----------------------------------------------------------------------
def _kept(
    engine, spec: FormSpec, prompt: str = "Write:", n: int = 3, greedy: bool = False, tokens: int = 200
):
    result = engine.generate(
        prompt,
        max_new_tokens=tokens,
        num_alternatives=n,
        sampling=SamplingParams(greedy=greedy, seed=7),
        constraint=FormConstraint(spec),
    )
    return result.completions


def test_every_line_has_exactly_its_count_and_the_acrostic_starts_it(tiny_engine):
    spec = FormSpec(language="en", unit="word", lines=3, line_units=(4,), acrostic="SUN")
    for completion in _kept(tiny_engine, spec):
        lines = form_lines(completion.text)
        assert [count(line, "word") for line in lines] == [4, 4, 4], completion.text
        assert "".join(line[0] for line in lines) == "SUN", completion.text
        assert completion.finish_reason == "stop" and not unmet(check_form(completion.text, spec))


def test_a_required_phrase_is_written_before_the_room_runs_out(tiny_engine):
    spec = FormSpec(language="en", unit="word", max_units=8, required=("Drift Wood Tea",))
    for completion in _kept(tiny_engine, spec, greedy=True):
        assert "Drift Wood Tea" in completion.text and count(completion.text, "word") <= 8, completion.text


def test_syllable_lines_hold_on_a_tiny_model(tiny_engine):
    spec = FormSpec(language="en", unit="syllable", lines=3, line_units=(5, 7, 5))
    for completion in _kept(tiny_engine, spec, n=2, tokens=120):
        assert not unmet(check_form(completion.text, spec)), (completion.text, completion.finish_reason)


def test_the_word_that_ends_a_rhyming_line_is_judged_before_it_is_taken(tiny_engine):
    """The model prefers " day"; the line must rhyme with "light": " night" is taken instead."""
    import numpy as np

    from writer_app.engine.constrained_choice import ConstrainedChooser

    codec = tiny_engine.codec
    spec = FormSpec(language="en", unit="word", lines=2, line_units=(3,), rhyme="AA")
    chooser = ConstrainedChooser(FormConstraint(spec), codec, {50256}, tiny_engine.token_texts)
    decoder = codec.stream(codec.encode("Write:"))
    for token in codec.encode("I saw light\nupon the"):
        decoder.push(token)
    logits = np.zeros(50257, dtype=np.float32)
    (day,), (night,), (bright,) = codec.encode(" day"), codec.encode(" night"), codec.encode(" bright")
    logits[[day, night, bright]] = [9.0, 5.0, 4.0]
    greedy = SamplingParams(greedy=True)
    chosen = chooser.choose(logits, greedy, np.random.default_rng(0), decoder, lambda _t: False)
    assert codec.decode([chosen]) == " night"
    logits[night] = -9.0  # far down the list: the wide search still finds a rhyme
    chosen = chooser.choose(logits, greedy, np.random.default_rng(0), decoder, lambda _t: False)
    assert codec.decode([chosen]) == " bright"


def test_a_chinese_line_with_its_acrostic_on_a_chinese_vocabulary(chinese_model):
    from writer_app.engine.generate import Engine

    engine = Engine.load(chinese_model)
    spec = FormSpec(language="zh", unit="zi", lines=1, line_units=(7,), acrostic="山")
    for completion in _kept(engine, spec, prompt="写一句诗：", n=3):
        assert completion.text.lstrip().startswith("山") and zi_count(completion.text) == 7, completion.text
        assert completion.finish_reason == "stop"
    # 春 is not in this tiny vocabulary (it reads it as [UNK]): said at once, not written as nothing
    (unwritable,) = _kept(engine, FormSpec(language="zh", lines=1, line_units=(7,), acrostic="春"), n=1)
    assert unwritable.finish_reason == "form" and unwritable.token_ids == []


def test_a_form_the_vocabulary_cannot_write_ends_at_once_and_says_so(chinese_model):
    """The Chinese GPT-2's vocabulary has no line break: a two-line form cannot be kept."""
    from writer_app.engine.generate import Engine

    engine = Engine.load(chinese_model)
    spec = FormSpec(language="zh", unit="zi", lines=2, line_units=(3,))
    for completion in _kept(engine, spec, prompt="春天", n=2):
        assert completion.finish_reason == "form"
        # the first line (three 字, its punctuation), no loop
        assert len(completion.token_ids) <= 3 + 2, (completion.text, completion.token_ids)
        assert [c.what for c in unmet(check_form(completion.text, spec))] == ["lines"]


class _CorneredOnce:
    """A rule that allows nothing to the first answer (no token, no rescue: it is cornered at once) and
    then lets anything of ten characters or more through."""

    def __init__(self) -> None:
        self.starts = 0

    def forced(self, text: str) -> str | None:
        if not text:
            self.starts += 1
        return None

    def allows(self, text: str) -> bool:
        return self.starts > 1

    def finished(self, text: str) -> bool:
        return len(text) >= 10

    def may_end(self, text: str) -> bool:
        return len(text) >= 10

    def rescue(self, text: str) -> list[str]:
        return []

    def grammar(self) -> str | None:
        return None


def test_a_sampled_answer_cornered_by_its_form_is_drawn_again(tiny_engine):
    rule = _CorneredOnce()
    sampled = SamplingParams(greedy=False, seed=3)
    write = partial(tiny_engine.generate, "Write:", max_new_tokens=40)
    (answer,) = write(sampling=sampled, constraint=rule).completions
    assert answer.finish_reason == "stop" and len(answer.text) >= 10
    # Drawn again alone, it is still scored to be ranked among the others.
    rule = _CorneredOnce()
    first, second = write(sampling=sampled, num_alternatives=2, constraint=rule).completions
    assert first.finish_reason == second.finish_reason == "stop"
    assert first.mean_logprob < 0 and second.mean_logprob < 0
    # Greedy decoding would only write the same answer again: it is reported as it is.
    rule = _CorneredOnce()
    greedy = SamplingParams(greedy=True)
    (answer,) = write(sampling=greedy, constraint=rule).completions
    assert answer.finish_reason == "form" and answer.text == ""


def test_without_a_form_nothing_changes(tiny_engine):
    plain = tiny_engine.generate("Once", max_new_tokens=12, sampling=SamplingParams(greedy=True))
    again = tiny_engine.generate(
        "Once", max_new_tokens=12, sampling=SamplingParams(greedy=True), constraint=None
    )
    assert plain.completions[0].token_ids == again.completions[0].token_ids


# --- forms as tasks ---------------------------------------------------------------------------------
def test_the_built_in_forms_are_tasks_in_both_languages():
    from writer_app.assist.tasks import builtin_tasks

    forms = {task.id: task for task in builtin_tasks() if task.form is not None}
    assert {
        "jueju-7",
        "jueju-5",
        "lushi-7",
        "acrostic-zh",
        "couplet",
        "zh-slogan-12",
        "haiku",
        "limerick",
    } <= set(forms)
    for task in forms.values():
        assert task.label_en and task.label_zh and task.output == "panel", task.id
    assert (
        forms["jueju-7"].form.rhyme_letter(2) == ""
        and forms["acrostic-zh"].form.for_text("王小明").lines == 3
    )
    assert forms["couplet"].form.for_text("海阔凭鱼跃").line_units == (5,)


def test_a_task_file_with_a_broken_form_is_named_and_skipped(tmp_path):
    import json

    from writer_app.assist.tasks import load_tasks

    (tmp_path / "odd.json").write_text(
        json.dumps(
            {"id": "odd", "label": "Odd", "instruction": "{text}", "cue": "{text}", "form": {"lines": -1}}
        )
    )
    tasks, problems = load_tasks(tmp_path)
    assert "odd" not in {t.id for t in tasks} and problems == [
        "odd.json: form: lines must be a whole number; skipped"
    ]


def test_a_form_task_in_the_session_keeps_its_form_and_shows_its_checks(tiny_engine, tmp_path, monkeypatch):
    """From the writer's selection to the panel: the acrostic comes from the selected word, every
    candidate keeps the form, and each arrives with its checks."""
    import json
    from dataclasses import replace

    from tests.session_fakes import SyncEngine, make_session, model
    from writer_app.assist import tasks as task_files

    folder = tmp_path / "tasks"
    folder.mkdir()
    form = {"language": "en", "unit": "word", "lines": 3, "line_units": 4, "acrostic": "{text}"}
    (folder / "acrostic-en.json").write_text(
        json.dumps(
            {
                "id": "acrostic-en",
                "label": "Acrostic",
                "instruction": "Write an acrostic on {text}.",
                "cue": "An acrostic on {text}:\n",
                "output": "panel",
                "stop": None,
                "form": form,
            }
        )
    )
    monkeypatch.setattr(task_files, "user_task_folder", lambda: folder)
    from writer_app.assist import rewrite_flow

    seeded = rewrite_flow.sampling_from  # the random tiny model writes the same candidates every run
    monkeypatch.setattr(rewrite_flow, "sampling_from", lambda settings: replace(seeded(settings), seed=7))
    engine = SyncEngine(tiny_engine)
    h = make_session("SUN", engine=engine, loaded=model("tiny"), alternatives=3)
    h.session.begin_rewrite(0, 3, "SUN")
    assert h.session.run_rewrite("acrostic-en")
    ranked = next(event[1] for event in h.seen.rewrite if event[0] == "ranked")
    spec = FormSpec.from_json(form).for_text("SUN")
    assert ranked and all(not unmet(check_form(text, spec)) for text in ranked), ranked
    assert h.seen.marks and all(
        mark.startswith("✓ 3 lines ✓ 4 words ✓ acrostic SUN") for mark in h.seen.marks
    )


def test_the_panel_shows_each_candidates_checks_and_uses_only_its_text(qtbot):
    from writer_app.ui.rewrite_panel import RewritePanel

    panel = RewritePanel()
    qtbot.addWidget(panel)
    panel.start("七言绝句", 2)
    panel.show_candidates([LI_BAI, "两岸猿声啼不住"], ["✓ 4 行 ✓ 7 字 ✓ 押 an", "✗ 4 行"])
    assert panel.candidates.item(0).text().endswith("\n✓ 4 行 ✓ 7 字 ✓ 押 an")
    assert panel.candidate_text(0) == LI_BAI  # what Enter and Ctrl+C use: the poem, not its checks


def test_a_word_the_model_cannot_finish_is_finished_from_the_dictionary():
    form = FormConstraint(FormSpec(language="en", unit="word", lines=2, line_units=(3,)))
    assert form.rescue("Snow on the nons") == []  # the line is full: nothing fits
    four = FormConstraint(FormSpec(language="en", unit="word", lines=2, line_units=(4,)))
    assert four.rescue("Snow on nons") == ["top"]
    assert form.rescue("Snow on roofs") == ["\n"]


def test_when_the_model_has_no_rhyme_the_dictionary_offers_the_ones_that_fit():
    spec = FormSpec(language="en", unit="syllable", lines=2, line_units=((4, 6), (4, 6)), rhyme="AA")
    options = FormConstraint(spec).rescue("We forgot the salt\nAnd it was our")
    assert " fault" in options and " halt" in options  # one syllable left at most: one-syllable rhymes
    assert " salt" not in options and " assault" not in options  # not the word itself; too long


def test_the_engine_writes_the_rescue_the_model_likes_best(tiny_engine):
    import numpy as np

    from writer_app.engine.constrained_choice import ConstrainedChooser

    codec = tiny_engine.codec
    spec = FormSpec(language="en", unit="syllable", lines=2, line_units=((4, 6), (4, 6)), rhyme="AA")
    chooser = ConstrainedChooser(FormConstraint(spec), codec, {50256}, tiny_engine.token_texts)
    decoder = codec.stream(codec.encode("Write:"))
    for token in codec.encode("We forgot the salt\nAnd it was our"):
        decoder.push(token)
    logits = np.zeros(50257, dtype=np.float32)
    (halt,) = codec.encode(" halt")
    logits[halt] = 3.0
    assert codec.decode(chooser.rescue_ids(decoder, logits)) == " halt"


def test_a_word_still_being_written_counts_as_the_word_it_will_be():
    """ "syllabl" (two syllables by its spelling) can only become "syllable" (three): on a line with room
    for two more, it is refused before it leads nowhere."""
    form = FormConstraint(FormSpec(language="en", unit="syllable", lines=2, line_units=(7,)))
    assert count("Lines of five and six syllabl", "syllable") == 7  # as spelled: fits
    assert not form.allows("Lines of five and six syllabl")  # as it must end: 5 + "syllable" = 8
    assert form.allows("Lines of five and sev")  # "seven": 6


def test_the_word_that_must_end_a_rhyming_line_is_judged_while_it_is_written():
    """ "limer" can only become "limerick" on a line with three syllables left: it cannot rhyme with
    "the" (a line the model wrote), so it is refused before it leads nowhere."""
    form = FormConstraint(
        FormSpec(language="en", unit="syllable", lines=2, line_units=((4, 6), (4, 6)), rhyme="AA")
    )
    assert not form.allows("We sat on the mat\nAnd all read limer")  # 3 + limerick (3) = 6: must rhyme
    assert form.allows("We sat on the mat\nAnd read limer")  # 2 + 3 = 5: a word may still follow
    assert form.allows("We sat on the mat\nAnd then a c")  # could be "cat"


def test_a_servers_answers_are_checked_against_the_form_and_the_writer_is_told(tmp_path):
    """A server cannot be kept to a form token by token: its answers are ranked by what holds, marked,
    and the panel says so."""
    from dataclasses import replace

    from tests.session_fakes import make_session, model
    from writer_app.assist.requests import RequestKind
    from writer_app.engine.completion import Completion, GenerationResult, GenerationStats

    server = replace(model("qwen", instruct=True), where="127.0.0.1")
    h = make_session("秋夜听雨", loaded=server, alternatives=2)
    h.session.begin_rewrite(0, 4, "秋夜听雨")
    assert h.session.run_rewrite("jueju-7")
    [request] = h.engine.of_kind(RequestKind.REWRITE)
    free = Completion("秋夜听雨声声慢", [1], logprob=-1.0)
    kept = Completion(LI_BAI, [1], logprob=-9.0)
    h.session.finished(request.request_id, GenerationResult([free, kept], GenerationStats()))
    ranked = next(event[1] for event in h.seen.rewrite if event[0] == "ranked")
    assert ranked[0] == LI_BAI  # what keeps the form first, however probable the rest
    assert h.seen.marks[1].startswith("✗ 4 行")
    assert "checked against the whole form" in h.seen.rewrite[-1][1]


def test_what_a_grammar_can_say_of_a_form_and_what_it_cannot():
    from llama_cpp import LlamaGrammar

    from writer_app.forms.grammar import form_grammar

    jueju = form_grammar(FormSpec(lines=4, line_units=(7,), rhyme="AAxA", acrostic="春夏秋冬"))
    assert 'line0 ::= "春" han{6} close' in jueju and 'root ::= line0 "\\n" line1' in jueju
    words = form_grammar(FormSpec(language="en", unit="word", lines=2, line_units=((2, 4), 3)))
    assert "(sep word){1,3}" in words and "(sep word){2}" in words
    for grammar in (jueju, words):
        LlamaGrammar.from_string(grammar, verbose=False)  # llama.cpp's own parser takes it
    assert form_grammar(FormSpec(language="en", unit="syllable", lines=3, line_units=(5, 7, 5))) is None
    assert form_grammar(FormSpec(max_units=12)) is None  # no lines to say


def test_a_couplets_second_line_ends_on_a_level_tone():
    """对联: the 上联 ends on 仄, the 下联 on 平 (today's tones: 1 and 2 are 平)."""
    from writer_app.forms.rhyme import zh_tone

    assert zh_tone("海阔凭鱼跃") == "ze" and zh_tone("天高任鸟飞") == "ping"
    spec = FormSpec.from_json({"lines": 1, "line_units": "{text}", "end_tone": "ping"}).for_text("海阔凭鱼跃")
    form = FormConstraint(spec)
    assert form.allows("天高任鸟飞") and not form.allows("天高任鸟跃")
    assert [c.mark() for c in check_form("天高任鸟飞", spec)] == ["✓ 1 行", "✓ 5 字", "✓ 平收"]
    with pytest.raises(FormError, match="end_tone"):
        FormSpec.from_json({"end_tone": "rising"})
