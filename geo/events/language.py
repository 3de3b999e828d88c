"""The language an article is written in, detected offline.

lingua-language-detector carries its models in its PyPI package (nothing is downloaded at
run time). Only languages conflictmap meets in war reporting are considered, which keeps
it fast and avoids confusing close relatives with languages nobody sent.
"""

from __future__ import annotations

from functools import lru_cache

from lingua import Language, LanguageDetector, LanguageDetectorBuilder

LANGUAGES = (
    Language.ENGLISH, Language.UKRAINIAN, Language.RUSSIAN, Language.BELARUSIAN, Language.POLISH,
    Language.GERMAN, Language.FRENCH, Language.SPANISH, Language.ARABIC,
)  # fmt: skip
SAMPLE_CHARS = 2000  # the start of an article says what language it is in


@lru_cache(maxsize=1)
def _detector() -> LanguageDetector:
    return LanguageDetectorBuilder.from_languages(*LANGUAGES).build()


def detect_language(text: str) -> str | None:
    """The ISO 639-1 code of the text's language ("en", "uk", "ru"...), or None if unsure.

    >>> detect_language("Російські війська обстріляли Харків у неділю.")
    'uk'
    """
    found = _detector().detect_language_of(text[:SAMPLE_CHARS])
    return found.iso_code_639_1.name.lower() if found is not None else None
