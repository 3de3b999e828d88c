"""Name normalisation and the name variants the gazetteer indexes.

``normalise`` is the one function both sides use: the index stores normalised names and
every query is normalised the same way, so case, diacritics, apostrophes, hyphens, dots
and a leading article never decide a match.

>>> normalise("Homyel'")
'homyel'
>>> normalise("the Ukraine–Belarus border")
'ukraine belarus border'
>>> normalise("U.S.")
'us'
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator

_DROP = dict.fromkeys(map(ord, "'’‘`´ʼʹʻʽ\"“”„«».·"), None)
_SPACE_RE = re.compile(r"[\s\-‐‑‒–—―_/\\,;:()\[\]{}!?&+*|~#<>=@$%^]+")
_ASCII_DROP_RE = re.compile(r"['`\".]")
_LEADING_ARTICLE = "the "


def _fold(text: str) -> str:
    if text.isascii():  # the common case, and ten times faster
        text = text.lower()
        if "'" in text or "." in text or '"' in text or "`" in text:
            text = _ASCII_DROP_RE.sub("", text)
        text = _SPACE_RE.sub(" ", text).strip()
    else:
        text = unicodedata.normalize("NFKD", text).casefold()
        text = unicodedata.normalize("NFKD", text)
        text = "".join(ch for ch in text if not unicodedata.combining(ch))
        text = _SPACE_RE.sub(" ", text.translate(_DROP)).strip()
    while text.startswith(_LEADING_ARTICLE):
        text = text[len(_LEADING_ARTICLE) :]
    return text


def normalise(text: str) -> str:
    """Fold ``text`` to the form names are compared in (idempotent)."""
    folded = _fold(text)
    if folded.isascii():  # ASCII folding settles in one pass
        return folded
    for _ in range(4):  # a few scripts need a second pass to settle
        again = _fold(folded)
        if again == folded:
            return folded
        folded = again
    return folded


_CYRILLIC = {
    "а": "a", "б": "b", "в": "v", "г": "h", "ґ": "g", "д": "d", "е": "e", "є": "ie",
    "ж": "zh", "з": "z", "и": "y", "і": "i", "ї": "i", "й": "i", "к": "k", "л": "l",
    "м": "m", "н": "n", "о": "o", "п": "p", "р": "r", "с": "s", "т": "t", "у": "u",
    "ф": "f", "х": "kh", "ц": "ts", "ч": "ch", "ш": "sh", "щ": "shch", "ь": "",
    "ю": "iu", "я": "ia", "ё": "e", "ъ": "", "ы": "y", "э": "e", "ў": "u",
}  # fmt: skip
_RUSSIAN_G = {"г": "g", "и": "i", "й": "y", "е": "e"}
_RUSSIAN_BGN = {"я": "ya", "ю": "yu", "ё": "yo", "ы": "y"}  # Slavyansk, Izyum: as English news spells Russian


def has_cyrillic(text: str) -> bool:
    return any("\u0400" <= ch <= "\u04ff" for ch in text)


_UKRAINIAN_INITIAL = {"є": "ye", "ї": "yi", "й": "y", "ю": "yu", "я": "ya"}
_UKRAINIAN_LETTERS = frozenset("іїєґ")


def _ukrainian_2010(lowered: str) -> str:
    """The national romanisation of Ukrainian (2010): є ї й ю я as ye yi y yu ya at the
    start of a word, ie i i iu ia elsewhere; зг as zgh; soft sign and apostrophe dropped."""
    out = []
    for i, ch in enumerate(lowered):
        initial = i == 0 or not (lowered[i - 1].isalpha() or lowered[i - 1] in "'’ʼ")
        if initial and ch in _UKRAINIAN_INITIAL:
            out.append(_UKRAINIAN_INITIAL[ch])
        elif ch == "г" and i > 0 and lowered[i - 1] == "з":
            out.append("gh")
        else:
            out.append(_CYRILLIC.get(ch, ch))
    return "".join(out)


def transliterations(text: str) -> list[str]:
    """Latin spellings of a Cyrillic name: the Ukrainian national romanisation, its
    form without the word-initial rules, and the common romanisation of Russian.

    >>> transliterations("Гомель")
    ['homel', 'gomel']
    >>> transliterations("Чугуїв")[0], transliterations("Сєвєродонецьк")[0], transliterations("Яготин")[0]
    ('chuhuiv', 'sievierodonetsk', 'yahotyn')
    """
    lowered = text.casefold()
    official = _ukrainian_2010(lowered)
    ukrainian = "".join(_CYRILLIC.get(ch, ch) for ch in lowered)
    russian = "".join(_RUSSIAN_G.get(ch, _CYRILLIC.get(ch, ch)) for ch in lowered)
    return list(dict.fromkeys(normalise(v) for v in (official, ukrainian, russian)))


def romanised_names(cyrillic: str, country: str | None) -> list[str]:
    """The Latin names today's news spells a Cyrillic name of a place with: in Ukraine the
    national romanisation (and, for a Russian form, the Russian one); in Russia and
    Belarus the common romanisations. Nothing for other countries.

    >>> romanised_names("Куп'янськ", "UA")
    ['kupiansk', 'kupyansk']
    >>> romanised_names("Харьков", "UA")
    ['kharkov']
    """
    if country not in ("UA", "RU", "BY") or not has_cyrillic(cyrillic):
        return []
    lowered = cyrillic.casefold()
    ukrainian_letters = any(ch in _UKRAINIAN_LETTERS for ch in lowered)
    russian_letters = any(ch in "ыэёъ" for ch in lowered)
    found = []
    if country in ("UA", "BY") and not russian_letters:
        found.append(_ukrainian_2010(lowered))
    if not ukrainian_letters:
        found.append("".join(_RUSSIAN_BGN.get(ch, _RUSSIAN_G.get(ch, _CYRILLIC.get(ch, ch))) for ch in lowered))
    return list(dict.fromkeys(n for n in (normalise(v) for v in found) if n))


def feature_variants(name: str, words: Iterable[str]) -> Iterator[str]:
    """``name`` with each kind word before and after: Pripyat River, River Pripyat."""
    for word in words:
        yield f"{name} {word}"
        yield f"{word} {name}"


def border_names(side_a: Iterable[str], side_b: Iterable[str]) -> Iterator[str]:
    """Every way to name the border between two countries from their name forms.

    ``side_a`` and ``side_b`` hold the country's names and adjectives.
    """
    side_a, side_b = list(side_a), list(side_b)
    for a in side_a:
        for b in side_b:
            for first, second in ((a, b), (b, a)):
                yield f"{first} {second} border"
                yield f"{first} {second} frontier"
                yield f"border between {first} and {second}"
                yield f"{first} border with {second}"


def edit_distance(a: str, b: str, limit: int) -> int:
    """Edits (insert, delete, substitute, swap two neighbours) from ``a`` to ``b``, or
    ``limit + 1`` as soon as it must be more than ``limit``: Popsana -> Popasna is 1."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    before, row = None, list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            cost = ca != cb
            current[j] = min(row[j] + 1, current[j - 1] + 1, row[j - 1] + cost)
            if before is not None and i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                current[j] = min(current[j], before[j - 2] + 1)
        if min(current) > limit:
            return limit + 1
        before, row = row, current
    return row[-1] if row[-1] <= limit else limit + 1
