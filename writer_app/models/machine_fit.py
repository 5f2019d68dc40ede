"""Which models suit this computer, for which role: from its memory and the speeds measured on it.

Ghost text is only worth having while the writer is still at that sentence, so a model whose decode is
over GHOST_TEXT_BUDGET_MS is recommended for tasks (where the writer waits for a result) and not for
ghost text. A model's speed on this computer is the writer's own measurement when it has run here
(measured_speed.py), else an estimate: decode time grows with the bytes of weights read per token, so
the ms per MB of the models measured here (or, before any, of the reference machine) times the model's
8-bit size. Memory: the 8-bit weights and the runtime's working room must fit in half of this computer's
memory, leaving the rest to the system and the writer's other programs.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

GHOST_TEXT_BUDGET_MS = 40.0
# Bytes per weight of each precision as the exporter writes them (scales included; SmolLM2-135M 8-bit:
# 178 MB, Qwen2.5-0.5B 8-bit: 718 MB, 4-bit with values and down projections at 8 bits: 596 MB).
BYTES_PER_PARAMETER = {"float32": 4.0, "8-bit": 1.4, "4-bit": 1.2}
# Qwen2.5-Coder-0.5B 8-bit decodes at 24.7 ms/token from 718 MB on an AMD EPYC, 2 threads
# (benchmarks/four_bit.py, 2026-12-06): the estimate before anything was measured here.
REFERENCE_MS_PER_MB = 24.7 / 718
RUNTIME_ROOM = 1.3  # the weights and the caches, buffers and runtime around them


@dataclass(frozen=True)
class Fit:
    decode_ms: float  # per token, on this computer
    measured: bool  # from the writer's own use, not estimated
    ghost_text: bool  # fast enough for ghost text
    fits_memory: bool

    def describe(self) -> str:
        """A short phrase for a table cell: "~25 ms/token", "~73 ms/token (estimate)"."""
        return f"~{self.decode_ms:.0f} ms/token" + ("" if self.measured else " (estimate)")


def sizes_mb(parameters_m: float) -> dict[str, int]:
    """What the model takes on disk in each precision, in MB."""
    return {kind: round(parameters_m * per) for kind, per in BYTES_PER_PARAMETER.items()}


def memory_mb() -> float:
    """This computer's physical memory in MB (0 when the system does not say)."""
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 1e6
    except (ValueError, OSError, AttributeError):
        return 0.0


def ms_per_mb(measured: dict[str, float], sizes: dict[str, float]) -> float:
    """Decode ms per MB of weights on this computer: the median over models measured here whose size is
    known, else the reference machine's."""
    ratios = sorted(measured[name] / sizes[name] for name in measured if sizes.get(name, 0) > 0)
    return ratios[len(ratios) // 2] if ratios else REFERENCE_MS_PER_MB


def fit(
    parameters_m: float,
    *,
    measured_ms: float | None = None,
    rate_ms_per_mb: float = REFERENCE_MS_PER_MB,
    memory: float | None = None,
) -> Fit:
    weights_mb = parameters_m * BYTES_PER_PARAMETER["8-bit"]
    decode = measured_ms if measured_ms is not None else weights_mb * rate_ms_per_mb
    memory = memory_mb() if memory is None else memory
    return Fit(
        decode_ms=decode,
        measured=measured_ms is not None,
        ghost_text=decode <= GHOST_TEXT_BUDGET_MS,
        fits_memory=memory <= 0 or weights_mb * RUNTIME_ROOM <= memory / 2,
    )
