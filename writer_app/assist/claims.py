"""Claims advertising may not make, as data (resources/claims/*.txt, each naming its law and source):
never written by the ad tasks (they join the request's block list), and marked in the writer's own text
on request, with the reason, beside the writer's own block list.

A list file: header lines `# key: value` (id, language, reason-en, reason-zh, source; a value goes on
over the indented comment lines after it), then one term per line; a line `!phrase` is an exception, a
phrase that holds a term without making the claim (第一次). Terms match as the block list matches them:
any case, and split by spaces, hyphens or dots ("国 家 级").
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from importlib import resources

from writer_app.assist.wording import tr
from writer_app.engine.block_list import BlockList

_HEADER = re.compile(r"#\s*([a-z-]+):\s*(.*)")


@dataclass(frozen=True)
class ClaimList:
    id: str
    language: str
    terms: tuple[str, ...]
    exceptions: tuple[str, ...]
    reason_en: str
    reason_zh: str
    source: str

    def reason(self, language: str) -> str:
        return self.reason_zh if language == "zh" else self.reason_en


@dataclass(frozen=True)
class Finding:
    start: int  # code points into the text reviewed
    end: int
    term: str
    reason: str


def parse_claim_list(text: str) -> ClaimList:
    fields: dict[str, str] = {}
    terms: list[str] = []
    exceptions: list[str] = []
    key = None
    for raw in text.splitlines():
        line = raw.strip()
        if not line:
            continue
        header = _HEADER.fullmatch(line)
        if header:
            key = header.group(1)
            fields[key] = header.group(2).strip()
        elif line == "#" or line.startswith("# "):
            if key is not None:  # the header value goes on
                fields[key] += " " + line.lstrip("# ").strip()
        elif line.startswith("!"):
            exceptions.append(line[1:].strip())
        else:
            terms.append(line)
    return ClaimList(
        id=fields.get("id", ""),
        language=fields.get("language", ""),
        terms=tuple(terms),
        exceptions=tuple(e for e in exceptions if e),
        reason_en=fields.get("reason-en", ""),
        reason_zh=fields.get("reason-zh", ""),
        source=fields.get("source", ""),
    )


@cache
def claim_lists() -> tuple[ClaimList, ...]:
    folder = resources.files("writer_app.resources").joinpath("claims")
    return tuple(
        parse_claim_list(item.read_text(encoding="utf-8"))
        for item in sorted(folder.iterdir(), key=lambda p: p.name)
        if item.name.endswith(".txt")
    )


def ad_blocked_phrases() -> tuple[str, ...]:
    """What an ad task never writes, in any language."""
    return tuple(term for claims in claim_lists() for term in claims.terms)


def review(text: str, language: str, own_blocks: tuple[str, ...] = ()) -> list[Finding]:
    """Every listed claim and every phrase of the writer's own block list in text, by position, each
    with its reason in the interface's language ("zh" or "en": the lists' own wording); an exception's
    span is not a claim."""
    own_reason = tr("On your block list (Settings → Block list).")
    found: dict[tuple[int, int], Finding] = {}
    for claims in claim_lists():
        excused = [(s, e) for s, e, _p in BlockList(claims.exceptions).spans(text)]
        for start, end, _term in BlockList(claims.terms).spans(text):
            if any(s <= start and end <= e for s, e in excused):
                continue
            found.setdefault((start, end), Finding(start, end, text[start:end], claims.reason(language)))
    for start, end, _term in BlockList(own_blocks).spans(text):
        found.setdefault((start, end), Finding(start, end, text[start:end], own_reason))
    return _outermost(sorted(found.values(), key=lambda f: (f.start, -f.end)))


def _outermost(findings: list[Finding]) -> list[Finding]:
    """One mark where terms overlap (销量第一 holds 第一): the longest, first."""
    kept: list[Finding] = []
    for finding in findings:
        if kept and finding.start < kept[-1].end:
            continue
        kept.append(finding)
    return kept
