"""The CPU-bound half of checking a page — decode, normalise, digest, find the meeting, store
the blobs — as one picklable job. Small runs do it in the event loop's process; with `workers`
set, large runs hand it to a ProcessPoolExecutor so that parsing uses the other cores while the
main process fetches and records."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import gc
import logging
import multiprocessing
import os
import signal
import threading
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Literal

import orjson

from monitor import meetings
from monitor.archive import canonical, text_digest
from monitor.archive.blobs import BlobStore
from monitor.errors import ArchiveError, ContentError
from monitor.fetch.decode import decode_text
from monitor.models import Document, Meeting
from monitor.normalise import normalise
from monitor.sites import PROFILES

log = logging.getLogger(__name__)

# A run starts its workers once it has prepared this many pages itself: small runs and quiet
# re-checks never pay for a fork server and its workers (~0.5 s of CPU, ~60 MB).
INLINE_JOBS = 100
START_IN_BACKGROUND = True  # False: wait for the workers once they are asked for (tests)


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
    def of(cls, doc: Document, encoding: str | None = None) -> Prepared:
        """A document normalised in this process (listings, feed items, renormalised pages)."""
        return cls(doc.title, text_digest(doc), encoding, _doc=doc)

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
    text, encoding = decode_text(job.body, job.content_type)
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
    return Prepared(doc.title, sha, encoding, stored, meetings.extract_meeting(doc, job.profile))


def _worker_started(lifeline: Connection) -> None:
    """In each worker: Ctrl-C (SIGINT to the terminal's group) is left to the main process, which
    finishes the run in order; SIGTERM ends the worker (the run goes on in-process). A worker
    exits as soon as the main process is gone, however it went (its end of `lifeline` reads
    EOF): the pool's own queues cannot tell, and a killed monitor must leave nothing behind.
    What the fork server imported is not scanned again on every collection."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    threading.Thread(target=_exit_with_main, args=(lifeline,), daemon=True).start()
    gc.freeze()


def _exit_with_main(lifeline: Connection) -> None:
    with contextlib.suppress(EOFError, OSError):
        lifeline.recv()
    os._exit(0)


def _start_pool(workers: int, lifeline: Connection) -> ProcessPoolExecutor:
    """The pool with its workers running. forkserver: workers are forked from a clean process
    that has imported this module, not from one running an event loop and threads."""
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["monitor.pipeline.prepare"])
    pool = ProcessPoolExecutor(
        workers, mp_context=context, initializer=_worker_started, initargs=(lifeline,)
    )
    for ready in [pool.submit(os.getpid) for _ in range(workers)]:
        ready.result()
    return pool


class Preparer:
    """Prepares jobs inline, then in `workers` processes once a run is large enough. The pool is
    started in a thread while the first pages go on being prepared here; a pool that breaks (a
    worker killed, out of memory) leaves the rest of the run to this process."""

    def __init__(self, workers: int) -> None:
        self.workers = workers
        self.jobs = 0
        self.pooled = 0  # jobs the workers answered
        self._starting: asyncio.Future[ProcessPoolExecutor] | None = None
        self._pool: ProcessPoolExecutor | None = None
        self._broken = False
        self._lifeline: Connection | None = None  # closed (or lost with this process): they exit

    async def __call__(self, job: Job) -> Prepared:
        self.jobs += 1
        pool = await self._pool_for_run()
        if pool is None:
            return prepare(job)
        try:
            prepared = await asyncio.get_running_loop().run_in_executor(pool, prepare, job)
        except BrokenProcessPool as exc:
            if not self._broken:
                log.warning("page workers exited (%s); preparing pages in-process", exc)
            self._broken = True
            return prepare(job)
        self.pooled += 1
        return prepared

    async def _pool_for_run(self) -> ProcessPoolExecutor | None:
        """The pool once it is up; None while pages are still prepared in-process."""
        if self._broken or self.workers <= 0 or self.jobs <= INLINE_JOBS:
            return None
        if self._starting is None:
            theirs, self._lifeline = multiprocessing.Pipe(duplex=False)
            loop = asyncio.get_running_loop()
            self._starting = loop.run_in_executor(None, _start_pool, self.workers, theirs)
        if self._pool is None:
            if START_IN_BACKGROUND and not self._starting.done():
                return None
            try:
                self._pool = await self._starting
            except Exception as exc:  # no fork server (killed, no /dev/shm): carry on here
                log.warning("page workers could not start (%r); preparing pages in-process", exc)
                self._broken = True
                return None
            log.info("%d page workers started", self.workers)
        return self._pool

    async def close(self) -> None:
        """Waits for the pool to start if it was starting, then for its workers to exit."""
        starting, self._starting, self._pool = self._starting, None, None
        if starting is None:
            return
        try:
            pool = await starting
        except Exception:  # logged when it happened
            return
        finally:
            if self._lifeline is not None:
                self._lifeline.close()
        await asyncio.get_running_loop().run_in_executor(None, pool.shutdown)


def default_workers() -> int:
    return os.cpu_count() or 1
