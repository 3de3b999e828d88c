"""The gazetteer: where names are. Built from its sources (one module each), read from an
SQLite index, looked up with context, overlaid with the user's own places, and offered as a
geopy geocoder."""

from geo.gazetteer.lookup import Gazetteer, Hints
from geo.gazetteer.place import Candidate, Place

__all__ = ["Candidate", "Gazetteer", "Hints", "Place"]
