"""Benchmark: the meeting archive scored on real, labelled records (../shared/corpus/meetings).

    python -m bench.meetings                       # the State development set
    python -m bench.meetings --feed F.rss --labels L.jsonl --out bench/results-meetings-X.json

Runs the corpus's own scorer (score.py: serves the feed on 127.0.0.1, runs `monitor check-now`
and `monitor meetings --json` through the command line only) and keeps its full result — every
miss, false meeting and wrong field — in a JSON file beside this one. Prints the scorer's table
and whether the targets of issue 11 are met: precision and recall >= 0.97; date, kind,
participants and location each right on >= 95% of found meetings; no meeting split or merged;
the check under 15 s."""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
CORPUS = HERE.parent.parent / "shared" / "corpus" / "meetings"
TARGETS = {"precision": 0.97, "recall": 0.97, "field": 0.95, "seconds": 15.0}


def verdicts(res: dict) -> list[tuple[str, bool, str]]:
    out = [
        ("precision", res["precision"] >= TARGETS["precision"], f"{res['precision']}"),
        ("recall", res["recall"] >= TARGETS["recall"], f"{res['recall']}"),
    ]
    for name, v in res["fields"].items():
        share = v["right"] / v["of"] if v["of"] else 0.0
        out.append((name, share >= TARGETS["field"], f"{v['right']}/{v['of']} = {share:.3f}"))
    out.append(("split", res["meetings_split"] == 0, str(res["meetings_split"])))
    out.append(("merged", res["meetings_merged"] == 0, str(res["meetings_merged"])))
    out.append(("seconds", res["seconds"] < TARGETS["seconds"], f"{res['seconds']} s"))
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--feed", type=Path, default=CORPUS / "state-dev.rss")
    ap.add_argument("--labels", type=Path, default=CORPUS / "state-dev.labels.jsonl")
    ap.add_argument(
        "--monitor", default=shutil.which("monitor") or str(Path(sys.executable).parent / "monitor")
    )
    ap.add_argument("--out", type=Path, default=HERE / "results-meetings-state-dev.json")
    args = ap.parse_args()
    if not (CORPUS / "score.py").exists() and not args.feed.exists():
        sys.exit(f"no corpus at {CORPUS} (../shared beside the checkout)")
    subprocess.run(
        [
            sys.executable,
            str(args.feed.parent / "score.py"),
            "--feed",
            str(args.feed),
            "--labels",
            str(args.labels),
            "--monitor",
            args.monitor,
            "--json",
            str(args.out),
        ],
        check=True,
    )
    res = json.loads(args.out.read_text())
    print("targets (issue 11):")
    for name, ok, figure in verdicts(res):
        print(f"  {'met ' if ok else 'MISS'} {name:<13} {figure}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
