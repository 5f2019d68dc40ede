"""What crosses between the writing session and the model thread: requests, model facts, typed errors.

Plain data (and a threading.Event to cancel): the session builds requests, the worker runs them, and
failures come back as an ErrorKind plus a message, so nothing downstream reads message text.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from enum import Enum

from writer_app.engine.backend import GenerationRequest, ModelInfo, RequestKind
from writer_app.engine.sampling import SamplingParams
from writer_app.errors import ModelError, NoModelInstalled, ServerFailure, UserError
from writer_app.settings import Settings, blocked_phrases

# The backend's request kinds and model facts are the session's too.
__all__ = [
    "AssistError",
    "AssistRequest",
    "ErrorKind",
    "ModelInfo",
    "RequestKind",
    "RequestRegistry",
    "Role",
    "generation_error",
    "load_error",
    "sampling_from",
]


class ErrorKind(Enum):
    NO_MODEL = "no_model"  # none installed, or none loaded
    MODEL_BROKEN = "model_broken"  # the folder is missing, incomplete, corrupt or unloadable
    SERVER = "server"  # a server did not answer, refused, or answered with something unusable
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
    if isinstance(exc, ServerFailure):
        return AssistError(ErrorKind.SERVER, str(exc))
    if isinstance(exc, UserError):
        return AssistError(ErrorKind.MODEL_BROKEN, str(exc))
    return AssistError(ErrorKind.MODEL_BROKEN, f"could not load the model: {exc}")


def generation_error(exc: BaseException) -> AssistError:
    """What a failed generation means to the writer."""
    if isinstance(exc, ServerFailure):
        return AssistError(ErrorKind.SERVER, str(exc))
    if isinstance(exc, ModelError):
        return AssistError(ErrorKind.MODEL_BROKEN, str(exc))
    if isinstance(exc, (ValueError, UserError)):
        return AssistError(ErrorKind.BAD_REQUEST, str(exc))
    return AssistError(ErrorKind.GENERATION_FAILED, f"generation failed: {exc}")


class Role(Enum):
    """Which model a request runs on (Settings may name a separate instruction model)."""

    CONTINUATION = "continuation"
    INSTRUCTION = "instruction"


@dataclass(kw_only=True)
class AssistRequest(GenerationRequest):
    """A request of the session's: the backend's request, with what the session routes it by."""

    request_id: int
    revision: int  # the document revision the prompt was read from
    role: Role = Role.CONTINUATION


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
