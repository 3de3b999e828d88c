"""conflictmap: an offline geoparser and map of conflict events.

The gazetteer is the foundation: ``Gazetteer.open()`` builds (once) and opens the index
of GeoNames and Natural Earth places, overlaid with your own additions.
"""

from geo.errors import ConflictmapError, InvalidPlaceError
from geo.gazetteer import Gazetteer, Hints
from geo.names import normalise
from geo.places import Candidate, Place

__all__ = ["Candidate", "ConflictmapError", "Gazetteer", "Hints", "InvalidPlaceError", "Place", "normalise"]
__version__ = "0.1.0"
