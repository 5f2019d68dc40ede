"""The context window: a start that stays put while the writer types, moved only when it must."""

from __future__ import annotations

from writer_app.assist.context_window import KEEP_SHARE, ContextWindow


def reader(text: str):
    return lambda start, end: text[start:end]


def test_short_documents_are_read_from_the_start():
    window = ContextWindow(1000)
    assert window.span(20, reader("x" * 20)) == (0, 20)


def test_the_start_stays_put_while_the_writer_types_at_the_end():
    text = "word " * 2000
    window = ContextWindow(1000)
    first, _ = window.span(len(text), reader(text))
    assert first > 0 and text[first - 1] == " "  # on a word boundary
    starts = set()
    for typed in range(1, 200):
        more = text + "a" * typed
        window.edit(len(text) + typed - 1, 0, 1)
        starts.add(window.span(len(more), reader(more))[0])
    assert starts == {first}


def test_the_start_jumps_forward_once_the_span_outgrows_the_budget():
    text = "line of prose\n" * 500
    window = ContextWindow(1000)
    first, _ = window.span(len(text), reader(text))
    longer = text + "more words " * 40
    start, end = window.span(len(longer), reader(longer))
    assert start > first and longer[start - 1] == "\n"
    assert end - start <= 1000 and end - start >= KEEP_SHARE * 1000 - 20


def test_edits_before_the_start_move_it_with_the_text():
    text = "abcdefghij " * 300
    window = ContextWindow(1000)
    start, _ = window.span(len(text), reader(text))
    anchor_text = text[start : start + 20]
    window.edit(0, 0, 5)  # five characters typed at the top
    text = "12345" + text
    assert window.start == start + 5 and text[window.start : window.start + 20] == anchor_text
    window.edit(0, 10, 0)  # ten deleted at the top
    assert window.start == start - 5
    window.edit(window.start - 2, 4, 1)  # an edit across the start: the window begins after it
    assert window.start == start - 5 - 2 + 1


def test_a_cursor_before_the_start_or_close_after_it_moves_the_window_back():
    text = "word " * 2000
    window = ContextWindow(1000)
    start, _ = window.span(len(text), reader(text))
    early, _ = window.span(3000, reader(text))
    assert early < 3000 and 3000 - early >= KEEP_SHARE * 1000 - 10
    assert window.span(10, reader(text)) == (0, 10)


def test_chinese_text_snaps_to_a_sentence_end():
    text = "他走进了雨里，没有回头。" * 400
    window = ContextWindow(600)
    start, _ = window.span(len(text), reader(text))
    assert text[start - 1] in "。，"
