"""What a writer reads when a server fails in ways a real server will not do on demand: each a single
line naming the server, and the text streamed before a failure is kept. The faults come from a small
HTTP server of the tests' own on 127.0.0.1."""

from __future__ import annotations

import base64
import re
import socket
import threading

import pytest

from tests.fault_server import FaultServer, ForwardProxy
from tests.server_fixtures import free_port
from writer_app.assist.requests import AssistRequest, RequestKind
from writer_app.cli import main
from writer_app.engine.sampling import SamplingParams
from writer_app.remote.http_stream import Proxy, ServerError, Timeouts, proxy_for
from writer_app.remote.remote_engine import RemoteEngine
from writer_app.remote.server_config import ServerChoice

QUICK = Timeouts(connect_s=2, first_token_s=1.0, between_tokens_s=0.5)


def connect(server: FaultServer, key: str = "") -> RemoteEngine:
    server.fault = "none"  # the connection check (models, probe) goes through
    engine = RemoteEngine.connect(ServerChoice(server.base_url, "m"), key=key, timeouts=QUICK)
    return engine


def suggest(engine: RemoteEngine) -> tuple[list[str], ServerError]:
    chunks: list[str] = []
    req = AssistRequest(
        request_id=1,
        kind=RequestKind.CONTINUE,
        prompt="Waves",
        revision=0,
        max_new_tokens=8,
        sampling=SamplingParams(),
    )
    with pytest.raises(ServerError) as failure:
        engine.run(req, lambda _row, text: chunks.append(text))
    assert "\n" not in str(failure.value)
    return chunks, failure.value


def test_a_working_stream_and_the_key_sent_as_a_bearer_token(faults):
    engine = connect(faults, key="s3cret")
    req = AssistRequest(request_id=1, kind=RequestKind.CONTINUE, prompt="Waves", revision=0, max_new_tokens=8)
    result = engine.run(req, lambda _row, _text: None)
    assert result.text == "Hello there" and faults.seen_keys[-1] == "Bearer s3cret"


@pytest.mark.parametrize(
    ("fault", "says"),
    [
        ("401", "refused the API key (401)"),
        ("403", "refused the API key (403)"),
        ("404", "not found at 127.0.0.1:{port} (404): model 'm' not found"),
        ("429", "is busy (429, too many requests); try again in 7 s"),
        ("503", "is busy (503, unavailable); try again shortly"),
        ("stall-before-answer", "did not answer in time"),
        ("redirect", "redirects to another address (307); give that address instead"),
        ("not-a-stream", "did not stream its answer (it sent application/json)"),
    ],
)
def test_refusals_and_silence_before_an_answer(faults, fault, says):
    engine = connect(faults)
    faults.fault = fault
    chunks, error = suggest(engine)
    assert says.format(port=faults.server_address[1]) in str(error) and chunks == []
    if fault == "429":
        assert error.retry_after_s == 7
    assert error.status == {"401": 401, "403": 403, "404": 404, "429": 429, "503": 503, "redirect": 307}.get(
        fault
    )


@pytest.mark.parametrize(
    ("fault", "says"),
    [
        ("malformed", "sent an event that is not JSON: '{not json'"),
        ("cut", "closed mid-answer; the text so far is kept"),
        ("stall", "sent nothing for 0 s; the text so far is kept"),
        ("error-event", "stopped: out of memory"),
        ("drip", "sent nothing for 0 s; the text so far is kept"),  # bytes keep coming, no event does
        ("odd-shapes", "answered in a shape it should not have"),  # a number for a text
        ("odd-list", "answered in a shape it should not have"),  # a list for an object
    ],
)
def test_failures_mid_stream_keep_what_was_streamed(faults, fault, says):
    engine = connect(faults)
    faults.fault = fault
    chunks, error = suggest(engine)
    assert says in str(error) and chunks == ["The tide"]


def test_nothing_listening_a_name_that_does_not_resolve_and_tls_to_a_plain_server(
    faults, monkeypatch, no_proxy_env
):
    closed = free_port()
    with pytest.raises(ServerError, match=f"nothing answers at 127.0.0.1:{closed}: is the server running"):
        RemoteEngine.connect(ServerChoice(f"http://127.0.0.1:{closed}/v1", "m"), key="", timeouts=QUICK)
    port = faults.server_address[1]
    with pytest.raises(ServerError, match=f"a secure \\(TLS\\) connection to 127.0.0.1:{port} failed"):
        RemoteEngine.connect(ServerChoice(f"https://127.0.0.1:{port}/v1", "m"), key="", timeouts=QUICK)

    def no_such_name(*_args, **_kwargs):
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(socket, "getaddrinfo", no_such_name)  # no lookup leaves the machine
    with pytest.raises(ServerError, match="cannot find the server writers.example"):
        RemoteEngine.connect(ServerChoice("http://writers.example:8080/v1", "m"), key="", timeouts=QUICK)


def test_the_command_line_says_one_line_and_exits_2(faults, capsys, monkeypatch, tmp_path):
    monkeypatch.setenv("WRITER_APP_HOME", str(tmp_path))
    faults.fault = "none"
    code = main(["complete", "--server", faults.base_url, "--server-model", "m", "Waves"])
    assert code == 0 and capsys.readouterr().out.strip().endswith("Hello there")
    faults.fault = "401"
    code = main(["complete", "--server", faults.base_url, "--server-model", "m", "Waves"])
    err = capsys.readouterr().err.strip()
    assert code == 2 and len(err.splitlines()) == 1 and "refused the API key (401)" in err


def test_models_list_shows_the_servers_models(faults, capsys, monkeypatch, tmp_path):
    monkeypatch.setenv("WRITER_APP_HOME", str(tmp_path))
    assert main(["models", "list", "--server", faults.base_url]) == 0
    out = capsys.readouterr().out
    assert "SERVER MODEL" in out and re.search(rf"^  m +{re.escape(faults.base_url)}$", out, re.M)


def test_local_only_mode_refuses_any_server(faults, capsys, monkeypatch, tmp_path):
    from writer_app.settings import Settings, save_settings

    monkeypatch.setenv("WRITER_APP_HOME", str(tmp_path))
    save_settings(Settings(local_only=True, server_url=faults.base_url, server_model="m"))
    faults.seen_keys.clear()
    assert main(["complete", "--server", faults.base_url, "--server-model", "m", "Waves"]) == 2
    assert "local-only mode is on" in capsys.readouterr().err
    assert main(["models", "list", "--server", faults.base_url]) == 2
    assert faults.seen_keys == [] and faults.requests == 0  # not one request reached it


def test_a_proxy_named_by_the_environment_carries_the_requests(faults, monkeypatch):
    proxy = ForwardProxy(faults.server_address[1])
    threading.Thread(target=proxy.serve_forever, daemon=True).start()
    try:
        monkeypatch.setenv("http_proxy", f"http://writer:s%40fe@127.0.0.1:{proxy.server_address[1]}")
        monkeypatch.delenv("no_proxy", raising=False)
        monkeypatch.delenv("NO_PROXY", raising=False)
        port = faults.server_address[1]
        # a name only the proxy resolves (it sends everything to 127.0.0.1): the client looks nothing up
        engine = RemoteEngine.connect(
            ServerChoice(f"http://writers.test:{port}/v1", "m"), key="", timeouts=QUICK
        )
        req = AssistRequest(
            request_id=1, kind=RequestKind.CONTINUE, prompt="Waves", revision=0, max_new_tokens=8
        )
        assert engine.run(req, lambda _row, _text: None).text == "Hello there"
        method, target, credentials = proxy.seen[0]
        assert (method, target) == ("GET", f"http://writers.test:{port}/v1/models")
        assert credentials == "Basic " + base64.b64encode(b"writer:s@fe").decode()
        assert engine.info().where == f"writers.test:{port}"  # the status bar names the server
    finally:
        proxy.shutdown()
        proxy.server_close()


def test_no_proxy_for_this_computer_or_a_host_the_environment_exempts(monkeypatch):
    monkeypatch.setenv("https_proxy", "http://proxy.example:3128")
    monkeypatch.setenv("no_proxy", "gpu.internal")
    assert proxy_for("https", "127.0.0.1") is None and proxy_for("https", "localhost") is None
    assert proxy_for("https", "gpu.internal") is None
    assert proxy_for("https", "writers.example") == Proxy("proxy.example", 3128, {})


def test_a_server_that_ignores_max_tokens_stops_where_the_request_asked(faults):
    engine = connect(faults)
    faults.fault = "endless"
    req = AssistRequest(request_id=1, kind=RequestKind.CONTINUE, prompt="Waves", revision=0, max_new_tokens=8)
    chunks: list[str] = []
    result = engine.run(req, lambda _row, text: chunks.append(text))
    assert result.completions[0].finish_reason == "length" and len(chunks) == 8
    assert result.text == "The tide" + " and on" * 7


def test_an_event_that_never_ends_is_cut_with_one_line_and_bounded_memory(faults):
    import resource

    engine = connect(faults)
    faults.fault = "huge-line"
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    chunks, error = suggest(engine)
    assert "sent more than an answer holds; it was cut" in str(error) and chunks == ["The tide"]
    grown_mb = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
    assert grown_mb < 200  # a line is held up to 1 M characters, not for ever


def test_a_model_list_that_drips_ends_in_time_and_frees_the_dialog(faults):
    faults.fault = "drip-models"
    with pytest.raises(ServerError, match="did not answer in time"):
        RemoteEngine.connect(ServerChoice(faults.base_url, "m"), key="", timeouts=QUICK)
