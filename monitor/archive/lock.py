"""The process lock of an archive directory: one writer at a time, and who it is.

The holder writes its pid, its command and when it took the lock into the lock file (one JSON
object), so that a second writer can say at once whom it is waiting for."""

from __future__ import annotations

import fcntl
import json
import logging
import os
import sys
import time
from datetime import UTC, datetime, tzinfo
from pathlib import Path

from monitor.errors import ArchiveError

log = logging.getLogger(__name__)


def command_name(argv: list[str] | None = None) -> str:
    """`monitor run` for `monitor -v run --config x` (or `python -m monitor run`)."""
    argv = sys.argv if argv is None else argv
    program = Path(argv[0]).name if argv and argv[0] else "python"
    if program in ("__main__.py", "-m") or program.startswith("monitor"):
        program = "monitor"
    elif program in ("-c", "-"):
        program = "python"
    words = [a for a in argv[1:] if not a.startswith("-")][:1]
    return " ".join([program, *words])


def describe(text: str, zone: tzinfo | None = None, now: datetime | None = None) -> str:
    """`pid 4242 (monitor run, since 12:03)` from a lock file's text, times in `zone` (with the
    day when not today); a lock file of an older monitor is shown as it is."""
    try:
        holder, _ = json.JSONDecoder().raw_decode(text.strip())
        pid, command = int(holder["pid"]), str(holder["command"])
        since = datetime.fromisoformat(holder["since"]).astimezone(zone)
    except (ValueError, KeyError, TypeError):
        return text.strip() or "another process"
    today = (now or datetime.now(UTC)).astimezone(zone).date()
    shown = since.strftime("%H:%M" if since.date() == today else "%Y-%m-%d %H:%M")
    return f"pid {pid} ({command}, since {shown})"


class Lock:
    """An exclusive lock on an archive directory, naming its holder."""

    def __init__(self, path: Path, zone: tzinfo | None = None) -> None:
        self.path = path
        self.zone = zone  # times in messages; None: the system's
        self._fd: int | None = None

    def holder(self) -> str:
        try:
            return describe(self.path.read_text(), self.zone)
        except OSError:
            return "another process"

    def acquire(self, timeout: float = 0.0, poll: float = 0.2) -> None:
        """Take the lock, waiting up to `timeout` seconds for its holder (said at once, as a
        WARNING, naming the holder)."""
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        deadline = time.monotonic() + timeout
        told = False
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    os.close(fd)
                    raise ArchiveError(
                        f"archive {self.path.parent} is locked by {self.holder()}"
                    ) from None
                if not told:
                    log.warning(
                        "waiting for the archive lock held by %s; giving up after %d s",
                        self.holder(),
                        timeout,
                    )
                    told = True
                time.sleep(poll)
        holder = {
            "pid": os.getpid(),
            "command": command_name(),
            "since": datetime.now(UTC).isoformat(timespec="seconds"),
        }
        data = (json.dumps(holder) + "\n").encode()
        os.pwrite(fd, data, 0)  # then cut: a reader never sees an empty file
        os.ftruncate(fd, len(data))
        self._fd = fd
        if told:
            log.info("archive lock taken")

    def release(self) -> None:
        if self._fd is not None:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None
