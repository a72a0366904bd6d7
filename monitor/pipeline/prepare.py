"""The CPU-bound half of checking a page — decode, normalise, digest, find the meeting, store
the blobs — as one picklable job. Small runs do it in the event loop's process; large runs hand
it to worker processes so that parsing uses the other cores while the main process fetches and
records."""

from __future__ import annotations

import asyncio
import collections
import contextlib
import functools
import gc
import logging
import multiprocessing
import multiprocessing.context
import os
import pickle
import signal
import socket
import struct
from dataclasses import dataclass, field
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


_FRAME = struct.Struct("!I")


def _serve(sock: socket.socket) -> None:
    """A worker process: read jobs, answer with what `prepare` made of them, in order, until the
    main process closes its end. SIGINT and SIGTERM are left to the main process, which finishes
    the run in order."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    gc.freeze()  # what the fork server imported is not scanned again on every collection
    with sock, sock.makefile("rb") as incoming:
        while header := incoming.read(_FRAME.size):
            job = pickle.loads(incoming.read(_FRAME.unpack(header)[0]))
            answer = pickle.dumps(prepare(job), pickle.HIGHEST_PROTOCOL)
            sock.sendall(_FRAME.pack(len(answer)) + answer)


class WorkerGone(Exception):
    """A page worker exited (killed, out of memory) with jobs outstanding."""


class _Worker:
    """One worker process and its socket, driven by the event loop: no helper threads in the
    main process to contend with the loop for the GIL (ProcessPoolExecutor's feeder and manager
    threads cost most of what its workers saved)."""

    def __init__(self, context: multiprocessing.context.ForkServerContext) -> None:
        mine, theirs = socket.socketpair()
        self.process = context.Process(target=_serve, args=(theirs,), daemon=True)
        self.process.start()
        theirs.close()
        self.sock = mine
        self.pending: collections.deque[asyncio.Future[Prepared]] = collections.deque()
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None
        self.task: asyncio.Task[None] | None = None
        self.connected: asyncio.Future[None] | None = None

    async def _connect(self) -> None:
        self.reader, self.writer = await asyncio.open_connection(sock=self.sock)
        self.task = asyncio.create_task(self._answers())

    async def submit(self, job: Job) -> Prepared:
        if self.connected is None:  # the first caller connects; the others wait for it
            self.connected = asyncio.ensure_future(self._connect())
        await self.connected
        assert self.writer is not None and self.task is not None
        if self.task.done():
            raise WorkerGone(f"page worker {self.process.pid} exited")
        frame = pickle.dumps(job, pickle.HIGHEST_PROTOCOL)
        future: asyncio.Future[Prepared] = asyncio.get_running_loop().create_future()
        self.pending.append(future)
        try:
            self.writer.write(_FRAME.pack(len(frame)) + frame)
            await self.writer.drain()
        except (ConnectionError, OSError) as exc:
            future.cancel()  # _answers() skips it
            raise WorkerGone(f"page worker {self.process.pid} exited ({exc})") from None
        return await future

    async def _answers(self) -> None:
        assert self.reader is not None
        try:
            while True:
                header = await self.reader.readexactly(_FRAME.size)
                answer = await self.reader.readexactly(_FRAME.unpack(header)[0])
                future = self.pending.popleft()
                if not future.done():
                    future.set_result(pickle.loads(answer))
        except Exception as exc:  # EOF, a reset, a garbled answer: no job may wait forever
            gone = WorkerGone(f"page worker {self.process.pid} exited ({exc!r})")
            while self.pending:
                future = self.pending.popleft()
                if not future.done():
                    future.set_exception(gone)

    async def close(self) -> None:
        """The worker reads EOF and exits; one stuck on a page is killed after 10 s."""
        if self.connected is not None:
            with contextlib.suppress(OSError):
                await self.connected
        if self.writer is not None:
            self.writer.close()
        else:
            self.sock.close()
        await asyncio.get_running_loop().run_in_executor(None, self._join)
        if self.task is not None:
            await self.task  # ends: the worker's end of the socket is closed

    def _join(self) -> None:
        self.process.join(10)
        if self.process.is_alive():
            self.process.kill()
            self.process.join()


class Preparer:
    """Prepares jobs inline, then in `workers` processes once a run is large enough."""

    def __init__(self, workers: int) -> None:
        self.workers = workers
        self.jobs = 0
        self._pool: list[_Worker] | None = None
        self._starting: asyncio.Future[list[_Worker]] | None = None
        self._broken = False
        self.pooled = 0  # jobs the workers answered

    async def __call__(self, job: Job) -> Prepared:
        self.jobs += 1
        pool = await self._pool_for_run()
        if not pool:
            return prepare(job)
        worker = min(pool, key=lambda w: len(w.pending))
        try:
            prepared = await worker.submit(job)
            self.pooled += 1
            return prepared
        except WorkerGone as exc:
            if not self._broken:
                log.warning("%s; preparing pages in-process from now on", exc)
            self._broken = True
            return prepare(job)

    async def _pool_for_run(self) -> list[_Worker] | None:
        """The workers once they are up; None while pages are still prepared in-process. They
        are started in a thread: pages go on being prepared here until they are ready."""
        if self._broken or self.workers <= 0 or self.jobs <= INLINE_JOBS:
            return None
        if self._pool is None and self._starting is None:
            self._starting = asyncio.get_running_loop().run_in_executor(None, self._spawn)
        if self._pool is None and self._starting is not None:
            if START_IN_BACKGROUND and not self._starting.done():
                return None
            try:
                self._pool = await self._starting
            except Exception as exc:  # no fork server (killed, no /dev/shm): carry on here
                log.warning("page workers could not start (%r); preparing pages in-process", exc)
                self._broken = True
            else:
                log.info("%d page workers started", len(self._pool))
        return self._pool

    def _spawn(self) -> list[_Worker]:
        # forkserver: workers are forked from a clean process that has imported this module,
        # not from one running an event loop and threads
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(["monitor.pipeline.prepare"])
        return [_Worker(context) for _ in range(self.workers)]

    async def close(self) -> None:
        starting, self._starting, self._pool = self._starting, None, None
        if starting is None:
            return
        try:
            pool = await starting
        except Exception:  # logged when it happened
            return
        await asyncio.gather(*(worker.close() for worker in pool))


def default_workers() -> int:
    return os.cpu_count() or 1
