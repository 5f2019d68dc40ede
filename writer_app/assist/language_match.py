"""Whether a model writes the language of the text it is asked about, and what the writer is told when
it does not.

An English-only model asked to continue Chinese wrote "但是，LF的从一种领基系"; asked for a Chinese tagline,
"感受自己的自己". Fluent-looking noise is worse than nothing: the request is not sent, and the writer is
told which model does not write the language and the one place that fixes it.
"""

from __future__ import annotations

from writer_app.assist.candidates import language_of
from writer_app.assist.wording import tr

# How much of the text before the cursor decides the language of a continuation.
GLANCE_CHARS = 200


def unwritten_language(languages: tuple[str, ...], *texts: str, wanted: str | None = None) -> str | None:
    """The language of these texts (or the wanted answer's) that a model writing `languages` does not
    write; None when it writes them all, or when what it writes is not known."""
    if not languages:
        return None
    for language in (wanted, *(language_of(text) for text in texts)):
        if language is not None and language not in languages:
            return language
    return None


def refusal(model: str, language: str) -> str:
    names = {"zh": tr("Chinese"), "en": tr("English")}
    # Short enough for the status bar beside the counts and the model's name.
    return tr("{model} does not write {language}: get a model that does in Assist → Models…").format(
        model=model, language=names.get(language, language)
    )
