"""Events: articles read, dates resolved, triggers matched, places chosen, reports merged,
and the one ingest path (``ingest_many``) that stores them."""

from geo.events.articles import Article, parse_article, read_article
from geo.events.extract import EventExtractor
from geo.events.ingest import ExtractorSpec, IngestReport, RawArticle, ingest_many, reresolve
from geo.events.record import Event, Source

__all__ = [
    "Article", "Event", "EventExtractor", "ExtractorSpec", "IngestReport", "RawArticle", "Source",
    "ingest_many", "parse_article", "read_article", "reresolve",
]  # fmt: skip
