"""Crash trials: kill `monitor check-now` with SIGKILL at random moments, then check that the
archive is sound, that every change made on the site before the kill is reported exactly once
by the following runs, and that no change is mailed in two different digests.

    python -m bench.crash_trials --trials 120          # the long run (README, Reliability)
    python -m bench.crash_trials --trials 5            # what CI runs (tests/test_crash_trials.py)

`--feed-trials N` (default 20) adds kills of a feed's runs while its items are edited, added and
moved to new links under their guid (run_feed_trials): every change reported exactly once,
nothing reported that was not made.
`--mail-trials N` (default 20) adds kills while a digest is on its way to the SMTP server
(run_mail_trials): every change mailed, and under one Message-ID only.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape as xml_escape

from monitor.demo import pages as P
from monitor.testing.localsite import LocalSite, Page
from tests.conftest import monitor
from tests.smtp import Inbox, SMTPServer

PAGES = 12


def page(i: int, tokens: list[str]) -> str:
    paras = [
        f"On March {i % 27 + 1}, the ministers met in Tokyo to discuss item {i}.",
        "They confirmed close cooperation on regional security.",
        *tokens,
    ]
    return P.mofa_page(f"Meeting record {i}", "March 2, 2026", paras, nonce=random.randint(0, 99))


def killed_within(root: Path, args: list[str], wait: float) -> bool:
    """Run `monitor ARGS` in `root` and SIGKILL it if it is still running after `wait`
    seconds; True when it was killed."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "monitor", *args],
        cwd=root,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        proc.wait(timeout=wait)
        return False
    except subprocess.TimeoutExpired:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        return True


def failed_verify(root: Path, trial: int) -> list[str]:
    """`monitor verify` after a trial: its complaint, if any."""
    check = monitor(root, "verify")
    return [f"trial {trial}: {check.stderr.strip()}"] if check.returncode != 0 else []


def run_trials(trials: int, seed: int = 1, workdir: Path | None = None) -> dict[str, Any]:
    rng = random.Random(seed)
    root = Path(workdir or tempfile.mkdtemp(prefix="monitor-crash-"))
    smtp = SMTPServer().start()
    site = LocalSite().start()
    tokens: dict[int, list[str]] = {i: [] for i in range(PAGES)}
    try:
        links = [(f"/p{i}.html", f"Record {i}") for i in range(PAGES)]
        site["/index.html"] = P.mofa_listing("Records", [("March", links)])
        for i in range(PAGES):
            site[f"/p{i}.html"] = page(i, tokens[i])
        (root / "config.yaml").write_text(
            json.dumps(
                {
                    "archive": {"dir": "snapshots", "lock_timeout": 30},
                    "reports": {"dir": "reports"},
                    "fetch": {"retries": 0, "timeout": 10, "per_host": 4},
                    "email": {
                        "host": "127.0.0.1",
                        "port": smtp.port,
                        "from": "m@example.org",
                        "to": ["a@example.org"],
                        "timeout": 10,
                    },
                    "sources": [
                        {
                            "id": "records",
                            "url": site.url("/index.html"),
                            "kind": "listing",
                            "profile": "mofa",
                        }
                    ],
                }
            )
        )
        started = time.monotonic()
        assert monitor(root, "check-now", "--json").returncode == 0
        run_time = time.monotonic() - started
        started = time.monotonic()
        monitor(root, "--version")
        startup = time.monotonic() - started
        made: list[str] = []
        kills = 0
        verify_failures: list[str] = []
        for trial in range(trials):
            for i in rng.sample(range(PAGES), rng.randint(1, 3)):
                token = f"edit{trial:04d}x{i:02d}"
                tokens[i].append(f"Revision {token} was added.")
                made.append(token)
                site[f"/p{i}.html"] = page(i, tokens[i])
            wait = rng.uniform(startup * 0.8, run_time * 1.1)
            kills += killed_within(root, ["check-now", "--json"], wait)
            verify_failures += failed_verify(root, trial)
            if rng.random() < 0.5:  # sometimes the next run happens before the next edits
                monitor(root, "check-now", "--json")
        final = monitor(root, "check-now", "--json")
        assert final.returncode == 0, final.stderr
        reports = run_reports(root)
        reported = {t: sum(told(r, t) for r in reports) for t in made}
        digests: dict[str, set[str]] = {t: set() for t in made}
        for msg in smtp.messages:
            body = str(msg.get_body(("plain",)).get_content())  # type: ignore[union-attr]
            for token in set(re.findall(r"\{\+Revision (edit\d{4}x\d{2})", body)):
                digests.setdefault(token, set()).add(str(msg["Message-ID"]))
        message_ids = [str(m["Message-ID"]) for m in smtp.messages]
        return {
            "trials": trials,
            "kills": kills,
            "changes_made": len(made),
            "corrupt_archives": len(verify_failures),
            "verify_failures": verify_failures[:5],
            "lost_changes": sorted(t for t, n in reported.items() if n == 0),
            "duplicated_changes": sorted(t for t, n in reported.items() if n > 1),
            "mailed_in_two_digests": sorted(t for t, ids in digests.items() if len(ids) > 1),
            "never_mailed": sorted(t for t in made if not digests.get(t)),
            "redelivered_same_message_id": len(message_ids) - len(set(message_ids)),
            "seconds_per_run": round(run_time, 2),
        }
    finally:
        site.stop()
        smtp.stop()


# --- feeds: items edited, added and moved under their guid ---------------------------------------

FEED_ITEMS = 8
TOKEN = re.compile(r"f(?:edit|new)\d{4}x\d{2}")
ENTRY = re.compile(r"^\* .*(?:\n  .*)*", re.MULTILINE)  # one entry of a plain-text report


@dataclass
class FeedEntry:
    guid: str
    link: str
    title: str
    paras: list[str] = field(default_factory=list)


def feed_xml(entries: list[FeedEntry], nonce: int) -> str:
    items = "".join(
        f"<item><title>{xml_escape(e.title)}</title><link>{xml_escape(e.link)}</link>"
        f'<guid isPermaLink="false">{xml_escape(e.guid)}</guid>'
        "<pubDate>Mon, 02 Mar 2026 10:00:00 +0000</pubDate><description><![CDATA["
        + "".join(f"<p>{p}</p>" for p in e.paras)
        + "]]></description></item>"
        for e in entries
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>Releases'
        f"</title><lastBuildDate>Mon, 02 Mar 2026 10:{nonce % 60:02d}:00 +0000</lastBuildDate>"
        f"{items}</channel></rss>"
    )


def told(text: str, token: str) -> int:
    """How many times a report or digest tells `token` as an insertion (`{+…+}`): an earlier
    revision quoted as the sentence before a later one is context, not the change again. A new
    feed item's token is its page's title: counted wherever it stands."""
    if token.startswith("fnew"):
        return text.count(token)
    return len(re.findall(r"\{\+[^{}]*" + re.escape(token) + r"[^{}]*\+\}", text))


def run_reports(root: Path) -> list[str]:
    """The plain-text twins of every run's report."""
    return [p.read_text(encoding="utf-8") for p in (root / "reports").glob("run-*.txt")]


def invented_entries(reports: list[str], made: set[str]) -> list[str]:
    """Report entries (a revised page, a new page, a meeting ...) that carry no change made on
    the site: a baseline line is the only entry allowed without one."""
    out = []
    for text in reports:
        for entry in ENTRY.findall(text):
            if "archive initialised" in entry:
                continue
            if not set(TOKEN.findall(entry)) & made or "[-" in entry:
                out.append(entry.splitlines()[0])
    return out


def run_feed_trials(trials: int, seed: int = 1, workdir: Path | None = None) -> dict[str, Any]:
    """Kill `check-now` at random moments while a feed's items are edited, added and moved to a
    new link under their guid; then the archive must verify and every change made on the site
    be reported exactly once by the following runs, nothing else."""
    rng = random.Random(seed)
    root = Path(workdir or tempfile.mkdtemp(prefix="monitor-crash-feed-"))
    site = LocalSite().start()
    entries = [
        FeedEntry(f"post-{i}", site.url(f"/item{i}/v0/"), f"Release {i}", [f"Release {i} text."])
        for i in range(FEED_ITEMS)
    ]
    fresh: list[FeedEntry] = []  # items added during the trials, newest first; never edited
    try:

        def publish(nonce: int) -> None:
            text = feed_xml(fresh + entries, nonce)
            site["/feed/"] = Page(text, content_type="application/rss+xml")

        publish(0)
        (root / "config.yaml").write_text(
            json.dumps(
                {
                    "archive": {"dir": "snapshots", "lock_timeout": 30},
                    "reports": {"dir": "reports"},
                    "fetch": {"retries": 0, "timeout": 10},
                    "sources": [
                        {"id": "feed", "url": site.url("/feed/"), "kind": "feed"},
                    ],
                }
            )
        )
        started = time.monotonic()
        assert monitor(root, "check-now", "--no-email").returncode == 0
        run_time = time.monotonic() - started
        started = time.monotonic()
        monitor(root, "--version")
        startup = time.monotonic() - started
        made: list[str] = []
        kills = added = moved = 0
        verify_failures: list[str] = []
        for trial in range(trials):
            for i in rng.sample(range(FEED_ITEMS), rng.randint(1, 3)):
                token = f"fedit{trial:04d}x{i:02d}"
                entries[i].paras.append(f"Revision {token} was added.")
                made.append(token)
                if rng.random() < 0.2:  # a new link under the same guid
                    entries[i].link = site.url(f"/item{i}/v{trial + 1}/")
                    moved += 1
            if rng.random() < 0.5:
                token = f"fnew{trial:04d}x00"
                fresh.insert(0, FeedEntry(f"new-{trial}", site.url(f"/n{trial}/"), token))
                made.append(token)
                added += 1
            publish(trial + 1)
            wait = rng.uniform(startup * 0.8, run_time * 1.1)
            kills += killed_within(root, ["check-now", "--no-email"], wait)
            verify_failures += failed_verify(root, trial)
            if rng.random() < 0.5:  # sometimes the next run happens before the next edits
                monitor(root, "check-now", "--no-email")
        final = monitor(root, "check-now", "--no-email")
        assert final.returncode == 0, final.stderr
        reports = run_reports(root)
        reported = {t: sum(told(r, t) for r in reports) for t in made}
        return {
            "trials": trials,
            "kills": kills,
            "edits_made": len(made) - added,
            "items_added": added,
            "links_moved": moved,
            "corrupt_archives": len(verify_failures),
            "verify_failures": verify_failures[:5],
            "lost_changes": sorted(t for t, n in reported.items() if n == 0),
            "duplicated_changes": sorted(t for t, n in reported.items() if n > 1),
            "invented_changes": invented_entries(reports, set(made))[:20],
            "seconds_per_run": round(run_time, 2),
        }
    finally:
        site.stop()


def feed_trials_bad(result: dict[str, Any]) -> bool:
    return bool(
        result["corrupt_archives"]
        or result["lost_changes"]
        or result["duplicated_changes"]
        or result["invented_changes"]
    )


# --- mail: kills while a digest is on its way to the SMTP server ---------------------------------

MAIL_PAGES = 4
MAIL_TOKEN = re.compile(r"\{\+Revision (medit\d{4}x\d{2})")  # told as a change, not as context


class SlowInbox(Inbox):
    """Says when a client starts a message (MAIL FROM) and takes a random while to accept it,
    so that a kill lands before, during or after the server's acceptance."""

    def __init__(self, rng: random.Random, accept_within: float) -> None:
        super().__init__()
        self.rng = rng
        self.accept_within = accept_within
        self.started = threading.Event()
        self.gate: threading.Event | None = None  # when set up: accept only once it opens

    async def handle_MAIL(
        self, server: Any, session: Any, envelope: Any, address: str, options: list[str]
    ) -> str:
        envelope.mail_from = address
        envelope.mail_options.extend(options)
        self.started.set()
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.gate is not None:
            await asyncio.to_thread(self.gate.wait)
        else:
            await asyncio.sleep(self.rng.uniform(0, self.accept_within))
        return await super().handle_DATA(server, session, envelope)


def run_mail_trials(
    trials: int, seed: int = 1, workdir: Path | None = None, *, held: bool = False
) -> dict[str, Any]:
    """Kill `check-now` with SIGKILL at a random moment after it has begun handing a digest to
    the SMTP server (before, while or after the server accepts it, before or after the outbox
    records that), with new changes made before the next run. Every change must then be mailed,
    and under one Message-ID only: a digest sent again after a kill is the same message.
    `held`: the server holds each message until the client is killed, then accepts it — every
    trial lands in the window between the server's acceptance and the outbox's record (for CI:
    no timing involved)."""
    rng = random.Random(seed)
    root = Path(workdir or tempfile.mkdtemp(prefix="monitor-crash-mail-"))
    smtp = SMTPServer()
    inbox = smtp.inbox = SlowInbox(random.Random(seed + 1), accept_within=0.3)
    smtp.start()
    site = LocalSite().start()
    tokens: dict[int, list[str]] = {i: [] for i in range(MAIL_PAGES)}
    try:
        for i in range(MAIL_PAGES):
            site[f"/m{i}.html"] = page(i, tokens[i])
        (root / "config.yaml").write_text(
            json.dumps(
                {
                    "archive": {"dir": "snapshots", "lock_timeout": 30},
                    "reports": {"dir": "reports"},
                    "fetch": {"retries": 0, "timeout": 10},
                    "email": {
                        "host": "127.0.0.1",
                        "port": smtp.port,
                        "from": "m@example.org",
                        "to": ["a@example.org"],
                        "timeout": 10,
                    },
                    "sources": [
                        {"id": f"m{i}", "url": site.url(f"/m{i}.html"), "profile": "mofa"}
                        for i in range(MAIL_PAGES)
                    ],
                }
            )
        )
        assert monitor(root, "check-now").returncode == 0  # the baseline: no mail
        made: list[str] = []
        kills = 0
        verify_failures: list[str] = []
        for trial in range(trials):
            for i in rng.sample(range(MAIL_PAGES), rng.randint(1, 2)):
                token = f"medit{trial:04d}x{i:02d}"
                tokens[i].append(f"Revision {token} was added.")
                made.append(token)
                site[f"/m{i}.html"] = page(i, tokens[i])
            inbox.started.clear()
            inbox.gate = threading.Event() if held else None
            proc = subprocess.Popen(
                [sys.executable, "-m", "monitor", "check-now"],
                cwd=root,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            while proc.poll() is None and not inbox.started.wait(0.01):
                pass
            try:  # the digest is on its way: kill at a random moment from here
                proc.wait(timeout=0 if held else rng.uniform(0, 0.6))
            except subprocess.TimeoutExpired:
                proc.send_signal(signal.SIGKILL)
                kills += 1
            proc.wait()
            if inbox.gate is not None:
                inbox.gate.set()  # the server accepts what the dead client sent
                inbox.gate = None
            verify_failures += failed_verify(root, trial)
        for _ in range(2):  # the runs after the last kill deliver what is left
            final = monitor(root, "check-now")
            assert final.returncode == 0, final.stderr
        reports = run_reports(root)
        reported = {t: sum(told(r, t) for r in reports) for t in made}
        ids: dict[str, set[str]] = {t: set() for t in made}
        for msg in smtp.messages:
            body = str(msg.get_body(("plain",)).get_content())  # type: ignore[union-attr]
            for token in set(MAIL_TOKEN.findall(body)):
                ids.setdefault(token, set()).add(str(msg["Message-ID"]))
        message_ids = [str(m["Message-ID"]) for m in smtp.messages]
        return {
            "trials": trials,
            "kills": kills,
            "changes_made": len(made),
            "digests_received": len(message_ids),
            "corrupt_archives": len(verify_failures),
            "verify_failures": verify_failures[:5],
            "lost_changes": sorted(t for t, n in reported.items() if n == 0),
            "duplicated_changes": sorted(t for t, n in reported.items() if n > 1),
            "never_mailed": sorted(t for t in made if not ids.get(t)),
            "mailed_under_two_ids": sorted(t for t, i in ids.items() if len(i) > 1),
            "resent_same_message_id": len(message_ids) - len(set(message_ids)),
        }
    finally:
        site.stop()
        smtp.stop()


def mail_trials_bad(result: dict[str, Any]) -> bool:
    return bool(
        result["corrupt_archives"]
        or result["lost_changes"]
        or result["duplicated_changes"]
        or result["never_mailed"]
        or result["mailed_under_two_ids"]
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=120)
    parser.add_argument("--feed-trials", type=int, default=20, help="kills of a feed's runs")
    parser.add_argument(
        "--mail-trials", type=int, default=20, help="kills while a digest is being mailed"
    )
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", type=Path, default=None, help="also write the result here")
    args = parser.parse_args()
    result = run_trials(args.trials, args.seed)
    if args.feed_trials:
        result["feeds"] = run_feed_trials(args.feed_trials, args.seed)
    if args.mail_trials:
        result["mail"] = run_mail_trials(args.mail_trials, args.seed)
    text = json.dumps(result, indent=2)
    print(text)
    if args.out:
        args.out.write_text(text + "\n")
    bad = (
        result["corrupt_archives"]
        or result["lost_changes"]
        or result["duplicated_changes"]
        or result["mailed_in_two_digests"]
        or result["never_mailed"]
        or ("feeds" in result and feed_trials_bad(result["feeds"]))
        or ("mail" in result and mail_trials_bad(result["mail"]))
    )
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
