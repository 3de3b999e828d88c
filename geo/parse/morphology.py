"""Ukrainian and Russian place names as the gazetteer holds them: in the nominative.

News in these languages inflects every name: "у Києві", "під Харковом", "з Маріуполя",
"Харківської області". ``nominative_forms`` gives the forms to look up, made by the
pymorphy3 analysers for Ukrainian and Russian (their dictionaries ship as PyPI packages;
nothing is downloaded at run time). Adjectives agree with the noun they go with:
"Харківській області" -> "Харківська область".
"""

from __future__ import annotations

import re
from functools import lru_cache

import pymorphy3

from geo.gazetteer.names import has_cyrillic

# Ukrainian first: its letters (і, ї, є, ґ) never parse as Russian words.
LANGUAGES = ("uk", "ru")


@lru_cache(maxsize=2)
def _analyzer(lang: str) -> pymorphy3.MorphAnalyzer:
    return pymorphy3.MorphAnalyzer(lang=lang)


@lru_cache(maxsize=20_000)
def nominative_forms(phrase: str) -> tuple[str, ...]:
    """The possible nominative forms of a Cyrillic name, likeliest first; () for others.
    A word has several readings ("Києві": of Київ, or of кий): the gazetteer says which
    one names a place.

    >>> "Київ" in nominative_forms("Києві")
    True
    >>> nominative_forms("Харківської області")[0]
    'Харківська область'
    """
    words = phrase.split()
    if not words or not has_cyrillic(phrase) or len(words) > 4:
        return ()
    forms: list[str] = []
    for lang in LANGUAGES:
        analyzer = _analyzer(lang)
        for head in _readings(words[-1], analyzer)[:MAX_READINGS]:
            form = " ".join(
                [*(_agree(w, head, analyzer) for w in words[:-1]), _like(words[-1], _nominal(head))]
            )
            if form != phrase and form not in forms:
                forms.append(form)
    return tuple(forms)


MAX_READINGS = 4
GENDERS = ("masc", "femn", "neut")


def _readings(word: str, analyzer: pymorphy3.MorphAnalyzer) -> list:
    """Noun and adjective readings of ``word``, place names first, then nouns ("Донецька":
    of Донецьк before the adjective донецький)."""
    parses = [p for p in analyzer.parse(word) if p.tag.POS in ("NOUN", "ADJF", "PRTF")]
    return sorted(parses, key=lambda p: ("Geox" not in p.tag.grammemes, p.tag.POS != "NOUN"))


def _nominal(parse) -> str:
    """The reading in the nominative singular (plural for plural-only names)."""
    plural = {"plur", "Pltm"} <= parse.tag.grammemes
    inflected = parse.inflect({"nomn", "plur" if plural else "sing"})
    return inflected.word if inflected else parse.normal_form


def _agree(word: str, head, analyzer: pymorphy3.MorphAnalyzer) -> str:
    """An adjective before the head noun, in the head's gender and the nominative
    ("Харківської" before "область": "Харківська"); other words stay as they are."""
    readings = [p for p in analyzer.parse(word) if p.tag.POS in ("ADJF", "PRTF")]
    if not readings:
        return word
    gender = next((g for g in GENDERS if g in head.tag.grammemes), None)
    plural = {"plur", "Pltm"} <= head.tag.grammemes
    tries = (
        [{"nomn", "plur"}]
        if plural
        else [{"nomn", "sing", gender}, {"nomn", gender}]
        if gender
        else [{"nomn"}]
    )
    for wanted in tries:  # the Ukrainian dictionary marks no number on feminine adjectives
        inflected = readings[0].inflect(wanted)
        if inflected:
            return _like(word, inflected.word)
    return word


def _like(original: str, word: str) -> str:
    """``word`` written in the case of ``original`` (Title, UPPER or lower)."""
    if original.isupper() and len(original) > 1:
        return word.upper()
    if original[:1].isupper():
        return word[:1].upper() + word[1:]
    return word


@lru_cache(maxsize=20_000)
def is_common_word(word: str) -> bool:
    """A Cyrillic word that is not a name (of a person or a place) in either language:
    "Обстріл" opening "Обстріл Херсона" is a noun, not a first name."""
    if not has_cyrillic(word):
        return False
    names = {"Name", "Surn", "Patr", "Geox", "Orgn"}
    readings = [p for lang in LANGUAGES for p in _analyzer(lang).parse(word)]
    known = [p for p in readings if p.is_known]
    return bool(known) and not any(names & p.tag.grammemes for p in known)


# -- words that imply a place: "київський" (of Kyiv), "Харківщина" (the Kharkiv region) --

# Adjective endings after the stem of a place name (lemma, masculine nominative), with
# the endings the place name may take instead ("запорізький" -> "Запоріжжя").
_ADJECTIVE_STEMS = (
    ("енський", ("е",)), ("зький", ("жжя", "зьк")), ("цький", ("цьк", "ця", "ці", "ць")),
    ("ський", ("ськ", "", "а", "и", "я", "е", "о", "са", "ь")),
    ("енский", ("е",)), ("жский", ("жье",)), ("цкий", ("цк", "ца", "цы")),
    ("ский", ("ск", "", "а", "ы", "и", "я", "е", "о", "ь")), ("ской", ("ск", "", "а", "о")),
)  # fmt: skip
# Informal region names: "Харківщина", "Донеччина", "Одещина", "Черкащина".
_REGION_STEMS = (
    ("ччина", ("цьк", "ця", "цький", "к")),
    ("щина", ("", "а", "и", "са", "си", "ськ", "е", "ь", "ськ")),
)
ADJECTIVE_RE = re.compile(
    r"(?:[сцз]ьк|[сц]к)(?:ий|ій|ого|ому|им|ім|а|ої|ою|у|е|і|их|ими|ая|ой|ую|ое|ие|ом|ых|ым|ыми|ых)$"
)


@lru_cache(maxsize=20_000)
def implied_places(word: str) -> tuple[tuple[str, ...], str]:
    """The place names a Cyrillic adjective or informal region name may come from, and
    what it implies: ("city", names) for "київський" / "Харьковские", ("region", names)
    for "Харківщині"; ((), "") when the word implies no place. The gazetteer says which
    of the names is real.

    >>> implied_places("Харківські")[1], implied_places("Харківські")[0][:2]
    ('city', ('Харківськ', 'Харків'))
    """
    if not has_cyrillic(word) or " " in word:
        return (), ""
    ukrainian = any(ch in word.lower() for ch in "іїєґ")
    parses = [p for lang in (("uk",) if ukrainian else LANGUAGES) for p in _analyzer(lang).parse(word)]
    parses.sort(key=lambda p: p.tag.POS != "ADJF")  # an adjective reading first, if any
    names: list[str] = []
    what = ""
    for parse in parses:
        lemma = parse.normal_form
        if parse.tag.POS == "ADJF":
            table, what = _ADJECTIVE_STEMS, "city"
        elif parse.tag.POS == "NOUN":
            table, what = _REGION_STEMS, "region"
        else:
            continue
        for suffix, endings in table:
            if lemma.endswith(suffix):
                stem = lemma[: -len(suffix)]
                names += [stem + e for e in endings if len(stem + e) >= 3]
                if stem.endswith("й"):  # "російський": Росія
                    names.append(stem[:-1] + "я")
                break
        if names:
            break
    if not names:
        return (), ""
    return tuple(dict.fromkeys(n[:1].upper() + n[1:] for n in names)), what
