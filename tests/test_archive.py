from __future__ import annotations

import sqlite3
import subprocess
import sys
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest

from monitor.archive import Archive, text_digest, verify
from monitor.archive.blobs import sha256
from monitor.errors import ArchiveError
from monitor.models import Block, Document, Event

T = datetime(2026, 3, 1, tzinfo=UTC)


def doc(text: str) -> Document:
    return Document("https://x.org/a", "A", (Block("paragraph", text),))


def add(archive: Archive, page_id: int, text: str, raw: bytes = b"<p>raw</p>") -> int:
    with archive.transaction():
        v = archive.add_version(
            page_id,
            fetched_at=T,
            raw=raw,
            doc=doc(text),
            rules="r",
            status=200,
            content_type="text/html",
            final_url="https://x.org/a",
            headers={"etag": '"1"'},
        )
    return v.id


def test_versions_blobs_and_round_trip(tmp_path: Path) -> None:
    with Archive.open(tmp_path / "s") as archive:
        page = archive.ensure_page("https://x.org/a", "src", "page", T)
        add(archive, page.id, "one")
        add(archive, page.id, "two", raw=b"<p>raw</p>")  # same raw body: stored once
        versions = archive.versions(page.id)
        assert [v.seq for v in versions] == [1, 2]
        assert versions[0].raw_sha == versions[1].raw_sha
        assert archive.document(versions[1]) == doc("two")
        assert versions[1].text_sha == text_digest(doc("two"))
        assert archive.raw(versions[0]) == b"<p>raw</p>"
        assert verify(archive) == []
    blobs = list((tmp_path / "s" / "blobs").rglob("*.zst"))
    assert len(blobs) == 3  # one raw, two documents


def test_a_failed_transaction_leaves_nothing(tmp_path: Path) -> None:
    with Archive.open(tmp_path / "s") as archive:
        page = archive.ensure_page("https://x.org/a", "src", "page", T)
        with pytest.raises(RuntimeError), archive.transaction():
            archive.add_version(
                page.id,
                fetched_at=T,
                raw=b"r",
                doc=doc("x"),
                rules="r",
                status=200,
                content_type=None,
                final_url=None,
                headers={},
            )
            archive.add_event(1, Event("page_changed", {"source": "src"}), T)
            raise RuntimeError("crash")
        assert archive.versions(page.id) == [] and archive.unreported_events() == []
        assert archive.outbox_pending() == [] and verify(archive) == []


def test_events_are_queued_in_the_outbox(tmp_path: Path) -> None:
    with Archive.open(tmp_path / "s") as archive:
        with archive.transaction():
            eid = archive.add_event(1, Event("page_added", {"source": "s", "url": "u"}), T)
        assert [e.id for e in archive.outbox_pending()] == [eid]
        archive.mark_sent([eid], "d1", T)
        assert archive.outbox_pending() == []


def test_verify_finds_corrupt_and_missing_blobs(tmp_path: Path) -> None:
    with Archive.open(tmp_path / "s") as archive:
        page = archive.ensure_page("https://x.org/a", "src", "page", T)
        add(archive, page.id, "one")
        version = archive.versions(page.id)[0]
        path = archive.blobs.path(version.raw_sha)
        import zstandard

        path.write_bytes(zstandard.ZstdCompressor().compress(b"tampered"))
        assert any("does not match its hash" in p for p in verify(archive))
        path.unlink()
        assert any("missing blob" in p for p in verify(archive))


def test_blob_names_are_hashes_only(tmp_path: Path) -> None:
    with (
        Archive.open(tmp_path / "s") as archive,
        pytest.raises(ArchiveError, match="invalid blob name"),
    ):
        archive.blobs.path("../../etc/passwd")


def test_lock_keeps_a_second_process_out_and_names_the_holder(tmp_path: Path) -> None:
    with Archive.open(tmp_path / "s"):
        code = (
            "import sys; from pathlib import Path; from monitor.archive import Archive\n"
            "from monitor.errors import ArchiveError\n"
            f"try: Archive.open(Path({str(tmp_path / 's')!r}))\n"
            "except ArchiveError as e: print(e); sys.exit(3)\n"
        )
        proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
        assert proc.returncode == 3, proc.stderr
        assert "is locked by pid" in proc.stdout
    with Archive.open(tmp_path / "s"):
        pass  # released


def test_a_killed_writers_temporary_files_are_cleared_by_the_next_writer(tmp_path: Path) -> None:
    with Archive.open(tmp_path) as archive:
        digest = archive.blobs.put(b"kept")
    stale = tmp_path / "blobs" / ".tmp" / "4242-7"
    stale.write_bytes(b"half a blob")
    with Archive.open(tmp_path, lock=False) as reader:  # a reader never touches them
        assert stale.exists()
        assert reader.blobs.get(digest) == b"kept"
    with Archive.open(tmp_path) as archive:
        assert not stale.exists()
        assert archive.blobs.get(digest) == b"kept" and verify(archive) == []


def test_quiet_checks_are_written_in_batches(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("monitor.archive.index.QUIET_BATCH", 3)
    at = T

    def rows() -> list[tuple[object, ...]]:
        with sqlite3.connect(tmp_path / "s" / "index.sqlite") as db:  # another reader
            return db.execute("SELECT page_id, outcome FROM checks ORDER BY id").fetchall()

    with Archive.open(tmp_path / "s") as archive:
        pages = [archive.ensure_page(f"https://x.org/{n}", "src", "page", at) for n in range(4)]
        archive.record_quiet_check(pages[0].id, None, at, "not-modified")
        archive.record_quiet_check(pages[1].id, None, at, "unchanged", ('"e2"', None, "Two"))
        assert rows() == []  # held back
        archive.record_quiet_check(pages[2].id, None, at, "not-modified")
        assert len(rows()) == 3  # a full batch is written at once
        archive.record_quiet_check(pages[3].id, None, at, "not-modified")
        page = archive.page("https://x.org/1")
        assert page is not None and (page.etag, page.title) == ('"e2"', "Two")
    outcomes = [r[1] for r in rows()]  # the rest on close
    assert outcomes == ["not-modified", "unchanged", "not-modified", "not-modified"]


def test_blobs_carry_a_checksum_and_a_damaged_one_is_written_again(tmp_path: Path) -> None:
    import zstandard

    with Archive.open(tmp_path / "s") as archive:
        digest = archive.blobs.put(b"<p>The two sides</p>")
        path = archive.blobs.path(digest)
        assert zstandard.get_frame_parameters(path.read_bytes()).has_checksum
        data = bytearray(path.read_bytes())
        data[-6] ^= 0x04  # one bit of the content
        path.write_bytes(bytes(data))
        with pytest.raises(ArchiveError, match=digest):
            archive.blobs.get(digest)
        # the same content stored again replaces the damaged file instead of trusting it
        assert archive.blobs.put(b"<p>The two sides</p>") == digest
        assert archive.blobs.get(digest) == b"<p>The two sides</p>"


def test_a_frame_claiming_a_huge_size_is_refused_before_it_is_decoded(tmp_path: Path) -> None:
    import struct

    with Archive.open(tmp_path / "s") as archive:
        digest = sha256(b"x" * 100)
        path = archive.blobs.path(digest)
        path.parent.mkdir(parents=True, exist_ok=True)
        # a frame header (single segment, 8-byte content size) claiming 1 TiB
        path.write_bytes(
            b"\x28\xb5\x2f\xfd" + b"\xe0" + struct.pack("<Q", 1 << 40) + b"\x01\x00\x00"
        )
        with pytest.raises(ArchiveError, match="frame claims"):
            archive.blobs.get(digest)


def test_a_read_only_open_creates_nothing(tmp_path: Path) -> None:
    with pytest.raises(ArchiveError, match="no archive here"):
        Archive.open(tmp_path / "none", lock=False, readonly=True)
    assert not (tmp_path / "none").exists()
    with Archive.open(tmp_path / "s") as archive:
        page = archive.ensure_page("https://x.org/a", "src", "page", T)
        add(archive, page.id, "one")
    before = sorted(p.name for p in (tmp_path / "s").iterdir())
    with Archive.open(tmp_path / "s", lock=False, readonly=True) as reader:
        assert reader.document(reader.versions(page.id)[0]) == doc("one")
        assert verify(reader) == []
        with pytest.raises(ArchiveError, match="readonly"):
            reader.ensure_page("https://x.org/b", "src", "page", T)
    assert sorted(p.name for p in (tmp_path / "s").iterdir()) == before


def test_a_reader_knows_when_a_writer_came_while_it_read(tmp_path: Path) -> None:
    with Archive.open(tmp_path / "s") as archive:
        add(archive, archive.ensure_page("https://x.org/a", "src", "page", T).id, "one")
    with Archive.open(tmp_path / "s", lock=False, readonly=True) as reader:  # immutable: no WAL
        assert not reader.changed()
        with Archive.open(tmp_path / "s") as writer:
            add(writer, writer.ensure_page("https://x.org/b", "src", "page", T).id, "two")
            assert reader.changed()  # what it reads may mix two states
            with Archive.open(tmp_path / "s", lock=False, readonly=True) as through_wal:
                assert not through_wal.changed() and through_wal.stats()["versions"] == 2


def test_times_cross_as_aware_datetimes_and_are_stored_as_before(tmp_path: Path) -> None:
    tokyo = timezone(timedelta(hours=9))
    with Archive.open(tmp_path / "s") as archive:
        page = archive.ensure_page("https://x.org/a", "src", "page", T.astimezone(tokyo))
        add(archive, page.id, "one")
        with archive.transaction():
            archive.add_event(1, Event("page_added", {}), T + timedelta(microseconds=5))
            archive.update_page(page.id, failing_alerted_at=T)
        run = archive.start_run(T)
        archive.finish_run(run, T, None)
        with pytest.raises(ValueError, match="aware"):
            archive.start_run(datetime(2026, 3, 1))  # naive: refused
        (version,) = archive.versions(page.id)
        (event,) = archive.unreported_events()
        row = archive.page("https://x.org/a")
        assert row is not None
        assert row.first_seen == row.failing_alerted_at == version.fetched_at == T
        assert event.created_at == T and event.created_at.tzinfo == UTC
        assert archive.recent_runs(1)[0][1] == T
    with sqlite3.connect(tmp_path / "s" / "index.sqlite") as db:  # the stored text as before
        stored = db.execute(
            "SELECT p.first_seen, p.failing_alerted_at, v.fetched_at, e.created_at, r.started_at "
            "FROM pages p, versions v, events e, runs r"
        ).fetchone()
    assert set(stored) == {"2026-03-01T00:00:00Z"}
