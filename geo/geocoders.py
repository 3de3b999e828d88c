"""geopy-compatible geocoders, as ``geopy.geocoders`` offers them: ``from geo.geocoders
import Gazetteer``. The implementation lives with the gazetteer (``geo.gazetteer.geocoder``)."""

from geo.gazetteer.geocoder import Gazetteer

__all__ = ["Gazetteer"]
