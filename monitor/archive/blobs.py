"""Content-addressed, zstd-compressed blobs: written atomically, named by their SHA-256, and
checked against that name whenever they are read."""

from __future__ import annotations

import contextlib
import hashlib
import itertools
import os
import re
from pathlib import Path

import zstandard

from monitor.errors import ArchiveDamaged, ArchiveError, ArchiveUnreadable

_DIGEST = re.compile(r"[0-9a-f]{64}")
_TMP_NAMES = itertools.count()
LEVEL = 3  # zstd: ~10x faster than zlib -6 at a similar ratio on HTML
# the most a blob may decode to: a damaged frame header may claim any size, and the decoder
# allocates what it claims (pages are capped far below this by fetch.max_bytes)
MAX_DECODED = 1 << 30


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class BlobStore:
    def __init__(self, root: Path, *, fsync: bool = False, readonly: bool = False) -> None:
        self.root = root
        self.fsync = fsync
        # frames carry a checksum of their content, so most damage shows before hashing
        self._compressor = zstandard.ZstdCompressor(level=LEVEL, write_checksum=True)
        self._dirs: set[str] = set()  # fan-out directories known to exist
        self._root = os.fspath(root)
        if not readonly:
            (root / ".tmp").mkdir(parents=True, exist_ok=True)

    def path(self, digest: str) -> Path:
        if not _DIGEST.fullmatch(digest):
            raise ArchiveError(f"invalid blob name {digest!r}")
        return self.root / digest[:2] / f"{digest[2:]}.zst"

    def put(self, data: bytes) -> str:
        """Store `data` (once) and return its digest. The file appears whole or not at all; one
        already there is kept only when it is sound (a damaged one is replaced, so that no new
        version points at damage). Plain `os` calls on string paths: pathlib and
        `tempfile.mkstemp` took half of a put."""
        digest = sha256(data)
        fan, name = digest[:2], digest[2:]
        directory = f"{self._root}/{fan}"
        path = f"{directory}/{name}.zst"
        if os.path.exists(path) and self.check(digest) is None:
            return digest
        packed = self._compressor.compress(data)
        # written in one staging directory, then renamed into place: creating a file there is
        # cheap, while a first entry in each of 256 fan-out directories is not (ext4: 5-40 us
        # against 40-400 us a put). Unique among live processes; a file left by a killed
        # process of the same pid is stale.
        tmp = f"{self._root}/.tmp/{os.getpid()}-{next(_TMP_NAMES)}"
        try:
            if fan not in self._dirs:
                os.makedirs(directory, exist_ok=True)
                self._dirs.add(fan)
            try:
                fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
            except FileExistsError:
                os.unlink(tmp)
                fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
            try:
                try:
                    view = memoryview(packed)
                    while view:
                        view = view[os.write(fd, view) :]
                    if self.fsync:
                        os.fsync(fd)
                finally:
                    os.close(fd)
                os.replace(tmp, path)
            except BaseException:
                with contextlib.suppress(OSError):
                    os.unlink(tmp)
                raise
        except OSError as exc:
            raise ArchiveError(
                f"cannot write blob under {self.root}: {exc.strerror or exc}"
            ) from None
        return digest

    def clear_staging(self) -> int:
        """Remove temporary files left by a killed writer; only when no other process writes
        (the caller holds the archive's lock). Returns how many there were."""
        removed = 0
        for entry in os.scandir(f"{self._root}/.tmp"):
            with contextlib.suppress(OSError):
                os.unlink(entry.path)
                removed += 1
        return removed

    def get(self, digest: str) -> bytes:
        """The blob's bytes, only if they hash to its name: ArchiveDamaged when it is missing or
        damaged, ArchiveUnreadable when it cannot be read (permissions, I/O)."""
        path = self.path(digest)
        try:
            packed = path.read_bytes()
        except FileNotFoundError:
            raise ArchiveDamaged(f"missing blob {digest} ({path})") from None
        except OSError as exc:
            raise ArchiveUnreadable(f"cannot read blob {digest}: {exc.strerror or exc}") from None
        try:
            size = zstandard.frame_content_size(packed)
            if size > MAX_DECODED:
                raise zstandard.ZstdError(f"frame claims {size} bytes")
            data = zstandard.ZstdDecompressor().decompress(packed)
        except zstandard.ZstdError as exc:
            raise ArchiveDamaged(f"damaged blob {digest}: {exc}") from None
        if sha256(data) != digest:
            raise ArchiveDamaged(f"blob {digest} does not match its hash")
        return data

    def check(self, digest: str) -> str | None:
        """None when the blob exists and hashes right, else what is wrong with it.
        ArchiveUnreadable when it cannot be read at all (then nobody can tell)."""
        try:
            self.get(digest)
        except ArchiveDamaged as exc:
            return str(exc)
        return None
