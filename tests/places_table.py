"""The shared table of standard place lookups (name -> expected place).

Each row: the query, hints, and what the best candidate must be: kind, country, and a
point (lat, lon) within ``km``; ``id`` where the place is pinned exactly.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Row:
    query: str
    kind: str
    country: str | None
    lat: float
    lon: float
    km: float = 30
    id: str | None = None
    hints: dict = field(default_factory=dict)

    @property
    def label(self) -> str:
        extra = ",".join(f"{k}={v}" for k, v in self.hints.items())
        return f"{self.query}[{extra}]" if extra else self.query


ROWS = [
    # The war in Ukraine: every spelling a news article uses.
    Row("Kyiv", "capital", "UA", 50.45, 30.52, id="geonames:703448"),
    Row("Kiev", "capital", "UA", 50.45, 30.52, id="geonames:703448"),
    Row("Київ", "capital", "UA", 50.45, 30.52, id="geonames:703448"),
    Row("Kharkiv", "city", "UA", 49.98, 36.25, id="geonames:706483"),
    Row("Kharkov", "city", "UA", 49.98, 36.25, id="geonames:706483"),
    Row("Gomel", "city", "BY", 52.43, 30.98, id="geonames:627907"),
    Row("Homel", "city", "BY", 52.43, 30.98, id="geonames:627907"),
    Row("Гомель", "city", "BY", 52.43, 30.98, id="geonames:627907"),
    Row("Chernobyl", "village", "UA", 51.27, 30.22, 10, id="geonames:710403"),
    Row("Chornobyl", "village", "UA", 51.27, 30.22, 10, id="geonames:710403"),
    Row("Poland", "country", "PL", 51.92, 19.16, 50, id="geonames:798544"),
    Row("Belarus", "country", "BY", 53.5, 28.0, 80),
    Row("Ukraine", "country", "UA", 49.0, 31.4, 80),
    Row("Russia", "country", "RU", 62.0, 96.7, 300),
    Row("Moscow", "capital", "RU", 55.75, 37.62, id="geonames:524901"),
    Row("Kharkiv Oblast", "region", "UA", 49.6, 36.5, 60),
    Row("Gomel Region", "region", "BY", 52.3, 29.7, 80),
    Row("Europe", "continent", None, 48.7, 9.1, 1500),
    Row("Lviv", "city", "UA", 49.84, 24.03),
    Row("Odessa", "city", "UA", 46.48, 30.73),
    Row("Mariupol", "city", "UA", 47.1, 37.55),
    Row("Hostomel", "town", "UA", 50.57, 30.26),
    Row("Minsk", "capital", "BY", 53.9, 27.57),
    Row("Warsaw", "capital", "PL", 52.23, 21.01),
    Row("Black Sea", "sea", None, 43.3, 34.2, 300),
    Row("Dnieper", "river", None, 50.4, 30.6, 400),
    Row("U.S.", "country", "US", 39.8, -98.6, 700),
    Row("UK", "country", "GB", 54.3, -1.9, 300),
    Row("Britain", "country", "GB", 54.3, -1.9, 300),
    Row("Ukrainian", "country", "UA", 49.0, 31.4, 80),
    Row("Belarusian", "country", "BY", 53.5, 28.0, 80),
    Row("Russian", "country", "RU", 62.0, 96.7, 300),
    # Ambiguous names: the famous place wins, a hint moves it.
    Row("Georgia", "country", "GE", 42.2, 43.5, 100),
    Row("Georgia", "region", "US", 32.6, -83.4, 150, hints={"country": "US"}),
    Row("Paris", "capital", "FR", 48.85, 2.35),
    Row("Paris", "town", "US", 33.66, -95.56, hints={"country": "US"}),
    Row("Alexandria", "city", "EG", 31.2, 29.92),
    Row("Alexandria", "city", "US", 38.8, -77.05, hints={"near": (38.9, -77.0)}),
    Row("Springfield", "city", "US", 37.2, -93.3),
    Row("Springfield", "city", "US", 39.8, -89.64, hints={"near": (40.0, -89.0)}),
    Row("Poland", "village", "US", 44.06, -70.39, hints={"country": "US", "near": (44.0, -70.0)}),
    Row("Moscow", "town", "US", 46.73, -117.0, hints={"country": "US"}),
    Row("Pripyat", "river", None, 52.1, 27.0, 250, hints={"kind": "river"}),
    # Around the world.
    Row("Tokyo", "capital", "JP", 35.69, 139.69),
    Row("Nairobi", "capital", "KE", -1.28, 36.82),
    Row("Lagos", "city", "NG", 6.45, 3.39),
    Row("Buenos Aires", "capital", "AR", -34.6, -58.38),
    Row("São Paulo", "city", "BR", -23.55, -46.64),
    Row("Sao Paulo", "city", "BR", -23.55, -46.64),
    Row("Mumbai", "city", "IN", 19.07, 72.88),
    Row("Bombay", "city", "IN", 19.07, 72.88),
    Row("Beijing", "capital", "CN", 39.9, 116.4),
    Row("Peking", "capital", "CN", 39.9, 116.4),
    Row("Sydney", "city", "AU", -33.87, 151.21),
    Row("Cairo", "capital", "EG", 30.04, 31.24),
    Row("Damascus", "capital", "SY", 33.51, 36.29),
    Row("Aleppo", "city", "SY", 36.2, 37.16),
    Row("Gaza", "city", "PS", 31.5, 34.47),
    Row("Khartoum", "capital", "SD", 15.55, 32.53),
    Row("Kabul", "capital", "AF", 34.53, 69.17),
    Row("Mexico City", "capital", "MX", 19.43, -99.13),
    Row("Bogotá", "capital", "CO", 4.61, -74.08),
    Row("Québec", "city", "CA", 46.81, -71.21),
    Row("Texas", "region", "US", 31.5, -99.3, 300),
    Row("Bavaria", "region", "DE", 48.9, 11.4, 150),
    Row("Ivory Coast", "country", "CI", 7.6, -5.5, 150),
    Row("Burma", "country", "MM", 21.0, 96.0, 300),
    Row("Sahara", "physical_region", None, 20.0, 0.5, 800),
    Row("Lake Victoria", "lake", None, -1.2, 33.0, 150),
    Row("Danube", "river", None, 45.0, 20.0, 800),
    Row("Mediterranean Sea", "sea", None, 36.0, 16.0, 800),
    Row("Africa", "continent", None, 7.2, 21.1, 1500),
]
