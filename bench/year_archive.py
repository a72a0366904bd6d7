"""The archive a year of 6-hourly checks leaves (`bench.year` measures it): 500 pages (3
listings and 497 meeting pages, a fifth of them Japanese), 1,460 runs, ~5% of the pages revised
each week, 300 meetings with one or two sources each. Written through the archive API with an
injected clock, with the rows a real run leaves: runs, checks (quiet ones batched as the pipeline
batches them), versions over their blobs (pages normalised by the real normaliser), events,
meetings with their sources."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from typing import Any

from bench.site import POOL
from monitor.archive import Archive
from monitor.archive.meetings import record_meeting
from monitor.demo import pages as P
from monitor.events import Baseline, PageAdded, PageChanged
from monitor.models import Document, Link, Meeting
from monitor.normalise import listing_document, normalise, rules_key
from monitor.sites import profile_for

HOST = "http://127.0.0.1:9"  # never fetched: the archive is written directly
RUNS, PAGES, MEETINGS, AT_START = 1460, 500, 300, 200  # AT_START item pages at the baseline
WEEKLY_REVISED = 0.05
START = datetime(2025, 12, 1, 0, 0, tzinfo=UTC)
SOURCES = {  # id: (listing path, profile, share of the item pages)
    "mofa": ("/mofa/index.html", "mofa", 0.5),
    "mofa-ja": ("/mofaj/index.html", "mofa-ja", 0.2),
    "state": ("/state/index.html", "state", 0.3),
}
JA_TEXT = (
    "日米 同盟 安全保障 協力 外相 会談 防衛 大臣 国務長官 確認 地域 平和 安定 抑止力 "
    "経済 連携 強化 一致 意見交換 北朝鮮 中国 情勢 自由で開かれたインド太平洋 尖閣諸島"
)
JA_WORDS = JA_TEXT.split()


class Year:
    """The archive written run by run: pages appear, some are revised, the rest checked."""

    def __init__(self, archive: Archive, runs: int = RUNS, seed: int = 1) -> None:
        self.archive = archive
        self.runs = runs
        self.rng = random.Random(seed)
        self.ids: dict[int, int] = {}  # item page number -> page id
        self.paras: dict[int, list[str]] = {}
        self.sources = [
            sid for sid, (_, _, share) in SOURCES.items() for _ in range(int(share * 10))
        ]
        self.listings: dict[str, int] = {}
        self.versions = 0
        self.now = START

    def source(self, i: int) -> str:
        return self.sources[i % len(self.sources)]

    def url(self, i: int) -> str:
        return f"{HOST}/{self.source(i)}/p{i:03d}.html"

    def appears(self, i: int) -> int:
        """The run in which item page `i` first appears."""
        later = PAGES - len(SOURCES) - AT_START
        return 0 if i < AT_START else 1 + (i - AT_START) * (self.runs - 2) // later

    def meeting(self, i: int) -> Meeting:
        """Page `i`'s meeting: pages i and i + 300 report the same one, on the day the first
        appeared (the baseline's meetings: every other day of the year before)."""
        m = i % MEETINGS
        when = START + timedelta(hours=6 * self.appears(m))
        day = (when - timedelta(days=2 * (AT_START - m)) if m < AT_START else when).date()
        kind = ("foreign-ministers", "defense-ministers", "summit", "telephone-talk")[m % 4]
        return Meeting(
            id=f"{day.isoformat()}-{kind}",
            date=day.isoformat(),
            kind=kind,  # type: ignore[arg-type]
            title=f"Japan-U.S. {kind.replace('-', ' ').title()} No. {m}",
            location=None if kind == "telephone-talk" else ("Tokyo", "Washington")[m % 2],
            participants=(f"Aoki{m:03d}", f"Baker{m:03d}"),
            sources=(self.url(i),),
            mode="telephone" if kind == "telephone-talk" else "in-person",
        )

    def raw(self, i: int) -> bytes:
        sid, paras, title = self.source(i), self.paras[i], f"Japan-U.S. Meeting No. {i % MEETINGS}"
        if sid == "mofa-ja":
            html = P.mofa_page(f"日米会談 第{i % MEETINGS}回", "令和8年1月1日", paras, lang="ja")
        elif sid == "state":
            html = P.state_page(title, "Readout", "January 1, 2026", paras)
        else:
            html = P.mofa_page(title, "January 1, 2026", paras)
        return html.encode()

    def text(self, i: int) -> list[str]:
        if self.source(i) == "mofa-ja":
            return [
                "".join(self.rng.choices(JA_WORDS, k=self.rng.randint(40, 120))) + "。"
                for _ in range(self.rng.randint(4, 10))
            ]
        paras = [POOL[self.rng.randrange(len(POOL))] for _ in range(self.rng.randint(3, 8))]
        if i % 7 == 0:
            paras.append(f"The ministers discussed the Senkaku Islands (page {i}).")
        return paras

    def store(self, page_id: int, url: str, profile: str, raw: bytes, doc: Document) -> Any:
        self.versions += 1
        return self.archive.add_version(
            page_id,
            fetched_at=self.now,
            raw=raw,
            doc=doc,
            rules=rules_key(profile_for(url, profile), None, []),
            status=200,
            content_type="text/html; charset=UTF-8",
            final_url=url,
            headers={"content-type": "text/html; charset=UTF-8", "etag": f'"{self.versions}"'},
        )

    def page_version(self, i: int) -> Any:
        url, profile = self.url(i), SOURCES[self.source(i)][1]
        raw = self.raw(i)
        doc = normalise(raw, raw.decode(), "text/html", url, profile_for(url, profile))
        return self.store(self.ids[i], url, profile, raw, doc), doc.title

    def listing_version(self, run_id: int, sid: str, r: int) -> None:
        path, profile, _ = SOURCES[sid]
        items = [i for i in range(PAGES - len(SOURCES)) if self.appears(i) <= r]
        links = [(self.url(i), f"Meeting page {i}") for i in items if self.source(i) == sid]
        url = HOST + path
        if sid == "state":
            raw = P.state_listing(sid, links)
        else:
            raw = P.mofa_listing(sid, [("", links)], lang="ja" if sid == "mofa-ja" else "en")
        doc = listing_document(url, sid, [Link(u, t) for u, t in links])
        self.store(self.listings[sid], url, profile, raw.encode(), doc)
        self.archive.record_check(self.listings[sid], run_id, self.now, "new-version")

    def run(self, r: int, quiet: bool = False) -> None:
        a = self.archive
        self.now = now = START + timedelta(hours=6 * r)
        run_id = a.start_run(now)
        new = [] if quiet else [i for i in range(PAGES - len(SOURCES)) if self.appears(i) == r]
        changed = [] if quiet or r == 0 else self.revised(r)
        with a.transaction():
            if r == 0:
                self.baseline(now)
            for i in new:
                self.add_page(r, run_id, i, now)
            listed = {self.source(i) for i in new}
            for sid in listed:
                self.listing_version(run_id, sid, r)
            for i in changed:
                self.revise(run_id, i, now)
        for i, page_id in self.ids.items():
            if i not in changed and i not in new:
                a.record_quiet_check(page_id, run_id, now, "not-modified")
        for sid, page_id in self.listings.items():
            if sid not in listed:
                a.record_quiet_check(page_id, run_id, now, "unchanged", (None, None, sid))
        a.flush_checks()
        with a.transaction():
            events = [e.id for e in a.unreported_events() if e.id is not None]
            a.mark_reported(events, run_id)
            a.finish_run(run_id, now + timedelta(seconds=40), f"reports/run-{run_id}.html")

    def baseline(self, now: datetime) -> None:
        for sid, (path, _, _) in SOURCES.items():
            self.archive.ensure_source(sid, HOST + path, "listing")
            self.listings[sid] = self.archive.ensure_page(HOST + path, sid, "listing", now).id
            self.archive.set_baseline(sid, now)
        for sid in SOURCES:
            items = [i for i in range(AT_START) if self.source(i) == sid]
            self.archive.add_event(None, Baseline(sid, len(items), len(items)), now, queue=False)

    def add_page(self, r: int, run_id: int, i: int, now: datetime) -> None:
        a, sid = self.archive, self.source(i)
        self.ids[i] = a.ensure_page(self.url(i), sid, "page", now).id
        self.paras[i] = self.text(i)
        version, title = self.page_version(i)
        a.record_check(self.ids[i], run_id, now, "new-version")
        site = SOURCES[sid][1]
        event = record_meeting(a, self.meeting(i), sid, now, site)
        if r:
            a.add_event(run_id, PageAdded(sid, self.url(i), title), now, version_id=version.id)
            if event is not None:
                a.add_event(run_id, event, now)

    def revised(self, r: int) -> list[int]:
        chance = WEEKLY_REVISED / 28  # 28 checks a week
        return [i for i in self.ids if self.rng.random() < chance]

    def revise(self, run_id: int, i: int, now: datetime) -> None:
        a, paras = self.archive, self.paras[i]
        at = self.rng.randrange(len(paras))
        if self.source(i) == "mofa-ja":
            cut = self.rng.randrange(len(paras[at]))
            paras[at] = paras[at][:cut] + "再確認" + paras[at][cut:]
        else:
            words = paras[at].split(" ")
            words[self.rng.randrange(len(words))] = self.rng.choice(("firmly", "closely"))
            paras[at] = " ".join(words)
        previous = a.latest_version(self.ids[i])
        version, title = self.page_version(i)
        a.record_check(self.ids[i], run_id, now, "new-version")
        changed = PageChanged(self.source(i), self.url(i), title, 1, 1, False, ())
        a.add_event(
            run_id,
            changed,
            now,
            version_id=version.id,
            old_version_id=previous.id if previous else None,
        )
