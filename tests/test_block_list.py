"""The content filter: blocked words and phrases are never generated, even as the model's top choice,
even split across tokens or across the end of the writer's text; in English and in Chinese."""

from __future__ import annotations

import os

import pytest

from writer_app.assist.requests import sampling_from
from writer_app.engine.block_list import BlockList, read_block_list
from writer_app.engine.generate import Engine
from writer_app.engine.sampling import SamplingParams
from writer_app.settings import Settings, block_list_path


def test_a_phrase_is_caught_where_it_is_completed_and_only_there():
    blocks = BlockList(["damn", "该死", "  "])
    assert blocks.phrases == ("damn", "该死")
    assert blocks.creates("well, da", "well, damn")  # completed across a token boundary
    assert blocks.creates("Well, Da", "Well, DAMN!")  # any case
    assert not blocks.creates("damn it, ", "damn it, he said")  # already in the writer's text
    assert blocks.creates("真是该", "真是该死")
    assert not BlockList([])
    assert read_block_list("# notes\n\ndamn\n  该死  \n") == ["damn", "该死"]


def _greedy(engine: Engine, prompt: str, blocked: tuple[str, ...] = (), n: int = 1) -> list[str]:
    sampling = SamplingParams(greedy=True, blocked=blocked)
    result = engine.generate(prompt, max_new_tokens=24, sampling=sampling, num_alternatives=n)
    return [c.text for c in result.completions]


@pytest.mark.parametrize("n", [1, 3])
def test_the_models_own_first_choice_is_refused(tiny_engine: Engine, n: int):
    prompt = "The river ran past the mill and"
    [free, *_] = _greedy(tiny_engine, prompt, n=n)
    words = free.split()
    assert len(words) >= 3
    phrase = " ".join(words[1:3])  # spans several tokens of the greedy continuation
    blocked = _greedy(tiny_engine, prompt, (phrase.upper(),), n=n)
    assert all(phrase.casefold() not in text.casefold() for text in blocked)
    assert blocked[0] != free


def test_chinese_phrases_are_refused(chinese_model):
    engine = Engine.load(chinese_model, threads=1)
    prompt = "我们在山上"
    [free] = _greedy(engine, prompt)
    assert len(free) >= 4
    phrase = free[1:3]
    [blocked] = _greedy(engine, prompt, (phrase,))
    assert phrase not in blocked


def test_sampled_text_never_holds_a_blocked_word(tiny_engine: Engine):
    prompt = "The river ran past the mill and"
    sampled = [
        tiny_engine.generate(prompt, max_new_tokens=16, sampling=SamplingParams(greedy=False, seed=s)).text
        for s in range(6)
    ]
    common = max(
        {w for t in sampled for w in t.split() if len(w) > 2}, key=lambda w: sum(w in t for t in sampled)
    )
    for seed in range(6):
        sampling = SamplingParams(greedy=False, seed=seed, blocked=(common,))
        assert common not in tiny_engine.generate(prompt, max_new_tokens=16, sampling=sampling).text


def test_settings_switch_the_users_block_list_on(tmp_path, monkeypatch):
    monkeypatch.setenv("WRITER_APP_HOME", str(tmp_path))
    path = block_list_path()
    path.parent.mkdir(parents=True)
    path.write_text("# mine\nfoo bar\n该死\n", encoding="utf-8")
    assert sampling_from(Settings(block_list=False)).blocked == ()
    assert sampling_from(Settings(block_list=True)).blocked == ("foo bar", "该死")
    path.write_text("baz\n", encoding="utf-8")
    os.utime(path, ns=(1, 2))  # a different stamp: read again
    assert sampling_from(Settings(block_list=True)).blocked == ("baz",)


def test_the_cli_takes_block_flags(tiny_home, capsys):
    from writer_app.cli import main

    assert main(["complete", "--greedy", "--max-new-tokens", "12", "The river ran"]) == 0
    free = capsys.readouterr().out.strip()
    word = max(free.split(), key=len)
    assert main(["complete", "--greedy", "--max-new-tokens", "12", "--block", word, "The river ran"]) == 0
    assert word not in capsys.readouterr().out


def test_a_servers_text_is_cut_where_a_phrase_begins_matched_as_the_engine_matches():
    blocks = BlockList(["  damn ", "Straße"])
    assert blocks.first_in("Oh DAMN it") == 3
    assert blocks.first_in("the STRASSE ahead") == 4  # folded as the engine folds: ß is ss
    assert blocks.first_in("nothing to cut") is None


def test_a_word_split_by_spaces_hyphens_dots_or_invisible_characters_is_still_the_word():
    """ "Drift Wood" once passed a block on "driftwood"."""
    blocks = BlockList(["driftwood", "国家级"])
    for variant in ("Drift Wood", "drift-wood", "D.R.I.F.T.W.O.O.D", "drift\u200bwood", "drift_wood"):
        assert blocks.creates("Our new ", f"Our new {variant} range"), variant
    assert blocks.creates("本品是", "本品是国 家 级")
    assert not blocks.creates("Our new ", "Our new drift boat")
    assert blocks.first_in("Try our D.r.i.f.t wood tea") == 8  # a server's text is cut where it starts
    assert blocks.spans("国 家 级产品") == [(0, 5, "国家级")]
