from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from geo.gazetteer.names import border_names, normalise, transliterations

CASES = [
    ("Kyiv", "kyiv"),
    ("KYIV", "kyiv"),
    ("Homyel'", "homyel"),
    ("Khar’kov", "kharkov"),
    ("Ivano-Frankivsk", "ivano frankivsk"),
    ("the Ukraine–Belarus border", "ukraine belarus border"),
    ("U.S.", "us"),
    ("São Paulo", "sao paulo"),
    ("Kraków", "krakow"),
    ("Київ", "киів"),
    ("  The   Hague ", "hague"),
    ("Zürich", "zurich"),
    ("Đà Nẵng", "đa nang"),
]


@pytest.mark.parametrize(("raw", "expected"), CASES, ids=[c[0] for c in CASES])
def test_normalise(raw, expected):
    assert normalise(raw) == expected


def test_cyrillic_transliterations_cover_ukrainian_and_russian():
    assert transliterations("Гомель") == ["homel", "gomel"]
    assert "kharkiv" in transliterations("Харків")


def test_border_names_cover_both_orders_and_adjectives():
    names = {normalise(n) for n in border_names(["Belarus", "Belarusian"], ["Ukraine", "Ukrainian"])}
    assert {
        "belarus ukraine border",
        "ukrainian belarusian border",
        "border between ukraine and belarus",
    } <= names


@given(st.text())
def test_normalise_is_idempotent(text):
    once = normalise(text)
    assert normalise(once) == once
