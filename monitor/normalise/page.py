"""Any fetched page to a Document (HTML or PDF; other content refused), and the key naming the
normalisation rules a version was made with. No I/O."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

from monitor.errors import ContentError
from monitor.models import Document
from monitor.normalise.html import normalise_html
from monitor.normalise.pdf import is_pdf, normalise_pdf
from monitor.sites import Profile

# Bump when the rules (html, blocks, pdf) change: stored versions are then re-normalised before
# diffing.
# 5: control and bidi override characters dropped from text, percent-encoded in links.
NORMALISER_VERSION = 5


def rules_key(profile: Profile, selector: str | None, ignore: Iterable[str]) -> str:
    """Identifies the normalisation rules a version was made with."""
    spec = repr(
        (
            NORMALISER_VERSION,
            profile.name,
            profile.version,
            profile.content,
            profile.drops,
            profile.ignores,
            selector,
            tuple(ignore),
        )
    )
    return f"{NORMALISER_VERSION}.{profile.name}.{hashlib.sha256(spec.encode()).hexdigest()[:12]}"


def normalise(
    body: bytes,
    text: str,
    content_type: str,
    url: str,
    profile: Profile,
    *,
    selector: str | None = None,
    ignore: Iterable[str] = (),
) -> Document:
    """Any fetched page to a Document: HTML or PDF; other binary content is refused."""
    if is_pdf(content_type, body):
        return normalise_pdf(body, url, ignore=ignore, profile=profile)
    if not text or "\x00" in text[:4096]:
        ctype = content_type.split(";")[0] or "unknown type"
        raise ContentError(url, f"not an HTML page ({ctype}, {len(body)} bytes)")
    doc = normalise_html(text, url, profile, selector=selector, ignore=ignore)
    if not doc.blocks:
        raise ContentError(url, "page has no text in its main content (empty or layout changed)")
    return doc
