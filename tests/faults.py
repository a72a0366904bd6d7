"""Misbehaving responses for the local site: raw handlers that take over the connection."""

from __future__ import annotations

import gzip
import socket
import struct
import threading
from http.server import BaseHTTPRequestHandler

from monitor.testing.localsite import Page, RawHandler


def redirect(location: str, status: int = 302) -> Page:
    return Page(b"", status=status, headers={"Location": location}, etag=False)


def hang(release: threading.Event, seconds: float = 30) -> RawHandler:
    """Accept the request, then say nothing until released."""

    def handler(h: BaseHTTPRequestHandler) -> None:
        release.wait(seconds)
        h.close_connection = True

    return handler


def drip(release: threading.Event, chunks: int = 1000, every: float = 0.2) -> RawHandler:
    """Send headers, then one byte every `every` seconds: never finishes in time."""

    def handler(h: BaseHTTPRequestHandler) -> None:
        h.send_response(200)
        h.send_header("Content-Type", "text/html")
        h.send_header("Content-Length", str(chunks))
        h.end_headers()
        for _ in range(chunks):
            if release.wait(every):
                break
            try:
                h.wfile.write(b"x")
                h.wfile.flush()
            except OSError:
                break
        h.close_connection = True

    return handler


def truncated(body: bytes, declared: int) -> RawHandler:
    """Promise `declared` bytes, send fewer, close."""

    def handler(h: BaseHTTPRequestHandler) -> None:
        h.send_response(200)
        h.send_header("Content-Type", "text/html; charset=utf-8")
        h.send_header("Content-Length", str(declared))
        h.end_headers()
        h.wfile.write(body)
        h.wfile.flush()
        h.close_connection = True

    return handler


def reset(body: bytes = b"<html><body><p>partial") -> RawHandler:
    """Send part of a body, then reset the connection (RST)."""

    def handler(h: BaseHTTPRequestHandler) -> None:
        h.send_response(200)
        h.send_header("Content-Type", "text/html")
        h.send_header("Content-Length", "100000")
        h.end_headers()
        h.wfile.write(body)
        h.wfile.flush()
        h.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        h.connection.close()
        h.close_connection = True

    return handler


def gzip_bomb(size: int) -> Page:
    """A small gzip body that inflates to `size` bytes."""
    packed = gzip.compress(b"<p>" + b"A" * size, compresslevel=9)
    return Page(packed, headers={"Content-Encoding": "gzip"}, etag=False)


def huge(size: int) -> RawHandler:
    """A body of `size` bytes streamed without Content-Length (chunked)."""

    def handler(h: BaseHTTPRequestHandler) -> None:
        h.send_response(200)
        h.send_header("Content-Type", "text/html")
        h.send_header("Transfer-Encoding", "chunked")
        h.end_headers()
        block = b"<p>" + b"B" * 65533
        sent = 0
        try:
            while sent < size:
                h.wfile.write(b"%x\r\n%s\r\n" % (len(block), block))
                sent += len(block)
            h.wfile.write(b"0\r\n\r\n")
        except OSError:
            pass
        h.close_connection = True

    return handler
