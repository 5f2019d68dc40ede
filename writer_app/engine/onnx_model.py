"""An onnxruntime session over a decoder graph with past key values (the KV cache)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import onnxruntime as ort

from writer_app.engine.graph_contract import (
    ATTENTION_MASK,
    INPUT_IDS,
    KV_SEQLENS_INPUT,
    KV_TOTAL_INPUT,
    LOGITS,
    PAST_PREFIX,
    POSITION_IDS,
    present_for,
)
from writer_app.errors import ModelError

_ORT_TO_NUMPY = {"tensor(float)": np.float32, "tensor(float16)": np.float16}


def physical_cores() -> int:
    """Physical cores (hyper-threads share one core's arithmetic units, so they rarely help here)."""
    try:
        pairs = set()
        physical = core = None
        with open("/proc/cpuinfo", encoding="ascii", errors="replace") as fh:
            for line in fh:
                if line.startswith("physical id"):
                    physical = line.split(":")[1].strip()
                elif line.startswith("core id"):
                    core = line.split(":")[1].strip()
                    pairs.add((physical, core))
        if pairs:
            return len(pairs)
    except OSError:
        pass
    return max(1, (os.cpu_count() or 2) // 2)


@dataclass
class KVCache:
    """Past keys and values, one array per graph input, each [batch, heads, capacity, head_dim], of which
    the first `length` positions are the cache.

    Graphs that grow the cache by concatenation get arrays exactly `length` long. Graphs whose attention
    writes into a buffer in place get room beyond `length`, and the next step writes there. A cache is a
    value as far as its first `length` positions go, because steps only ever write past them: a truncated
    cache and the cache it came from can share arrays.
    """

    arrays: dict[str, np.ndarray]
    length: int

    @property
    def capacity(self) -> int:
        return next(iter(self.arrays.values())).shape[2] if self.arrays else 0

    @property
    def batch(self) -> int:
        return next(iter(self.arrays.values())).shape[0] if self.arrays else 1

    def repeat(self, n: int) -> KVCache:
        return self._copy(np.repeat(np.arange(self.batch), n), self.capacity)

    def select(self, rows: np.ndarray | list[int]) -> KVCache:
        return self._copy(np.asarray(rows), self.capacity)

    def truncate(self, length: int) -> KVCache:
        return KVCache(self.arrays, min(length, self.length))

    def with_capacity(self, capacity: int) -> KVCache:
        """This cache in buffers of at least `capacity` positions (itself when they are large enough).
        New buffers keep at least one step of room past `capacity`, so the steps after a prefill do
        not copy the cache again."""
        if capacity <= self.capacity:
            return self
        with_room = -(-(capacity + _BUFFER_STEP) // _BUFFER_STEP) * _BUFFER_STEP
        return self._copy(np.arange(self.batch), max(with_room, 2 * self.capacity))

    def _copy(self, rows: np.ndarray, capacity: int) -> KVCache:
        out = {}
        for name, array in self.arrays.items():
            _, heads, _, head_dim = array.shape
            # np.empty: positions past `length` are never read, and untouched pages cost no memory.
            buffer = np.empty((len(rows), heads, capacity, head_dim), dtype=array.dtype)
            buffer[:, :, : self.length] = array[rows, :, : self.length]
            out[name] = buffer
        return KVCache(out, self.length)


_BUFFER_STEP = 256


class OnnxCausalLM:
    """Runs one decoder step: new token ids + past -> logits of the last position + extended past."""

    def __init__(self, graph_path: Path, *, threads: int | None = None) -> None:
        options = ort.SessionOptions()
        options.intra_op_num_threads = threads or physical_cores()
        options.inter_op_num_threads = 1
        options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        options.log_severity_level = 3
        try:
            self.session = ort.InferenceSession(
                str(graph_path), sess_options=options, providers=["CPUExecutionProvider"]
            )
        except Exception as exc:  # onnxruntime raises its own exception types for bad files
            raise ModelError(f"cannot load {graph_path}: {exc}") from exc
        self.threads = options.intra_op_num_threads
        inputs = {i.name: i for i in self.session.get_inputs()}
        if INPUT_IDS not in inputs:
            raise ModelError(f"{graph_path} is not a text decoder (no input_ids input)")
        self._past_inputs = [n for n in inputs if n.startswith(PAST_PREFIX)]
        if not self._past_inputs:
            raise ModelError(
                f"{graph_path} has no past key values; export with --task text-generation-with-past"
            )
        self._present_for = {n: present_for(n) for n in self._past_inputs}
        outputs = [o.name for o in self.session.get_outputs()]
        missing = [p for p in self._present_for.values() if p not in outputs]
        if LOGITS not in outputs or missing:
            raise ModelError(f"{graph_path} lacks the outputs logits / present.*; re-export the model")
        self._output_names = [LOGITS, *self._present_for.values()]
        self._needs_mask = ATTENTION_MASK in inputs
        self._needs_positions = POSITION_IDS in inputs
        self.in_place_cache = KV_SEQLENS_INPUT in inputs and KV_TOTAL_INPUT in inputs
        first = inputs[self._past_inputs[0]]
        self._past_dtype = _ORT_TO_NUMPY.get(first.type, np.float32)
        heads, head_dim = first.shape[1], first.shape[3]
        if not (isinstance(heads, int) and isinstance(head_dim, int)):
            raise ModelError(f"{graph_path}: past key values have no fixed head count / size")
        self._past_shape = (heads, head_dim)

    def empty_cache(self, batch: int = 1) -> KVCache:
        heads, head_dim = self._past_shape
        empty = np.zeros((batch, heads, 0, head_dim), dtype=self._past_dtype)
        return KVCache({name: empty for name in self._past_inputs}, 0)

    def forward(self, input_ids: np.ndarray, past: KVCache) -> tuple[np.ndarray, KVCache]:
        """input_ids: [batch, new_tokens] int64. Returns logits of the last position [batch, vocab]."""
        batch, new = input_ids.shape
        start = past.length
        feed: dict[str, np.ndarray] = {INPUT_IDS: input_ids.astype(np.int64, copy=False)}
        if self._needs_mask:
            feed[ATTENTION_MASK] = np.ones((batch, start + new), dtype=np.int64)
        if self._needs_positions:
            feed[POSITION_IDS] = np.broadcast_to(
                np.arange(start, start + new, dtype=np.int64), (batch, new)
            ).copy()
        if self.in_place_cache:
            return self._forward_in_place(feed, past, batch, start + new)
        feed.update({k: v[:, :, :start] if v.shape[2] != start else v for k, v in past.arrays.items()})
        outputs = self.session.run(self._output_names, feed)
        logits = outputs[0][:, -1, :]
        present = dict(zip(self._past_inputs, outputs[1:], strict=True))
        return logits, KVCache(present, start + new)

    def _forward_in_place(
        self, feed: dict[str, np.ndarray], past: KVCache, batch: int, total: int
    ) -> tuple[np.ndarray, KVCache]:
        """The attention writes the new keys and values into the cache's buffers: present is past."""
        if batch > 1 and total - past.length > 1 and past.length:
            raise ValueError("several new tokens on top of a cache need a batch of one")
        past = past.with_capacity(total)
        binding = self.session.io_binding()
        for name, value in feed.items():
            binding.bind_cpu_input(name, value)
        binding.bind_cpu_input(KV_SEQLENS_INPUT, np.full(batch, total - 1, dtype=np.int32))
        binding.bind_cpu_input(KV_TOTAL_INPUT, np.array(total, dtype=np.int32))
        binding.bind_output(LOGITS)  # first, so it is output 0
        for name, array in past.arrays.items():
            buffer = ort.OrtValue.ortvalue_from_numpy(array)
            binding.bind_ortvalue_input(name, buffer)
            binding.bind_ortvalue_output(self._present_for[name], buffer)
        self.session.run_with_iobinding(binding)
        logits = binding.get_outputs()[0].numpy()[:, -1, :]
        return logits, KVCache(past.arrays, total)
