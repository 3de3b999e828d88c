"""Places that Ukrainian and Russian words imply without naming them.

"Київський міський голова" (Kyiv's mayor), "харківські рятувальники" (Kharkiv's rescuers),
"Харківська ОВА" (the Kharkiv oblast's military administration) and "на Донеччині" (in the
Donetsk region) all place a story without the place's name. ``morphology.implied_places``
gives the names such a word may come from; the gazetteer says which one is real, and the
region a city gives its name to.
"""

from __future__ import annotations

from geo.gazetteer.lookup import Gazetteer
from geo.gazetteer.place import Place
from geo.parse.morphology import ADJECTIVE_RE, implied_places, nominative_forms

# Words after an adjective that make it a region ("Харківської області", "Київська ОВА":
# the oblast's military administration, "ОДА": its state administration).
REGION_WORDS = {
    "область", "області", "областю", "областей", "области", "обл",
    "ова", "ода", "вца", "облрада", "облради", "облдержадміністрація",
    "край", "краю", "краї", "крае", "губернія", "губернии",
}  # fmt: skip
# Kinds an implied city may have: a lower-case adjective must come from a city.
CAPITALISED_KINDS = ("capital", "city", "town")
LOWER_CASE_KINDS = ("capital", "city")
BIGGER = 10  # an implied city this many times bigger than a place named by the word wins


class ImpliedPlaces:
    """``implied(surface)``: the place a word (or "adjective + область") implies, with
    the kind it is named as, or None."""

    def __init__(self, gazetteer: Gazetteer) -> None:
        self.gazetteer = gazetteer
        self._cache: dict[str, tuple[Place, str] | None] = {}

    def __call__(self, surface: str) -> tuple[Place, str] | None:
        if surface not in self._cache:
            self._cache[surface] = self._implied(surface)
        return self._cache[surface]

    @staticmethod
    def might_imply(word: str) -> bool:
        """A cheap test, before any analysis: does a lower-case word look like an adjective
        made from a place name?"""
        return ADJECTIVE_RE.search(word) is not None

    def _implied(self, surface: str) -> tuple[Place, str] | None:
        words = surface.split()
        if len(words) == 2 and words[1].lower().rstrip(".") in REGION_WORDS:
            names, what = implied_places(words[0])
            wanted = "region" if what == "city" else ""
        elif len(words) == 1:
            names, what = implied_places(words[0])
            wanted = what
        else:
            return None
        if not wanted:
            return None
        kinds = CAPITALISED_KINDS if words[0][:1].isupper() else LOWER_CASE_KINDS
        city = self._city(names, kinds)
        if city is None:
            return None
        if city.kind == "country":  # "Українська армія": the country's, said as an actor
            return (city, "country") if wanted == "city" else None
        if len(words) == 1 and wanted == "city" and self._names_itself(words[0], city):
            return None  # "у Новомосковську": the town's own name, inflected; context decides
        if wanted == "region":
            region = self.gazetteer.region_named_for(city)
            return (region, "region") if region is not None else None
        return city, "city"

    def _names_itself(self, word: str, city: Place) -> bool:
        """Is the word (or its nominative) itself the name of a place nearly as big as the
        city it implies? Then it is that name: "Слов'янська" is of Слов'янськ, and the
        resolver weighs its homonyms. "Київський" is Kyiv's, though a district of 150,000
        bears the name."""
        for form in (word, *nominative_forms(word)):
            best = self.gazetteer.best(form)
            named = best is not None and best.match in ("primary", "alternate")
            if named and (best.place.population or 0) * BIGGER >= (city.population or 0):
                return True
        return False

    def _city(self, names: tuple[str, ...], kinds: tuple[str, ...]) -> Place | None:
        """The most populous city the names give (each name's best match, by a name, not
        a code), or the country when a name is a country's: "Українська" is Ukraine's,
        not the town of Ukrainsk's."""
        found = []
        for name in names:
            best = self.gazetteer.best(name)
            if best is None or best.match not in ("primary", "alternate"):
                continue
            if best.place.kind == "country":
                return best.place
            if best.place.kind in kinds:
                found.append(best.place)
        return max(found, key=lambda p: (p.population or 0, p.id), default=None)
