"""Small helpers shared by tests."""

from __future__ import annotations

from geo.events.articles import Article
from geo.events.extract import EventExtractor
from geo.store.base import AddResult, Store


def ingest_one(store: Store, article: Article, extractor: EventExtractor) -> AddResult:
    """Extract ``article``'s events and keep them: what ``ingest_many`` does for one article."""
    return store.add(article, extractor.extract(article))
