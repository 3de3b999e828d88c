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

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import lru_cache

from geo.names import normalise

# Acronyms with dots (U.S.), words with inner apostrophes and hyphens but not a
# possessive 's (Russia's -> Russia ' s), numbers, and single punctuation marks.
TOKEN_RE = re.compile(r"(?:[A-Z]\.){2,}|[^\W\d_]+(?:['’\-](?![sS]\b)[^\W\d_]+)*|\d+(?:[.,]\d+)*|\S")
SENTENCE_END = set(".!?…\n")
OPENERS = set("\"“‘'([«—–-:•*")
CONNECTORS = {"of", "de", "la", "le", "les", "del", "della", "da", "do", "dos", "das", "du", "upon",
              "on", "am", "an", "der", "den", "al", "el", "sur", "y", "and", "the", "van", "von", "na"}  # fmt: skip
# Words that name a person's role: the capitalised words after them are a person.
TITLES = {
    "president", "mr", "mrs", "ms", "miss", "dr", "prof", "professor", "sen", "senator", "rep",
    "representative", "gov", "governor", "gen", "general", "col", "colonel", "capt", "captain",
    "lt", "lieutenant", "sgt", "sergeant", "maj", "major", "adm", "admiral", "minister",
    "premier", "chancellor", "secretary", "ambassador", "envoy", "spokesman", "spokeswoman",
    "spokesperson", "king", "queen", "prince", "princess", "pope", "sheikh", "sir", "lady",
    "lord", "judge", "justice", "mayor", "commander", "chief", "officer", "patriarch",
    "bishop", "rev", "reverend", "father", "coach", "director", "leader", "chairman",
    "chairwoman", "ceo", "deputy", "mp", "mep", "jr", "sr", "st.",
}  # fmt: skip
SPEECH_VERBS = {"said", "says", "told", "added", "wrote", "tweeted", "warned", "stated",
                "argued", "claimed", "insisted", "explained", "noted", "asked", "replied"}  # fmt: skip
TEMPORAL = {
    "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday", "january",
    "february", "march", "april", "may", "june", "july", "august", "september", "october",
    "november", "december", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept",
    "oct", "nov", "dec", "christmas", "easter", "ramadan", "today", "tonight", "yesterday",
}  # fmt: skip
# English function words: never a place name on their own ("A" is a village in Norway).
FUNCTION_WORDS = set(
    [
        "a",
        "about",
        "above",
        "across",
        "after",
        "against",
        "all",
        "along",
        "also",
        "although",
        "am",
        "among",
        "an",
        "and",
        "another",
        "any",
        "are",
        "around",
        "as",
        "at",
        "be",
        "because",
        "been",
        "before",
        "being",
        "below",
        "beneath",
        "beside",
        "besides",
        "between",
        "beyond",
        "both",
        "but",
        "by",
        "can",
        "could",
        "despite",
        "did",
        "do",
        "does",
        "down",
        "during",
        "each",
        "either",
        "every",
        "few",
        "for",
        "from",
        "had",
        "has",
        "have",
        "he",
        "her",
        "here",
        "hers",
        "him",
        "his",
        "how",
        "however",
        "i",
        "if",
        "in",
        "inside",
        "into",
        "is",
        "it",
        "its",
        "itself",
        "just",
        "least",
        "less",
        "many",
        "me",
        "might",
        "more",
        "most",
        "much",
        "must",
        "my",
        "near",
        "neither",
        "no",
        "nor",
        "not",
        "now",
        "of",
        "off",
        "on",
        "once",
        "one",
        "only",
        "onto",
        "or",
        "other",
        "our",
        "ours",
        "out",
        "outside",
        "over",
        "own",
        "per",
        "perhaps",
        "same",
        "she",
        "should",
        "since",
        "so",
        "some",
        "such",
        "than",
        "that",
        "the",
        "their",
        "theirs",
        "them",
        "then",
        "there",
        "these",
        "they",
        "this",
        "those",
        "though",
        "through",
        "throughout",
        "thus",
        "till",
        "to",
        "too",
        "toward",
        "towards",
        "under",
        "unless",
        "until",
        "up",
        "upon",
        "us",
        "very",
        "via",
        "was",
        "we",
        "were",
        "what",
        "whatever",
        "when",
        "whenever",
        "where",
        "whereas",
        "wherever",
        "whether",
        "which",
        "while",
        "who",
        "whom",
        "whose",
        "why",
        "will",
        "with",
        "within",
        "without",
        "would",
        "yet",
        "you",
        "your",
        "yours",
        "according",
        "meanwhile",
        "initially",
        "later",
        "earlier",
        "still",
        "already",
    ]
)
# Lower-case words that join a name to its kind: "the Pripyat river", "river Pripyat".
KIND_AFTER = {
    "river": "river", "oblast": "region", "region": "region", "province": "region",
    "border": "border", "frontier": "border", "lake": "lake", "sea": "sea", "county": "region",
    "state": "region", "governorate": "region", "voblast": "region", "krai": "region",
    "mountains": "mountain", "valley": "physical_region", "desert": "physical_region",
    "peninsula": "physical_region", "island": "physical_region", "islands": "physical_region",
}  # fmt: skip
KIND_BEFORE = {"river": "river", "lake": "lake", "mount": "mountain", "mt": "mountain"}
KIND_OF = {"city": "city", "town": "city", "village": "city", "capital": "capital", "port": "city",
           "region": "region", "province": "region", "oblast": "region", "state": "region"}  # fmt: skip
MAX_WORDS = 6
COMMON_ZIPF = 3.0  # words at least this frequent in English are "common words"


@dataclass(frozen=True)
class Token:
    text: str
    start: int
    end: int
    capitalised: bool
    acronym: bool
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

    @property
    def weak(self) -> bool:
        return bool(self.cues)


def tokenise(text: str) -> list[Token]:
    tokens = []
    previous_end = 0
    sentence_start = True
    for match in TOKEN_RE.finditer(text):
        chunk = match.group()
        gap = text[previous_end : match.start()]
        if "\n\n" in gap or (gap.count("\n") and tokens and tokens[-1].text not in ","):
            sentence_start = True
        first = chunk[0]
        is_word = first.isalpha()
        tokens.append(
            Token(
                chunk, match.start(), match.end(),
                capitalised=is_word and first.isupper(),
                acronym=is_word and len(chunk) > 1 and chunk.replace(".", "").isupper(),
                sentence_start=sentence_start and is_word,
            )
        )  # fmt: skip
        if is_word or first.isdigit():
            sentence_start = False
        elif chunk in SENTENCE_END:
            sentence_start = True
        elif chunk in OPENERS:
            pass  # an opening quote or bracket keeps a sentence start
        previous_end = match.end()
    return tokens


@lru_cache(maxsize=1)
def _word_frequencies() -> dict[str, float]:
    """English word frequencies (wordfreq), as Zipf values."""
    import math

    import wordfreq

    return {w: math.log10(f * 1e9) for w, f in wordfreq.get_frequency_dict("en").items() if f >= 1e-9}


def zipf(word: str) -> float:
    return _word_frequencies().get(word.lower(), 0.0)


@dataclass
class Recogniser:
    """Finds place mentions; ``known`` says whether a normalised name is in the gazetteer."""

    known: Callable[[str], bool]
    adjective_country: Callable[[str], str | None] = field(default=lambda text: None)

    def __call__(self, text: str) -> list[Mention]:
        return self.recognise(text)

    def recognise(self, text: str) -> list[Mention]:
        tokens = tokenise(text)
        mentions: list[Mention] = []
        i = 0
        n = len(tokens)
        while i < n:
            token = tokens[i]
            if not (token.capitalised or token.text.lower() in KIND_BEFORE):
                i += 1
                continue
            if _is_title(token):
                i = _skip_person(tokens, i + 1)
                continue
            found = self._longest_match(text, tokens, i)
            if found is None:
                i = _skip_unknown_run(tokens, i)
                continue
            j, kind = found  # tokens[i:j] are the mention
            mention = self._mention(text, tokens, i, j, kind)
            if mention is not None:
                mentions.append(mention)
                i = j
            else:
                i = _skip_unknown_run(tokens, i)
        _link_containers(text, mentions)
        return mentions

    def _longest_match(self, text: str, tokens: list[Token], i: int) -> tuple[int, str | None] | None:
        """The end of the longest known name starting at token i, with its kind hint."""
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
            inner = tokens[i + 1 : j - 1]
            if any(not (t.capitalised or t.text.lower() in CONNECTORS) for t in inner):
                continue
            if starts_with_kind and length == 1:
                return None
            if self.known(normalise(text[first.start : last.end])):
                kind = KIND_AFTER.get(last.text.lower()) if length > 1 else None
                if starts_with_kind:
                    kind = KIND_BEFORE[first.text.lower()]
                return j, kind
        return None

    def _mention(self, text: str, tokens: list[Token], i: int, j: int, kind: str | None) -> Mention | None:
        first, last = tokens[i], tokens[j - 1]
        words = [t for t in tokens[i:j] if t.word]
        lower = first.text.lower()
        if j - i == 1 and (
            lower in TEMPORAL or (lower in FUNCTION_WORDS and not first.acronym) or len(first.text) == 1
        ):
            return None
        before = tokens[i - 1] if i > 0 else None
        after = tokens[j] if j < len(tokens) else None
        if before is not None and _is_title(before):
            return None  # "president Zelensky", "Mr Kharkiv"
        # A capitalised word right before or after, not part of the name: a person or
        # an organisation (Vladimir Putin, Linda Thomas-Greenfield, Kyiv Post).
        if (
            before is not None
            and before.capitalised
            and before.end == first.start - 1
            and not first.sentence_start
        ):
            if not _is_title(before) and not self.known(normalise(before.text)):
                return None
        if after is not None and after.capitalised and after.start == last.end + 1:
            if _is_title(after):
                return Mention(first.start, last.end, text[first.start : last.end], role="actor", cues=())
            if not self.known(normalise(after.text)) and after.text.lower() not in KIND_AFTER:
                return None
        cues = []
        if first.sentence_start and len(words) == 1 and zipf(lower) >= COMMON_ZIPF:
            cues.append("sentence start")
        elif len(words) == 1 and not first.acronym and zipf(lower) >= 4.0:
            cues.append("common word")
        if first.acronym:
            cues.append("acronym")
        if after is not None and after.text.lower() in SPEECH_VERBS:
            cues.append("speaker")
        country_hint = None
        if kind is None and before is not None and before.text.lower() == "of" and i >= 2:
            kind, country_hint = self._kind_of(tokens, i - 2)
        return Mention(
            first.start, last.end, text[first.start : last.end], kind, country_hint, cues=tuple(cues)
        )

    def _kind_of(self, tokens: list[Token], k: int) -> tuple[str | None, str | None]:
        """ "the southern Belarusian city of Gomel": kind city, country BY."""
        word = tokens[k].text.lower()
        if word not in KIND_OF:
            return None, None
        country = None
        if k >= 1 and tokens[k - 1].capitalised:
            country = self.adjective_country(tokens[k - 1].text)
        return KIND_OF[word], country


def _is_title(token: Token) -> bool:
    return token.text.lower().rstrip(".") in TITLES


def _contiguous(text: str, tokens: list[Token], i: int, j: int) -> bool:
    """No punctuation between tokens i..j-1 (spaces only)."""
    return all(tokens[k].word for k in range(i, j)) and all(
        not text[tokens[k].end : tokens[k + 1].start].strip() for k in range(i, j - 1)
    )


def _skip_person(tokens: list[Token], i: int) -> int:
    """Skip the capitalised words of a name after a title."""
    while i < len(tokens) and tokens[i].capitalised:
        i += 1
    return i


def _skip_unknown_run(tokens: list[Token], i: int) -> int:
    """Skip a run of capitalised words the gazetteer does not know as a whole."""
    i += 1
    while i < len(tokens) and tokens[i].capitalised and tokens[i].start == tokens[i - 1].end + 1:
        i += 1
    return i


def _link_containers(text: str, mentions: list[Mention]) -> None:
    """ "Gomel, Belarus" / "Springfield, Ill.": the second names where the first is."""
    for first, second in zip(mentions, mentions[1:], strict=False):
        if text[first.end : second.start] in (", ", ","):
            first.container = (second.start, second.end)


def mentions_table(mentions: Iterable[Mention]) -> list[tuple[int, int, str]]:
    return [(m.start, m.end, m.text) for m in mentions]
