"""Files a report stage writes: whole or not at all, readable as any file the user writes."""

from __future__ import annotations

import os
import secrets
from pathlib import Path


def write_atomic(path: Path, text: str) -> None:
    """`text` at `path`, written beside it and renamed over it: a reader never sees half. Its
    mode follows the umask, as a file the user wrote would (a web server publishing reports/
    reads it): not the owner-only mode of a temporary file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.parent / f".tmp-{secrets.token_hex(8)}"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
