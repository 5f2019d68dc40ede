"""The backend contract: what the model thread, the command line and the benchmarks ask of whatever
answers requests (the local engine on this computer, or a server's model), and the values that cross it.

A backend is loaded (`writer_app.backends.open_backend` picks which), says what it is and what it can do
(`info()`), and runs one typed request at a time (`run`), streaming text as it comes. Cancelling is the
request's own Event: set from any thread, it ends the run within one token or one streamed event.
Both backends apply the request's stop rule, time limit and block list themselves (the local engine
while sampling, refusing the tokens; a server's stream as it arrives, cutting the text).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import Enum
from typing import Protocol

from writer_app.engine.chat_template import ChatTemplate
from writer_app.engine.completion import GenerationResult
from writer_app.engine.constraint import TextConstraint
from writer_app.engine.sampling import SamplingParams

OnText = Callable[[int, str], None]  # (alternative, new text)


class RequestKind(Enum):
    CONTINUE = "continue"  # ghost text after the cursor
    REWRITE = "rewrite"  # candidates for the selection
    WARM = "warm"  # run the prompt into the KV cache, generate nothing
    SURPRISE = "surprise"  # rank each token of a passage among the model's predictions
    CHOICES = "choices"  # the most likely next words at the cursor, for the writer to pick from


@dataclass
class GenerationRequest:
    """One request to a backend: what to read, how much and how to write, and when to stop."""

    kind: RequestKind
    prompt: str
    max_new_tokens: int = 24
    max_prompt_tokens: int | None = None
    sampling: SamplingParams = field(default_factory=SamplingParams)
    num_alternatives: int = 1
    stop_at: str | None = None
    time_budget_ms: int | None = None  # end the answer after this long, whatever its length
    subject: str = ""  # SURPRISE: the passage scored (the prompt is the text before it)
    # An instruction as chat turns, for a backend that applies the chat template itself (a server).
    messages: tuple[dict[str, str], ...] = ()
    # A form the answer keeps (writer_app/forms): the local engine keeps it token by token; a server's
    # answers are checked against it afterwards by the caller.
    constraint: TextConstraint | None = None
    cancel: threading.Event = field(default_factory=threading.Event)


@dataclass(frozen=True)
class ModelInfo:
    """What a loaded backend is and can do."""

    name: str
    context_length: int
    follows_instructions: bool
    chat_template: ChatTemplate | None
    load_ms: float
    threads: int
    size_mb: float = 0.0  # its folder on disk (sizes.folder_bytes), as the model manager shows it
    licence: str = ""  # as its manifest records it; "" = not stated
    source: str = ""  # where it came from (hub id, gguf:FILE, …)
    renders_chat: bool = False  # takes chat turns (GenerationRequest.messages) and applies its own template
    logprobs: bool = True  # gives token probabilities (word choices, the surprise view, ranking)
    where: str = ""  # the host the text is sent to; "" = this computer
    languages: tuple[str, ...] = ()  # what it writes, as its manifest says ("zh", "en"); () = not known


class Backend(Protocol):
    """Answers requests: the local engine (engine/local_backend.py) or a server (remote/)."""

    def info(self) -> ModelInfo: ...

    def run(self, request: GenerationRequest, on_text: OnText) -> GenerationResult | None:
        """Answer the request, streaming text to on_text. None: cancelled before anything was done (a
        warm-up or scoring that stopped). Failures raise; the caller turns them into typed errors."""
        ...
