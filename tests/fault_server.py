"""A small HTTP server of the tests' own on 127.0.0.1 that fails as asked (FaultServer.fault): the
failures a real server will not produce on demand."""

from __future__ import annotations

import contextlib
import json
import socket
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def _event(text: str, finish: str | None = None) -> bytes:
    choice = {"index": 0, "text": text, "finish_reason": finish, "logprobs": None}
    return b"data: " + json.dumps({"choices": [choice]}).encode() + b"\n\n"


class FaultServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), FaultHandler)
        self.fault = "none"
        self.seen_keys: list[str] = []
        self.requests = 0

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/v1"


class FaultHandler(BaseHTTPRequestHandler):
    server: FaultServer

    def log_message(self, *_args) -> None:  # quiet
        pass

    def _json(self, status: int, data: object, headers: dict[str, str] | None = None) -> None:
        body = json.dumps(data).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:  # noqa: N802
        self.server.requests += 1
        if self.server.fault == "drip-models":  # the model list, one byte at a time, for ever
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            with contextlib.suppress(OSError):
                while True:
                    self.wfile.write(b" ")
                    self.wfile.flush()
                    time.sleep(0.1)
        self._json(200, {"object": "list", "data": [{"id": "m", "object": "model"}]})

    def do_POST(self) -> None:  # noqa: N802
        self.server.requests += 1
        body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))))
        self.server.seen_keys.append(self.headers.get("Authorization", ""))
        fault = self.server.fault
        if not body.get("stream"):  # the connection check's one-token probe
            self._json(200, {"choices": [{"index": 0, "text": "!", "logprobs": None}]})
            return
        status = {"401": 401, "403": 403, "404": 404, "429": 429, "503": 503}.get(fault)
        if status is not None:
            headers = {"Retry-After": "7"} if status == 429 else {}
            message = "model 'm' not found" if status == 404 else "no"
            self._json(status, {"error": {"message": message}}, headers)
            return
        if fault == "stall-before-answer":
            time.sleep(2)
            return
        if fault == "redirect":  # to another address: a client that followed would hand it the key
            self.send_response(307)
            self.send_header("Location", "http://127.0.0.2:9/v1/completions")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        if fault == "not-a-stream":  # a whole JSON answer where a stream was asked for
            self._json(200, {"choices": [{"index": 0, "text": "Hello", "logprobs": None}]})
            return
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.end_headers()
        if fault == "none":
            self.wfile.write(_event("Hello"))
            self.wfile.write(_event(" there", "length"))
            self.wfile.write(b"data: [DONE]\n\n")
            return
        self.wfile.write(_event("The tide"))
        self.wfile.flush()
        if fault == "malformed":
            self.wfile.write(b"data: {not json\n\n")
        elif fault == "cut":
            self.connection.shutdown(socket.SHUT_RDWR)
        elif fault == "stall":
            time.sleep(2)
        elif fault == "endless":  # tokens for ever, whatever max_tokens said
            with contextlib.suppress(OSError):
                while True:
                    self.wfile.write(_event(" and on"))
                    self.wfile.flush()
        elif fault == "huge-line":  # one event that never ends, sent as fast as it goes
            with contextlib.suppress(OSError):
                self.wfile.write(b'data: {"choices": [{"index": 0, "text": "')
                while True:
                    self.wfile.write(b"x" * 65536)
        elif fault == "odd-shapes":  # JSON, but not the shape OpenAI's answers have
            self.wfile.write(b'data: {"choices": [{"index": 0, "text": 5}]}\n\n')
        elif fault == "odd-list":
            self.wfile.write(b"data: [1, 2, 3]\n\n")
        elif fault == "drip":  # one byte at a time, never a whole event
            for byte in b'data: {"choices": [{"index": 0, "text": " and the':
                self.wfile.write(bytes([byte]))
                self.wfile.flush()
                time.sleep(0.1)
        elif fault == "error-event":
            self.wfile.write(b'data: {"error": {"message": "out of memory"}}\n\n')


class ForwardProxy(ThreadingHTTPServer):
    """A plain-HTTP forward proxy on 127.0.0.1 that sends every request to one server on 127.0.0.1,
    whatever host the request names (so a test may name one that no lookup would find). It records the
    request lines and proxy credentials it was given."""

    daemon_threads = True

    def __init__(self, target_port: int) -> None:
        super().__init__(("127.0.0.1", 0), ProxyHandler)
        self.target_port = target_port
        self.seen: list[tuple[str, str, str]] = []  # (method, target, Proxy-Authorization)


class ProxyHandler(BaseHTTPRequestHandler):
    server: ForwardProxy

    def log_message(self, *_args) -> None:
        pass

    def _forward(self) -> None:
        import http.client
        from urllib.parse import urlsplit

        self.server.seen.append((self.command, self.path, self.headers.get("Proxy-Authorization", "")))
        body = self.rfile.read(int(self.headers.get("Content-Length", 0))) or None
        parts = urlsplit(self.path)
        upstream = http.client.HTTPConnection("127.0.0.1", self.server.target_port, timeout=10)
        headers = {k: v for k, v in self.headers.items() if k.lower() not in ("host", "proxy-authorization")}
        upstream.request(self.command, parts.path, body=body, headers=headers)
        answer = upstream.getresponse()
        data = answer.read()
        self.send_response(answer.status)
        for name, value in answer.getheaders():
            if name.lower() not in ("transfer-encoding", "connection", "content-length"):
                self.send_header(name, value)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)
        upstream.close()

    do_GET = do_POST = _forward  # noqa: N815
