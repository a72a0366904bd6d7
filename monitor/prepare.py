"""The CPU-bound half of checking a page — decode, normalise, digest, find the meeting, store
the blobs — as one picklable job. Small runs do it in the event loop's process; large runs hand
it to worker processes so that parsing uses the other cores while the main process fetches and
records."""

from __future__ import annotations

import asyncio
import concurrent.futures
import functools
import logging
import multiprocessing
import os
import signal
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import orjson

from monitor import meetings
from monitor.archive import canonical, text_digest
from monitor.blobs import BlobStore
from monitor.decode import decode, is_text
from monitor.errors import ArchiveError, ContentError
from monitor.models import Document, Meeting
from monitor.normalise import normalise
from monitor.sites import PROFILES

log = logging.getLogger(__name__)

# A run starts its workers only after this many pages: starting them costs ~0.5 s, which a page
# saves ~2 ms of (bench/RESULTS.md), so small runs and quiet re-checks never wait for them.
INLINE_JOBS = 200


@dataclass(frozen=True)
class Job:
    url: str
    body: bytes  # decoded in the worker: a page crosses the pipe once, as bytes
    content_type: str
    profile: str  # a name in PROFILES
    selector: str | None
    ignore: tuple[str, ...]
    unchanged_sha: str | None  # the previous version's text digest, made under the same rules
    blobs: str  # the blob store's directory
    fsync: bool


@dataclass
class Prepared:
    """A page as the pipeline records it. When its digest equals `Job.unchanged_sha` only the
    title and the digest are filled in; otherwise the blobs are already stored and the meeting
    already looked for."""

    title: str
    text_sha: str
    encoding: str | None = None
    stored: tuple[str, str] | None = None  # (raw digest, document digest) in the blob store
    meeting: Meeting | Literal[False] | None = False  # False: not looked for
    not_content: str | None = None  # why the page is not content: an error page, a lost layout
    store_error: str | None = None  # why the blobs could not be stored: a full disk
    _doc: Document | None = field(default=None, repr=False)

    @classmethod
    def of(cls, doc: Document) -> Prepared:
        """A document normalised in this process (listings, feed items, renormalised pages)."""
        return cls(doc.title, text_digest(doc), _doc=doc)

    def document(self, blobs: BlobStore) -> Document:
        """The document, read back from the blob store when a worker stored it (only a changed
        page's is needed again, to diff it)."""
        if self._doc is None:
            if self.stored is None:
                raise ValueError("an unchanged page's document is not kept")
            self._doc = Document.from_json(orjson.loads(blobs.get(self.stored[1])))
        return self._doc


@functools.lru_cache(maxsize=8)
def _store(root: str, fsync: bool) -> BlobStore:
    return BlobStore(Path(root), fsync=fsync)


def prepare(job: Job) -> Prepared:
    """Run in a worker process or inline; never raises for a bad page or a full disk."""
    text, encoding = decode(job.body, job.content_type) if is_text(job.content_type) else ("", None)
    try:
        doc = normalise(
            job.body,
            text,
            job.content_type,
            job.url,
            PROFILES[job.profile],
            selector=job.selector,
            ignore=job.ignore,
        )
    except ContentError as exc:
        return Prepared("", "", not_content=str(exc))
    sha = text_digest(doc)
    if sha == job.unchanged_sha:
        return Prepared(doc.title, sha, encoding)
    try:
        store = _store(job.blobs, job.fsync)
        stored = (store.put(job.body), store.put(canonical(doc)))
    except ArchiveError as exc:
        return Prepared(doc.title, sha, encoding, store_error=str(exc))
    return Prepared(doc.title, sha, encoding, stored, meetings.extract_meeting(doc))


def _quiet_worker() -> None:
    """Workers leave SIGINT and SIGTERM to the main process, which finishes the run in order."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)


class Preparer:
    """Prepares jobs inline, then in `workers` processes once a run is large enough."""

    def __init__(self, workers: int, inline_jobs: int | None = None) -> None:
        self.workers = workers
        self.inline_jobs = INLINE_JOBS if inline_jobs is None else inline_jobs
        self.jobs = 0
        self._pool: concurrent.futures.ProcessPoolExecutor | None = None
        self._broken = False

    async def __call__(self, job: Job) -> Prepared:
        self.jobs += 1
        pool = self._pool_for_run()
        if pool is None:
            return prepare(job)
        try:
            return await asyncio.get_running_loop().run_in_executor(pool, prepare, job)
        except concurrent.futures.BrokenExecutor as exc:  # a worker was killed (OOM, signal)
            if not self._broken:
                log.warning("page workers stopped (%s); preparing pages in-process", exc)
            self._broken = True
            return prepare(job)

    def _pool_for_run(self) -> concurrent.futures.ProcessPoolExecutor | None:
        if self._broken or self.workers <= 0 or self.jobs <= self.inline_jobs:
            return None
        if self._pool is None:
            # forkserver: workers are forked from a clean process that has imported this module,
            # not from one running an event loop and threads
            context = multiprocessing.get_context("forkserver")
            context.set_forkserver_preload(["monitor.prepare"])
            self._pool = concurrent.futures.ProcessPoolExecutor(
                self.workers, mp_context=context, initializer=_quiet_worker
            )
        return self._pool

    @property
    def started(self) -> bool:
        return self._pool is not None

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None


def default_workers() -> int:
    return os.cpu_count() or 1
