"""A damaged archive never invents a change, never crashes a run and never blocks a page: a
damaged previous version is read again from its raw response, or the page is archived afresh with
an `archive_damaged` alert. Real blob files are damaged on disk between real runs."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import zstandard

from monitor.archive import Archive, VersionRow, verify
from monitor.demo import pages as P
from monitor.diff import diff_documents
from monitor.models import Document
from monitor.report import plain_segments
from monitor.testing.localsite import LocalSite, Page
from tests.conftest import Runner, of_type
from tests.support import MEETING, make_config, mofa, readout, site_source, state_feed

# "sides", for damage that turns it into "sodes": a word no edit of the page touches
PARAS = (MEETING, "The two sides confirmed close cooperation on regional security and the economy.")
VICTIM = mofa(PARAS)


def edited(n: int) -> str:
    words = ["closer", "continued", "steadfast", "firm"]
    return VICTIM.replace("close cooperation", f"{words[n]} cooperation")


def start(site: LocalSite, tmp_path: Path, runner: Callable[..., Runner], **extra: Any) -> Runner:
    """Two sources, baselined: the victim, whose archive is damaged, and a bystander."""
    site["/victim.html"] = VICTIM
    site["/bystander.html"] = readout("First.")
    config = make_config(
        tmp_path,
        [
            site_source(site, "/victim.html", "victim"),
            site_source(site, "/bystander.html", "bystander", profile="state"),
        ],
        **extra,
    )
    run = runner(config)
    assert sorted(e.type for e in run().events) == ["baseline", "baseline"]
    return run


def latest(tmp_path: Path, source: str = "victim") -> tuple[Path, VersionRow, Document]:
    """The archive's blob directory, and the newest version of the source's page with its
    document as archived (read before any damage)."""
    with Archive(tmp_path / "snapshots") as archive:
        page = archive.pages(source)[0]
        version = archive.latest_version(page.id)
        assert version is not None
        return archive.blobs.root, version, archive.document(version)


def blob_file(root: Path, digest: str) -> Path:
    return root / digest[:2] / f"{digest[2:]}.zst"


def events_about(report: Any, source: str) -> list[dict[str, Any]]:
    return [e.to_json() for e in report.events if e.data.get("source") == source]


def changed_as_in_truth(report: Any, old: Document, tmp_path: Path) -> None:
    """The victim's change is reported with exactly the words that changed: its counts and its
    lines in the report are those of the true previous document against the new one."""
    (event,) = events_about(report, "victim")
    assert event["type"] == "page_changed", report.events
    _, _, new = latest(tmp_path)
    truth = diff_documents(old, new)
    assert (event["added"], event["removed"], event["trivial"]) == (
        truth.added,
        truth.removed,
        truth.trivial,
    )
    text = Path(report.report).with_suffix(".txt").read_text(encoding="utf-8")
    for change in truth.changes:
        assert plain_segments(change) in text
    changes = truth.changes
    if events_about(report, "bystander"):
        changes += diff_documents(*bystander_docs(tmp_path)).changes
    marks = sum(plain_segments(c).count("{+") + plain_segments(c).count("[-") for c in changes)
    assert text.count("{+") + text.count("[-") == marks, text  # nothing else, nothing invented


def bystander_docs(tmp_path: Path) -> tuple[Document, Document]:
    with Archive(tmp_path / "snapshots") as archive:
        versions = archive.versions(archive.pages("bystander")[0].id)
        return archive.document(versions[-2]), archive.document(versions[-1])


def flip(position: float) -> Callable[[Path], None]:
    def damage(path: Path) -> None:
        data = bytearray(path.read_bytes())
        at = int(len(data) * position)
        data[at] ^= 1 << (at % 8)
        path.write_bytes(bytes(data))

    return damage


def another_document(path: Path) -> None:
    """A frame that decodes, into a valid document that is not the one archived: what most bit
    flips in a frame without a checksum give."""
    text = zstandard.ZstdDecompressor().decompress(path.read_bytes()).decode()
    path.write_bytes(zstandard.ZstdCompressor().compress(text.replace("sides", "sodes").encode()))


def invalid_json(path: Path) -> None:
    text = zstandard.ZstdDecompressor().decompress(path.read_bytes())
    path.write_bytes(zstandard.ZstdCompressor().compress(text[: len(text) // 2]))


def truncated(path: Path) -> None:
    path.write_bytes(path.read_bytes()[:-7])


def deleted(path: Path) -> None:
    path.unlink()


DAMAGE: dict[str, Callable[[Path], None]] = {
    "another-valid-document": another_document,
    "invalid-json": invalid_json,
    "truncated": truncated,
    "deleted": deleted,
    **{f"bit-flip-at-{p:.2f}": flip(p) for p in (0.1, 0.3, 0.45, 0.6, 0.75, 0.9, 0.99)},
}


@pytest.mark.parametrize("name", sorted(DAMAGE))
def test_a_damaged_document_is_read_again_from_its_raw_response(
    name: str, site: LocalSite, tmp_path: Path, runner: Callable[..., Runner]
) -> None:
    run = start(site, tmp_path, runner)
    root, version, old = latest(tmp_path)
    DAMAGE[name](blob_file(root, version.doc_sha))
    site["/victim.html"] = edited(0)
    site["/bystander.html"] = readout("Second.")
    report = run()  # never raises
    assert [e["type"] for e in events_about(report, "bystander")] == ["page_changed"]
    changed_as_in_truth(report, old, tmp_path)
    assert not report.failures
    with Archive(tmp_path / "snapshots") as archive:
        assert verify(archive) == []  # the document was the same again: its blob is repaired


@pytest.mark.parametrize("name", ["another-valid-document", "invalid-json", "deleted"])
def test_raw_and_document_damaged_archive_afresh_and_alert_once(
    name: str, site: LocalSite, tmp_path: Path, runner: Callable[..., Runner]
) -> None:
    run = start(site, tmp_path, runner)
    root, version, _ = latest(tmp_path)
    for digest in (version.raw_sha, version.doc_sha):
        if name == "another-valid-document":
            path = blob_file(root, digest)
            path.write_bytes(zstandard.ZstdCompressor().compress(b"<p>The two sodes</p>"))
        else:
            DAMAGE[name](blob_file(root, digest))
    site["/victim.html"] = edited(0)
    site["/bystander.html"] = readout("Second.")
    report = run()
    assert [e["type"] for e in events_about(report, "bystander")] == ["page_changed"]
    (event,) = events_about(report, "victim")  # no page_changed made of garbage
    assert set(event) == {"type", "source", "url", "error"}
    assert event["type"] == "archive_damaged" and event["url"] == site.url("/victim.html")
    assert version.doc_sha in event["error"] and version.raw_sha in event["error"]
    assert [s for s, _ in report.failures] == ["victim"]  # counted as a failure of the page
    # the report, its text twin and the Atom feed say so
    assert report.report is not None
    html = Path(report.report).read_text(encoding="utf-8")
    text = Path(report.report).with_suffix(".txt").read_text(encoding="utf-8")
    feed = (Path(report.report).parent / "feed.atom").read_text(encoding="utf-8")
    assert "Archive damaged" in html and "ARCHIVE DAMAGED" in text
    assert "Archive damaged, archived afresh" in feed
    # the page as it is now was archived, and is the baseline of its next change
    _, new_version, new_doc = latest(tmp_path)
    assert new_version.seq == 2 and "closer cooperation" in new_doc.text
    again = run()
    assert events_about(again, "victim") == [] and not again.failures  # told once
    site["/victim.html"] = edited(1)
    changed_as_in_truth(run(), new_doc, tmp_path)


def test_deleted_previous_version_never_blocks_the_page(
    site: LocalSite, tmp_path: Path, runner: Callable[..., Runner]
) -> None:
    run = start(site, tmp_path, runner)
    root, version, _ = latest(tmp_path)
    blob_file(root, version.raw_sha).unlink()
    blob_file(root, version.doc_sha).unlink()
    site["/victim.html"] = edited(0)
    report = run()
    assert [e["type"] for e in events_about(report, "victim")] == ["archive_damaged"]
    _, new_version, new_doc = latest(tmp_path)
    assert new_version.seq == 2 and "closer cooperation" in new_doc.text  # the edit is archived
    assert [e["type"] for e in events_about(run(), "victim")] == []  # raised once


def test_damage_that_goes_on_raises_source_failing(
    site: LocalSite, tmp_path: Path, runner: Callable[..., Runner]
) -> None:
    run = start(site, tmp_path, runner, failures_before_alert=2)
    seen = []
    for n in range(2):
        root, version, _ = latest(tmp_path)
        blob_file(root, version.raw_sha).unlink()
        blob_file(root, version.doc_sha).unlink()
        site["/victim.html"] = edited(n)
        seen.append(sorted(e["type"] for e in events_about(run(), "victim")))
    assert seen == [["archive_damaged"], ["archive_damaged", "source_failing"]]
    assert [e["type"] for e in events_about(run(), "victim")] == ["source_recovered"]


def test_invalid_json_that_hashes_right_never_crashes_the_run(
    site: LocalSite, tmp_path: Path, runner: Callable[..., Runner]
) -> None:
    """A document blob that is sound as a blob but is not a document (its row points at the
    wrong blob): read again from the raw response; the other source's change is reported."""
    run = start(site, tmp_path, runner)
    _, version, old = latest(tmp_path)
    with Archive(tmp_path / "snapshots") as archive:
        junk = archive.blobs.put(b'{"url": "https://x.org/", "title": "cut sh')
        archive.db.execute("UPDATE versions SET doc_sha=? WHERE id=?", (junk, version.id))
    site["/victim.html"] = edited(0)
    site["/bystander.html"] = readout("Second.")
    report = run()
    assert [e["type"] for e in events_about(report, "bystander")] == ["page_changed"]
    changed_as_in_truth(report, old, tmp_path)


def test_a_damaged_feed_item_is_read_again_from_its_raw_form(
    site: LocalSite, tmp_path: Path, runner: Callable[..., Runner]
) -> None:
    def feed(paragraph: str) -> Page:
        return state_feed([("https://www.state.gov/a/", "Readout", [paragraph])])

    site["/feed/"] = feed("The Secretary met the Foreign Minister of Japan in Tokyo.")
    run = runner(
        make_config(tmp_path, [site_source(site, "/feed/", "press", profile="state", kind="feed")])
    )
    run()
    with Archive(tmp_path / "snapshots") as archive:
        item = archive.page("https://www.state.gov/a/")
        assert item is not None
        version = archive.latest_version(item.id)
        assert version is not None
        old = archive.document(version)
        another_document_path = blob_file(archive.blobs.root, version.doc_sha)
    text = zstandard.ZstdDecompressor().decompress(another_document_path.read_bytes()).decode()
    another_document_path.write_bytes(
        zstandard.ZstdCompressor().compress(text.replace("Tokyo", "Tokio").encode())
    )
    site["/feed/"] = feed("The Secretary met the Foreign Minister of Japan in Osaka.")
    report = run()
    (event,) = of_type(report, "page_changed")
    with Archive(tmp_path / "snapshots") as archive:
        new = archive.document(archive.latest_version(item.id))  # type: ignore[arg-type]
    truth = diff_documents(old, new)
    assert (event["added"], event["removed"]) == (truth.added, truth.removed) == (1, 1)
    assert report.report is not None
    text = Path(report.report).with_suffix(".txt").read_text(encoding="utf-8")
    assert "[-Tokyo-]{+Osaka+}" in text and "Tokio" not in text  # not the damaged words


def test_reading_a_version_checks_it_against_its_name(tmp_path: Path) -> None:
    """The low level: a document blob that decodes into another valid document is refused."""
    with Archive.open(tmp_path / "s") as archive:
        page = archive.ensure_page(
            "https://x.org/a", "src", "page", datetime(2026, 3, 1, tzinfo=UTC)
        )
        with archive.transaction():
            version = archive.add_version(
                page.id,
                fetched_at=datetime(2026, 3, 1, tzinfo=UTC),
                raw=b"<p>The two sides</p>",
                doc=Document("https://x.org/a", "A", ()),
                rules="r",
                status=200,
                content_type="text/html",
                final_url=None,
                headers={},
            )
        path = blob_file(archive.blobs.root, version.doc_sha)
        path.write_bytes(
            zstandard.ZstdCompressor().compress(b'{"url":"u","title":"B","blocks":[]}')
        )
        with pytest.raises(Exception, match="does not match its hash"):
            archive.document(version)
    with sqlite3.connect(tmp_path / "s" / "index.sqlite") as db:
        assert db.execute("SELECT COUNT(*) FROM versions").fetchone()[0] == 1


@pytest.mark.parametrize("kind", ["listing", "feed"])
def test_a_damaged_index_answered_with_304_is_fetched_whole_next_time(
    kind: str, site: LocalSite, tmp_path: Path, runner: Callable[..., Runner]
) -> None:
    """A listing's links (its document) or a feed's items (its raw response) are read back when
    the index answers 304: damaged, they are not trusted, nothing fails, and the next check
    fetches the index whole."""
    site["/fm.html"] = VICTIM
    if kind == "listing":
        site["/index.html"] = P.mofa_listing("Relations", [("March", [("/fm.html", "FM")])])
    else:
        site["/index.html"] = state_feed([(site.url("/fm.html"), "FM", PARAS)])
    profile = "mofa" if kind == "listing" else "state"
    run = runner(
        make_config(tmp_path, [site_source(site, "/index.html", "idx", profile=profile, kind=kind)])
    )
    assert [e.type for e in run().events] == ["baseline"]
    root, version, _ = latest(tmp_path, "idx")
    truncated(blob_file(root, version.doc_sha if kind == "listing" else version.raw_sha))
    report = run()  # the index answers 304
    assert report.events == () and not report.failures, report.failures
    with Archive(tmp_path / "snapshots") as archive:
        index = archive.page(site.url("/index.html"))
        assert index is not None and index.etag is None  # its validators were dropped
    site.requests.clear()
    report = run()
    asked = [r for r in site.requests if r.path == "/index.html"]
    assert [r.headers.get("if-none-match") for r in asked] == [None]  # fetched whole
    assert report.events == () and not report.failures
