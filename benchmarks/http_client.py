"""Which HTTP client the server engine stands on: the cost of each, on one llama.cpp server on this
laptop (the starter's SmolLM2 GGUF), streamed /v1/completions of 16 tokens, greedy, as the engine asks.

    python benchmarks/http_client.py [--rounds 15]

Clients, alternating within each round, the same prompt for all (the server's prompt cache serves every
one alike):
- the server engine's Endpoint (httpx + httpx-sse, one kept connection);
- the OpenAI SDK (openai, max_retries=0), the ecosystem's client for such servers;
- the standard library's http.client, a new connection per request (what the engine used before).
Reported: medians of time to the first event and to the last, as ratios to the standard library; and the
time to import each client in a fresh interpreter (what a window pays at start when a server is used).
Needs the benchmark requirements (llama-cpp-python[server], openai).
"""

from __future__ import annotations

import argparse
import http.client
import json
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from machine import cpu_model  # noqa: E402

from tests.server_fixtures import MODEL_ALIAS, llama_server, starter_gguf  # noqa: E402
from writer_app.remote.http_stream import Endpoint  # noqa: E402

PROMPT = "The harbour was quiet that morning, and the fishing boats"
BODY = {"model": MODEL_ALIAS, "prompt": PROMPT, "max_tokens": 16, "temperature": 0.0}


def through_endpoint(endpoint: Endpoint) -> tuple[float, float]:
    started, times = time.perf_counter(), []
    for _event in endpoint.stream("/completions", BODY, threading.Event()):
        times.append(time.perf_counter())
    return (times[0] - started) * 1000, (times[-1] - started) * 1000


def through_openai(client) -> tuple[float, float]:
    started, times = time.perf_counter(), []
    for _chunk in client.completions.create(stream=True, **BODY):
        times.append(time.perf_counter())
    return (times[0] - started) * 1000, (times[-1] - started) * 1000


def through_stdlib(base_url: str) -> tuple[float, float]:
    parts = urlsplit(base_url)
    started, times = time.perf_counter(), []
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
    payload = json.dumps({**BODY, "stream": True}).encode()
    connection.request("POST", parts.path + "/completions", payload, {"Content-Type": "application/json"})
    response = connection.getresponse()
    while line := response.readline():
        if line.startswith(b"data: ") and line.strip() != b"data: [DONE]":
            times.append(time.perf_counter())
    connection.close()
    return (times[0] - started) * 1000, (times[-1] - started) * 1000


def import_ms(statement: str) -> float:
    """Median wall time of a fresh interpreter running the import, minus a bare interpreter's."""

    def run(code: str) -> float:
        started = time.perf_counter()
        subprocess.run([sys.executable, "-c", code], check=True)
        return (time.perf_counter() - started) * 1000

    bare = statistics.median(run("pass") for _ in range(5))
    return statistics.median(run(statement) for _ in range(5)) - bare


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=15)
    args = parser.parse_args()
    import openai

    folder = Path(tempfile.mkdtemp(prefix="http-client-"))
    with llama_server(starter_gguf(folder), folder / "server.log") as (base_url, _process):
        endpoint = Endpoint(base_url)
        client = openai.OpenAI(base_url=base_url, api_key="none", max_retries=0)
        runs = {
            "Endpoint (httpx + httpx-sse)": lambda: through_endpoint(endpoint),
            f"OpenAI SDK {openai.__version__}": lambda: through_openai(client),
            "http.client (before)": lambda: through_stdlib(base_url),
        }
        for run in runs.values():
            run()  # the server's prompt cache and each client's connection warm
        seen: dict[str, list[tuple[float, float]]] = {name: [] for name in runs}
        for _ in range(args.rounds):
            for name, run in runs.items():
                seen[name].append(run())
    imports = {
        "Endpoint (httpx + httpx-sse)": import_ms("import httpx, httpx_sse"),
        f"OpenAI SDK {openai.__version__}": import_ms("import openai"),
        "http.client (before)": import_ms("import http.client, ssl"),
    }
    base_first = statistics.median(f for f, _ in seen["http.client (before)"])
    base_last = statistics.median(last for _, last in seen["http.client (before)"])
    print(
        f"CPU: {cpu_model()}; {args.rounds} rounds; 16 tokens streamed from llama.cpp's server on 127.0.0.1"
    )
    print(f"{'client':34} {'first event':>12} {'last event':>12} {'import':>9}")
    for name, times in seen.items():
        first = statistics.median(f for f, _ in times)
        last = statistics.median(x for _, x in times)
        print(
            f"{name:34} {first:7.1f} ms {first / base_first:4.2f}x {last:6.1f} ms {last / base_last:4.2f}x"
            f" {imports[name]:6.0f} ms"
        )


if __name__ == "__main__":
    main()
