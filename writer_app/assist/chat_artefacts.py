"""Where a continuation stops being the writer's prose and becomes a chat assistant talking.

Instruct models continue prose like chatbots: after "在创意产业中，大型语言模型（LLM）的应用前景广阔。"
Qwen2.5-0.5B-Instruct offered "以下是一些关键点，帮助你更好地理解… 1. **个性化服务**"; SmolLM2-135M-Instruct
turns to "Here are some tips" and Markdown lists. A ghost text is cut where that begins. Markdown counts
only in a document that uses none (a Markdown writer's own **bold** and lists are prose to them).
"""

from __future__ import annotations

import re

# An assistant addressing the writer, at a sentence's start. Seen in real continuations: SmolLM2-135M-
# Instruct's "I made a few changes to make the text more concise… I removed the phrase", "I'm excited to
# share it with you"; Qwen2.5-0.5B-Instruct's "以下是一些关键点". Words prose also opens with ("Sure,",
# "Of course,", "当然，", "好的，") are left out: a character may say them.
_PREAMBLE = re.compile(
    r"(?:^|(?<=[\s.!?。！？：:]))"
    r"(?:Here (?:are|is) (?:some|a few|a list)\b|Here(?: is|'s) (?:an?|my) (?:revised|rewritten|edited|"
    r"improved|polished|updated|shorter|longer) |As an AI\b"
    r"|As a language model|I hope (?:this|that|these) helps?|Let me know if|Feel free to"
    r"|I'd be (?:happy|glad) to|I (?:made|have made|'ve made) (?:a few |some )?(?:changes|edits|revisions)"
    r"|I (?:removed|replaced|rephrased|revised|reworded) the\b|(?:happy|excited|glad) to share"
    r"|以下是|以下为|希望(?:这些|以上|对你|对您)|如果(?:你|您)有任何|作为一个?(?:AI|人工智能))"
)
_SENTENCE_END = re.compile(r"[.!?。！？…][\"'”’)\]」』]*|\n")
# Leaked chat-template markers (<|im_end|>, <|user|>, [INST], </s>).
_TEMPLATE_MARK = re.compile(r"<\|[A-Za-z_]+\|>|\[/?INST\]|</s>|<s>")
# Markdown an assistant formats with: bold, headings, numbered or bulleted list items, code fences.
_MARKDOWN = re.compile(r"\*\*|__|```|^[ \t]*#{1,6} |^[ \t]*(?:\d+[.)]|[-*•])[ \t]+", re.MULTILINE)


def uses_markdown(document_text: str) -> bool:
    """Whether the writer's own text is Markdown (then its marks are not an assistant's)."""
    return _MARKDOWN.search(document_text) is not None


def artefact_at(text: str, *, markdown_is_prose: bool = False) -> int | None:
    """Where the prose ends in a continuation because a chat artefact begins, or None: at a leaked
    template marker itself; for an assistant's words or formatting, at the start of their sentence."""
    found = []
    mark = _TEMPLATE_MARK.search(text)
    if mark is not None:
        found.append(mark.start())
    talk = [_PREAMBLE.search(text)] + ([] if markdown_is_prose else [_MARKDOWN.search(text)])
    for match in talk:
        if match is not None:  # from the start of its sentence ("It is good. I'm excited to share")
            found.append(max((m.end() for m in _SENTENCE_END.finditer(text, 0, match.start())), default=0))
    return min(found) if found else None


def cut_artefacts(text: str, *, markdown_is_prose: bool = False) -> tuple[str, bool]:
    """(the prose before any chat artefact, whether one was cut). The line breaks that led into the
    artefact go with it."""
    at = artefact_at(text, markdown_is_prose=markdown_is_prose)
    if at is None:
        return text, False
    return text[:at].rstrip("\n"), True
