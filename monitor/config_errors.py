"""A config's validation errors as the user reads them: every one, one line each, naming the
file and the key at fault (`config.yaml: sources[2].selectr: unknown key (did you mean
'selector'?)`)."""

from __future__ import annotations

import difflib
from typing import Any

from pydantic import BaseModel, ValidationError

# the segments pydantic adds to a location for a union's member or a validator, not config keys
_MEMBER = frozenset({"bool", "str", "int", "float", "none", "list", "dict"})


def _location(loc: tuple[int | str, ...]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        elif part in _MEMBER or "[" in part or part.startswith("function-"):
            continue
        else:
            out += ("." if out else "") + part
    return out


def _message(err: Any, keys: list[str]) -> str:
    if err["type"] == "extra_forbidden":
        key = str(err["loc"][-1]) if err["loc"] else ""
        close = difflib.get_close_matches(key, keys, n=1)
        return f"unknown key (did you mean {close[0]!r}?)" if close else "unknown key"
    if err["type"] == "missing":
        return "required key is missing"
    message = str(err["msg"]).removeprefix("Value error, ")
    if err["type"] == "literal_error":
        return f"{err.get('input')!r} is not allowed: should be {_should(err)}"
    if message.startswith("Input should be"):
        return f"{err.get('input')!r}: should be {_should(err)}"
    return message


def _should(err: Any) -> str:
    """What pydantic says a value should be, without its preamble ("a valid boolean")."""
    text = str(err["msg"]).removeprefix("Input should be ")
    return text.split(", unable to")[0]


def _keys_at(model: type[BaseModel], loc: tuple[int | str, ...]) -> list[str]:
    """The keys a mapping at `loc` may hold (for "did you mean"), by walking the models."""
    for part in loc[:-1]:
        if isinstance(part, int):
            continue
        field = model.model_fields.get(part)
        inner = _model_in(field.annotation) if field is not None else None
        if inner is None:
            return []
        model = inner
    return [f.alias or name for name, f in model.model_fields.items() if name != "base_dir"]


def _model_in(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in getattr(annotation, "__args__", ()) or getattr(annotation, "__metadata__", ()):
        found = _model_in(arg)
        if found is not None:
            return found
    origin = getattr(annotation, "__origin__", None)
    return _model_in(origin) if origin is not None and origin is not annotation else None


def validation_errors(name: str, exc: ValidationError, model: type[BaseModel]) -> list[str]:
    """Every error, one line each, `name: where: what`. The errors a union's members give for one
    value ("follow: 3" is neither true/false nor a pattern) are one line; unknown keys first, as
    a misspelt key is usually why a required one is missing. `model`: the config's, whose keys
    a misspelt one is compared with."""
    by_place: dict[str, list[Any]] = {}
    for err in exc.errors():
        by_place.setdefault(_location(tuple(err["loc"])), []).append(err)
    lines: list[tuple[bool, str]] = []
    for where, errs in by_place.items():
        prefix = f"{name}: {where + ': ' if where else ''}"
        if len(errs) > 1 and all(e["type"] not in ("extra_forbidden", "missing") for e in errs):
            wanted = [_should(e) for e in errs]
            lines.append(
                (True, f"{prefix}{errs[0].get('input')!r}: should be {' or '.join(wanted)}")
            )
            continue
        for err in errs:
            keys = _keys_at(model, tuple(err["loc"]))
            lines.append((err["type"] != "extra_forbidden", prefix + _message(err, keys)))
    return [line for _, line in sorted(lines, key=lambda item: item[0])]
