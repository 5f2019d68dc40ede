"""What the command line's modules share: sub-commands that take -v anywhere, and plain tables."""

from __future__ import annotations

import argparse
import unicodedata


def command(sub: argparse._SubParsersAction, name: str, help: str) -> argparse.ArgumentParser:
    """A sub-command that takes -v after its name too. SUPPRESS: where it is absent there, the value set
    before the sub-command stays."""
    parser = sub.add_parser(name, help=help)
    parser.add_argument(
        "-v", "--verbose", action="store_true", default=argparse.SUPPRESS, help="log details to stderr"
    )
    return parser


def columns(text: str) -> int:
    """How many terminal columns text takes: Chinese characters and full-width forms take two."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def print_table(rows: list[tuple[str, ...]]) -> None:
    widths = [max(columns(r[i]) for r in rows) for i in range(len(rows[0]))]
    for r in rows:
        print("  ".join(c + " " * (w - columns(c)) for c, w in zip(r, widths, strict=True)).rstrip())
