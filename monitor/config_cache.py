"""What the commands that only read the archive need from config.yaml (`Settings`), remembered
once the whole file has passed validation, so that `monitor meetings`, `history`, `diff`,
`verify` and `export` start without pydantic (importing it and building the config's models took
0.25-0.4 s of each of their runs).

A record lives in the user's cache directory (`$XDG_CACHE_HOME/monitor/`, else
`~/.cache/monitor/`), one per config file, under a key that changes with anything the verdict
of validation depends on: the file's bytes and resolved path, monitor's version and code, the
Python version and the installed packages (the mtime of each site-packages directory, which an
install or upgrade changes). A different key is a miss: the file is validated in full, with the
errors as ever, and the record rewritten (the latest `KEEP` records are kept). The cache is
best effort: a directory that cannot be written is no error, only no cache. Commands that write
or run (check-now, run, forget, add, remove, sources, serve, validate-config) always validate
in full."""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import sys
from dataclasses import asdict, dataclass
from datetime import tzinfo
from pathlib import Path
from typing import TYPE_CHECKING, Any

from monitor import __version__
from monitor.errors import ConfigError

if TYPE_CHECKING:
    from monitor.config import Config

RECORD_VERSION = "2"  # bump when `Settings` changes shape
KEEP = 100  # records kept, the latest written: scripts that make a config a run leave no heap


def resolve(base_dir: str, value: str) -> Path:
    """A path from the config: `~` expanded, a relative one taken from the config's directory."""
    path = Path(value).expanduser()
    return path if path.is_absolute() else Path(base_dir) / path


@dataclass(frozen=True)
class SourceRef:
    """A source as `history` and `diff` name it: by id, for its page's URL."""

    id: str
    url: str
    kind: str
    profile: str | None = None  # as configured (None: by its host)


@dataclass(frozen=True)
class ArchiveSettings:
    dir: str
    lock_timeout: float
    busy_timeout: float
    fsync: bool


@dataclass(frozen=True)
class Settings:
    """A valid config as the reading commands use it; its paths and zone as `Config` gives them."""

    base_dir: str
    archive_dir_value: str  # `archive.dir` as written
    lock_timeout: float
    busy_timeout: float
    fsync: bool
    timezone: str | None
    sources: tuple[SourceRef, ...]

    @classmethod
    def from_config(cls, config: Config) -> Settings:
        a = config.archive
        return cls(
            base_dir=config.base_dir,
            archive_dir_value=a.dir,
            lock_timeout=a.lock_timeout,
            busy_timeout=a.busy_timeout,
            fsync=a.fsync,
            timezone=config.timezone,
            sources=tuple(SourceRef(s.id, s.url, s.kind, s.profile) for s in config.sources),
        )

    @classmethod
    def from_json(cls, data: Any) -> Settings:
        """A remembered record; TypeError, KeyError or ValueError when it is not one."""
        sources = tuple(SourceRef(**s) for s in data["sources"])
        settings = cls(**{**data, "sources": sources})
        texts = [settings.base_dir, settings.archive_dir_value]
        texts += [v for s in sources for v in (s.id, s.url, s.kind)]
        if not (
            all(isinstance(text, str) for text in texts)
            and all(type(n) in (int, float) for n in (settings.lock_timeout, settings.busy_timeout))
            and isinstance(settings.fsync, bool)
            and isinstance(settings.timezone, str | None)
            and all(isinstance(s.profile, str | None) for s in sources)
        ):
            raise TypeError("not a record of settings")
        return settings

    def path(self, value: str) -> Path:
        return resolve(self.base_dir, value)

    @property
    def archive_dir(self) -> Path:
        return self.path(self.archive_dir_value)

    @property
    def archive(self) -> ArchiveSettings:
        """`archive:` as `Config.archive` has it (what `Archive.for_config` reads)."""
        return ArchiveSettings(
            self.archive_dir_value, self.lock_timeout, self.busy_timeout, self.fsync
        )

    @property
    def zone(self) -> tzinfo:
        """The zone times are shown in: the config's `timezone`, else the system's."""
        from zoneinfo import ZoneInfo

        if self.timezone:
            return ZoneInfo(self.timezone)
        from tzlocal import get_localzone

        return get_localzone()

    def source(self, source_id: str) -> SourceRef:
        for source in self.sources:
            if source.id == source_id:
                return source
        raise ConfigError(f"no source with id {source_id!r} in the config")


def cache_dir() -> Path | None:
    """`$XDG_CACHE_HOME/monitor` (an absolute XDG_CACHE_HOME only, as the spec says), else
    `~/.cache/monitor`; None without a home."""
    base = os.environ.get("XDG_CACHE_HOME", "")
    if not os.path.isabs(base):
        try:
            base = str(Path.home() / ".cache")
        except RuntimeError:  # no HOME and no password entry
            return None
    return Path(base) / "monitor"


def _code_stamp() -> str:
    """monitor's own modules, each by name, mtime and size: an edit to a validator (an editable
    install keeps its version) changes the key."""
    root = Path(__file__).parent
    out: list[str] = []

    def walk(folder: str) -> None:
        with os.scandir(folder) as entries:
            for entry in entries:
                if entry.is_dir(follow_symlinks=False):
                    if entry.name != "__pycache__":
                        walk(entry.path)
                elif entry.name.endswith(".py"):
                    stat = entry.stat()
                    out.append(f"{entry.path}:{stat.st_mtime_ns}:{stat.st_size}")

    walk(str(root))
    return "\n".join(sorted(out))


def _packages_stamp() -> str:
    """Each site-packages directory on the path with its mtime: installing, upgrading or
    removing a package (pydantic, apprise, selectolax …) adds or removes an entry there."""
    out = []
    for entry in sys.path:
        if entry.endswith(("site-packages", "dist-packages")):
            try:
                out.append(f"{entry}:{os.stat(entry).st_mtime_ns}")
            except OSError:
                continue
    return "\n".join(out)


def _key(resolved: Path, data: bytes) -> str:
    digest = hashlib.sha256()
    for part in (RECORD_VERSION, __version__, sys.version, str(resolved)):
        digest.update(part.encode("utf-8", "surrogateescape") + b"\0")
    digest.update(_code_stamp().encode("utf-8", "surrogateescape") + b"\0")
    digest.update(_packages_stamp().encode("utf-8", "surrogateescape") + b"\0")
    digest.update(data)
    return digest.hexdigest()


def _record_path(folder: Path, resolved: Path) -> Path:
    name = hashlib.sha256(str(resolved).encode("utf-8", "surrogateescape")).hexdigest()[:32]
    return folder / f"config-{name}.json"


def _remembered(record: Path, key: str) -> Settings | None:
    try:
        data = json.loads(record.read_bytes())
        if not isinstance(data, dict) or data.get("key") != key:
            return None
        settings = Settings.from_json(data["settings"])
    except (OSError, ValueError, TypeError, KeyError):  # none, unreadable, or not a record
        return None
    if settings.timezone:  # the zone database may have changed since: validate again then
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            ZoneInfo(settings.timezone)
        except (ZoneInfoNotFoundError, ValueError):
            return None
    return settings


def _remember(record: Path, key: str, settings: Settings) -> None:
    """Best effort: a cache directory that cannot be made or written means no cache."""
    text = json.dumps({"key": key, "settings": asdict(settings)}, ensure_ascii=False)
    temporary = record.with_name(f"{record.name}.{os.getpid()}.tmp")
    try:
        record.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        temporary.write_text(text, encoding="utf-8")
        os.replace(temporary, record)
    except OSError:
        with contextlib.suppress(OSError):
            temporary.unlink(missing_ok=True)
        return
    _prune(record.parent)


def _prune(folder: Path) -> None:
    """All but the `KEEP` records written last removed."""
    dated = []
    for path in folder.glob("config-*.json"):
        with contextlib.suppress(OSError):  # gone meanwhile (another process pruned it)
            dated.append((path.stat().st_mtime_ns, path))
    for _, path in sorted(dated, reverse=True)[KEEP:]:
        with contextlib.suppress(OSError):
            path.unlink()


def _validated(path: str | os.PathLike[str], data: bytes | None = None) -> Settings:
    from monitor.config import load_config  # pydantic: only when validating

    return Settings.from_config(load_config(path, data=data))


def load_settings(path: str | os.PathLike[str]) -> Settings:
    """The settings of the config at `path`: remembered when this very file has passed
    validation before, else validated in full (ConfigError as `load_config` raises it) and
    remembered."""
    try:
        data = Path(path).read_bytes()
        resolved = Path(path).resolve()
    except (OSError, RuntimeError):  # missing, unreadable, a symlink loop: said as ever
        return _validated(path)
    folder = cache_dir()
    if folder is None:
        return _validated(path, data)
    key, record = _key(resolved, data), _record_path(folder, resolved)
    settings = _remembered(record, key)
    if settings is None:  # validated from the very bytes the key was made of
        settings = _validated(path, data)
        _remember(record, key, settings)
    return settings
