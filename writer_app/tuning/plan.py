"""How a tune runs on a laptop: settings chosen by the model's size and the amount of text, and an
estimate of the time it takes, from this computer's own measured arithmetic speed."""

from __future__ import annotations

import math
import os
import time
from dataclasses import asdict, dataclass, replace

# Passes over the training text a tune makes at most; early stopping usually ends it before.
EPOCHS = 3
MIN_STEPS, MAX_STEPS = 20, 600
HELD_OUT_BLOCKS = 48  # the held-out text measured at each evaluation, at most (its first blocks)


@dataclass(frozen=True)
class TunePlan:
    rank: int = 16
    alpha: int = 32
    dropout: float = 0.05
    sequence: int = 256  # tokens per training block
    batch: int = 4  # blocks per step
    # Blocks run forward and back at a time; their gradients add up to the step's. One at a time keeps
    # a 135M model's training within 2.2 GB (four at once: 5.7 GB), at the same speed on a CPU.
    micro_batch: int = 1
    learning_rate: float = 3e-4
    max_steps: int = 100
    eval_every: int = 10
    patience: int = 3  # evaluations without a better held-out loss before it stops
    threads: int = 2
    seed: int = 0

    def as_dict(self) -> dict[str, float | int]:
        return asdict(self)

    def with_changes(self, **changes: int | float | None) -> TunePlan:
        return replace(self, **{key: value for key, value in changes.items() if value is not None})


def default_threads() -> int:
    return max(1, min(8, os.cpu_count() or 1))


def default_plan(parameters: int, train_tokens: int) -> TunePlan:
    """Rank 16 adapters on every linear layer; blocks of 256 tokens, four a step for models up to about
    150M parameters and two for larger ones (memory and time); as many steps as three passes over the
    text take, within 20 and 600; an evaluation about twelve times a tune."""
    batch = 4 if parameters <= 200e6 else 2
    sequence = 256
    steps = math.ceil(EPOCHS * train_tokens / (batch * sequence))
    steps = max(MIN_STEPS, min(MAX_STEPS, steps))
    return TunePlan(
        batch=batch,
        sequence=sequence,
        max_steps=steps,
        eval_every=max(5, steps // 12),
        threads=default_threads(),
    )


def measured_flops(threads: int) -> float:
    """Floating-point operations a second this computer's torch reaches on a float32 matrix product of a
    training step's shape (a quarter of a second to measure)."""
    import torch

    torch.set_num_threads(threads)
    a, b = torch.randn(512, 768), torch.randn(768, 768)
    torch.mm(a, b)
    runs, started = 0, time.perf_counter()
    while time.perf_counter() - started < 0.25:
        torch.mm(a, b)
        runs += 1
    return runs * 2 * 512 * 768 * 768 / (time.perf_counter() - started)


def estimate_seconds(plan: TunePlan, parameters: int, held_out_tokens: int, flops: float) -> float:
    """A tune's time: each step runs its tokens forward and back (about 6 operations per parameter and
    token, as full training; the adapters save memory, not arithmetic), each evaluation the held-out
    text forward (2), at the measured speed; a factor of 1.5 for what a matrix product does not
    count (attention, the optimizer, Python)."""
    step = 6 * parameters * plan.batch * plan.sequence
    evaluations = plan.max_steps // plan.eval_every + 2
    evaluation = 2 * parameters * min(held_out_tokens, HELD_OUT_BLOCKS * plan.sequence)
    return 1.5 * (plan.max_steps * step + evaluations * evaluation) / flops
