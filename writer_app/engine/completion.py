"""What a generation returns (its completions, their timings, how surprising each token of a passage
was), and where a stop rule ends text. Plain values: no runtime is loaded by importing them, so the
session and the server engine use them without onnxruntime."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

STOP_RULES = ("sentence", "newline", "line")
# "lines:N": end after N lines that hold text (blank lines between them kept), for an answer that should
# have as many lines as the passage it rewrites (a four-line lyric translated as four lines).
LINES_RULE = "lines:"


def lines_rule(count: int) -> str:
    return f"{LINES_RULE}{count}"


def known_stop_rule(rule: str | None) -> bool:
    if rule is None or rule in STOP_RULES:
        return True
    count = rule.removeprefix(LINES_RULE)
    return rule.startswith(LINES_RULE) and count.isdigit() and int(count) > 0


# A Western sentence end needs the following space to be sure ("1.5" is no end); a CJK one does not.
_SENTENCE_END = re.compile(r"[.!?…][\"'”’)\]]*(?=\s)|[。！？][”’」』）]*")


# The GLTR bands: rank 1, ranks 2-10, 11-100, and the rest.
BANDS = (1, 10, 100)


@dataclass(frozen=True)
class TokenSurprise:
    start: int  # characters of the passage this token covers
    end: int
    rank: int  # 1 = the model's first choice

    @property
    def band(self) -> int:
        """0 (first choice) to 3 (beyond the top 100)."""
        return next((i for i, limit in enumerate(BANDS) if self.rank <= limit), len(BANDS))


@dataclass
class Completion:
    text: str = ""
    token_ids: list[int] = field(default_factory=list)
    # length | eos | stop | cancelled | time | blocked | form (no token kept the answer's form from there)
    finish_reason: str = "length"
    logprob: float = 0.0  # the model's log-probability of the tokens it chose, summed

    @property
    def mean_logprob(self) -> float:
        return self.logprob / len(self.token_ids) if self.token_ids else float("-inf")


@dataclass
class GenerationStats:
    prompt_tokens: int = 0
    reused_tokens: int = 0
    cut_tokens: int = 0  # tokens of the prompt left out to fit the context or max_prompt_tokens
    new_tokens: int = 0
    load_ms: float = 0.0
    prefill_ms: float = 0.0
    first_token_ms: float = 0.0
    decode_ms_per_token: float = 0.0
    alternatives: int = 1

    @property
    def tokens_per_s(self) -> float:
        return 1000.0 / self.decode_ms_per_token if self.decode_ms_per_token > 0 else 0.0

    def as_dict(self) -> dict[str, float | int]:
        return {
            "prompt_tokens": self.prompt_tokens,
            "reused_tokens": self.reused_tokens,
            "cut_tokens": self.cut_tokens,
            "new_tokens": self.new_tokens,
            "alternatives": self.alternatives,
            "load_ms": round(self.load_ms, 2),
            "prefill_ms": round(self.prefill_ms, 2),
            "first_token_ms": round(self.first_token_ms, 2),
            "decode_ms_per_token": round(self.decode_ms_per_token, 2),
            "tokens_per_s": round(self.tokens_per_s, 2),
        }


@dataclass
class GenerationResult:
    completions: list[Completion]
    stats: GenerationStats
    surprise: list[TokenSurprise] | None = None  # a surprise request's ranks (engine/surprise.py)
    choices: list[tuple[str, float]] | None = None  # a choices request's next pieces of text

    @property
    def text(self) -> str:
        return self.completions[0].text

    def ranked(self) -> list[int]:
        """Indices of the completions, most probable first (mean log-probability per token), each
        distinct text once: how several candidates are offered."""
        order = sorted(range(len(self.completions)), key=lambda i: -self.completions[i].mean_logprob)
        return first_of_each(order, [c.text for c in self.completions])


def first_of_each(order: Sequence[int], texts: Sequence[str]) -> list[int]:
    """The indices in `order`, each distinct text (stripped) once, blank ones left out."""
    seen: set[str] = set()
    kept = []
    for i in order:
        text = texts[i].strip()
        if text and text not in seen:
            seen.add(text)
            kept.append(i)
    return kept


def find_stop(text: str, rule: str | None) -> int | None:
    """Index where the text should end under the stop rule, or None. Leading blank text never stops,
    except under "line" (a continuation that would begin a new paragraph is none)."""
    if rule is None:
        return None
    if rule == "line":  # the line it continues ends it, even before any text (no new paragraph)
        cut = text.find("\n")
        return None if cut < 0 else cut
    body = len(text) - len(text.lstrip())
    if body == len(text):
        return None
    if rule == "newline":
        cut = text.find("\n", body)
        return None if cut < 0 else cut
    if rule.startswith(LINES_RULE):
        wanted, seen, line_start = int(rule.removeprefix(LINES_RULE)), 0, body
        while (cut := text.find("\n", line_start)) >= 0:
            if text[line_start:cut].strip():
                seen += 1
                if seen == wanted:
                    return cut
            line_start = cut + 1
        return None
    match = _SENTENCE_END.search(text, body)
    paragraph_end = text.find("\n", body)  # a sentence does not run on past its paragraph
    ends = [at for at in (match.end() if match else -1, paragraph_end) if at >= 0]
    return min(ends) if ends else None
