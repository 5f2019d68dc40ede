"""What crosses between the writing session and the model thread: requests, model facts, typed errors.

Plain data (and a threading.Event to cancel): the session builds requests, the worker runs them, and
failures come back as an ErrorKind plus a message, so nothing downstream reads message text.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from enum import Enum

from writer_app.engine.chat_template import ChatTemplate
from writer_app.engine.sampling import SamplingParams
from writer_app.errors import ModelError, NoModelInstalled, UserError
from writer_app.settings import Settings, blocked_phrases


class RequestKind(Enum):
    CONTINUE = "continue"  # ghost text after the cursor
    REWRITE = "rewrite"  # candidates for the selection
    WARM = "warm"  # run the prompt into the KV cache, generate nothing
    SURPRISE = "surprise"  # rank each token of a passage among the model's predictions
    CHOICES = "choices"  # the most likely next words at the cursor, for the writer to pick from


class ErrorKind(Enum):
    NO_MODEL = "no_model"  # none installed, or none loaded
    MODEL_BROKEN = "model_broken"  # the folder is missing, incomplete, corrupt or unloadable
    MODEL_LOADING = "model_loading"  # asked for something that needs the model's facts while it loads
    BAD_REQUEST = "bad_request"  # parameters the engine refuses
    GENERATION_FAILED = "generation_failed"  # anything else that went wrong while generating


@dataclass(frozen=True)
class AssistError:
    kind: ErrorKind
    message: str


def load_error(exc: BaseException) -> AssistError:
    """What a failed model load means to the writer."""
    if isinstance(exc, NoModelInstalled):
        return AssistError(ErrorKind.NO_MODEL, str(exc))
    if isinstance(exc, UserError):
        return AssistError(ErrorKind.MODEL_BROKEN, str(exc))
    return AssistError(ErrorKind.MODEL_BROKEN, f"could not load the model: {exc}")


def generation_error(exc: BaseException) -> AssistError:
    """What a failed generation means to the writer."""
    if isinstance(exc, ModelError):
        return AssistError(ErrorKind.MODEL_BROKEN, str(exc))
    if isinstance(exc, (ValueError, UserError)):
        return AssistError(ErrorKind.BAD_REQUEST, str(exc))
    return AssistError(ErrorKind.GENERATION_FAILED, f"generation failed: {exc}")


class Role(Enum):
    """Which model a request runs on (Settings may name a separate instruction model)."""

    CONTINUATION = "continuation"
    INSTRUCTION = "instruction"


@dataclass
class AssistRequest:
    request_id: int
    kind: RequestKind
    prompt: str
    revision: int  # the document revision the prompt was read from
    max_new_tokens: int = 24
    max_prompt_tokens: int | None = None
    sampling: SamplingParams = field(default_factory=SamplingParams)
    num_alternatives: int = 1
    stop_at: str | None = None
    role: Role = Role.CONTINUATION
    time_budget_ms: int | None = None  # end the answer after this long, whatever its length
    subject: str = ""  # SURPRISE: the passage scored (the prompt is the text before it)
    # An instruction as chat turns, for an engine that applies the chat template itself (a server).
    messages: tuple[dict[str, str], ...] = ()
    cancel: threading.Event = field(default_factory=threading.Event)


@dataclass(frozen=True)
class ModelInfo:
    name: str
    context_length: int
    follows_instructions: bool
    chat_template: ChatTemplate | None
    load_ms: float
    threads: int
    size_mb: float = 0.0  # the weights' size: what the model adds to memory once mapped
    licence: str = ""  # as its manifest records it; "" = not stated
    source: str = ""  # where it came from (hub id, gguf:FILE, …)
    renders_chat: bool = False  # takes chat turns (AssistRequest.messages) and applies its own template
    logprobs: bool = True  # gives token probabilities (word choices, the surprise view, ranking)
    where: str = ""  # the host the text is sent to; "" = this computer


class RequestRegistry:
    """The live requests, by id: the one place that knows what is in flight."""

    def __init__(self) -> None:
        self._next_id = 0
        self._live: dict[int, AssistRequest] = {}

    def new_id(self) -> int:
        self._next_id += 1
        return self._next_id

    def add(self, request: AssistRequest) -> AssistRequest:
        self._live[request.request_id] = request
        return request

    def get(self, request_id: int) -> AssistRequest | None:
        return self._live.get(request_id)

    def pop(self, request_id: int) -> AssistRequest | None:
        return self._live.pop(request_id, None)

    def live(self, *kinds: RequestKind) -> Iterator[AssistRequest]:
        return (r for r in list(self._live.values()) if not kinds or r.kind in kinds)

    def cancel(self, request_id: int | None) -> None:
        request = self._live.get(request_id) if request_id is not None else None
        if request is not None:
            request.cancel.set()

    def cancel_all(self, *kinds: RequestKind) -> None:
        for request in self.live(*kinds):
            request.cancel.set()

    def __len__(self) -> int:
        return len(self._live)


def sampling_from(settings: Settings) -> SamplingParams:
    """The sampling a request gets from the writer's settings."""
    return SamplingParams(
        greedy=settings.greedy,
        temperature=settings.temperature,
        top_p=settings.top_p,
        top_k=settings.top_k,
        repetition_penalty=settings.repetition_penalty,
        blocked=blocked_phrases(settings),
    )
