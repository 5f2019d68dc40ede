"""HTTP for the server engine, on the standard library: JSON requests, server-sent event streams, and
every way a connection can fail turned into one line a writer understands (ServerError).

A stream can be closed from another thread at once (cancel): reading then ends, and the server sees the
client go and stops generating (llama.cpp, vLLM and Ollama all abort a request whose client left).
"""

from __future__ import annotations

import base64
import contextlib
import http.client
import json
import socket
import ssl
import threading
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote, urlsplit

from writer_app.errors import ServerFailure
from writer_app.remote.server_config import is_this_computer

CONNECT_TIMEOUT_S = 5.0
FIRST_TOKEN_TIMEOUT_S = 60.0  # a long prompt on a busy server takes a while before its first token
BETWEEN_TOKENS_TIMEOUT_S = 30.0


class ServerError(ServerFailure):
    """One line for the status bar (and the command line); the HTTP status when the server answered with
    one, retry_after_s when it said when."""


@dataclass(frozen=True)
class Timeouts:
    connect_s: float = CONNECT_TIMEOUT_S
    first_token_s: float = FIRST_TOKEN_TIMEOUT_S
    between_tokens_s: float = BETWEEN_TOKENS_TIMEOUT_S


class Endpoint:
    """A server's base URL (…/v1) and the key sent to it."""

    def __init__(self, base_url: str, api_key: str = "", timeouts: Timeouts | None = None) -> None:
        parts = urlsplit(base_url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ServerError(f"{base_url!r} is not a server address (e.g. http://127.0.0.1:8080/v1)")
        self.base_url = base_url.rstrip("/")
        self.scheme = parts.scheme
        self.host = parts.hostname
        self.port = parts.port or (443 if parts.scheme == "https" else 80)
        self.path = parts.path.rstrip("/")
        self.api_key = api_key
        self.timeouts = timeouts or Timeouts()
        self.proxy = proxy_for(self.scheme, self.host)

    @property
    def where(self) -> str:
        """host:port as the writer reads it in the status bar."""
        return f"{self.host}:{self.port}"

    def _connection(self) -> http.client.HTTPConnection:
        timeout = self.timeouts.connect_s
        host, port = (self.proxy.host, self.proxy.port) if self.proxy else (self.host, self.port)
        if self.scheme == "https":
            connection = http.client.HTTPSConnection(
                host, port, timeout=timeout, context=ssl.create_default_context()
            )
            if self.proxy:  # a tunnel through the proxy: it sees the server's name, not the text
                connection.set_tunnel(self.host, self.port, headers=self.proxy.headers)
            return connection
        return http.client.HTTPConnection(host, port, timeout=timeout)

    def _target(self, route: str) -> str:
        """The request line's target: a path, or the whole URL for a plain-HTTP proxy."""
        if self.proxy and self.scheme == "http":
            return f"http://{self.host}:{self.port}{self.path}{route}"
        return self.path + route

    def _headers(self) -> dict[str, str]:
        headers = {"Content-Type": "application/json", "Accept": "application/json, text/event-stream"}
        if self.api_key:
            headers["Authorization"] = f"Bearer {self.api_key}"
        if self.proxy and self.scheme == "http":
            headers.update(self.proxy.headers)
        return headers

    def _open(self, method: str, route: str, body: dict[str, Any] | None) -> tuple[Any, Any, socket.socket]:
        """(connection, response, its socket) with a 2xx status, or ServerError. The socket is kept
        apart: a response that ends with the connection takes it from the connection object."""
        connection = self._connection()
        payload = None if body is None else json.dumps(body).encode("utf-8")
        try:
            connection.request(method, self._target(route), body=payload, headers=self._headers())
            sock = connection.sock
            sock.settimeout(self.timeouts.first_token_s)
            response = connection.getresponse()
        except Exception as exc:
            connection.close()
            raise self.explain(exc) from exc
        if response.status >= 400:
            detail = _error_detail(response.read(4000))
            connection.close()
            raise self.refusal(response.status, detail, response.getheader("Retry-After"))
        return connection, response, sock

    def get_json(self, route: str) -> Any:
        return self._json("GET", route, None)

    def post_json(self, route: str, body: dict[str, Any]) -> Any:
        return self._json("POST", route, body)

    def _json(self, method: str, route: str, body: dict[str, Any] | None) -> Any:
        connection, response, _sock = self._open(method, route, body)
        try:
            return _parse_json(response.read(), self.where)
        except (OSError, http.client.HTTPException) as exc:
            raise self.explain(exc) from exc
        finally:
            connection.close()

    def stream(self, route: str, body: dict[str, Any], cancel: threading.Event) -> Iterator[dict[str, Any]]:
        """The JSON events of a server-sent event stream, until [DONE]. Setting `cancel` closes the
        connection at once (the iterator then ends quietly)."""
        connection, response, sock = self._open("POST", route, {**body, "stream": True})
        closer = _CloseOnCancel(connection, sock, cancel)
        try:
            sock.settimeout(self.timeouts.between_tokens_s)
            for data in _sse_data(response):
                if data == "[DONE]":
                    return
                event = _parse_json(data.encode("utf-8"), self.where, streaming=True)
                if isinstance(event, dict) and "error" in event:  # some servers report failures in-stream
                    raise ServerError(f"the server at {self.where} stopped: {_error_detail(data.encode())}")
                yield event
            if not cancel.is_set():
                raise ServerError(
                    f"the connection to {self.where} closed mid-answer; the text so far is kept"
                )
        except ServerError:
            raise
        except Exception as exc:
            if cancel.is_set():
                return
            raise self.explain(exc, streaming=True) from exc
        finally:
            closer.done()

    # --- what went wrong, in one line -------------------------------------------------------------------
    def explain(self, exc: BaseException, *, streaming: bool = False) -> ServerError:
        where = self.where
        if self.proxy and isinstance(exc, OSError):  # a network failure: say which proxy it went through
            where = f"{self.where} (through the proxy {self.proxy.host}:{self.proxy.port})"
        if isinstance(exc, ServerError):
            return exc
        if isinstance(exc, socket.gaierror):
            return ServerError(f"cannot find the server {self.host} (its name does not resolve)")
        if isinstance(exc, ConnectionRefusedError):
            return ServerError(f"nothing answers at {where}: is the server running?")
        if isinstance(exc, ssl.SSLError):
            reason = getattr(exc, "reason", None) or str(exc).split("]")[-1].strip() or type(exc).__name__
            return ServerError(f"a secure (TLS) connection to {where} failed: {reason}")
        if isinstance(exc, (TimeoutError, socket.timeout)):
            if streaming:
                seconds = self.timeouts.between_tokens_s
                return ServerError(
                    f"the server at {where} sent nothing for {seconds:.0f} s; the text so far is kept"
                )
            return ServerError(f"the server at {where} did not answer in time")
        if isinstance(exc, (ConnectionResetError, BrokenPipeError, http.client.IncompleteRead)):
            return ServerError(f"the connection to {where} closed mid-answer; the text so far is kept")
        if isinstance(exc, http.client.HTTPException):
            return ServerError(
                f"the server at {where} answered something that is not HTTP ({type(exc).__name__})"
            )
        if isinstance(exc, OSError):
            return ServerError(f"cannot reach {where}: {exc.strerror or exc}")
        return ServerError(f"talking to {where} failed: {exc}")

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


class _CloseOnCancel:
    """Closes the connection when cancel is set, from its own thread, so a blocked read ends at once."""

    def __init__(
        self, connection: http.client.HTTPConnection, sock: socket.socket, cancel: threading.Event
    ) -> None:
        self._connection, self._sock, self._cancel = connection, sock, cancel
        self._finished = threading.Event()
        self._thread = threading.Thread(target=self._watch, name="writer-app-stream-cancel", daemon=True)
        self._thread.start()

    def _watch(self) -> None:
        while not self._finished.is_set():
            if self._cancel.wait(0.05):
                with contextlib.suppress(OSError):
                    self._sock.shutdown(socket.SHUT_RDWR)
                return

    def done(self) -> None:
        self._finished.set()
        self._thread.join()
        self._connection.close()
        self._sock.close()


def _sse_data(response: http.client.HTTPResponse) -> Iterator[str]:
    """The data of each server-sent event (its `data:` lines joined), as the events arrive."""
    lines: list[str] = []
    while True:
        raw = response.readline(1 << 20)
        if not raw:
            return
        line = raw.decode("utf-8", "replace").rstrip("\r\n")
        if line == "":
            if lines:
                yield "\n".join(lines)
                lines = []
            continue
        if line.startswith(":"):
            continue  # a comment (keep-alive)
        field, _, value = line.partition(":")
        if field == "data":
            lines.append(value[1:] if value.startswith(" ") else value)


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
