"""config.yaml: parsed and validated up front; errors name the file and the key at fault."""

from __future__ import annotations

import os
import re
from datetime import tzinfo
from email.utils import parseaddr
from pathlib import Path
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)
from tzlocal import get_localzone

from monitor.config_cache import resolve
from monitor.config_errors import validation_errors
from monitor.errors import ConfigError
from monitor.normalise.patterns import compile_user

_INTERVAL = re.compile(r"^\s*(\d+)\s*(s|m|h|d)\s*$")
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
_ENV_NAME = re.compile(r"^[A-Z_][A-Z0-9_]*$")


def parse_interval(text: str) -> int:
    """'30m' -> 1800 seconds. Raises ValueError for anything else."""
    match = _INTERVAL.match(text)
    if not match or int(match.group(1)) == 0:
        raise ValueError(f"{text!r} is not an interval like '30m', '6h' or '1d'")
    return int(match.group(1)) * _UNITS[match.group(2)]


def check_schedule(text: str) -> str:
    """A schedule is an interval ('6h') or a five-field cron expression ('0 */6 * * *')."""
    if len(text.split()) == 5:
        from apscheduler.triggers.cron import CronTrigger

        try:
            CronTrigger.from_crontab(text)
        except ValueError as exc:
            raise ValueError(f"{text!r} is not a valid cron expression: {exc}") from None
        return text
    parse_interval(text)
    return text


def _user_pattern(pattern: str) -> str:
    """A pattern from the config runs on text a page controls: RE2, linear time (patterns.py)."""
    compile_user(pattern)
    return pattern


UserRegex = Annotated[str, AfterValidator(_user_pattern)]


def _notify_url(url: str) -> str:
    """A channel's URL, read by Apprise as when sending; never echoed (it may hold a token)."""
    from monitor.report.channels import check_url

    return check_url(url)


def _distinct(urls: list[str]) -> list[str]:
    for i, url in enumerate(urls):
        if url in urls[:i]:
            raise ValueError(f"notify[{i}] is the same URL as notify[{urls.index(url)}]")
    return urls


NotifyURLs = Annotated[  # a list of Apprise URLs, or one
    list[Annotated[str, AfterValidator(_notify_url)]],
    BeforeValidator(lambda value: [value] if isinstance(value, str) else value),
    AfterValidator(_distinct),
]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class SourceConfig(_Model):
    id: Annotated[str, AfterValidator(_source_id)]
    url: str
    kind: Literal["page", "listing", "feed"] = "page"
    profile: (
        Literal["mofa", "mofa-ja", "mod", "state", "defense", "japannews", "miragenews", "generic"]
        | None
    ) = None
    selector: str | None = None
    ignore: list[UserRegex] = Field(default_factory=list)
    follow: bool | str | None = None  # default: listings follow, feeds keep item content
    schedule: str | None = None
    max_pages: Annotated[int, Field(ge=0)] = 200

    @field_validator("url")
    @classmethod
    def _url(cls, value: str) -> str:
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"{value!r} is not an http(s) URL")
        return value

    @field_validator("follow")
    @classmethod
    def _follow(cls, value: bool | str | None) -> bool | str | None:
        if isinstance(value, str):
            compile_user(value)
        return value

    @field_validator("selector")
    @classmethod
    def _selector(cls, value: str | None) -> str | None:
        if value is not None:
            from selectolax.lexbor import LexborHTMLParser

            try:
                LexborHTMLParser("<p></p>").css(value)
            except Exception:
                raise ValueError(f"{value!r} is not a valid CSS selector") from None
        return value

    @field_validator("schedule")
    @classmethod
    def _schedule(cls, value: str | None) -> str | None:
        return None if value is None else check_schedule(value)

    @property
    def host(self) -> str:
        return (urlsplit(self.url).hostname or "").lower()


class ArchiveConfig(_Model):
    dir: str = "snapshots"
    lock_timeout: Annotated[float, Field(ge=0)] = 600.0
    busy_timeout: Annotated[float, Field(ge=0)] = 30.0
    fsync: bool = False


class ReportsConfig(_Model):
    dir: str = "reports"
    keep: Annotated[int, Field(ge=1)] = 500


class FetchConfig(_Model):
    concurrency: Annotated[int, Field(ge=1, le=256)] = 8
    per_host: Annotated[int, Field(ge=1, le=64)] = 2
    timeout: Annotated[float, Field(gt=0)] = 30.0
    retries: Annotated[int, Field(ge=0, le=10)] = 3
    backoff: Annotated[float, Field(ge=0)] = 2.0
    max_retry_after: Annotated[float, Field(ge=0)] = 300.0
    max_bytes: Annotated[int, Field(ge=1024)] = 20_000_000
    user_agent: str | None = None
    allow_private: bool = False  # follow links and redirects to private addresses (see urls.py)


_SOURCE_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")


def _source_id(value: str) -> str:
    if not _SOURCE_ID.fullmatch(value):
        raise ValueError(
            f"{value!r} is not a source id: up to 64 letters, digits, '_', '.' or '-', "
            "starting with a letter or digit (like 'mofa-press')"
        )
    return value


def _address(value: str) -> str:
    """An email address as SMTP takes it (`name@domain`, with or without a display name)."""
    _, address = parseaddr(value)
    local, at, domain = address.rpartition("@")
    if not (at and local and domain and " " not in address):
        raise ValueError(f"{value!r} is not an email address like 'analyst@example.org'")
    return value


Address = Annotated[str, AfterValidator(_address)]


class EmailConfig(_Model):
    host: str
    port: Annotated[int, Field(ge=1, le=65535)] = 25
    from_: Address = Field(alias="from")
    to: Annotated[list[Address], Field(min_length=1)]
    starttls: bool = False
    ssl: bool = False
    username: str | None = None
    password_env: str | None = None
    subject_prefix: str = "[monitor]"
    timeout: Annotated[float, Field(gt=0)] = 30.0
    cafile: str | None = None  # CA bundle for a server with a private certificate

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    @field_validator("to", mode="before")
    @classmethod
    def _one_recipient(cls, value: Any) -> Any:
        return [value] if isinstance(value, str) else value

    @field_validator("password_env")
    @classmethod
    def _password_env(cls, value: str | None) -> str | None:
        # the value is never echoed: a password put here by mistake must not reach a log
        if value is not None and not _ENV_NAME.match(value):
            raise ValueError(
                "must be the name of an environment variable holding the password "
                "(capitals, digits and _, like MONITOR_SMTP_PASSWORD), not the password itself"
            )
        return value

    @model_validator(mode="after")
    def _tls(self) -> EmailConfig:
        if self.starttls and self.ssl:
            raise ValueError("starttls and ssl cannot both be true")
        return self

    def password(self) -> str | None:
        if not self.password_env:
            return None
        value = os.environ.get(self.password_env)
        if value is None:
            raise ConfigError(
                f"email.password_env: environment variable {self.password_env} is not set"
            )
        return value


class ServeConfig(_Model):
    # where `monitor serve` is reached from a reader's machine ("https://monitor.example.org"):
    # set, digests and reports link to its stable pages (compare, meeting, version)
    base_url: str | None = None

    @field_validator("base_url")
    @classmethod
    def _base_url(cls, value: str | None) -> str | None:
        if value is None:
            return None
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"{value!r} is not an http(s) URL")
        return value.rstrip("/")


class ScheduleConfig(_Model):
    default: str = "6h"
    jitter: Annotated[int, Field(ge=0)] = 300
    misfire_grace: Annotated[int, Field(ge=1)] = 900

    @field_validator("default")
    @classmethod
    def _default(cls, value: str) -> str:
        return check_schedule(value)


class Config(_Model):
    sources: Annotated[list[SourceConfig], Field(min_length=1)]
    archive: ArchiveConfig = ArchiveConfig()
    reports: ReportsConfig = ReportsConfig()
    fetch: FetchConfig = FetchConfig()
    email: EmailConfig | None = None
    # channels beside email, each sent the same digest: Apprise URLs (ntfy, Slack, a webhook …)
    notify: NotifyURLs = Field(default_factory=list)
    schedule: ScheduleConfig = ScheduleConfig()
    serve: ServeConfig = ServeConfig()
    allowed_hosts: list[str] = Field(default_factory=list)
    failures_before_alert: Annotated[int, Field(ge=1)] = 3
    # mail trivial edits (spacing, punctuation, case) too; they are always archived and reported
    alert_trivial: bool = False
    # processes that parse and store pages while the main one fetches, started once a run passes
    # 100 pages; null: one per CPU. Off by default: they pay only on a fast network with more
    # pages than one process parses, for more memory (figures in bench/RESULTS.md).
    workers: Annotated[int, Field(ge=0, le=64)] | None = 0
    # the IANA zone of schedules, reports, digests and logs; None: the system's
    timezone: str | None = None
    base_dir: str = Field(default=".", exclude=True)

    @field_validator("timezone")
    @classmethod
    def _timezone(cls, value: str | None) -> str | None:
        if value is not None:
            try:
                ZoneInfo(value)
            except (ZoneInfoNotFoundError, ValueError):
                raise ValueError(f"{value!r} is not an IANA time zone like 'Asia/Tokyo'") from None
        return value

    @property
    def zone(self) -> tzinfo:
        """The zone times are shown and cron schedules run in."""
        return ZoneInfo(self.timezone) if self.timezone else get_localzone()

    @model_validator(mode="after")
    def _unique_ids(self) -> Config:
        duplicates = _duplicate_ids([source.id for source in self.sources])
        if duplicates:
            raise ValueError(duplicates[0])  # `parse_config` tells the others too
        return self

    def path(self, value: str) -> Path:
        return resolve(self.base_dir, value)

    @property
    def archive_dir(self) -> Path:
        return self.path(self.archive.dir)

    @property
    def reports_dir(self) -> Path:
        return self.path(self.reports.dir)

    def hosts(self) -> set[str]:
        """Hosts that listings and feeds may follow links to."""
        return {s.host for s in self.sources} | {h.lower() for h in self.allowed_hosts}

    def source(self, source_id: str) -> SourceConfig:
        for source in self.sources:
            if source.id == source_id:
                return source
        raise ConfigError(f"no source with id {source_id!r} in the config")


def parse_config(data: Any, *, name: str = "config.yaml", base_dir: str = ".") -> Config:
    if not isinstance(data, dict):
        kind = "nothing" if data is None else f"{type(data).__name__} {str(data)[:40]!r}"
        raise ConfigError(
            f"{name}: expected a mapping with a 'sources' list at the top, found {kind}"
        )
    if "base_dir" in data:
        raise ConfigError(f"{name}: base_dir: unknown key")
    try:
        return Config.model_validate({**data, "base_dir": base_dir})
    except ValidationError as exc:
        errors = validation_errors(name, exc, Config)
        # checked on the whole config, pydantic's after every field is valid: told with the rest
        sources = data.get("sources")
        listed = sources if isinstance(sources, list) else []
        ids = [s.get("id") if isinstance(s, dict) else None for s in listed]
        errors += [f"{name}: {e}" for e in _duplicate_ids(ids) if f"{name}: {e}" not in errors]
        raise ConfigError("\n".join(errors)) from None


def _duplicate_ids(ids: list[Any]) -> list[str]:
    """`sources[i].id: duplicate id 'x'` for each source whose id (a string) an earlier one
    has."""
    out, seen = [], set()
    for i, sid in enumerate(ids):
        if isinstance(sid, str) and sid in seen:
            out.append(f"sources[{i}].id: duplicate id {sid!r}")
        seen.add(sid)
    return out


def load_config(path: str | os.PathLike[str], *, data: bytes | None = None) -> Config:
    """The config in the file at `path`; `data`: its bytes, when the caller has read them."""
    path = Path(path)
    try:
        if data is None:
            text = path.read_text(encoding="utf-8")
        else:  # as read_text reads them: universal newlines
            text = data.decode("utf-8").replace("\r\n", "\n").replace("\r", "\n")
    except FileNotFoundError:
        raise ConfigError(f"{path}: no such config file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read: {exc}") from None
    try:
        parsed = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" line {mark.line + 1}" if mark else ""
        raise ConfigError(f"{path}:{where} invalid YAML: {getattr(exc, 'problem', exc)}") from None
    return parse_config(parsed, name=str(path), base_dir=str(path.resolve().parent))
