"""One measurement of one system, in a fresh process: `python benchmarks/runners.py SYSTEM MODEL PROMPT`.

Prints one JSON line: load_ms, prefill_ms, first_token_ms, decode_ms_per_token, peak_rss_mb (and, for
the engine, its prefix-reuse and alternatives figures). The prompt file holds token ids, one per line,
so every system sees exactly the same tokens.
"""

from __future__ import annotations

import os

# Before onnxruntime is imported anywhere: no telemetry leaves the machine (see writer_app/__init__.py).
os.environ["ORT_DISABLE_TELEMETRY"] = "1"

import argparse
import json
import resource
import sys
import time
from pathlib import Path

NEW_TOKENS = 64


def _ms(start: float) -> float:
    return (time.perf_counter() - start) * 1000


def peak_rss_mb() -> float:
    """This process's peak resident memory. VmHWM, not ru_maxrss: ru_maxrss survives exec on Linux,
    so a runner started by a large parent would report the parent's peak."""
    with open("/proc/self/status", encoding="ascii") as fh:
        for line in fh:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_engine(model: Path, ids: list[int], threads: int) -> dict:
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from writer_app.engine.generate import Engine

    t0 = time.perf_counter()
    engine = Engine.load(model, threads=threads)
    load_ms = _ms(t0)
    result = engine.generate(ids, max_new_tokens=NEW_TOKENS)
    stats = result.stats
    out = {
        "load_ms": load_ms,
        "prefill_ms": stats.prefill_ms,
        "first_token_ms": stats.first_token_ms,
        "decode_ms_per_token": stats.decode_ms_per_token,
        "new_tokens": stats.new_tokens,
    }
    # Three alternatives as one batch against one, 32 tokens each, same (cached) prompt.
    one = _timed(lambda: engine.generate(ids, max_new_tokens=32))
    three = _timed(lambda: engine.generate(ids, max_new_tokens=32, num_alternatives=3))
    out["alternatives3_ratio"] = three / one
    # The writer types 5 more characters into a 1,000-token document and asks again.
    text = engine.codec.decode((ids * (1000 // len(ids) + 1))[:1000])
    engine.generate(text, max_new_tokens=16)
    again = engine.generate(text + " and ", max_new_tokens=16)
    out["typing_first_token_ms"] = again.stats.first_token_ms
    out["typing_reused_tokens"] = again.stats.reused_tokens
    out["decode_ms_per_token_at_1000"] = again.stats.decode_ms_per_token
    return out


def _timed(fn) -> float:
    t0 = time.perf_counter()
    fn()
    return _ms(t0)


def run_transformers(model: Path, ids: list[int], threads: int) -> dict:
    import torch
    from transformers import AutoModelForCausalLM

    torch.set_num_threads(threads)
    t0 = time.perf_counter()
    lm = AutoModelForCausalLM.from_pretrained(model).eval()
    load_ms = _ms(t0)
    return _hf_generate(lm, torch.tensor([ids]), load_ms, torch)


def run_optimum(model: Path, ids: list[int], threads: int) -> dict:
    import onnxruntime as ort
    import torch
    from optimum.onnxruntime import ORTModelForCausalLM

    options = ort.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    t0 = time.perf_counter()
    lm = ORTModelForCausalLM.from_pretrained(model, session_options=options, use_cache=True)
    load_ms = _ms(t0)
    return _hf_generate(lm, torch.tensor([ids]), load_ms, torch)


def _hf_generate(lm, input_ids, load_ms: float, torch) -> dict:
    """Prefill = generate 1 token; decode = the extra time of 64 tokens over 1, per token."""
    kwargs = {"do_sample": False, "pad_token_id": 0, "attention_mask": torch.ones_like(input_ids)}
    with torch.no_grad():
        lm.generate(input_ids, max_new_tokens=2, **kwargs)  # warm-up
        t0 = time.perf_counter()
        lm.generate(input_ids, max_new_tokens=1, min_new_tokens=1, **kwargs)
        first = _ms(t0)
        t0 = time.perf_counter()
        out = lm.generate(input_ids, max_new_tokens=NEW_TOKENS, min_new_tokens=NEW_TOKENS, **kwargs)
        total = _ms(t0)
    new = out.shape[1] - input_ids.shape[1]
    return {
        "load_ms": load_ms,
        "prefill_ms": first,
        "first_token_ms": first,
        "decode_ms_per_token": (total - first) / max(1, new - 1),
        "new_tokens": int(new),
    }


def run_ctranslate2(model: Path, ids: list[int], threads: int) -> dict:
    import ctranslate2

    t0 = time.perf_counter()
    generator = ctranslate2.Generator(str(model), device="cpu", compute_type="int8", intra_threads=threads)
    load_ms = _ms(t0)
    vocab = json.loads((model / "vocabulary.json").read_text(encoding="utf-8"))
    tokens = [vocab[i] for i in ids]
    list(generator.generate_tokens(tokens, max_length=2, sampling_topk=1))  # warm-up
    t0 = time.perf_counter()
    stamps = []
    for _step in generator.generate_tokens(
        tokens, max_length=NEW_TOKENS, sampling_topk=1, end_token=[], min_length=NEW_TOKENS
    ):
        stamps.append(_ms(t0))
    first = stamps[0]
    return {
        "load_ms": load_ms,
        "prefill_ms": first,
        "first_token_ms": first,
        "decode_ms_per_token": (stamps[-1] - first) / max(1, len(stamps) - 1),
        "new_tokens": len(stamps),
    }


def run_llamacpp(model: Path, ids: list[int], threads: int) -> dict:
    from llama_cpp import Llama

    t0 = time.perf_counter()
    # use_extra_bufts=False: the q8_0 repacked-buffer path segfaults on this VM.
    llm = Llama(
        model_path=str(model),
        n_threads=threads,
        n_threads_batch=threads,
        n_ctx=max(512, len(ids) + NEW_TOKENS + 8),
        n_batch=512,
        verbose=False,
        use_extra_bufts=False,
    )
    load_ms = _ms(t0)
    llm.eval(ids[:8])  # warm-up
    llm.reset()
    t0 = time.perf_counter()
    llm.eval(ids)
    prefill = _ms(t0)
    token = int(_last_logits(llm).argmax())
    first = _ms(t0)
    t1 = time.perf_counter()
    for _ in range(NEW_TOKENS - 1):
        llm.eval([token])
        token = int(_last_logits(llm).argmax())
    decode = _ms(t1) / (NEW_TOKENS - 1)
    return {
        "load_ms": load_ms,
        "prefill_ms": prefill,
        "first_token_ms": first,
        "decode_ms_per_token": decode,
        "new_tokens": NEW_TOKENS,
    }


def _last_logits(llm):
    """The logits of the last token evaluated. Without logits_all, llama-cpp-python no longer copies
    them into llm.scores (sampling moved inside llama.cpp), so they are read from the context."""
    import numpy as np

    return np.ctypeslib.as_array(llm._ctx.get_logits(), shape=(llm._n_vocab,))


def top1_llamacpp(model: Path, ids: list[int], threads: int) -> dict:
    """Teacher-forced most likely next token after every prefix of ids (for agreement)."""
    from llama_cpp import Llama

    llm = Llama(
        model_path=str(model),
        n_threads=threads,
        n_threads_batch=threads,
        n_ctx=len(ids) + 8,
        n_batch=512,
        logits_all=True,
        verbose=False,
        use_extra_bufts=False,
    )
    llm.eval(ids)
    return {"top1": [int(row.argmax()) for row in llm.scores[: len(ids)]]}


def requantize_gguf(source: Path, kind: str, target: Path) -> Path:
    """llama.cpp's own quantizer: source GGUF to f32, q8_0, q4_K_M or q4_0 (dequantizing first), once."""
    if target.exists():
        return target
    import ctypes

    import llama_cpp

    ftypes = {
        "f32": llama_cpp.LLAMA_FTYPE_ALL_F32,
        "q8_0": llama_cpp.LLAMA_FTYPE_MOSTLY_Q8_0,
        "q4_K_M": llama_cpp.LLAMA_FTYPE_MOSTLY_Q4_K_M,
        "q4_0": llama_cpp.LLAMA_FTYPE_MOSTLY_Q4_0,
    }
    params = llama_cpp.llama_model_quantize_default_params()
    params.ftype = ftypes[kind]
    params.allow_requantize = True
    params.nthread = 2
    partial = target.with_suffix(".partial")
    if llama_cpp.llama_model_quantize(str(source).encode(), str(partial).encode(), ctypes.byref(params)):
        partial.unlink(missing_ok=True)
        raise RuntimeError(f"llama.cpp could not quantize {source.name} to {kind}")
    partial.rename(target)
    return target


RUNNERS = {
    "engine": run_engine,
    "transformers": run_transformers,
    "optimum": run_optimum,
    "ctranslate2": run_ctranslate2,
    "llamacpp": run_llamacpp,
    "llamacpp-top1": top1_llamacpp,
}


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("system", choices=sorted(RUNNERS))
    parser.add_argument("model", type=Path)
    parser.add_argument("prompt", type=Path, help="file of token ids, one per line")
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    os.environ.setdefault("OMP_NUM_THREADS", str(args.threads))
    ids = [int(line) for line in args.prompt.read_text().split()]
    result = RUNNERS[args.system](args.model, ids, args.threads)
    result["peak_rss_mb"] = peak_rss_mb()
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
