"""Optional: recognise mentions with a spaCy NER model the user has installed.

The default recogniser needs no model. Where spaCy and a model are installed, its
GPE/LOC/FAC entities (places) and NORP entities (nationalities: actors) can be used
instead::

    from geo.parse.spacy_recognise import SpacyRecogniser
    parser = Geoparser(gazetteer, recogniser=SpacyRecogniser.load("en_core_web_sm"))

or ``conflictmap parse FILE --spacy-model en_core_web_sm``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from geo.errors import ConflictmapError
from geo.parse.recognise import Mention

PLACE_LABELS = {"GPE": None, "LOC": None, "FAC": "site"}
ACTOR_LABELS = {"NORP"}


@dataclass
class SpacyRecogniser:
    """Turns a spaCy pipeline's entities into mentions. ``nlp`` is any callable that
    returns an object with ``.ents`` (spans with ``start_char``, ``end_char``, ``text``,
    ``label_``), so a loaded spaCy model works as it is."""

    nlp: Callable

    @classmethod
    def load(cls, model: str) -> SpacyRecogniser:
        try:
            import spacy
        except ImportError as err:
            raise ConflictmapError(
                "spaCy is not installed. Install it and a model (pip install spacy), "
                "or leave out --spacy-model to use the built-in recogniser."
            ) from err
        try:
            return cls(spacy.load(model))
        except OSError as err:
            raise ConflictmapError(f"spaCy model {model!r} is not installed: {err}") from err

    def __call__(self, text: str) -> list[Mention]:
        mentions = []
        for ent in self.nlp(text).ents:
            if ent.label_ in PLACE_LABELS:
                mentions.append(
                    Mention(ent.start_char, ent.end_char, ent.text, kind_hint=PLACE_LABELS[ent.label_])
                )
            elif ent.label_ in ACTOR_LABELS:
                mentions.append(Mention(ent.start_char, ent.end_char, ent.text, role="actor"))
        return mentions
