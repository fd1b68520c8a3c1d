"""Load operator YAML files into pydantic models with errors that name file, line and field.

Input: a path to a YAML file and the pydantic model of its content. Output: the validated
model, or ``OperatorFileError`` whose message lists every problem as ``file:line: field: why``.
Before validation, a key given twice in one mapping (YAML would keep the last silently) and a
name given twice in a list the model declares unique (``unique_fields``, e.g. rule names) are
reported with the line of the second one.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

T = TypeVar("T", bound=BaseModel)
PathKey = tuple[str | int, ...]


class OperatorFileError(ValueError):
    """An operator file is missing, not YAML, or does not validate."""

    def __init__(self, path: Path, problems: list[tuple[int | None, str, str]]) -> None:
        self.path = path
        self.problems = problems
        lines = [f"{path}:{line or '?'}: {field or '(top level)'}: {why}"
                 for line, field, why in problems]
        super().__init__("invalid operator file\n  " + "\n  ".join(lines))


def _walk(node: yaml.Node, key: PathKey) -> Iterator[tuple[PathKey, int]]:
    yield key, node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        for k_node, v_node in node.value:
            name = str(k_node.value)
            yield (*key, name), k_node.start_mark.line + 1
            for sub, line in _walk(v_node, (*key, name)):
                if sub != (*key, name):
                    yield sub, line
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            yield from _walk(item, (*key, i))


def line_index(text: str) -> dict[PathKey, int]:
    """Map every key path in a YAML document to its 1-based line number."""
    root = yaml.compose(text, Loader=yaml.SafeLoader)
    return dict(_walk(root, ())) if root is not None else {}


def duplicate_keys(node: yaml.Node | None, key: PathKey = ()) -> Iterator[
        tuple[int, str, str]]:
    """(line, field, why) for every key repeated within one mapping of a composed document."""
    if isinstance(node, yaml.MappingNode):
        first: dict[str, int] = {}
        for k_node, v_node in node.value:
            name, line = str(k_node.value), k_node.start_mark.line + 1
            if name in first and k_node.tag != "tag:yaml.org,2002:merge":
                yield line, _field((*key, name)), f"duplicate key {name!r} (first on line " \
                    f"{first[name]}); YAML would keep only the last one"
            first.setdefault(name, line)
            yield from duplicate_keys(v_node, (*key, name))
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            yield from duplicate_keys(item, (*key, i))


def duplicate_names(data: Any, index: dict[PathKey, int],
                    unique: tuple[tuple[str, str], ...]) -> Iterator[tuple[int | None, str, str]]:
    """(line, field, why) for every repeated ``field`` value among the items of a list; a
    file model declares them as ``unique_fields: ClassVar[...] = (("rules", "name"),)``."""
    for list_key, item_key in unique:
        items = data.get(list_key) if isinstance(data, dict) else None
        first: dict[str, PathKey] = {}
        for i, item in enumerate(items if isinstance(items, list) else []):
            value = item.get(item_key) if isinstance(item, dict) else None
            if not isinstance(value, str | int):
                continue
            loc: PathKey = (list_key, i, item_key)
            if str(value) in first:
                other = first[str(value)]
                yield _line_for(index, loc), _field(loc), (
                    f"duplicate {item_key} {value!r} (also {_field(other)}, line "
                    f"{_line_for(index, other)}); {item_key}s must be unique")
            first.setdefault(str(value), loc)


def _line_for(index: dict[PathKey, int], loc: PathKey) -> int | None:
    for end in range(len(loc), -1, -1):
        if loc[:end] in index:
            return index[loc[:end]]
    return None


def data_loc(data: Any, loc: tuple[Any, ...]) -> PathKey:
    """Drop the parts of a pydantic error location that are not in the data (the tag that
    pydantic inserts for a discriminated union, e.g. ``slack`` in ``channels[0].slack.webhook``)."""
    node, out = data, []
    for part in loc:
        in_dict = isinstance(node, dict) and part in node
        in_list = isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node)
        if in_dict or in_list:
            node = node[part]
        elif isinstance(node, dict) and isinstance(part, str) and part in map(str, node.values()):
            continue
        else:
            node = None
        out.append(part)
    return tuple(out)


def _field(loc: PathKey) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


Context = Callable[[Any], dict[str, Any]]


def load_yaml_model(path: Path, model: type[T], context: Context | None = None) -> T:
    """Read ``path`` and validate it as ``model``; raise ``OperatorFileError`` on any problem.

    ``context`` maps the raw data to a pydantic validation context, for checks that need to
    see other parts of the file (e.g. that a rule names a channel defined elsewhere)."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise OperatorFileError(path, [(None, "", f"cannot read file: {exc.strerror}")]) from exc
    return parse_yaml_model(text, model, path, context)


def parse_yaml_model(text: str, model: type[T], path: Path,
                     context: Context | None = None) -> T:
    try:
        data: Any = yaml.safe_load(text)
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        raise OperatorFileError(path, [(line, "", f"not valid YAML: {exc}")]) from exc
    data = data if data is not None else {}
    index = dict(_walk(root, ())) if root is not None else {}
    repeated: list[tuple[int | None, str, str]] = [*duplicate_keys(root)]
    repeated += duplicate_names(data, index, getattr(model, "unique_fields", ()))
    if repeated:
        raise OperatorFileError(path, repeated)
    try:
        ctx = context(data) if context is not None else None
        return model.model_validate(data, context=ctx)
    except ValidationError as exc:
        problems = []
        for err in exc.errors():
            loc = data_loc(data, err["loc"])
            why = str(err["msg"]).removeprefix("Value error, ")
            problems.append((_line_for(index, loc), _field(loc), why))
        raise OperatorFileError(path, problems) from exc
