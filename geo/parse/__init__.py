"""Geoparsing: recognise place mentions in text, resolve them with the gazetteer, and
compose spatial phrases ("on the border north of Chernobyl") into geometries."""

from geo.parse.pipeline import Geoparser

__all__ = ["Geoparser"]
