"""The archive in standard forms: WARC (warcio) of archived responses, JSON of meetings and
versions, and an Atom feed (feedgen) of events."""

from __future__ import annotations

import io
import json
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from feedgen.feed import FeedGenerator
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from monitor import __version__
from monitor.archive import Archive
from monitor.archive.meetings import list_meetings
from monitor.diff import change_unit
from monitor.events import (
    ArchiveDamaged,
    Baseline,
    MeetingEvent,
    MeetingNew,
    MeetingSourceAdded,
    OutputFailed,
    PageAdded,
    PageChanged,
    PageRemoved,
    SourceFailing,
    SourceRecovered,
    TypedEvent,
)
from monitor.models import iso
from monitor.report.view import environment, typed

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
            when = iso(version.fetched_at)
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
                        "fetched_at": iso(v.fetched_at),
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


def _title(event: TypedEvent) -> str:
    match event:
        case MeetingNew(meeting=m):
            return f"New meeting: {m.date} {m.title}"
        case MeetingSourceAdded(meeting=m):
            return f"New source for meeting: {m.date} {m.title}"
        case PageChanged():
            return f"Revised: {event.title or event.url} (+{event.added}/-{event.removed})"
        case PageAdded():
            return f"New page: {event.title or event.url}"
        case ArchiveDamaged():
            return f"Archive damaged, archived afresh: {event.url}: {event.error}"
        case OutputFailed():
            return f"Not written: {event.error}"
        case SourceFailing() | SourceRecovered():
            state = "failing" if isinstance(event, SourceFailing) else "recovered"
            return f"Source {event.source} {state}" + (f": {event.error}" if event.error else "")
        case PageRemoved():
            return f"Removed: {event.title or event.url}"
        case Baseline():
            return f"{event.type}: {event.source}"
    return event.type


def _link(event: TypedEvent) -> str | None:
    """The page an event is about: its url (every type but baseline and output_failed has
    one), else a meeting's first source."""
    url: str | None = getattr(event, "url", None)
    if not url and isinstance(event, MeetingEvent) and event.meeting.sources:
        url = event.meeting.sources[0]
    return url


def _content(event: TypedEvent, url: str | None) -> str:
    """An entry's content: readable HTML (escaped page text, http(s) links only)."""
    unit = change_unit((), event.title) if isinstance(event, PageChanged) else ""
    template = environment().get_template("feed_entry.html")
    return template.render(e=event, url=url, unit=unit).strip()


def write_feed(archive: Archive, reports: Path, limit: int = 200) -> Path:
    """reports/feed.atom: the newest events (baselines left out)."""
    fg = FeedGenerator()
    fg.id("urn:monitor:events")
    fg.title("monitor: Japan-U.S. meeting record changes")
    fg.link(href="index.html", rel="alternate")
    fg.generator("monitor", __version__)
    events = typed(e for e in archive.events(limit=limit) if e.type != Baseline.type)
    latest = (events[0].created_at if events else None) or datetime(1970, 1, 1, tzinfo=UTC)
    fg.updated(latest)
    for event in reversed(events):
        entry = fg.add_entry()
        entry.id(f"urn:monitor:event:{event.id}")
        entry.title(_xml(_title(event)))
        when = event.created_at or latest
        entry.updated(when)
        entry.published(when)
        url = _link(event)
        if url and url.startswith(("http://", "https://")):
            entry.link(href=_xml(url))
        entry.content(_xml(_content(event, url)), type="html")
    path = reports / "feed.atom"
    tmp = path.with_name("feed.atom.tmp")
    reports.mkdir(parents=True, exist_ok=True)
    fg.atom_file(str(tmp), pretty=True)
    tmp.replace(path)
    return path
