"""Crash trials: kill `monitor check-now` with SIGKILL at random moments, then check that the
archive is sound, that every change made on the site before the kill is reported exactly once
by the following runs, and that no change is mailed in two different digests.

    python -m bench.crash_trials --trials 120          # the long run (README, Reliability)
    python -m bench.crash_trials --trials 5            # what CI runs (tests/test_crash_trials.py)
"""

from __future__ import annotations

import argparse
import json
import random
import re
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from monitor.demo import pages as P
from monitor.localsite import LocalSite
from tests.conftest import monitor
from tests.smtp import SMTPServer

PAGES = 12


def page(i: int, tokens: list[str]) -> str:
    paras = [
        f"On March {i % 27 + 1}, the ministers met in Tokyo to discuss item {i}.",
        "They confirmed close cooperation on regional security.",
        *tokens,
    ]
    return P.mofa_page(f"Meeting record {i}", "March 2, 2026", paras, nonce=random.randint(0, 99))


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
        verify_failures = []
        for trial in range(trials):
            for i in rng.sample(range(PAGES), rng.randint(1, 3)):
                token = f"edit{trial:04d}x{i:02d}"
                tokens[i].append(f"Revision {token} was added.")
                made.append(token)
                site[f"/p{i}.html"] = page(i, tokens[i])
            proc = subprocess.Popen(
                [sys.executable, "-m", "monitor", "check-now", "--json"],
                cwd=root,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            try:
                proc.wait(timeout=rng.uniform(startup * 0.8, run_time * 1.1))
            except subprocess.TimeoutExpired:
                proc.send_signal(signal.SIGKILL)
                kills += 1
            proc.wait()
            check = monitor(root, "verify")
            if check.returncode != 0:
                verify_failures.append(f"trial {trial}: {check.stderr.strip()}")
            if rng.random() < 0.5:  # sometimes the next run happens before the next edits
                monitor(root, "check-now", "--json")
        final = monitor(root, "check-now", "--json")
        assert final.returncode == 0, final.stderr
        reports = [p.read_text(encoding="utf-8") for p in (root / "reports").glob("run-*.txt")]
        reported = {t: sum(r.count(t) for r in reports) for t in made}
        digests: dict[str, set[str]] = {t: set() for t in made}
        for msg in smtp.messages:
            body = str(msg.get_body(("plain",)).get_content())  # type: ignore[union-attr]
            for token in set(re.findall(r"edit\d{4}x\d{2}", body)):
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=120)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", type=Path, default=None, help="also write the result here")
    args = parser.parse_args()
    result = run_trials(args.trials, args.seed)
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
    )
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
