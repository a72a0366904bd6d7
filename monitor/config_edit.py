"""`monitor add` and `monitor remove`: config.yaml edited in place, its comments, order and
quoting kept (ruamel.yaml's round trip), the result validated as a whole before a byte is
written, and written atomically (a temporary file renamed over the old one)."""

from __future__ import annotations

import io
import os
import re
import tempfile
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import YAMLError

from monitor.config import Config, SourceConfig, parse_config
from monitor.errors import ConfigError

_SLUG = re.compile(r"[^a-z0-9]+")


def _yaml() -> YAML:
    yaml = YAML()  # round trip: comments, key order, flow style and quotes survive
    yaml.preserve_quotes = True
    yaml.indent(mapping=2, sequence=4, offset=2)
    yaml.width = 4096  # never fold a long URL
    return yaml


def _load(path: Path) -> tuple[YAML, CommentedMap]:
    yaml = _yaml()
    try:
        data = yaml.load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"{path}: no such config file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read: {exc}") from exc
    except YAMLError as exc:
        raise ConfigError(f"{path}: invalid YAML: {exc}".splitlines()[0]) from exc
    if not isinstance(data, CommentedMap):
        raise ConfigError(f"{path}: expected a mapping with a 'sources' list at the top")
    if not isinstance(data.get("sources"), CommentedSeq):
        raise ConfigError(f"{path}: sources: expected a list of sources")
    return yaml, data


def _plain(node: Any) -> Any:
    """ruamel's commented containers as the dicts and lists the validator reads."""
    if isinstance(node, dict):
        return {str(k): _plain(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_plain(v) for v in node]
    return node


def _validate(path: Path, data: CommentedMap) -> Config:
    return parse_config(_plain(data), name=str(path), base_dir=str(path.resolve().parent))


def _write(path: Path, yaml: YAML, data: CommentedMap) -> None:
    buffer = io.StringIO()
    yaml.dump(data, buffer)
    text = buffer.getvalue()
    text = text if text.endswith("\n") else text + "\n"
    fd, tmp = tempfile.mkstemp(prefix=".config-", suffix=".yaml", dir=path.resolve().parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(text)
            out.flush()
            os.fsync(out.fileno())
        if path.exists():
            os.chmod(tmp, path.stat().st_mode & 0o7777)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def new_id(url: str, taken: set[str]) -> str:
    """An id from the URL's host and path ("www.state.gov/releases/" -> "state-gov-releases"),
    unique among `taken`."""
    parts = urlsplit(url)
    host = (parts.hostname or "source").removeprefix("www.")
    base = _SLUG.sub("-", f"{host} {parts.path}".lower()).strip("-")[:56] or "source"
    candidate, n = base, 2
    while candidate in taken:
        candidate, n = f"{base}-{n}", n + 1
    return candidate


def add_source(
    path: Path,
    url: str,
    *,
    source_id: str | None = None,
    kind: str | None = None,
    profile: str | None = None,
    selector: str | None = None,
) -> SourceConfig:
    """Appends a source to config.yaml; returns it as validated. Raises ConfigError (and writes
    nothing) when the result would not be a valid config or the id or URL is taken."""
    yaml, data = _load(path)
    sources: CommentedSeq = data["sources"]
    ids = {str(s.get("id")) for s in sources if isinstance(s, dict)}
    for s in sources:
        if isinstance(s, dict) and s.get("url") == url:
            raise ConfigError(f"{path}: {url} is already watched (source {s.get('id')!r})")
    if source_id is not None and source_id in ids:
        raise ConfigError(f"{path}: sources: a source with id {source_id!r} exists already")
    entry = CommentedMap()
    entry["id"] = source_id or new_id(url, ids)
    entry["url"] = url
    for key, value in (("kind", kind), ("profile", profile), ("selector", selector)):
        if value is not None:
            entry[key] = value
    sources.append(entry)
    config = _validate(path, data)
    _write(path, yaml, data)
    return config.sources[-1]


def remove_source(path: Path, source_id: str) -> SourceConfig:
    """Removes the source `source_id` from config.yaml; returns what it was. Its pages stay in
    the archive."""
    yaml, data = _load(path)
    sources: CommentedSeq = data["sources"]
    config = _validate(path, data)
    for i, s in enumerate(sources):
        if isinstance(s, dict) and s.get("id") == source_id:
            removed = config.sources[i]
            del sources[i]
            break
    else:
        raise ConfigError(f"{path}: no source with id {source_id!r}")
    if not sources:
        raise ConfigError(f"{path}: {source_id!r} is the only source; a config needs one")
    _validate(path, data)
    _write(path, yaml, data)
    return removed
