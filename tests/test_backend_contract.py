"""The backend contract (engine/backend.py), one suite for both backends: the local engine on the tiny
model, and the server engine against the real llama.cpp server the tests start. Both are opened the way
the window and the command line open them (`open_backend`), and driven only through `info()` and `run()`.
"""

from __future__ import annotations

import threading

import pytest

from tests.server_fixtures import MODEL_ALIAS
from writer_app.backends import open_backend
from writer_app.engine.backend import Backend, GenerationRequest, ModelInfo, RequestKind
from writer_app.engine.sampling import SamplingParams
from writer_app.remote.server_config import ServerChoice

PROMPT = "The harbour was quiet that morning, and the fishing boats"
GREEDY = SamplingParams(greedy=True)


@pytest.fixture(params=["local", "server"], scope="module")
def backend(request) -> Backend:
    if request.param == "local":
        return open_backend(str(request.getfixturevalue("tiny_model")), threads=1)
    return open_backend(ServerChoice(request.getfixturevalue("llama_server"), MODEL_ALIAS).ref)


def run(backend: Backend, req: GenerationRequest):
    chunks: list[tuple[int, str]] = []
    result = backend.run(req, lambda row, text: chunks.append((row, text)))
    return chunks, result


def test_it_says_what_it_is(backend):
    info = backend.info()
    assert isinstance(info, ModelInfo) and info.name and info.context_length > 0
    # this computer's (threads it runs on) or a server's (where the text goes: only 127.0.0.1 here)
    assert (info.where == "" and info.threads > 0) or (
        info.where.startswith("127.0.0.1:") and info.threads == 0
    )


def test_the_text_streamed_is_the_text_returned(backend):
    chunks, result = run(backend, GenerationRequest(RequestKind.CONTINUE, PROMPT, 10, sampling=GREEDY))
    assert chunks and all(row == 0 for row, _ in chunks)
    assert "".join(text for _, text in chunks) == result.completions[0].text
    assert result.stats.new_tokens > 0


def test_alternatives_come_one_per_row(backend):
    sampling = SamplingParams(temperature=1.0, seed=3)
    req = GenerationRequest(RequestKind.CONTINUE, PROMPT, 6, sampling=sampling, num_alternatives=2)
    chunks, result = run(backend, req)
    assert len(result.completions) == 2
    for row in (0, 1):
        assert "".join(t for r, t in chunks if r == row) == result.completions[row].text


def test_a_stop_rule_ends_the_text_at_the_line(backend):
    req = GenerationRequest(
        RequestKind.CONTINUE, "One\nTwo\nThree\nFour\n", 40, sampling=GREEDY, stop_at="newline"
    )
    _chunks, result = run(backend, req)
    assert "\n" not in result.completions[0].text


def test_the_block_list_keeps_a_phrase_out(backend):
    _chunks, free = run(backend, GenerationRequest(RequestKind.CONTINUE, PROMPT, 8, sampling=GREEDY))
    words = free.completions[0].text.split()
    assert words, "greedy decoding wrote no word here"
    word = words[0]
    blocked = SamplingParams(greedy=True, blocked=(word,))
    _chunks, result = run(backend, GenerationRequest(RequestKind.CONTINUE, PROMPT, 8, sampling=blocked))
    assert word.lower() not in result.completions[0].text.lower()


def test_a_warm_up_generates_nothing(backend):
    chunks, result = run(backend, GenerationRequest(RequestKind.WARM, PROMPT, 0))
    assert chunks == [] and result is not None and result.completions == []


def cancel_after_first_text(backend: Backend, req: GenerationRequest, join_s: float = 30):
    """Run req on a thread of its own, set its cancel as soon as text comes; (texts, result). Fails if
    no text comes in 60 s or the run does not end within join_s of the cancel."""
    first = threading.Event()
    chunks: list[str] = []
    outcome = []

    def on_text(_row: int, text: str) -> None:
        chunks.append(text)
        first.set()

    worker = threading.Thread(target=lambda: outcome.append(backend.run(req, on_text)))
    worker.start()
    assert first.wait(60)
    req.cancel.set()
    worker.join(join_s)
    assert not worker.is_alive()
    return chunks, outcome[0]


def test_cancel_ends_a_run_from_another_thread(backend):
    req = GenerationRequest(RequestKind.CONTINUE, PROMPT, 400, sampling=GREEDY)
    _chunks, result = cancel_after_first_text(backend, req)
    assert result.completions[0].finish_reason == "cancelled"
    assert result.stats.new_tokens < 400
