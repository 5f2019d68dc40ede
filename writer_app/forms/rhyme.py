"""Which rhyme a line ends on. Chinese: the 中华新韵 group of the last character's final, read by pypinyin
in the line's context (a heteronym takes the reading its phrase gives it); English: the CMU
pronouncing dictionary's rhyming part of the last word (from its last stressed vowel), else its
spelling's last vowel group and what follows."""

from __future__ import annotations

import re
from functools import cache, lru_cache

from writer_app.forms.units import _HAN, COMMON_ZIPF, words, zipf

# 中华新韵 (2005): fourteen groups by final. 支 holds the -i after zh ch sh r z c s, 齐 the other i.
_GROUPS = {
    "麻": ("a", "ia", "ua"),
    "波": ("o", "e", "uo"),
    "皆": ("ie", "ve", "üe"),
    "开": ("ai", "uai"),
    "微": ("ei", "ui", "uei"),
    "豪": ("ao", "iao"),
    "尤": ("ou", "iu", "iou"),
    "寒": ("an", "ian", "uan", "van", "üan"),
    "文": ("en", "in", "un", "uen", "vn", "ün"),
    "唐": ("ang", "iang", "uang"),
    "庚": ("eng", "ing", "ong", "iong", "ueng"),
    "齐": ("i", "v", "ü", "er"),
    "姑": ("u",),
}
_GROUP_OF = {final: group for group, finals in _GROUPS.items() for final in finals}
_APICAL = ("zh", "ch", "sh", "r", "z", "c", "s")
# A form judges every candidate token against the lines before it: their rhymes are read once.
LINES_REMEMBERED = 4096


def last_han(text: str) -> str | None:
    found = _HAN.findall(text)
    return found[-1] if found else None


def _group(final: str, initial: str) -> str:
    if final == "i" and initial in _APICAL:
        return "支"
    return _GROUP_OF.get(final, final)


@lru_cache(maxsize=LINES_REMEMBERED)
def zh_rhymes(line: str) -> frozenset[str]:
    """The 中华新韵 group ('唐', '支', …) of the line's last Han character, in the reading its phrase gives
    it (pypinyin's phrase dictionary: 还 is hái in 还是, huán in 归还). The 新韵 rhymes by today's
    readings, so a character's rare readings do not count (耳 is not réng); a classical reading the
    dictionary does not know (还 in 一日还) is read the common way. Empty without a Han character."""
    if last_han(line) is None:
        return frozenset()
    from pypinyin import Style, lazy_pinyin

    han = "".join(_HAN.findall(line))
    final = lazy_pinyin(han, style=Style.FINALS, strict=True)[-1]
    initial = lazy_pinyin(han, style=Style.INITIALS, strict=True)[-1]
    return frozenset({_group(final, initial)})


@lru_cache(maxsize=LINES_REMEMBERED)
def zh_tone(line: str) -> str | None:
    """平 ("ping") or 仄 ("ze") of the line's last Han character in today's reading (tones 1-2, 3-4);
    None without one, or for a neutral tone."""
    if last_han(line) is None:
        return None
    from pypinyin import Style, lazy_pinyin

    reading = lazy_pinyin("".join(_HAN.findall(line)), style=Style.TONE3, neutral_tone_with_five=True)[-1]
    tone = reading[-1:]
    return "ping" if tone in ("1", "2") else "ze" if tone in ("3", "4") else None


def zh_final(line: str) -> str | None:
    """The pinyin final of the line's last Han character, as a writer names a rhyme ('ang')."""
    if last_han(line) is None:
        return None
    from pypinyin import Style, lazy_pinyin

    return lazy_pinyin("".join(_HAN.findall(line)), style=Style.FINALS, strict=False)[-1]


@cache
def en_word_rhymes(word: str) -> frozenset[str]:
    """The rhyming parts of a word's pronunciations (from the last stressed vowel, stress marks
    dropped), or for a word the dictionary lacks, its spelling's last vowel group and what follows."""
    import pronouncing

    folded = word.lower().replace("’", "'")
    phones = pronouncing.phones_for_word(folded)
    if phones:
        return frozenset(re.sub(r"\d", "", pronouncing.rhyming_part(p)) for p in phones)
    match = re.search(r"[aeiouy]+[^aeiouy]*e?$", re.sub(r"[^a-z]", "", folded))
    return frozenset({match.group(0) if match else folded})


@cache
def rhyming_words(word: str) -> tuple[str, ...]:
    """Common words that rhyme with an English word (the CMU dictionary's, used at least COMMON_ZIPF),
    the most used first: "fault" and "halt" for salt, never "ault"."""
    import pronouncing

    found = {w: zipf(w) for w in pronouncing.rhymes(word.lower()) if w.isalpha()}
    return tuple(sorted((w for w, z in found.items() if z >= COMMON_ZIPF), key=lambda w: (-found[w], w)))


@lru_cache(maxsize=LINES_REMEMBERED)
def en_rhymes(line: str) -> frozenset[str]:
    found = words(line)
    return en_word_rhymes(found[-1]) if found else frozenset()


def rhymes_of(line: str, language: str) -> frozenset[str]:
    """The rhymes the line can end on; lines rhyme when theirs share one."""
    return zh_rhymes(line) if language == "zh" else en_rhymes(line)


def shared_rhyme(lines: list[str], language: str) -> frozenset[str]:
    """The rhymes all the lines can share (empty: they do not rhyme)."""
    sets = [rhymes_of(line, language) for line in lines]
    return frozenset.intersection(*sets) if sets else frozenset()


def rhyme_word(line: str, language: str) -> str:
    """What a line rhymes on: its last Han character, or its last word (folded)."""
    if language == "zh":
        return last_han(line) or ""
    found = words(line)
    return found[-1].lower() if found else ""


def rhyme_name(line: str, language: str) -> str:
    """How the panel names a line's rhyme: the pinyin final for Chinese, the last word for English."""
    if language == "zh":
        return zh_final(line) or "?"
    found = words(line)
    return found[-1].lower() if found else "?"
