"""Errors the user can act on. The CLI prints their message (no traceback) and exits with code 2."""

# What starts the line the CLI prints for one, in every language: the window finds a command's error by it.
ERROR_TAG = "writer-app: error: "


class UserError(Exception):
    """A problem with the user's input or environment, with a message that says what to do."""


class ModelError(UserError):
    """A model folder is missing, incomplete or corrupt."""


class NoModelInstalled(ModelError):
    """No model was named and none is installed."""


class ServerFailure(UserError):
    """A server did not answer, refused, or answered with something unusable. `status`: the HTTP status
    it answered with (None: no answer, or one that was not HTTP's); `retry_after_s` when it said when."""

    def __init__(
        self, message: str, *, status: int | None = None, retry_after_s: float | None = None
    ) -> None:
        super().__init__(message)
        self.status = status
        self.retry_after_s = retry_after_s
