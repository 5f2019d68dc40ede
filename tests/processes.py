"""Starting the program as a child process the way a terminal would."""

from __future__ import annotations

import signal


def sigint_as_a_terminal_gives_it() -> None:
    """preexec_fn: Ctrl-C's default disposition in the child. A runner that started the suite in the
    background (SIGINT ignored) passes SIG_IGN on, and Python then never raises KeyboardInterrupt."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)
