"""Bytes to text: charset from the header, then a BOM, then <meta>, then detection."""

from __future__ import annotations

import codecs
import re

_META = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE)
_XML_DECL = re.compile(rb"""^\s*<\?xml[^>]+encoding\s*=\s*["']([A-Za-z0-9_.:-]+)""")
_BOMS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
# Japanese sites declare Shift_JIS but use Microsoft's extensions (cp932): decode with the superset.
_ALIASES = {
    "shift_jis": "cp932",
    "shift-jis": "cp932",
    "sjis": "cp932",
    "x-sjis": "cp932",
    "windows-31j": "cp932",
    "ms932": "cp932",
    "euc-jp": "euc_jis_2004",
    "x-euc-jp": "euc_jis_2004",
    "iso-8859-1": "cp1252",
    "latin-1": "cp1252",
    "us-ascii": "utf-8",
    "ascii": "utf-8",
}


def _codec(name: str | bytes | None) -> str | None:
    if not name:
        return None
    label = (name.decode("ascii", "replace") if isinstance(name, bytes) else name).strip().lower()
    label = _ALIASES.get(label, label)
    try:
        return codecs.lookup(label).name
    except LookupError:
        return None


def _strict(body: bytes, codec: str | None) -> str | None:
    if codec is None:
        return None
    try:
        return body.decode(codec)
    except (UnicodeDecodeError, LookupError):
        return None


def header_charset(content_type: str) -> str | None:
    match = re.search(r"charset\s*=\s*[\"']?([^\s;\"']+)", content_type, re.IGNORECASE)
    return match.group(1) if match else None


def decode(body: bytes, content_type: str = "") -> tuple[str, str]:
    """Return (text, codec). A declared charset that does not fit the bytes is ignored."""
    for bom, bom_codec in _BOMS:
        if body.startswith(bom):
            return body[len(bom) :].decode(bom_codec, "replace"), bom_codec
    head = body[:4096]
    meta = _META.search(head) or _XML_DECL.search(head)
    for declared in (header_charset(content_type), meta.group(1) if meta else None):
        declared_codec = _codec(declared)
        text = _strict(body, declared_codec)
        if text is not None and declared_codec is not None:
            return text, declared_codec
    text = _strict(body, "utf-8")
    if text is not None:
        return text, "utf-8"
    from charset_normalizer import from_bytes  # rarely needed: 25 ms and 4 MB to import

    best = from_bytes(body[:200_000]).best()
    codec = _codec(best.encoding) if best is not None else None
    if codec is None or codec.startswith(("utf-16", "utf-32")):
        codec = "utf-8"  # without a BOM, HTML is in an ASCII-compatible encoding
    return body.decode(codec, "replace"), codec


TEXT_TYPES = (
    "text/",
    "application/xhtml",
    "application/xml",
    "application/rss",
    "application/atom",
    "application/json",
    "application/rdf",
)


def is_text(content_type: str) -> bool:
    ctype = content_type.split(";")[0].strip().lower()
    return not ctype or ctype.startswith(TEXT_TYPES) or ctype.endswith("+xml")


def decode_text(body: bytes, content_type: str) -> tuple[str, str | None]:
    """A response body as (text, encoding); ("", None) for binary content such as a PDF."""
    return decode(body, content_type) if is_text(content_type) else ("", None)
