"""The suggestion lifecycle without Qt: typing through, word accept, cycling."""

from __future__ import annotations

from writer_app.assist.suggestion import Suggestion


def make(*alternatives: str) -> Suggestion:
    s = Suggestion(request_id=1, anchor=10, alternatives=len(alternatives))
    for row, text in enumerate(alternatives):
        s.append(row, text)
    return s


def test_typing_through_shrinks_the_ghost_and_moves_the_anchor():
    s = make(" quiet night")
    assert s.type_through(" ")
    assert s.type_through("q")
    assert s.ghost == "uiet night" and s.anchor == 12
    assert not s.type_through("x")
    assert s.ghost == "uiet night"


def test_take_word_english_and_chinese():
    s = make(" quiet night, again")
    assert s.take_word() == " quiet"
    assert s.take_word() == " night,"
    assert s.ghost == " again"
    zh = make("我们走吧。")
    assert zh.take_word() == "我"
    assert zh.ghost == "们走吧。"


def test_cycle_skips_alternatives_that_no_longer_match():
    s = make(" apple", " banana", " avocado")
    s.type_through(" a")
    assert s.ghost == "pple"
    assert s.cycle(1)
    assert s.ghost == "vocado"  # " banana" no longer matches what was typed
    assert s.cycle(1)
    assert s.ghost == "pple"
    assert s.cycle(-1)
    assert s.ghost == "vocado"


def test_cycle_with_one_alternative_does_nothing():
    s = make(" only")
    assert not s.cycle(1)
    assert s.ghost == " only"


def test_take_all_returns_the_remaining_ghost():
    s = make(" and then")
    s.type_through(" a")
    assert s.take_all() == "nd then"
    assert s.ghost == ""
