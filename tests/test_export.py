from __future__ import annotations

import json
import sqlite3
import xml.etree.ElementTree as ET
from pathlib import Path

from warcio.archiveiterator import ArchiveIterator

from monitor.demo import run_demo
from tests.conftest import monitor
from tests.support import write_config


def test_warc_json_and_atom_exports(tmp_path: Path) -> None:
    run_demo(tmp_path, say=lambda _: None)
    warc, js = tmp_path / "a.warc.gz", tmp_path / "a.json"
    proc = monitor(tmp_path, "export", "--warc", str(warc), "--json", str(js))
    assert proc.returncode == 0, proc.stderr
    with sqlite3.connect(tmp_path / "snapshots" / "index.sqlite") as db:
        versions = db.execute(
            "SELECT p.url, v.raw_sha FROM versions v JOIN pages p ON p.id = v.page_id"
        ).fetchall()
    records = []
    with warc.open("rb") as stream:
        for record in ArchiveIterator(stream):
            if record.rec_type in ("response", "resource"):
                body = record.content_stream().read()
                records.append((record.rec_headers.get_header("WARC-Target-URI"), body))
    assert len(records) == len(versions)
    import hashlib

    assert sorted(hashlib.sha256(b).hexdigest() for _, b in records) == sorted(
        sha for _, sha in versions
    )
    data = json.loads(js.read_text(encoding="utf-8"))
    assert len(data["meetings"]) == 4 and sum(len(p["versions"]) for p in data["pages"]) == len(
        versions
    )
    for meeting in data["meetings"]:
        assert {"format", "level", "mode", "countries"} <= set(meeting)
        assert {"JP", "US"} <= set(meeting["countries"])
    feed = ET.parse(tmp_path / "reports" / "feed.atom").getroot()
    titles = [
        e.findtext("{http://www.w3.org/2005/Atom}title") or ""
        for e in feed.iter("{http://www.w3.org/2005/Atom}entry")
    ]
    assert any(t.startswith("New meeting: 2026-03-02") for t in titles)
    assert any(t.startswith("Revised: ") for t in titles)


def test_export_needs_a_target(tmp_path: Path) -> None:
    write_config(tmp_path, [{"id": "a", "url": "https://www.state.gov/"}])
    proc = monitor(tmp_path, "export", timeout=60)
    assert proc.returncode == 2 and "--warc FILE and/or --json FILE" in proc.stderr
