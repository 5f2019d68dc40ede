"""HTTP for the server engine, on httpx (the client the OpenAI SDK itself is built on) and httpx-sse:
JSON requests, server-sent event streams, and every way a connection can fail turned into one line a
writer understands (ServerError), decided by the exception's class and the HTTP status, never its text.

A stream can be closed from another thread at once (cancel): reading then ends, and the server sees the
client go and stops generating (llama.cpp, vLLM and Ollama all abort a request whose client left). The
same watch ends a stream that sends no whole event in time, however slowly it drips bytes.
"""

from __future__ import annotations

import base64
import contextlib
import json
import socket
import ssl
import threading
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote, urlsplit

import httpx
from httpx_sse import EventSource, SSEError

from writer_app.errors import ServerFailure
from writer_app.remote.server_config import is_this_computer

CONNECT_TIMEOUT_S = 5.0
FIRST_TOKEN_TIMEOUT_S = 60.0  # a long prompt on a busy server takes a while before its first token
BETWEEN_TOKENS_TIMEOUT_S = 30.0
# What a server may make us hold: one event (a line of the stream), and one whole answer.
MAX_LINE_CHARS = 1_000_000
MAX_ANSWER_BYTES = 20_000_000


class ServerError(ServerFailure):
    """One line for the status bar (and the command line); the HTTP status when the server answered with
    one, retry_after_s when it said when."""


@dataclass(frozen=True)
class Timeouts:
    connect_s: float = CONNECT_TIMEOUT_S
    first_token_s: float = FIRST_TOKEN_TIMEOUT_S
    between_tokens_s: float = BETWEEN_TOKENS_TIMEOUT_S


class Endpoint:
    """A server's base URL (…/v1), the key sent to it, and one HTTP client (httpx) kept for its requests,
    so each request after the first reuses the open connection."""

    def __init__(self, base_url: str, api_key: str = "", timeouts: Timeouts | None = None) -> None:
        try:
            parts = urlsplit(base_url)
        except ValueError as exc:
            raise ServerError(f"{base_url!r} is not a server address ({exc})") from None
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ServerError(f"{base_url!r} is not a server address (e.g. http://127.0.0.1:8080/v1)")
        try:
            port = parts.port or (443 if parts.scheme == "https" else 80)
        except ValueError:
            raise ServerError(f"{base_url!r} is not a server address: its port is not a number") from None
        self.base_url = base_url.rstrip("/")
        self.scheme = parts.scheme
        self.host = parts.hostname
        self.port = port
        self.api_key = api_key
        self.timeouts = timeouts or Timeouts()
        self.proxy = proxy_for(self.scheme, self.host)
        headers = {"Accept": "application/json, text/event-stream"}
        if api_key:
            headers["Authorization"] = f"Bearer {api_key}"
        self._client = httpx.Client(
            headers=headers,
            timeout=httpx.Timeout(self.timeouts.first_token_s, connect=self.timeouts.connect_s),
            verify=ssl.create_default_context(),
            # Our own reading of the environment: this computer is never proxied, NO_PROXY is honoured,
            # and no .netrc password is ever added to a request.
            trust_env=False,
            proxy=httpx.Proxy(f"http://{self.proxy.host}:{self.proxy.port}", headers=self.proxy.headers)
            if self.proxy
            else None,
            follow_redirects=False,  # a redirect never carries the key to another address
        )

    @property
    def where(self) -> str:
        """host:port as the writer reads it in the status bar."""
        return f"{self.host}:{self.port}"

    def close(self) -> None:
        self._client.close()

    def get_json(self, route: str) -> Any:
        return self._json("GET", route, None)

    def post_json(self, route: str, body: dict[str, Any]) -> Any:
        return self._json("POST", route, body)

    def _json(self, method: str, route: str, body: dict[str, Any] | None) -> Any:
        """One JSON answer, whole within first_token_s however the server drips it, and at most
        MAX_ANSWER_BYTES (a dialog waiting on it is never held longer, nor memory grown without end)."""
        response, watch = self._send(method, route, body, threading.Event())
        try:
            content = self._body(response)
        except httpx.HTTPError as exc:
            if watch.timed_out is not None:
                raise ServerError(f"the server at {self.where} did not answer in time") from None
            raise self.explain(exc) from exc
        finally:
            watch.done()
        if watch.timed_out is not None:
            raise ServerError(f"the server at {self.where} did not answer in time")
        self._check(response, content)
        return _parse_json(content, self.where)

    def _send(
        self, method: str, route: str, body: dict[str, Any] | None, cancel: threading.Event
    ) -> tuple[httpx.Response, _Watch]:
        """The response, its body still to read, and the watch that ends it on cancel or silence."""
        request = self._client.build_request(method, self.base_url + route, json=body)
        try:
            response = self._client.send(request, stream=True)
        except httpx.HTTPError as exc:
            raise self.explain(exc) from exc
        return response, _Watch(response, cancel, self.timeouts)

    def _body(self, response: httpx.Response) -> bytes:
        """The whole body, at most MAX_ANSWER_BYTES of it."""
        content = bytearray()
        for piece in response.iter_bytes():
            content += piece
            if len(content) > MAX_ANSWER_BYTES:
                raise ServerError(f"the server at {self.where} sent an answer larger than we read")
        return bytes(content)

    def _check(self, response: httpx.Response, body: bytes) -> None:
        """A refusal (4xx, 5xx) or a redirect, as one line."""
        if response.is_redirect:
            raise ServerError(
                f"the server at {self.where} redirects to another address ({response.status_code}); "
                "give that address instead",
                status=response.status_code,
            )
        if response.status_code >= 400:
            detail = _error_detail(body[:4000])
            raise self.refusal(response.status_code, detail, response.headers.get("Retry-After"))

    def stream(self, route: str, body: dict[str, Any], cancel: threading.Event) -> Iterator[dict[str, Any]]:
        """The JSON events of a server-sent event stream, until [DONE]. Setting `cancel` closes the
        connection at once (the iterator then ends quietly); so does a server that sends no whole event
        for the time limits allow (first_token_s for the first, between_tokens_s after), however it drips."""
        response, watch = self._send("POST", route, {**body, "stream": True}, cancel)
        try:
            if response.status_code >= 400 or response.is_redirect:
                self._check(response, self._body(response))  # a refusal's body is bounded too
            for sse in EventSource(_Bounded(response, self.where)).iter_sse():
                watch.ticked()
                if sse.data == "[DONE]":
                    return
                if not sse.data:
                    continue
                event = _parse_json(sse.data.encode("utf-8"), self.where, streaming=True)
                if isinstance(event, dict) and "error" in event:  # some servers report failures in-stream
                    detail = _error_detail(sse.data.encode())
                    raise ServerError(f"the server at {self.where} stopped: {detail}")
                yield event
            self._ended_early(watch, cancel)
        except ServerError:
            raise
        except SSEError:
            kind = response.headers.get("content-type", "nothing")
            raise ServerError(
                f"the server at {self.where} did not stream its answer (it sent {kind})"
            ) from None
        except (httpx.HTTPError, OSError) as exc:
            if cancel.is_set() or watch.timed_out is not None:  # the watch shut the socket
                self._ended_early(watch, cancel)
                return
            raise self.explain(exc, streaming=True) from exc
        finally:
            watch.done()

    def _ended_early(self, watch: _Watch, cancel: threading.Event) -> None:
        """The stream stopped before [DONE]: quietly when cancelled, else say why."""
        if cancel.is_set():
            return
        if watch.timed_out is not None:
            silent = f"sent nothing for {watch.timed_out:.0f} s"
            raise ServerError(f"the server at {self.where} {silent}; the text so far is kept")
        raise ServerError(f"the connection to {self.where} closed mid-answer; the text so far is kept")

    # --- what went wrong, in one line -------------------------------------------------------------------
    def explain(self, exc: BaseException, *, streaming: bool = False) -> ServerError:
        """httpx's exception (and the socket error under it) as one line: decided by their classes."""
        where = self.where
        cause = _root_cause(exc)
        if self.proxy and isinstance(exc, (httpx.TransportError, OSError)):
            where = f"{self.where} (through the proxy {self.proxy.host}:{self.proxy.port})"
        if isinstance(exc, ServerError):
            return exc
        if isinstance(cause, socket.gaierror):
            return ServerError(f"cannot find the server {self.host} (its name does not resolve)")
        if isinstance(cause, ConnectionRefusedError):
            return ServerError(f"nothing answers at {where}: is the server running?")
        if isinstance(cause, ssl.SSLError):
            reason = getattr(cause, "reason", None) or type(cause).__name__
            return ServerError(f"a secure (TLS) connection to {where} failed: {reason}")
        if isinstance(exc, httpx.TimeoutException) or isinstance(cause, TimeoutError):
            return ServerError(f"the server at {where} did not answer in time")
        if isinstance(exc, httpx.ProxyError):
            return ServerError(f"the proxy for {where} refused to carry the request")
        if streaming or isinstance(exc, httpx.ReadError) or isinstance(cause, ConnectionResetError):
            return ServerError(f"the connection to {where} closed mid-answer; the text so far is kept")
        if isinstance(exc, httpx.RemoteProtocolError):
            return ServerError(f"the server at {where} answered something that is not HTTP")
        if isinstance(cause, OSError):
            return ServerError(f"cannot reach {where}: {cause.strerror or cause}")
        return ServerError(f"talking to {where} failed: {type(exc).__name__}")

    def refusal(self, status: int, detail: str, retry_after: str | None) -> ServerError:
        where = self.where
        if status in (401, 403):
            return ServerError(
                f"the server at {where} refused the API key ({status}): check it in Settings", status=status
            )
        if status == 404:
            return ServerError(
                f"not found at {where} ({status}): {detail or 'check the address and model name'}",
                status=status,
            )
        if status in (429, 503):
            seconds = _seconds(retry_after)
            when = f"; try again in {seconds:.0f} s" if seconds is not None else "; try again shortly"
            busy = "too many requests" if status == 429 else "unavailable"
            return ServerError(
                f"the server at {where} is busy ({status}, {busy}){when}",
                status=status,
                retry_after_s=seconds,
            )
        return ServerError(
            f"the server at {where} refused the request ({status}): {detail or 'no reason given'}",
            status=status,
        )


def server_models(endpoint: Endpoint) -> list[dict[str, Any]]:
    """The models the server serves (GET /v1/models), as it describes them."""
    answer = endpoint.get_json("/models")
    data = answer.get("data") if isinstance(answer, dict) else None
    if not isinstance(data, list):
        raise ServerError(
            f"the server at {endpoint.where} did not list its models (is it OpenAI-compatible?)"
        )
    return [m for m in data if isinstance(m, dict)]


@dataclass(frozen=True)
class Proxy:
    host: str
    port: int
    headers: dict[str, str]


def proxy_for(scheme: str, host: str) -> Proxy | None:
    """The proxy the environment names for this server (HTTPS_PROXY / HTTP_PROXY, NO_PROXY honoured, as
    other programs read them); never one for a server on this computer."""
    url = urllib.request.getproxies().get(scheme)
    if not url or is_this_computer(host) or urllib.request.proxy_bypass(host):
        return None
    parts = urlsplit(url if "://" in url else "http://" + url)
    if not parts.hostname:
        return None
    headers = {}
    if parts.username:
        credentials = f"{unquote(parts.username)}:{unquote(parts.password or '')}".encode()
        headers["Proxy-Authorization"] = "Basic " + base64.b64encode(credentials).decode("ascii")
    return Proxy(parts.hostname, parts.port or 80, headers)


class _Bounded:
    """The response as the event reader reads it (its headers, its text), with bounds on what a server
    can make us hold: a line (an event) of at most MAX_LINE_CHARS, a stream of at most MAX_ANSWER_BYTES."""

    def __init__(self, response: httpx.Response, where: str) -> None:
        self.headers, self._response, self._where = response.headers, response, where

    def iter_text(self) -> Iterator[str]:
        line = total = 0
        for text in self._response.iter_text():
            total += len(text)
            newline = max(text.rfind("\n"), text.rfind("\r"))
            line = len(text) - newline - 1 if newline >= 0 else line + len(text)
            if line > MAX_LINE_CHARS or total > MAX_ANSWER_BYTES:
                raise ServerError(f"the server at {self._where} sent more than an answer holds; it was cut")
            yield text


class _Watch:
    """Ends a stream from its own thread, at once, when cancel is set or when no whole event came in
    time: the socket under the response is shut, so a read blocked in it returns."""

    def __init__(self, response: httpx.Response, cancel: threading.Event, timeouts: Timeouts) -> None:
        self._response, self._cancel = response, cancel
        self._between_s = timeouts.between_tokens_s
        self._limit_s = timeouts.first_token_s
        self._last = time.monotonic()
        self.timed_out: float | None = None  # the limit that was passed, when one was
        self._finished = threading.Event()
        self._thread = threading.Thread(target=self._watch, name="writer-app-stream-watch", daemon=True)
        self._thread.start()

    def ticked(self) -> None:
        """A whole event came."""
        self._last = time.monotonic()
        self._limit_s = self._between_s

    def _watch(self) -> None:
        while not self._finished.is_set():
            if self._cancel.wait(0.05):
                self._shut()
                return
            if time.monotonic() - self._last > self._limit_s:
                self.timed_out = self._limit_s
                self._shut()
                return

    def _shut(self) -> None:
        stream = self._response.extensions.get("network_stream")
        sock = stream.get_extra_info("socket") if stream is not None else None
        if sock is not None:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)

    def done(self) -> None:
        self._finished.set()
        self._thread.join()
        self._response.close()


def _root_cause(exc: BaseException) -> BaseException:
    """The innermost exception under httpx's (a socket or TLS error, when there is one)."""
    seen = set()
    while (inner := exc.__cause__ or exc.__context__) is not None and id(inner) not in seen:
        seen.add(id(exc))
        exc = inner
    return exc


def _parse_json(data: bytes, where: str, *, streaming: bool = False) -> Any:
    try:
        return json.loads(data)
    except ValueError:
        shown = data[:80].decode("utf-8", "replace").strip()
        what = "an event" if streaming else "an answer"
        raise ServerError(f"the server at {where} sent {what} that is not JSON: {shown!r}") from None


def _error_detail(body: bytes) -> str:
    """The reason a server gives, from OpenAI-style {"error": {"message": …}} or plain text."""
    try:
        data = json.loads(body)
    except ValueError:
        return body.decode("utf-8", "replace").strip().splitlines()[0][:200] if body.strip() else ""
    error = data.get("error", data) if isinstance(data, dict) else data
    if isinstance(error, dict):
        error = error.get("message") or error.get("detail") or error
    return " ".join(str(error).split())[:200]


def _seconds(value: str | None) -> float | None:
    if value is None:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        return None  # an HTTP date: not worth parsing for a hint
