"""Content-Encoding undone in bounded steps: only the encodings the fetcher offers, one layer at
most, and never more output at once than one step, so that a byte cap on the decoded body holds
against a decompression bomb (a few KB that inflate to gigabytes)."""

from __future__ import annotations

import zlib
from collections.abc import Iterator

ACCEPT_ENCODING = "gzip, deflate"  # what the fetcher offers; nothing else is decoded
STEP = 64 * 1024  # the most output one decompression call may produce

_WBITS = {"gzip": 16 + zlib.MAX_WBITS, "x-gzip": 16 + zlib.MAX_WBITS, "deflate": zlib.MAX_WBITS}


class EncodingError(ValueError):
    """A Content-Encoding the fetcher did not offer, more than one layer, or a corrupt body."""


def codings(header: str) -> list[str]:
    """The layers a Content-Encoding header names, outermost last ('identity' is no layer)."""
    return [c for c in (t.strip().lower() for t in header.split(",")) if c and c != "identity"]


class Inflater:
    """Undoes one Content-Encoding (or none) chunk by chunk, in pieces of at most STEP bytes."""

    def __init__(self, header: str) -> None:
        layers = codings(header)
        if len(layers) > 1:
            raise EncodingError(f"Content-Encoding {header.strip()!r}: more than one layer")
        if layers and layers[0] not in _WBITS:
            raise EncodingError(
                f"Content-Encoding {layers[0]!r} was not offered (Accept-Encoding: "
                f"{ACCEPT_ENCODING})"
            )
        self.coding = layers[0] if layers else None
        self._zlib = zlib.decompressobj(_WBITS[self.coding]) if self.coding else None
        self._started = False

    def feed(self, data: bytes) -> Iterator[bytes]:
        """The decoded pieces of `data`, each at most STEP bytes, produced one at a time: a
        consumer that stops iterating stops the decoding."""
        if self._zlib is None:
            if data:
                yield data
            return
        if not self._started and data:
            self._started = True
            if self.coding == "deflate" and not _is_zlib(data):
                self._zlib = zlib.decompressobj(-zlib.MAX_WBITS)  # raw deflate, as some send
        yield from self._steps(data)

    def finish(self) -> Iterator[bytes]:
        """Whatever the decompressor still holds once the body has ended. A compressed stream
        that has not reached its end is a page cut short: refused rather than archived."""
        if self._zlib is not None and self._started:
            yield from self._steps(b"")
            if not self._zlib.eof:
                raise EncodingError(f"{self.coding} body ends before its compressed stream does")

    def _steps(self, data: bytes) -> Iterator[bytes]:
        assert self._zlib is not None
        while True:
            try:
                out = self._zlib.decompress(data, STEP)
            except zlib.error as exc:
                raise EncodingError(f"undecodable {self.coding} body: {exc}") from None
            if out:
                yield out
            data = self._zlib.unconsumed_tail
            if not data and len(out) < STEP:
                return


def _is_zlib(head: bytes) -> bool:
    """A zlib header (RFC 1950): what 'deflate' means; raw deflate is sent by some servers."""
    if len(head) < 2:
        return True  # too short to tell: zlib, the standard, is tried
    return head[0] & 0x0F == 8 and (head[0] << 8 | head[1]) % 31 == 0
