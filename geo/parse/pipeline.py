"""The geoparser: text in, resolved place mentions out (recognise -> resolve -> compose).

>>> parser = Geoparser(Gazetteer.open())                     # doctest: +SKIP
>>> [r.place.name for r in parser.parse("Talks were held in Gomel, Belarus.")]  # doctest: +SKIP
['Homyel'', 'Belarus']
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from geo.errors import TextError
from geo.gazetteer.lookup import Gazetteer
from geo.parse.implied import ImpliedPlaces
from geo.parse.morphology import is_common_word, nominative_forms
from geo.parse.recognise import Mention, Recogniser
from geo.parse.resolve import Resolved, resolve_mentions
from geo.parse.spatial import apply_spatial_phrases

# About 45 s of extraction on one core at the measured 9 s per MB (bench/long_text_bench.py):
# longer texts are refused with a message, rather than keep an ingest busy for minutes.
MAX_CHARS = 5_000_000
SECTION_CHARS = 20_000  # a long article's context: about 3,000 words


@dataclass
class Geoparser:
    """Finds and resolves every place a text mentions. Deterministic: same text, same output."""

    gazetteer: Gazetteer
    recogniser: Callable[[str], list[Mention]] | None = None  # default: the built-in Recogniser

    def __post_init__(self) -> None:
        if self.recogniser is None:
            gaz = self.gazetteer
            implied = ImpliedPlaces(gaz)

            def implied_place(surface: str) -> tuple[str, str, str] | None:
                found = implied(surface)
                return (found[0].id, found[0].name, found[1]) if found else None

            self.recogniser = Recogniser(gaz.knows, gaz.adjective_country, gaz.is_major, nominative_forms,
                                         is_common_word, implied_place, gaz.is_notable, gaz.similar_name)  # fmt: skip

    def recognise(self, text: str) -> list[Mention]:
        return self.recogniser(check_text(text))

    def resolve(self, text: str, mentions: list[Mention]) -> list[Resolved]:
        resolved = resolve_mentions(mentions, self.gazetteer, home=home_country(text))
        apply_spatial_phrases(text, resolved, self.gazetteer)
        return resolved

    def parse(self, text: str) -> list[Resolved]:
        """Every place the text mentions, in order. Long texts are read in sections of
        about SECTION_CHARS at paragraph breaks, each section its own context, so time
        grows linearly with length."""
        text = check_text(text)
        resolved: list[Resolved] = []
        for start, end in sections(text):
            chunk = text[start:end]
            found = self.resolve(chunk, self.recogniser(chunk))
            for item in found:
                item.mention.start += start
                item.mention.end += start
                if item.mention.container:
                    a, b = item.mention.container
                    item.mention.container = (a + start, b + start)
            resolved.extend(found)
        return resolved


# Letters that say the language: Belarusian ў; Ukrainian і, ї, є, ґ (Russian has none of
# them, and Belarusian, which has і too, is told by its ў).
HOME_LETTERS = (("BY", re.compile("[ўЎ]")), ("UA", re.compile("[іїєґІЇЄҐ]")))


def home_country(text: str) -> str | None:
    """The country whose own language the text is written in, when its letters say so
    (Ukrainian: UA, Belarusian: BY); None for English, Russian and the rest."""
    for code, letters in HOME_LETTERS:
        if letters.search(text):
            return code
    return None


def chosen_and_alternatives(
    resolved: list[Resolved], place_id: str | None, around: tuple[int, int] = (0, 0)
) -> Resolved | None:
    """The mention resolved to ``place_id`` nearest to the span ``around`` (an event's
    quote), whose ``runners_up`` are the candidates the resolver did not choose."""
    matching = [r for r in resolved if place_id and r.place.id == place_id]
    if not matching:
        return None
    middle = (around[0] + around[1]) / 2
    return min(matching, key=lambda r: abs((r.mention.start + r.mention.end) / 2 - middle))


def sections(text: str, size: int = 0) -> list[tuple[int, int]]:
    """Split ``text`` into (start, end) sections of about ``size`` characters, at
    paragraph breaks where possible, else at line breaks or spaces."""
    size = size or SECTION_CHARS
    bounds = []
    start = 0
    while len(text) - start > size:
        cut = -1
        for separator in ("\n\n", "\n", ". ", " "):
            cut = text.rfind(separator, start + size // 2, start + size)
            if cut != -1:
                cut += len(separator)
                break
        if cut == -1:
            cut = start + size
        bounds.append((start, cut))
        start = cut
    bounds.append((start, len(text)))
    return bounds


def check_text(text: str | bytes) -> str:
    """Text as the geoparser wants it, or a TextError that says why not."""
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8")
        except UnicodeDecodeError as err:
            raise TextError(
                f"The input is not UTF-8 text (byte {err.start} is invalid). "
                "Convert it first, e.g. iconv -f cp1251 -t utf-8."
            ) from err
    if not isinstance(text, str):
        raise TextError(f"Expected text, got {type(text).__name__}.")
    if "\x00" in text[:4096]:
        raise TextError("The input looks binary (it contains NUL bytes), not text.")
    if len(text) > MAX_CHARS:
        raise TextError(f"The text is {len(text):,} characters; the limit is {MAX_CHARS:,}. Split it first.")
    return text


def to_record(item: Resolved) -> dict:
    """A JSON-ready record of one resolved mention."""
    lat, lon = item.point
    return {
        "start": item.mention.start,
        "end": item.mention.end,
        "text": item.mention.text,
        "role": item.role,
        "kind_hint": item.mention.kind_hint,
        "place_id": item.place.id,
        "name": item.place.name,
        "kind": item.place.kind,
        "country": item.place.country,
        "lat": round(lat, 5),
        "lon": round(lon, 5),
        "precision": item.precision,
        "confidence": item.confidence,
        "reason": item.reason,
        "spatial": item.spatial,
        "runners_up": [
            {
                "place_id": c.place.id,
                "name": c.place.name,
                "country": c.place.country,
                "score": round(c.score, 4),
            }
            for c in item.runners_up
        ],
    }
