"""writer_app: a local, offline writing assistant."""

__version__ = "0.1.0"
