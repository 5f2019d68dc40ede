"""The keys and values of recent prompts, so a new prompt only computes what it does not share.

One loaded model serves several kinds of prompt: the writer's text (ghost text, word choices, the
surprise view) and a task's chat prompt (its system turn and instruction before the text). With one
cache, each kind evicted the other: a task after ghost text computed its whole prompt again, and the next
suggestion after a task its whole window. So a few slots are kept, each its own buffers; a prompt
continues in the slot that shares the most of it, or takes the least recently used one.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from writer_app.engine.onnx_model import KVCache

SLOTS = 2
# A prompt that shares fewer tokens than this with every slot (a BOS, a chat turn's first token) takes the
# least recently used slot instead of overwriting a useful one (unless it is itself that short).
MIN_SHARED = 8


@dataclass(eq=False)  # a slot is itself, not its contents
class _Slot:
    ids: list[int] = field(default_factory=list)
    kv: KVCache | None = None


class PrefixCache:
    def __init__(self, slots: int = SLOTS) -> None:
        self._slots: list[_Slot] = []  # most recently used first
        self._size = slots

    def take(self, ids: list[int], empty: KVCache) -> tuple[int, KVCache]:
        """(tokens of ids already computed, the cache holding them) for a new prompt; the slot it came
        from now belongs to this prompt (record() follows it as the prompt is computed). At least the
        last token of ids is left to compute, for its logits."""
        limit = len(ids) - 1
        shared = [(_common(slot.ids, ids, limit), slot) for slot in self._slots]
        best = max(shared, key=lambda pair: pair[0], default=(0, None))
        if best[1] is not None and _useful(best[0], limit, len(best[1].ids)):
            reuse, slot = best
        elif len(self._slots) < self._size:
            reuse, slot = 0, _Slot()
        else:
            slot = self._slots[-1]
            reuse = _common(slot.ids, ids, limit)
        if slot in self._slots:
            self._slots.remove(slot)
        self._slots.insert(0, slot)
        past = slot.kv.truncate(reuse) if reuse and slot.kv is not None else empty
        slot.ids, slot.kv = list(ids[:reuse]), past
        return reuse, past

    def record(self, ids: list[int], kv: KVCache) -> None:
        """The current prompt's slot now holds ids (what has been computed of it so far)."""
        self._slots[0].ids, self._slots[0].kv = list(ids), kv

    def clear(self) -> None:
        self._slots.clear()


def _useful(shared: int, limit: int, held: int) -> bool:
    """Worth continuing in: a real shared stretch, or all the prompt can reuse, or all the slot holds."""
    return shared >= MIN_SHARED or (shared > 0 and shared in (limit, held))


def _common(a: list[int], b: list[int], limit: int) -> int:
    n = 0
    limit = min(limit, len(a), len(b))
    while n < limit and a[n] == b[n]:
        n += 1
    return n
