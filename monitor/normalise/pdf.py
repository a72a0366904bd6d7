"""PDF pages: their extracted text as paragraphs, then blocks as an HTML page's are. No I/O."""

from __future__ import annotations

import io
from collections.abc import Iterable
from typing import Any

from monitor.errors import ContentError
from monitor.models import BlockKind, Document
from monitor.normalise.blocks import make_blocks
from monitor.sites import Profile
from monitor.text import clean


def normalise_pdf(
    body: bytes, url: str, *, ignore: Iterable[str] = (), profile: Profile
) -> Document:
    """A PDF as a Document of its text's paragraphs; ContentError when it is unreadable or has
    no text."""
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(body))
        pages = [page.extract_text() or "" for page in reader.pages]
        meta: Any = reader.metadata
    except (PdfReadError, ValueError, KeyError, TypeError, OSError) as exc:
        raise ContentError(url, f"unreadable PDF: {exc}") from None
    raw: list[tuple[BlockKind, str]] = [
        ("paragraph", p) for page in pages for p in pdf_paragraphs(page)
    ]
    blocks = make_blocks(raw, profile, ignore)
    if not blocks:
        raise ContentError(url, "PDF has no extractable text")
    title = clean(str(meta.title)) if meta is not None and meta.title else blocks[0].text[:200]
    return Document(url=url, title=title, blocks=blocks, lang=profile.lang)


def pdf_paragraphs(page: str) -> list[str]:
    """Join a PDF page's wrapped lines into paragraphs: a line that ends a sentence, or a short
    line (a heading, a date), ends its paragraph."""
    paragraphs: list[str] = []
    current: list[str] = []
    for line in page.splitlines():
        line = line.strip()
        if not line:
            if current:
                paragraphs.append(" ".join(current))
                current = []
            continue
        current.append(line)
        if line.endswith((".", "。", ":", "：")) or len(line) < 60:
            paragraphs.append(" ".join(current))
            current = []
    if current:
        paragraphs.append(" ".join(current))
    return paragraphs


def is_pdf(content_type: str, body: bytes) -> bool:
    return content_type.split(";")[0].strip().lower() == "application/pdf" or body[:5] == b"%PDF-"
