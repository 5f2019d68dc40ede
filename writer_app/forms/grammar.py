"""A form as a GBNF grammar, for a server that takes one (llama.cpp's `grammar` field): the lines, the
字 or words each holds, the acrostic's characters and the whole length, so the server's sampler keeps
them as the local engine does. What a grammar cannot say (rhyme, a hook repeated, syllables, a phrase
somewhere) is checked on the answer afterwards, as for any server (forms/check.py)."""

from __future__ import annotations

from writer_app.forms.spec import FormSpec

# What a Chinese line is written in (the basic ideographs and extension A), what may close it, and
# what an English word is.
_HAN = "[\u3400-\u4dbf\u4e00-\u9fff]"
_CLOSE_ZH = "[，。！？、；：…”’」』）]"
_CLOSE_EN = '[,.;:!?…"\u2019\u201d)]'
_WORD = "[A-Za-z]+ ([\u2019'] [A-Za-z]+)?"
MAX_GRAMMAR_LINES = 64


def _literal(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _count(item: str, low: int, high: int) -> str:
    """item repeated low to high times (GBNF's {m,n}); "" for none."""
    if high <= 0:
        return ""
    return f"{item}{{{low}}}" if low == high else f"{item}{{{low},{high}}}"


def _zh_line(first: str | None, low: int, high: int) -> str:
    if first is not None:
        return f"{_literal(first)} {_count('han', max(0, low - 1), high - 1)} close".strip()
    return f"{_count('han', low, high)} close"


def _en_line(first: str | None, low: int, high: int) -> str:
    """low to high words with spaces or a comma between; the acrostic's letter starts the first."""
    head = f"{_literal(first)} [a-zA-Z']*" if first is not None else "word"
    rest = _count("(sep word)", max(0, low - 1), high - 1)
    return f"{head} {rest} close".strip()


def form_grammar(spec: FormSpec) -> str | None:
    """The form as GBNF, or None when its lines cannot be said in one (a syllable count, open lines)."""
    if spec.unit not in ("zi", "word") or spec.lines is None or not spec.line_units:
        return None
    if spec.lines > MAX_GRAMMAR_LINES or (spec.unit == "zi") != (spec.language == "zh"):
        return None
    line_rule = _zh_line if spec.unit == "zi" else _en_line
    rules = []
    for i in range(spec.lines):
        low, high = spec.line_range(i) or (1, 1)
        first = spec.acrostic[i] if i < len(spec.acrostic) else None
        rules.append(f"line{i} ::= {line_rule(first, low, high)}")
    root = ' "\\n" '.join(f"line{i}" for i in range(spec.lines))
    shared = (
        [f"han ::= {_HAN}", f"close ::= {_CLOSE_ZH}?"]
        if spec.unit == "zi"
        else [f"word ::= {_WORD}", 'sep ::= ","? " "', f"close ::= {_CLOSE_EN}?"]
    )
    return "\n".join([f"root ::= {root}", *rules, *shared]) + "\n"
