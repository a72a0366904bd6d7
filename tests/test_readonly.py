"""Commands that only read the archive (verify, history, meetings, diff, export) write nothing to
it: they work on a read-only archive, as another user, beside a running writer, and `verify` on a
full disk says it could not check rather than calling the archive damaged."""

from __future__ import annotations

import ctypes
import os
import resource
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

import monitor
from monitor.archive import Archive
from monitor.models import Event
from monitor.testing.localsite import LocalSite
from tests.support import PARAS, mofa, site_source, write_config

REPO = Path(monitor.__file__).resolve().parents[1]  # the package under test, in subprocesses too


def run_monitor(
    cwd: Path,
    *args: str,
    user: int | None = None,
    preexec: Callable[[], None] | None = None,
    python: str = sys.executable,
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [python, "-m", "monitor", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        user=user,
        preexec_fn=preexec,
    )


def make_archive(site: LocalSite, where: Path) -> str:
    """An archive of one page in two versions, made by `check-now`; returns the page's URL."""
    where.mkdir(parents=True, exist_ok=True)
    write_config(where, [site_source(site, "/fm.html", "fm")])
    site["/fm.html"] = mofa()
    assert run_monitor(where, "check-now", "--no-email").returncode == 0
    site["/fm.html"] = mofa([PARAS[0], "Closer, they said."])
    assert run_monitor(where, "check-now", "--no-email").returncode == 0
    assert not list((where / "snapshots").glob("index.sqlite-*"))  # closed cleanly
    return site.url("/fm.html")


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    where = tmp_path_factory.mktemp("archive")
    with LocalSite() as site:
        return where, make_archive(site, where)


@pytest.fixture
def archived(built: tuple[Path, str], tmp_path: Path) -> str:
    """A copy of the built archive (and its config) in `tmp_path`; returns the page's URL."""
    shutil.copytree(built[0], tmp_path, dirs_exist_ok=True)
    return built[1]


def read_commands(url: str, out: Path) -> list[tuple[str, ...]]:
    return [
        ("verify",),
        ("history", "fm"),
        ("meetings", "--json"),
        ("diff", url),
        ("export", "--json", str(out / "a.json"), "--warc", str(out / "a.warc.gz")),
    ]


def state(root: Path) -> dict[str, tuple[int, int]]:
    """Every file and directory under `root` (itself included) with its size and mtime."""
    out = {".": (0, root.stat().st_mtime_ns)}
    for path in root.rglob("*"):
        st = path.lstat()
        out[str(path.relative_to(root))] = (st.st_size if path.is_file() else 0, st.st_mtime_ns)
    return out


def test_read_commands_write_nothing(archived: str, tmp_path: Path) -> None:
    url = archived
    snapshots = tmp_path / "snapshots"
    for command in read_commands(url, tmp_path):
        before = state(snapshots)
        proc = run_monitor(tmp_path, *command)
        assert proc.returncode == 0, (command, proc.stderr)
        assert state(snapshots) == before, command  # no file written, made or removed
    assert "sound" in run_monitor(tmp_path, "verify").stdout


def without_dac_override() -> None:
    """In the child, before exec: root gives up the capabilities that let it write what file
    modes forbid (CAP_DAC_OVERRIDE, CAP_FOWNER), as any other user is."""
    libc = ctypes.CDLL(None, use_errno=True)
    for cap in (1, 3):
        if libc.prctl(24, cap, 0, 0, 0) != 0:  # PR_CAPBSET_DROP
            raise OSError(ctypes.get_errno(), "prctl(PR_CAPBSET_DROP)")


@pytest.fixture
def read_only(tmp_path: Path) -> Iterator[Callable[[Path], Callable[[], None] | None]]:
    """Makes a directory tree read-only, for this user or, as root, for a child that gives up
    root's power to ignore file modes; returns the child's preexec function."""
    made: list[Path] = []

    def make(root: Path) -> Callable[[], None] | None:
        made.append(root)
        for path in [*root.rglob("*"), root]:
            path.chmod(0o555 if path.is_dir() else 0o444)
        preexec = without_dac_override if os.geteuid() == 0 else None
        probe = f"import os, sys; sys.exit(os.access({str(root)!r}, os.W_OK))"
        try:
            writable = subprocess.run([sys.executable, "-c", probe], preexec_fn=preexec)
        except subprocess.SubprocessError as exc:
            pytest.skip(f"cannot give up root's file-mode override here: {exc}")
        if writable.returncode != 0:
            pytest.skip("chmod does not make the archive read-only here")
        return preexec

    yield make
    for root in made:
        for path in [root, *root.rglob("*")]:
            path.chmod(0o755 if path.is_dir() else 0o644)


def test_read_commands_work_on_a_read_only_archive(
    archived: str, tmp_path: Path, read_only: Callable[[Path], Callable[[], None] | None]
) -> None:
    """Every read command works on an archive nobody may write to (a read-only mount, another
    user's archive): nothing under it can be created or changed."""
    url = archived
    snapshots = tmp_path / "snapshots"
    preexec = read_only(snapshots)
    before = state(snapshots)
    for command in read_commands(url, tmp_path):
        proc = run_monitor(tmp_path, *command, preexec=preexec)
        assert proc.returncode == 0, (command, proc.stderr)
        assert "Traceback" not in proc.stderr
    assert state(snapshots) == before
    assert "sound" in run_monitor(tmp_path, "verify", preexec=preexec).stdout


def test_a_reader_beside_a_writer_sees_its_last_commit(archived: str, tmp_path: Path) -> None:
    """With a writer holding the archive open (its WAL not yet checkpointed), a read command
    reads through the WAL: it sees the writer's last commit."""
    with Archive.open(tmp_path / "snapshots") as writer:
        with writer.transaction():
            writer.add_event(
                None,
                Event("baseline", {"source": "x"}),
                datetime(2026, 3, 1, tzinfo=UTC),
                queue=False,
            )
        events = writer.stats()["events"]
        assert (tmp_path / "snapshots" / "index.sqlite-wal").stat().st_size > 0
        proc = run_monitor(tmp_path, "verify")
        assert proc.returncode == 0 and f"{events} events" in proc.stdout, proc.stdout


def leave_a_wal(snapshots: Path) -> None:
    """What a killed writer leaves: a committed transaction in the WAL, never checkpointed, and
    no `-shm` (a reader must build the WAL index again, which needs room on the disk)."""
    db = sqlite3.connect(snapshots / "index.sqlite", isolation_level=None)
    db.execute("PRAGMA wal_autocheckpoint=0")
    db.execute("INSERT INTO meta VALUES ('left-in-wal', 'x')")
    shutil.copy(snapshots / "index.sqlite-wal", snapshots / "wal.copy")
    db.close()  # checkpoints and removes the WAL: put the copy back
    (snapshots / "wal.copy").rename(snapshots / "index.sqlite-wal")
    assert not (snapshots / "index.sqlite-shm").exists()


FULL_DISK = """
set -e
mount -t tmpfs -o size=1m tmpfs "$MNT"
cp -a "$SRC"/. "$MNT"/
dd if=/dev/zero of="$MNT/filler" bs=4096 >/dev/null 2>&1 || true
cd "$MNT"
exec "$PY" -m monitor verify
"""


@pytest.mark.parametrize("wal", [False, True], ids=["closed-cleanly", "wal-to-replay"])
def test_verify_on_a_full_disk(built: tuple[Path, str], tmp_path: Path, wal: bool) -> None:
    """A real full filesystem: a 1 MB tmpfs, mounted in a user namespace (no root needed where
    unprivileged user namespaces are allowed), holding the archive, then filled up."""
    if shutil.which("unshare") is None:
        pytest.skip("no unshare")
    probe = subprocess.run(
        ["unshare", "-rm", "sh", "-c", f"mount -t tmpfs tmpfs {tmp_path}"], capture_output=True
    )
    if probe.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs in a user namespace: {probe.stderr!r}")
    shutil.copytree(built[0], tmp_path / "src")
    if wal:
        leave_a_wal(tmp_path / "src" / "snapshots")
    (tmp_path / "mnt").mkdir()
    env = {
        **os.environ,
        "PYTHONPATH": str(REPO),
        "MNT": str(tmp_path / "mnt"),
        "SRC": str(tmp_path / "src"),
        "PY": sys.executable,
    }
    proc = subprocess.run(
        ["unshare", "-rm", "sh", "-c", FULL_DISK],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
    )
    if not wal:  # reading needs no room: checked, and sound
        assert proc.returncode == 0 and "sound" in proc.stdout, proc.stderr
        return
    assert proc.returncode == 3, (proc.returncode, proc.stderr)
    assert "the disk is full" in proc.stderr
    assert "integrity could not be checked" in proc.stderr
    assert proc.stderr.count("\n") == 1 and "Traceback" not in proc.stderr


def no_room() -> None:
    resource.setrlimit(resource.RLIMIT_FSIZE, (0, 0))  # every write past byte 0 fails (EFBIG)


def test_verify_that_cannot_write_a_byte_says_it_could_not_check(
    archived: str, tmp_path: Path
) -> None:
    """The same, anywhere: a file size limit of 0 makes every write fail, as a full disk does."""
    proc = run_monitor(tmp_path, "verify", preexec=no_room)
    assert proc.returncode == 0 and "sound" in proc.stdout, proc.stderr  # needs no write
    leave_a_wal(tmp_path / "snapshots")
    proc = run_monitor(tmp_path, "verify", preexec=no_room)
    assert proc.returncode == 3, (proc.returncode, proc.stderr)
    assert "integrity could not be checked" in proc.stderr and "Traceback" not in proc.stderr
    proc = run_monitor(tmp_path, "verify")  # room again: the WAL is read, and it is sound
    assert proc.returncode == 0 and "sound" in proc.stdout, proc.stderr


def test_a_damaged_index_is_still_exit_1(archived: str, tmp_path: Path) -> None:
    index = tmp_path / "snapshots" / "index.sqlite"
    data = bytearray(index.read_bytes())
    data[4096 : 4096 * 3] = b"\xa5" * 8192  # two pages of the b-trees overwritten
    index.write_bytes(bytes(data))
    proc = run_monitor(tmp_path, "verify")
    assert proc.returncode == 1 and "Traceback" not in proc.stderr, proc.stderr


def test_an_archive_older_than_this_monitor_is_read_or_named(archived: str, tmp_path: Path) -> None:
    """A read-only open adds no column: an archive from before a column was added still
    verifies, and a command that needs the column says so in one line."""
    with sqlite3.connect(tmp_path / "snapshots" / "index.sqlite") as db:
        db.execute("ALTER TABLE meetings DROP COLUMN mode")
    assert run_monitor(tmp_path, "verify").returncode == 0
    proc = run_monitor(tmp_path, "meetings", "--json")
    assert proc.returncode == 1 and proc.stderr.count("\n") == 1, proc.stderr
    assert "older monitor (no meetings.mode)" in proc.stderr and "check-now" in proc.stderr
    assert run_monitor(tmp_path, "check-now", "--no-email").returncode in (0, 1)
    proc = run_monitor(tmp_path, "meetings", "--json")  # brought up to date by the run
    assert proc.returncode == 0 and proc.stdout.startswith("["), proc.stderr


def test_meetings_before_the_first_run_is_an_empty_list(tmp_path: Path) -> None:
    write_config(tmp_path, [{"id": "a", "url": "https://x.org/"}])
    proc = run_monitor(tmp_path, "meetings", "--json")
    assert proc.returncode == 0 and proc.stdout.strip() == "[]", proc.stderr
    assert not (tmp_path / "snapshots").exists()
