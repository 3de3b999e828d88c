"""Recognise place mentions in text: spans, surface forms, kind hints and cues.

No model is needed. A mention is a run of capitalised words (with connectors such as
"of" or "de") that the gazetteer knows as a name, found by longest match. Context decides
what is not a place: a title before a name (President, Mr), a name that continues into
words the gazetteer does not know (Vladimir Putin, Linda Thomas-Greenfield), weekdays
and months, acronyms that are not countries, and speakers ("Jordan said"). Words that
might be places but are common English words, or stand at the start of a sentence, are
passed on as *weak*: the resolver keeps them only with geographic support from the rest
of the article.

An optional spaCy model can add its GPE/LOC entities (``SpacyRecogniser``); the default
needs none.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache

import wordfreq

from geo.gazetteer.names import has_cyrillic, normalise
from geo.parse.lexicon import (
    ABBREVIATIONS,
    CONNECTORS,
    DIRECTIONS,
    FACILITY_WORDS,
    FUNCTION_WORDS,
    KIND_AFTER,
    KIND_BEFORE,
    KIND_OF,
    LOCATIVE,
    NAME_ABBREVIATIONS,
    PLACE_ADJECTIVES,
    SPEECH_VERBS,
    TEMPORAL,
    TITLES,
    WAR_VERBS,
)

# Acronyms with dots (U.S.), words with inner apostrophes and hyphens but not a
# possessive 's (Russia's -> Russia ' s), numbers, and single punctuation marks.
TOKEN_RE = re.compile(r"(?:[A-Z]\.){2,}|[^\W\d_]+(?:['’\-](?![sS]\b)[^\W\d_]+)*|\d+(?:[.,]\d+)*|\S")
CONTRACTION_RE = re.compile(r"['’](?:ve|ll|re|d|m|t)$", re.I)
SENTENCE_END = set(".!?…\n")
MAX_WORDS = 6
COMMON_ZIPF = 3.0  # at a sentence start, words this frequent in English are suspect
COMMON_ZIPF_MID = 4.5  # mid-sentence
# A place in lower case: only right after these words, and only if rarer than this in English.
LOWER_CASE_BEFORE = frozenset({"in", "near", "outside", "around", "at", "into", "towards", "toward"})
LOWER_CASE_ZIPF = 4.0  # kyiv 3.1, gaza 3.9; not turkey 4.6, reading 5.1
# A misspelt place: a word of at least SPELLING_MIN letters, rare in English, said as a place.
SPELLING_MIN, SPELLING_ZIPF = 5, 2.0
SETTLEMENT_AFTER = frozenset({"village", "town", "city", "settlement", "district", "oblast", "region"})
# The Arabic article inside a name: "Deir al-Zor", "Bustan al-Qasr", "Bashar al-Assad",
# as it is written before each first letter ("sun letters" take its sound).
ARTICLES = ("al", "el", "ad", "ar", "as", "ash", "at", "az", "an", "ed", "es", "et", "ez", "ul")
ARTICLE_RE = re.compile(rf"^(?:{'|'.join(ARTICLES)})-[A-Z]")  # a token that is one
ARTICLE_IN_NAME_RE = re.compile(rf"\b(?:{'|'.join(ARTICLES)})-(?=[A-Z])")


def article_forms(name: str) -> tuple[str, ...]:
    """Other spellings of an Arabic name's article: Deir el-Zour, Deir az-Zour and Deir
    ez-Zour are one name; also without it (Ras al-Ain: Ras Ain)."""
    if not ARTICLE_IN_NAME_RE.search(name):
        return ()
    forms = [ARTICLE_IN_NAME_RE.sub(f"{article}-", name) for article in ARTICLES]
    forms += [ARTICLE_IN_NAME_RE.sub(f"{article} ", name) for article in ARTICLES]
    forms.append(ARTICLE_IN_NAME_RE.sub("", name))
    return tuple(dict.fromkeys(f for f in forms if f != name))


# Cyrillic words that may imply a place: adjectives made from a place name (Київський,
# харківські, Запорожской) and informal region names (Харківщина, Донеччині).
IMPLIED_RE = re.compile(
    r"[^\W\d_]*[а-яіїєґ](?:[сцз]ьк|[сцж]?ск|[сц]к)[а-яіїє]{1,3}$|[а-яіїє](?:щин|ччин)[аиіуоюе]{1,2}$", re.I
)


@dataclass(frozen=True)
class Token:
    text: str
    start: int
    end: int
    capitalised: bool
    acronym: bool  # NATO, UN, S.C.; not a dateline in capitals (CHARLESTON)
    sentence_start: bool

    @property
    def word(self) -> bool:
        return self.text[0].isalpha()


@dataclass
class Mention:
    """A place mention: a character span, its surface form, a kind hint and why."""

    start: int
    end: int
    text: str
    kind_hint: str | None = None  # city, river, region, border, country ...
    country_hint: str | None = None  # from an adjective: "the Belarusian city of Gomel"
    role: str = "location"  # or "actor": "Ukrainian officials"
    cues: tuple[str, ...] = ()  # weak evidence the resolver must weigh
    container: tuple[int, int] | None = None  # "Gomel, Belarus": the span of Belarus
    contained: bool = False  # this mention is the "Belarus" of "Gomel, Belarus"
    locative: bool = False  # after "in", "near", "north of": said as a place
    name: str | None = None  # the form to look up when the text inflects it: "Києві" -> "Київ"
    place_id: str | None = None  # the place a word implies without naming it: "київський"
    forms: tuple[str, ...] = ()  # other readings that name places: "з Сум" is Суми, not Сум
    facility: str | None = None  # "Kyiv TV tower": the facility the run names, in this place
    edits: int = 0  # "Popsana": looked up as the known name this many edits away (Popasna)

    @property
    def weak(self) -> bool:
        return bool(self.cues)


def tokenise(text: str) -> list[Token]:
    tokens: list[Token] = []
    previous_end = 0
    sentence_start = True
    for match in TOKEN_RE.finditer(text):
        chunk = match.group()
        if (
            chunk == "."
            and tokens
            and tokens[-1].text in NAME_ABBREVIATIONS
            and tokens[-1].end == match.start()
        ):
            last = tokens.pop()  # "St." is one word: St. Louis
            tokens.append(Token(last.text + ".", last.start, match.end(), True, False, last.sentence_start))
            previous_end = match.end()
            continue
        gap = text[previous_end : match.start()]
        if "\n\n" in gap or (gap.count("\n") and tokens and tokens[-1].text not in ","):
            sentence_start = True
        first = chunk[0]
        is_word = first.isalpha()
        letters = chunk.replace(".", "")
        tokens.append(
            Token(
                chunk, match.start(), match.end(),
                # Scripts without case (Arabic, Hebrew, CJK) count as capitalised.
                capitalised=is_word and (first.isupper() or not first.islower() or bool(ARTICLE_RE.match(chunk))),
                acronym=is_word and len(letters) > 1 and letters.isupper() and (len(letters) <= 4 or "." in chunk),
                sentence_start=sentence_start and is_word,
            )
        )  # fmt: skip
        if is_word:
            sentence_start = False  # a date or a number before it ("16/02/2022 Shelled Izium") leaves it
        elif chunk in SENTENCE_END and not (tokens[-2:-1] and _abbreviation(tokens[-2])):
            sentence_start = True
        previous_end = match.end()
    return tokens


def _abbreviation(token: Token) -> bool:
    """A word the next full stop belongs to (Mr., St., Ga., U.S.), so no sentence ends there."""
    return token.acronym or token.text.rstrip(".") in ABBREVIATIONS


@lru_cache(maxsize=1)
def _word_frequencies() -> dict[str, float]:
    """English word frequencies (wordfreq), as Zipf values."""
    return {w: math.log10(f * 1e9) for w, f in wordfreq.get_frequency_dict("en").items() if f >= 1e-9}


def zipf(word: str) -> float:
    return _word_frequencies().get(word.lower(), 0.0)


@dataclass
class Recogniser:
    """Finds place mentions.

    ``known(norm)`` says whether a normalised name is in the gazetteer; ``strong(text)``
    whether a name is a country or first-level region (kept inside organisation names:
    "Texas Department of Health"); ``adjective_country(word)`` maps "Belarusian" to "BY".
    """

    known: Callable[[str], bool]
    adjective_country: Callable[[str], str | None] = field(default=lambda text: None)
    strong: Callable[[str], bool] = field(default=lambda text: False)
    # Other forms of an inflected name to look up ("під Харковом": Харків); none by default.
    base_forms: Callable[[str], tuple[str, ...]] = field(default=lambda text: ())
    # Is a capitalised word a common word of the text's language, not a name? (Cyrillic.)
    common: Callable[[str], bool] = field(default=lambda text: False)
    # The place a word implies, as (place id, name, kind): "Харківщина", "київський". (Cyrillic.)
    implied: Callable[[str], tuple[str, str, str] | None] = field(default=lambda text: None)
    # Is a name one a reader knows in any case (a country, a region, a big city: "kharkiv")?
    notable: Callable[[str], bool] = field(default=lambda text: False)
    # The known name an unknown one is a variant or typo of, with its edits ("Popsana").
    similar: Callable[[str], tuple[str, int] | None] = field(default=lambda text: None)

    def __call__(self, text: str) -> list[Mention]:
        return self.recognise(text)

    def recognise(self, text: str) -> list[Mention]:
        tokens = tokenise(text)
        people = self._people(text, tokens)
        # Words this text also writes in lower case are common words here ("City Council").
        lowercase = {t.text for t in tokens if t.word and t.text.islower()}
        mentions: list[Mention] = []
        i, n = 0, len(tokens)
        while i < n:
            token = tokens[i]
            if not (token.capitalised or token.text.lower() in KIND_BEFORE):
                mention = self._implied_lower(text, tokens, i) or self._lower_case_name(text, tokens, i)
                i += 1
                if mention is not None:
                    mentions.append(mention)
                    while i < n and tokens[i].start < mention.end:
                        i += 1
                continue
            if _is_title(token):
                i = _skip_run(tokens, i + 1)
                continue
            if token.text.lower() in FUNCTION_WORDS and not token.acronym:
                i += 1  # "In Columbus", "The Hague": the name starts after it
                continue
            found = self._longest_match(text, tokens, i)
            if found is None:
                misspelt = self._misspelt(tokens, i, people)
                if misspelt is not None:
                    mentions.append(misspelt)
                i += 1  # a name may start at the next word ("Saturday Kharkiv"); the
                continue  # first-name rule in _mention catches "Elon Musk"
            if found[0] == i + 1 and _never_a_place(token, people):
                i += 1  # "In Columbus": the next word may still be a place
                continue
            mention = self._mention(text, tokens, i, *found, lowercase)
            if mention is None:
                i = _skip_run(tokens, i + 1)
                continue
            if mention.name is None and mention.place_id is None and has_cyrillic(mention.text):
                # A Cyrillic name may also be another name inflected ("з Сум": of Суми).
                mention.forms = tuple(f for f in self.base_forms(mention.text) if self.known(normalise(f)))
            mentions.append(mention)
            i = found[0]
        _link_containers(text, mentions)
        return mentions

    def _people(self, text: str, tokens: list[Token]) -> set[str]:
        """Words that are part of a person's name somewhere in the text ("Mr Jones",
        "Tom Jones said"), so that "Jones" alone later is not the village of Jones."""
        people: set[str] = set()
        for i, token in enumerate(tokens):
            if _is_title(token):
                k = i + 1
                while k < len(tokens) and tokens[k].capitalised and not tokens[k].acronym:
                    people.add(tokens[k].text)
                    k += 1
            elif i + 1 < len(tokens) and _name_pair(token, tokens[i + 1]) and not token.sentence_start:
                # Two capitalised words that are not one place name: the second is a
                # surname ("Tom Jones", "Rick Scott") or part of a name that is not a
                # place ("City Council"); alone later, it is not a place either.
                pair = f"{token.text} {tokens[i + 1].text}"
                if not self.known(normalise(pair)) and not _is_title(token):
                    people.add(tokens[i + 1].text)
        people |= {p.split("-", 1)[1] for p in people if ARTICLE_RE.match(p)}  # al-Assad: Assad
        return {p for p in people if not self.strong(p)}

    def _implied_lower(self, text: str, tokens: list[Token], i: int) -> Mention | None:
        """A lower-case word that implies a place ("харківські рятувальники"), with the
        region word after it if there is one ("київська область")."""
        token = tokens[i]
        if not (token.word and IMPLIED_RE.search(token.text)):
            return None
        after = tokens[i + 1] if i + 1 < len(tokens) else None
        if after is not None and _adjacent(token, after) and after.text.lower() in KIND_AFTER:
            found = self.implied(f"{token.text} {after.text}")
            if found is not None:
                place_id, name, kind = found
                return Mention(token.start, after.end, text[token.start : after.end], kind, name=name,
                               place_id=place_id, locative=_locative(tokens, i))  # fmt: skip
        found = self.implied(token.text)
        if found is None:
            return None
        place_id, name, kind = found
        return Mention(token.start, token.end, token.text, kind, name=name, place_id=place_id,
                       locative=_locative(tokens, i))  # fmt: skip

    def _lower_case_name(self, text: str, tokens: list[Token], i: int) -> Mention | None:
        """A place written in lower case after "in", "near" and the like ("fires in kharkiv
        crossing", "shelling near kryvyi rih"): a name a reader knows in any case, or one the
        text also writes capitalised; never a common word ("in reading", "in turkey")."""
        if (
            i == 0
            or tokens[i - 1].text.lower() not in LOWER_CASE_BEFORE
            or not _adjacent(tokens[i - 1], tokens[i])
        ):
            return None
        for length in (2, 1):
            run = tokens[i : i + length]
            if len(run) < length or any(not (t.text.isalpha() and t.text.islower()) for t in run):
                continue
            if length > 1 and not _contiguous(text, tokens, i, i + length):
                continue
            if len(run[0].text) < 4 or any(
                len(t.text) < 3 or t.text in FUNCTION_WORDS or zipf(t.text) >= LOWER_CASE_ZIPF for t in run
            ):
                continue
            surface = text[run[0].start : run[-1].end]
            norm = normalise(surface)
            if self.known(norm) and (self.notable(surface) or _capitalised_elsewhere(norm, tokens)):
                return Mention(run[0].start, run[-1].end, surface, locative=True)
        return None

    def _misspelt(self, tokens: list[Token], i: int, people: set[str]) -> Mention | None:
        """A capitalised word said as a place ("in Popsana", "Zolochev village") that no
        place is called, but one edit from a place's name: a transliteration variant or a
        typo. A last resort: never for short or common words, or people's names."""
        token = tokens[i]
        word = token.text
        if (len(word) < SPELLING_MIN or not word.isalpha() or not word.isascii() or token.acronym
                or word in people or zipf(word.lower()) >= SPELLING_ZIPF):  # fmt: skip
            return None
        after = tokens[i + 1] if i + 1 < len(tokens) and _adjacent(token, tokens[i + 1]) else None
        if after is not None and after.capitalised:
            return None  # part of a longer name that is not known either
        said_as_place = (i > 0 and tokens[i - 1].text.lower() in LOWER_CASE_BEFORE) or (
            after is not None and after.text.lower() in SETTLEMENT_AFTER
        )
        if not said_as_place:
            return None
        found = self.similar(word)
        if found is None or found[1] == 0:
            return None
        name, edits = found
        return Mention(
            token.start, token.end, word, name=name, cues=("spelling",), locative=True, edits=edits
        )

    def _longest_match(
        self, text: str, tokens: list[Token], i: int
    ) -> tuple[int, str | None, str | None, str | None] | None:
        """The end of the longest known name starting at token i, with its kind hint,
        the form to look up when only a base form is known (an inflected name), and the
        place's id when a word implies a place it does not name ("Харківщина")."""
        n = len(tokens)
        first = tokens[i]
        starts_with_kind = first.text.lower() in KIND_BEFORE and not first.capitalised
        for length in range(min(MAX_WORDS, n - i), 0, -1):
            j = i + length
            if not _contiguous(text, tokens, i, j):
                continue
            last = tokens[j - 1]
            if not (last.capitalised or last.text.lower() in KIND_AFTER):
                continue
            if j < n and ARTICLE_RE.match(tokens[j].text) and _adjacent(last, tokens[j]):
                continue  # "Bustan al-Qasr" is not Bustan: the name goes on
            inner = tokens[i + 1 : j - 1]
            if any(not (t.capitalised or t.text.lower() in CONNECTORS) for t in inner):
                continue
            if starts_with_kind and length == 1:
                return None
            surface = text[first.start : last.end]
            name = place_id = None
            # A word made from a place name implies that place, whatever else bears the
            # word: "Київський" is Kyiv's, not the district of Kyivskyi.
            implied = self.implied(surface) if IMPLIED_RE.search(first.text) and length <= 2 else None
            if implied is not None:
                place_id, name, kind = implied
                return j, kind, name, place_id
            if not self.known(normalise(surface)):
                forms = (*article_forms(surface), *self.base_forms(surface))
                name = next((f for f in forms if self.known(normalise(f))), None)
                if name is None:
                    continue
            kind = KIND_AFTER.get(last.text.lower()) if length > 1 else None
            if starts_with_kind:
                kind = KIND_BEFORE[first.text.lower()]
            return j, kind, name, place_id
        return None

    def _mention(
        self, text: str, tokens: list[Token], i: int, j: int, kind: str | None, name: str | None,
        place_id: str | None, lowercase: set[str],
    ) -> Mention | None:  # fmt: skip
        first, last = tokens[i], tokens[j - 1]
        surface = text[first.start : last.end]
        single = j - i == 1
        lower = first.text.lower()
        before = tokens[i - 1] if i > 0 else None
        after = tokens[j] if j < len(tokens) else None
        if before is not None and _is_title(before):
            return None  # "president Zelensky"
        # A capitalised word right before, not a place: a first name (Michael Jordan).
        if (
            before is not None
            and _adjacent(before, first)
            and before.capitalised
            and not before.acronym
            and before.text.lower() not in TEMPORAL
            and not (
                before.sentence_start
                and (before.text.lower() in FUNCTION_WORDS or zipf(before.text) >= COMMON_ZIPF)
            )
            and not self.known(normalise(before.text))
            and not (before.sentence_start and self.common(before.text))
        ):
            return None
        if after is not None and _adjacent(last, after) and after.capitalised:
            if _is_title(after):  # "Russian President", "US Ambassador"
                return Mention(first.start, last.end, surface, role="actor")
            unknown = (
                not self.known(normalise(after.text))
                and after.text.lower() not in KIND_AFTER
                and after.text.lower() not in TEMPORAL  # "Kyiv Tuesday"
            )
            # ... a word after that is not a place: a surname or an organisation (Vladimir
            # Putin, Kyiv Post), except after a country or state (Texas Department of Health),
            # and except a facility in the place ("Kyiv TV tower", "Aleppo Road").
            facility = _facility(text, tokens, j)
            if facility:
                mention = Mention(
                    first.start, last.end, surface, name=name, place_id=place_id, facility=facility
                )
                mention.locative = _locative(tokens, i)
                return mention
            if unknown and not self.strong(surface):
                return None
        cues = []
        if first.acronym:
            cues.append("acronym")
        elif single and first.sentence_start and zipf(lower) >= COMMON_ZIPF:
            cues.append("sentence start")
        elif single and (lower in lowercase or zipf(lower) >= COMMON_ZIPF_MID):
            cues.append("common word")
        if after is not None and after.text.lower() in SPEECH_VERBS:
            cues.append("speaker")
        country_hint = None
        if kind is None and before is not None and before.text.lower() == "of" and i >= 2:
            kind, country_hint = self._kind_of(tokens, i - 2)
        mention = Mention(
            first.start, last.end, surface, kind, country_hint, cues=tuple(cues), name=name, place_id=place_id
        )
        mention.locative = _locative(tokens, i)
        return mention

    def _kind_of(self, tokens: list[Token], k: int) -> tuple[str | None, str | None]:
        """ "the southern Belarusian city of Gomel": kind city, country BY."""
        word = tokens[k].text.lower()
        if word not in KIND_OF:
            return None, None
        country = None
        if k >= 1 and tokens[k - 1].capitalised:
            country = self.adjective_country(tokens[k - 1].text)
        return KIND_OF[word], country


def _facility(text: str, tokens: list[Token], j: int) -> str | None:
    """The facility a capitalised run after a place names ("TV tower" in "Kyiv TV tower",
    "National University" in "Kharkiv National University"), or None."""
    k = j
    while (
        k < len(tokens) and k - j < 4 and text[tokens[k - 1].end : tokens[k].start] == " " and tokens[k].word
    ):
        if tokens[k].text.lower() in FACILITY_WORDS:
            end = k + 1
            while (
                end < len(tokens)
                and end - j < 4
                and tokens[end].word
                and tokens[end].text.lower() in FACILITY_WORDS
            ):
                end += 1
            return text[tokens[j].start : tokens[end - 1].end]
        if not tokens[k].capitalised:
            return None
        k += 1
    return None


def _never_a_place(token: Token, people: set[str]) -> bool:
    """Words that are not place names on their own, whatever the gazetteer says."""
    lower = token.text.lower()
    return (
        lower in TEMPORAL
        or (lower in FUNCTION_WORDS and not token.acronym)
        or len(token.text) == 1
        or bool(CONTRACTION_RE.search(token.text))
        or token.text in people
        or token.text.rstrip(".") in NAME_ABBREVIATIONS
    )


def _locative(tokens: list[Token], i: int) -> bool:
    """Is token i preceded by "in", "near", "north of", "the town of" and the like?"""
    k = i - 1
    if k >= 1 and tokens[k].text.lower() in PLACE_ADJECTIVES and tokens[k - 1].text.lower() in LOCATIVE:
        k -= 1  # "in central Trostianets"
    if k >= 0 and tokens[k].text.lower() == "the":
        k -= 1
    if k < 0:
        return False
    word = tokens[k].text.lower()
    if word in LOCATIVE or (word in WAR_VERBS and k == i - 1):
        return True
    return (
        word == "of"
        and k >= 1
        and (tokens[k - 1].text.lower() in DIRECTIONS or tokens[k - 1].text.lower() in KIND_OF)
    )


def _capitalised_elsewhere(norm: str, tokens: list[Token]) -> bool:
    """Does the text also write this name capitalised ("Bucha was freed ... in bucha")?"""
    return any(t.capitalised and not t.acronym and normalise(t.text) == norm for t in tokens)


def _adjacent(a: Token, b: Token) -> bool:
    return b.start == a.end + 1


def _name_pair(a: Token, b: Token) -> bool:
    return (
        a.capitalised and b.capitalised and _adjacent(a, b) and not a.acronym and not b.acronym
        and a.text.lower() not in TEMPORAL and b.text.lower() not in TEMPORAL
    )  # fmt: skip


def _is_title(token: Token) -> bool:
    return token.text.lower().rstrip(".") in TITLES


def _contiguous(text: str, tokens: list[Token], i: int, j: int) -> bool:
    """Only spaces between tokens i..j-1, or the full stops of an abbreviation (Ga.)."""
    if not all(tokens[k].word for k in range(i, j)):
        return False
    return all(not text[tokens[k].end : tokens[k + 1].start].strip() for k in range(i, j - 1))


def _skip_run(tokens: list[Token], i: int) -> int:
    """Skip the rest of a run of capitalised words (a name the gazetteer does not know)."""
    while i < len(tokens) and tokens[i].capitalised and tokens[i].start == tokens[i - 1].end + 1:
        i += 1
    return i


def _link_containers(text: str, mentions: list[Mention]) -> None:
    """ "Gomel, Belarus" / "Columbia, S.C.": the second names where the first is."""
    for first, second in zip(mentions, mentions[1:], strict=False):
        if text[first.end : second.start] in (", ", ","):
            first.container = (second.start, second.end)
            second.contained = True
