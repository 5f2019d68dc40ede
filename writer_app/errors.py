"""Errors the user can act on. The CLI prints their message (no traceback) and exits with code 2."""


class UserError(Exception):
    """A problem with the user's input or environment, with a message that says what to do."""


class ModelError(UserError):
    """A model folder is missing, incomplete or corrupt."""


class NoModelInstalled(ModelError):
    """No model was named and none is installed."""
