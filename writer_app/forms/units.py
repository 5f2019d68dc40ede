"""Counting as writers count: 字 for Chinese (each Han character; a Latin word or a number counts one;
punctuation never), syllables and words for English, characters for a length limit."""

from __future__ import annotations

import bisect
import math
import re
from functools import cache

from writer_app.engine.cjk import CJK_LETTERS

UNITS = ("zi", "syllable", "word", "char")
_HAN = re.compile(f"[{CJK_LETTERS}]")
# A Latin word or a number, as one unit among Chinese characters or as one English word.
_WORD = re.compile(r"[A-Za-z0-9\u00c0-\u024f]+(?:['’][A-Za-z]+)*")
_VOWELS = re.compile(r"[aeiouy]+")
# A name or an acronym: "Zorblax", "McCoy", "NASA", "Anna's"; not pieces glued together ("SfootMaybe",
# "SETulo") nor a word misspelt with a capital ("Isn'nt").
_NAME = re.compile(r"(?:Mc|Mac|O')?[A-Z][a-z]*(?:['’]s)?|[A-Z]{1,5}")
# How often a word must be used (wordfreq's Zipf scale: 3 is once per million words) to be one a form
# writes. The CMU dictionary also lists spellings nobody writes ("ault", "aine", "rale"), which a model
# reaching for a rhyme or a syllable count would otherwise pass off as words.
USED_ZIPF = 2.5
COMMON_ZIPF = 3.2  # a word the form offers by itself (a rhyme the model did not think of)


def han_count(text: str) -> int:
    return len(_HAN.findall(text))


def words(text: str) -> list[str]:
    return _WORD.findall(text)


def zi_count(text: str) -> int:
    """字 as a Chinese editor counts them: Han characters, plus one for each Latin word or number."""
    return han_count(text) + len(words(_HAN.sub(" ", text)))


@cache
def syllable_count(word: str) -> int:
    """Syllables of one English word: the CMU pronouncing dictionary's count, else from its spelling."""
    import pronouncing

    folded = word.lower().replace("’", "'")
    phones = pronouncing.phones_for_word(folded)
    if phones:
        return max(1, pronouncing.syllable_count(phones[0]))  # "hmm" has no vowel, yet takes a beat
    if folded.isdigit():
        return len(folded)  # read digit by digit
    return spelled_syllables(folded)


@cache
def _frequencies() -> dict[str, float]:
    from wordfreq import get_frequency_dict

    return get_frequency_dict("en")


def zipf(word: str) -> float:
    """How often English writing uses the (lowercase) word, on wordfreq's Zipf scale: log10 of its
    uses per billion words (0: never seen)."""
    frequency = _frequencies().get(word.replace("’", "'"), 0.0)
    return math.log10(frequency) + 9 if frequency > 0 else 0.0


@cache
def _dictionary() -> tuple[str, ...]:
    """The CMU pronouncing dictionary's words that writers use (USED_ZIPF), sorted (lowercase, with
    their apostrophes)."""
    import pronouncing

    pronouncing.init_cmu()
    listed = {word for word, _phones in pronouncing.pronunciations}
    return tuple(sorted(word for word in listed if zipf(word) >= USED_ZIPF))


def known_word(word: str, *, whole: bool = True) -> bool:
    """In the CMU pronouncing dictionary (134,000 words and their forms) and used, a number, a name or an
    acronym.
    A lowercase word outside it is most often a word cut short ("syllabl"); with whole=False, whether the
    word so far can still become one."""
    if word.isdigit() or _NAME.fullmatch(word):
        return True
    if not word.islower() and any(c.isalpha() for c in word):
        return False  # "nonsTO": pieces glued together, not a word
    folded = word.lower().replace("’", "'")
    words = _dictionary()
    at = bisect.bisect_left(words, folded)
    if at == len(words):
        return False
    return words[at] == folded if whole else words[at].startswith(folded)


def completion(fragment: str) -> str:
    """What the shortest used dictionary word beginning with the fragment adds to it ("" when none
    does)."""
    folded = fragment.lower()
    words = _dictionary()
    start, end = bisect.bisect_left(words, folded), bisect.bisect_left(words, folded + "\uffff")
    found = min(
        (w for w in words[start:end] if w.replace("'", "").isalpha() and w != folded), key=len, default=""
    )
    return found[len(folded) :]


def spelled_syllables(word: str) -> int:
    """A reading of an unknown word's syllables from its vowel groups (a silent final e dropped)."""
    letters = re.sub(r"[^a-z]", "", word.lower())
    groups = len(_VOWELS.findall(letters))
    if letters.endswith("e") and not letters.endswith(("le", "ee", "ye")) and groups > 1:
        groups -= 1
    return max(1, groups)


def count(text: str, unit: str) -> int:
    if unit == "zi":
        return zi_count(text)
    if unit == "syllable":
        return sum(syllable_count(w) for w in words(text))
    if unit == "word":
        return len(words(text)) + han_count(text)
    if unit == "char":
        return len(text)
    raise ValueError(f"unknown unit {unit!r} (choose from {', '.join(UNITS)})")
