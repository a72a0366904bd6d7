"""Normalise stage: a page (`page`: HTML, PDF, a feed item) as ordered blocks of clean text
(`html`, `blocks`, `pdf`), with error-page detection (`errorpages`), dates (`dates`), feeds
(`feeds`), the parse-cost guard (`htmlcost`) and the users' patterns (`patterns`). Pure: no I/O."""

from __future__ import annotations

from monitor.normalise.html import (
    listing_document,
    listing_links,
    normalise_fragment,
    normalise_html,
)
from monitor.normalise.page import NORMALISER_VERSION, normalise, rules_key

__all__ = [
    "NORMALISER_VERSION",
    "listing_document",
    "listing_links",
    "normalise",
    "normalise_fragment",
    "normalise_html",
    "rules_key",
]
