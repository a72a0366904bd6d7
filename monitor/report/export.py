"""The archive in standard forms: WARC (warcio) of archived responses, JSON of meetings and
versions, and an Atom feed (feedgen) of events."""

from __future__ import annotations

import io
import json
import re
from datetime import datetime
from pathlib import Path
from typing import Any

from feedgen.feed import FeedGenerator
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from monitor import __version__
from monitor.archive import Archive
from monitor.archive.meetings import list_meetings
from monitor.models import Event

REASONS = {200: "OK", 203: "Non-Authoritative Information"}


def export_warc(archive: Archive, path: Path) -> int:
    """Every archived response as a WARC `response` record (feed items, which have no response
    of their own, as `resource` records). Returns the number of records."""
    count = 0
    tmp = path.with_name(path.name + ".tmp")
    with tmp.open("wb") as out:
        writer = WARCWriter(out, gzip=True)
        info = writer.create_warcinfo_record(
            path.name, {"software": f"monitor/{__version__}", "format": "WARC File Format 1.1"}
        )
        writer.write_record(info)
        for version, page_url, role in archive.all_versions():
            body = archive.raw(version)
            when = version.fetched_at
            headers = {"WARC-Date": when, "WARC-Payload-Digest": f"sha256:{version.raw_sha}"}
            if role == "item" or version.status is None:
                record = writer.create_warc_record(
                    version.final_url or page_url,  # a feed item's link when it was archived
                    "resource",
                    payload=io.BytesIO(body),
                    warc_content_type="text/html; charset=utf-8",
                    warc_headers_dict=headers,
                )
            else:
                http = [
                    (k.title(), v)
                    for k, v in version.headers.items()
                    if not k.startswith("x-monitor")
                ]
                http.append(("Content-Length", str(len(body))))
                status = f"{version.status} {REASONS.get(version.status or 200, 'OK')}"
                record = writer.create_warc_record(
                    version.final_url or page_url,
                    "response",
                    payload=io.BytesIO(body),
                    http_headers=StatusAndHeaders(status, http, protocol="HTTP/1.1"),
                    warc_headers_dict=headers,
                )
            writer.write_record(record)
            count += 1
    tmp.replace(path)
    return count


def export_json(archive: Archive, path: Path) -> dict[str, int]:
    pages: list[dict[str, Any]] = []
    versions = 0
    for page in archive.pages():
        pages.append(
            {
                "url": page.url,
                "source": page.source_id,
                "role": page.role,
                "title": page.title,
                "versions": [
                    {
                        "version": v.seq,
                        "fetched_at": v.fetched_at,
                        "size": v.size,
                        "status": v.status,
                        "content_type": v.content_type,
                        "raw_sha256": v.raw_sha,
                        "content_sha256": v.text_sha,
                        "document": archive.document(v).to_json(),
                    }
                    for v in archive.versions(page.id)
                ],
            }
        )
        versions += len(pages[-1]["versions"])
    data: dict[str, Any] = {
        "exported_by": f"monitor/{__version__}",
        "meetings": [m.to_json() for m in list_meetings(archive)],
        "pages": pages,
    }
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")
    tmp.replace(path)
    return {"meetings": len(data["meetings"]), "pages": len(pages), "versions": versions}


# What XML 1.0 cannot hold (C0 controls, lone surrogates, U+FFFE/FFFF): lxml refuses the whole
# feed for one of them, so an event archived before text was cleaned at the edge loses them here.
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _xml(text: str) -> str:
    return _NOT_XML.sub("", text)


def _title(event: Event) -> str:
    d = event.data
    if event.type in ("meeting_new", "meeting_source_added"):
        m = d["meeting"]
        label = "New meeting" if event.type == "meeting_new" else "New source for meeting"
        return f"{label}: {m['date']} {m['title']}"
    if event.type == "page_changed":
        return f"Revised: {d.get('title') or d.get('url')} (+{d['added']}/-{d['removed']})"
    if event.type == "page_added":
        return f"New page: {d.get('title') or d.get('url')}"
    if event.type == "archive_damaged":
        return f"Archive damaged, archived afresh: {d.get('url')}: {d.get('error', '')}"
    if event.type == "output_failed":
        return f"Not written: {d.get('error', '')}"
    if event.type in ("source_failing", "source_recovered"):
        state = "failing" if event.type == "source_failing" else "recovered"
        return f"Source {d['source']} {state}" + (f": {d['error']}" if d.get("error") else "")
    return f"{event.type}: {d.get('source', '')}"


def write_feed(archive: Archive, reports: Path, limit: int = 200) -> Path:
    """reports/feed.atom: the newest events (baselines left out)."""
    fg = FeedGenerator()
    fg.id("urn:monitor:events")
    fg.title("monitor: Japan-U.S. meeting record changes")
    fg.link(href="index.html", rel="alternate")
    fg.generator("monitor", __version__)
    events = [e for e in archive.events(limit=limit) if e.type != "baseline"]
    latest = (events[0].created_at if events else None) or "1970-01-01T00:00:00Z"
    fg.updated(datetime.fromisoformat(latest.replace("Z", "+00:00")))
    for event in reversed(events):
        entry = fg.add_entry()
        entry.id(f"urn:monitor:event:{event.id}")
        entry.title(_xml(_title(event)))
        when = datetime.fromisoformat((event.created_at or latest).replace("Z", "+00:00"))
        entry.updated(when)
        entry.published(when)
        url = event.data.get("url") or (event.data.get("meeting") or {}).get("sources", [None])[0]
        if isinstance(url, str) and url.startswith(("http://", "https://")):
            entry.link(href=_xml(url))
        entry.content(_xml(json.dumps(event.to_json(), ensure_ascii=False)), type="text")
    path = reports / "feed.atom"
    tmp = path.with_name("feed.atom.tmp")
    reports.mkdir(parents=True, exist_ok=True)
    fg.atom_file(str(tmp), pretty=True)
    tmp.replace(path)
    return path
