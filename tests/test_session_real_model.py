"""The session on a real (tiny) model, run synchronously: what the engine reuses while the writer types."""

from __future__ import annotations

import pytest

from tests.session_fakes import SyncEngine, make_session
from writer_app.assist.requests import RequestKind
from writer_app.assist.session import WARM_DELAY_MS
from writer_app.engine.generate import Engine
from writer_app.engine.local_backend import LocalBackend

PARAGRAPH = (
    "The ferry left the harbour a little after six, while the town still slept behind its shutters. "
    "Gulls followed it past the breakwater, and the captain, who had made the crossing every morning "
    "for eleven years, drank his coffee standing at the rail.\n"
)


@pytest.fixture(scope="module")
def long_engine(long_model):
    return Engine.load(long_model, threads=1)


def test_typing_at_the_end_of_a_long_document_reuses_the_cached_prefix(long_engine):
    document = (PARAGRAPH * (50_000 // len(PARAGRAPH) + 1))[:50_000]
    engine = SyncEngine(long_engine)
    h = make_session(document, engine=engine, loaded=LocalBackend(long_engine).info(), alternatives=1)
    keys = "and then the wind turned, suddenly."
    for index, key in enumerate(keys):
        h.doc.type(key)
        h.clock.advance(WARM_DELAY_MS)  # a pause: the cache is warmed
        if index % 8 == 7:
            h.session.request_suggestion()  # now and then the writer asks
            h.session.dismiss()
    kinds = [kind for kind, _ in engine.stats]
    assert kinds.count(RequestKind.WARM) == len(keys) and RequestKind.CONTINUE in kinds
    stats = [s for _, s in engine.stats]
    assert stats[0].prompt_tokens > 400  # a real window of a long document, not a token or two
    for later in stats[1:]:
        assert later.reused_tokens >= 0.9 * later.prompt_tokens, later
    assert h.doc.chars_read < 40 * 2 * h.session.window.max_chars  # never the 50,000 characters per key


def test_chinese_text_keeps_its_prefix_once_the_window_has_learned_its_tokens(chinese_model):
    """A BERT-vocabulary model reads about one character per token, not four: the first answer teaches
    the window its size (it moves once, to a sentence end), and from then on typing reuses the cache."""
    from tests.fixtures_models import ZH_CHARS

    engine = Engine.load(chinese_model, threads=1)
    sentence = "".join(ZH_CHARS[i % 60] for i in range(23)) + "。"
    document = sentence * 200  # 4,800 characters
    sync = SyncEngine(engine)
    h = make_session(
        document, engine=sync, loaded=LocalBackend(engine).info(), alternatives=1, suggestion_tokens=8
    )
    for key in "我们在山上看见了很多的风景":
        h.doc.type(key)
        h.clock.advance(WARM_DELAY_MS)
    stats = [s for _, s in sync.stats]
    assert len(stats) == 13
    assert document[h.session.window.start - 1] == "。"  # the window starts after a sentence end
    for later in stats[3:]:
        assert later.cut_tokens == 0  # the window fits the model: the engine cuts nothing
        assert later.reused_tokens >= 0.9 * later.prompt_tokens, later
