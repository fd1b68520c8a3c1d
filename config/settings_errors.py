"""Turn a settings validation failure into one line that names the variable and the fix.

Input: pydantic's ``ValidationError`` (or pydantic-settings' parse error) raised while
building ``Settings``, the settings class and the environment. Output: ``BadSettingsError``
text such as ``setting CGTWATCH_SMTP__PASSWROD: no such setting (did you mean
CGTWATCH_SMTP__PASSWORD?); rename or unset it``. Values are never repeated: a mistyped
password variable or a webhook URL must not reach a terminal or a service log.
"""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Mapping
from typing import Any, get_args, get_origin

from pydantic import BaseModel, ValidationError

PREFIX = "CGTWATCH_"


class BadSettingsError(ValueError):
    """A ``CGTWATCH_*`` setting is unknown or invalid (the message is one line, no value)."""


def _var(loc: tuple[Any, ...]) -> str:
    return PREFIX + "__".join(str(part).upper() for part in loc)


def _named(loc: tuple[Any, ...], environ: Mapping[str, str]) -> str:
    """The variable that carried ``loc``: itself, or the JSON-valued one above it."""
    upper = {k.upper() for k in environ}
    for end in range(len(loc), 0, -1):
        if _var(loc[:end]) in upper:
            inner = ".".join(str(p) for p in loc[end:])
            return _var(loc[:end]) + (f" (entry {inner!r})" if inner else "")
    return f"{_var(loc)} (environment, .env or secrets dir)"


def _section(settings_cls: type[BaseModel], loc: tuple[Any, ...]) -> type[BaseModel] | None:
    model: type[BaseModel] | None = settings_cls
    for part in loc:
        field = model.model_fields.get(str(part)) if model is not None else None
        annotation = field.annotation if field is not None else None
        model = annotation if isinstance(annotation, type) and issubclass(
            annotation, BaseModel) else None
    return model


def _unknown(loc: tuple[Any, ...], settings_cls: type[BaseModel]) -> str:
    section = _section(settings_cls, loc[:-1])
    names = list(section.model_fields) if section is not None else []
    close = difflib.get_close_matches(str(loc[-1]).lower(), names, n=1, cutoff=0.6)
    hint = f" (did you mean {_var((*loc[:-1], close[0]))}?)" if close else ""
    return f"no such setting{hint}; rename or unset it"


def explain(exc: ValidationError, settings_cls: type[BaseModel],
            environ: Mapping[str, str]) -> str:
    """One line for all problems of ``exc``, each naming its variable and the fix."""
    parts = []
    for err in exc.errors(include_url=False, include_input=False, include_context=False):
        loc = tuple(err["loc"])
        if err["type"] == "extra_forbidden":
            parts.append(f"setting {_var(loc)}: {_unknown(loc, settings_cls)}")
            continue
        why = str(err["msg"]).removeprefix("Value error, ").replace("\n", " ")
        parts.append(f"setting {_named(loc, environ)}: {why}; fix or unset it")
    return "; ".join(parts) or "invalid settings"


def _complex(settings_cls: type[BaseModel], path: list[str]) -> bool:
    section = _section(settings_cls, tuple(path[:-1]))
    field = section.model_fields.get(path[-1]) if section is not None else None
    if field is None:
        return False
    kinds = {get_origin(a) for a in (field.annotation, *get_args(field.annotation))}
    return bool(kinds & {dict, list}) or field.annotation is BaseModel


def explain_source_error(exc: Exception, settings_cls: type[BaseModel],
                         environ: Mapping[str, str]) -> str:
    """pydantic-settings could not parse a JSON-valued variable (a dict or a list)."""
    match = re.search(r'field "([^"]+)"', str(exc))
    field = match.group(1) if match else ""
    for name, value in environ.items():
        path = name.upper().removeprefix(PREFIX).lower().split("__")
        if not name.upper().startswith(PREFIX) or path[0] != field:
            continue
        if _complex(settings_cls, path):
            try:
                json.loads(value)
            except ValueError:
                return (f"setting {name.upper()}: not valid JSON (e.g. "
                        '{"name": "value"}); fix or unset it')
    return f"setting {_var((field,))}: cannot be parsed ({type(exc.__cause__).__name__}); " \
           "fix or unset it"
