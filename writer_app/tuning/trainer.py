"""Low-rank adapters (peft) trained on the writer's text on torch's CPU: the held-out loss measured as it
goes, the best adapters kept, training stopped when the held-out loss stops improving, a checkpoint after
every evaluation and on cancel (a crash or a closed window resumes there), cancel seen at every step."""

from __future__ import annotations

import contextlib
import math
import signal
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from writer_app.errors import UserError
from writer_app.translation import tr
from writer_app.tuning.plan import TunePlan

CHECKPOINT = "checkpoint.pt"
# How much more surprising (perplexity) a neutral text may become for adapters to be kept.
MAX_NEUTRAL_COST = 0.05
WARMUP_STEPS = 10


class Cancelled(UserError):
    """The tune was cancelled; its checkpoint is kept, and the same command resumes it."""


@dataclass
class Outcome:
    steps: int
    best_loss: float
    stopped: str  # "early" (held-out loss stopped improving) or "steps" (the plan's last step)
    history: list[dict[str, float]] = field(default_factory=list)


@contextlib.contextmanager
def signals_stop_at_next_step(cancel: threading.Event) -> Iterator[None]:
    """While training, SIGTERM and Ctrl-C ask for a stop at the next step (the adapters and optimizer
    are never saved half-updated); outside it they interrupt as usual. Only the main thread can."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {sig: signal.getsignal(sig) for sig in (signal.SIGTERM, signal.SIGINT)}
    for sig in previous:
        signal.signal(sig, lambda _signum, _frame: cancel.set())
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def token_blocks(tokenizer: Any, texts: list[str], sequence: int, eos_id: int | None) -> Any:
    """The texts as one stream of token ids (each text closed by the end-of-text token), cut into
    blocks of `sequence` tokens; a stream shorter than a block is one shorter block."""
    import torch

    ids: list[int] = []
    for text in texts:
        ids += tokenizer(text, add_special_tokens=False)["input_ids"]
        if eos_id is not None:
            ids.append(eos_id)
    if len(ids) < 2:
        raise UserError(tr("the texts hold too few tokens to tune on"))
    count = len(ids) // sequence
    if count == 0:
        return torch.tensor([ids], dtype=torch.long)
    return torch.tensor(ids[: count * sequence], dtype=torch.long).view(count, sequence)


def mean_loss(model: Any, blocks: Any, batch: int) -> float:
    """The mean next-token loss (nats per token) of the model on the blocks."""
    import torch

    model.eval()
    total = 0.0
    with torch.no_grad():
        for start in range(0, len(blocks), batch):
            chunk = blocks[start : start + batch]
            total += float(model(input_ids=chunk, labels=chunk).loss) * len(chunk)
    return total / len(blocks)


def perplexity(loss: float) -> float:
    return math.exp(loss)


class Trainer:
    def __init__(
        self,
        model: Any,  # a peft model
        train: Any,
        held_out: Any,
        plan: TunePlan,
        workdir: Path,
        fingerprint: str,
        progress: Callable[[str], None],
        cancel: threading.Event | None = None,
        neutral: Any = None,  # blocks of a text the writer did not write: what tuning may not spoil
    ) -> None:
        import torch

        self.model, self.train, self.held_out, self.plan = model, train, held_out, plan
        self.neutral = neutral
        self.workdir, self.fingerprint, self.progress = workdir, fingerprint, progress
        self.cancel = cancel or threading.Event()
        trainable = [p for p in model.parameters() if p.requires_grad]
        self.optimizer = torch.optim.AdamW(trainable, lr=plan.learning_rate, weight_decay=0.0)
        self.step = 0
        self.best_loss = math.inf
        self.best_adapter: dict[str, Any] | None = None
        self.bad_evaluations = 0
        self.history: list[dict[str, float]] = []
        self.extra: dict[str, Any] = {}  # what the caller keeps with the checkpoint (the "before" figures)

    # --- checkpoints -------------------------------------------------------------------------------
    @property
    def checkpoint_path(self) -> Path:
        return self.workdir / CHECKPOINT

    def _adapter(self) -> dict[str, Any]:
        from peft import get_peft_model_state_dict

        return {key: value.detach().clone() for key, value in get_peft_model_state_dict(self.model).items()}

    def save(self) -> None:
        import torch

        self.workdir.mkdir(parents=True, exist_ok=True)
        state = {
            "fingerprint": self.fingerprint,
            "step": self.step,
            "adapter": self._adapter(),
            "best_adapter": self.best_adapter,
            "best_loss": self.best_loss,
            "bad_evaluations": self.bad_evaluations,
            "optimizer": self.optimizer.state_dict(),
            "history": self.history,
            "rng": torch.get_rng_state(),
            "extra": self.extra,
        }
        partial = self.checkpoint_path.with_suffix(".partial")
        torch.save(state, partial)
        partial.replace(self.checkpoint_path)  # a crash while saving keeps the previous checkpoint

    def resume(self) -> bool:
        """Continue from the checkpoint of the same texts, base and settings; False when there is none
        (a checkpoint of anything else is set aside: it cannot continue this tune)."""
        import torch
        from peft import set_peft_model_state_dict

        if not self.checkpoint_path.is_file():
            return False
        try:
            state = torch.load(self.checkpoint_path, weights_only=False)
        except Exception:  # a damaged checkpoint starts over  # noqa: BLE001
            state = None
        if not isinstance(state, dict) or state.get("fingerprint") != self.fingerprint:
            self.checkpoint_path.unlink()
            return False
        set_peft_model_state_dict(self.model, state["adapter"])
        self.optimizer.load_state_dict(state["optimizer"])
        torch.set_rng_state(state["rng"])
        self.step, self.best_adapter = state["step"], state["best_adapter"]
        self.best_loss, self.bad_evaluations = state["best_loss"], state["bad_evaluations"]
        self.history, self.extra = state["history"], state["extra"]
        return True

    # --- training ----------------------------------------------------------------------------------
    def _batch(self, step: int) -> Any:
        """The blocks of a step: a fresh order of the blocks each pass, the same for the same step on
        every run (a resumed tune sees what an uninterrupted one would)."""
        import torch

        count, size = len(self.train), self.plan.batch
        picked = []
        for position in range(step * size, step * size + size):
            epoch, index = divmod(position, count)
            order = torch.randperm(count, generator=torch.Generator().manual_seed(self.plan.seed + epoch))
            picked.append(int(order[index]))
        return self.train[picked]

    def _learning_rate(self, step: int) -> float:
        return self.plan.learning_rate * min(1.0, (step + 1) / WARMUP_STEPS)

    def evaluate(self) -> float:
        """The held-out loss now. Adapters are kept when it is the best so far and the neutral text
        (when given) is at most MAX_NEUTRAL_COST more surprising than to the base: learning the writer's
        voice may not cost the model its plain prose."""
        loss = mean_loss(self.model, self.held_out, self.plan.batch)
        entry = {"step": self.step, "held_out_loss": loss}
        affordable = True
        if self.neutral is not None:
            entry["neutral_loss"] = neutral = mean_loss(self.model, self.neutral, self.plan.batch)
            base = self.extra.get("neutral")
            affordable = base is None or neutral <= base + math.log1p(MAX_NEUTRAL_COST)
        self.history.append(entry)
        # The first evaluation is the base model's own (the adapters start as nothing): always kept.
        if self.best_adapter is None or (loss < self.best_loss - 1e-4 and affordable):
            self.best_loss, self.best_adapter, self.bad_evaluations = loss, self._adapter(), 0
        else:
            self.bad_evaluations += 1
        return loss

    def run(self) -> Outcome:
        with signals_stop_at_next_step(self.cancel):
            return self._run()

    def _run(self) -> Outcome:
        plan = self.plan
        if self.best_adapter is None:
            self.evaluate()  # the base model's held-out loss: an adapter must beat it to be kept
        stopped, said = "steps", -1
        while self.step < plan.max_steps:
            if self.cancel.is_set():
                self.save()
                raise Cancelled(
                    tr("cancelled at step {step}; the same command resumes it").format(step=self.step)
                )
            self.model.train()
            for group in self.optimizer.param_groups:
                group["lr"] = self._learning_rate(self.step)
            blocks = self._batch(self.step)
            loss = 0.0
            for chunk in blocks.split(max(1, plan.micro_batch)):
                part = self.model(input_ids=chunk, labels=chunk).loss * (len(chunk) / len(blocks))
                part.backward()
                loss += float(part)
            self.optimizer.step()
            self.optimizer.zero_grad(set_to_none=True)
            self.step += 1
            percent = 100 * self.step // plan.max_steps
            if percent != said:
                said = percent
                self.progress(
                    f"[train {percent}%] "
                    + tr("step {step} of {steps}: training loss {loss}").format(
                        step=self.step, steps=plan.max_steps, loss=f"{loss:.3f}"
                    )
                )
            if self.step % plan.eval_every == 0 or self.step == plan.max_steps:
                held = self.evaluate()
                self.progress(
                    "      "
                    + tr("held-out loss {loss} (best {best})").format(
                        loss=f"{held:.3f}", best=f"{self.best_loss:.3f}"
                    )
                )
                self.save()
                if self.bad_evaluations >= plan.patience and self.step < plan.max_steps:
                    stopped = "early"
                    break
        if self.best_adapter is not None:
            from peft import set_peft_model_state_dict

            set_peft_model_state_dict(self.model, self.best_adapter)
        return Outcome(self.step, self.best_loss, stopped, list(self.history))
