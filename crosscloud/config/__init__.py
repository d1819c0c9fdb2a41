"""Topology loading: YAML -> typed model -> preflight. The config model is what every part sees.

The file is treated as untrusted input: it is size-capped, YAML aliases are refused (an alias
bomb expands to gigabytes from a few lines), duplicate keys are errors (YAML silently keeps the
last), and every problem -- unknown keys included -- is reported at once, each quoting at most a
short prefix of the bad value.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from .model import Topology
from .preflight import Problem, errors, preflight

__all__ = ["ConfigError", "Problem", "Topology", "load_topology", "parse_topology"]

# Our own bounds for a topology file (crosscloud limits, not cloud facts): the seed is ~1.5 KiB.
MAX_FILE_BYTES = 256 * 1024
MAX_DEPTH = 32  # nesting of mappings/lists; the model itself needs 4
VALUE_PREFIX = 40  # characters of a bad value quoted in a message


def short(value: Any) -> Any:
    """A bad value as a message may quote it: a short prefix of long strings, a size for containers."""
    if isinstance(value, str) and len(value) > VALUE_PREFIX:
        return f"{value[:VALUE_PREFIX]}… ({len(value)} characters)"
    if isinstance(value, (dict, list)):
        text = repr(value)
        if len(text) > VALUE_PREFIX:
            return f"<{type(value).__name__} of {len(value)} item(s)>"
    return value


class ConfigError(Exception):
    """The topology file cannot be used; `problems` lists every reason found."""

    def __init__(self, source: str, problems: list[Problem]):
        self.source = source
        self.problems = [Problem(p.path, short(p.value), p.message) for p in problems]
        lines = "\n".join(f"  - {p}" for p in self.problems)
        super().__init__(f"{source}: {len(self.problems)} problem(s):\n{lines}")

    def as_dict(self) -> dict:
        return {"file": self.source,
                "problems": [{"path": p.path, "value": p.value if isinstance(p.value, (str, int, float, bool, type(None)))
                              else repr(p.value), "message": p.message} for p in self.problems]}


def _path(loc: tuple[Any, ...]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "<top level>"


def _value_at(data: Any, loc: tuple[Any, ...]) -> Any:
    for part in loc:
        try:
            data = data[part]
        except (KeyError, IndexError, TypeError):
            return None
    return data


def _without(data: Any, locs: list[tuple[Any, ...]]) -> Any:
    """A copy of `data` with the keys at `locs` removed (the innermost mapping key of each)."""
    import copy

    data = copy.deepcopy(data)
    for loc in locs:
        keys = [i for i, part in enumerate(loc) if isinstance(part, str)]
        if not keys:
            continue
        parent = _value_at(data, loc[:keys[-1]])
        if isinstance(parent, dict):
            parent.pop(loc[keys[-1]], None)
    return data


def _model_problems(err: ValidationError, data: Any) -> list[Problem]:
    problems = []
    for e in err.errors():
        loc = tuple(e["loc"])
        if e["type"] == "extra_forbidden":
            problems.append(Problem(_path(loc), _value_at(data, loc), "unknown key; check the spelling against examples/seed.yaml"))
        elif e["type"] == "missing":
            problems.append(Problem(_path(loc), None, "required key is missing"))
        else:
            msg = e["msg"].removeprefix("Value error, ")
            problems.append(Problem(_path(loc), _value_at(data, loc), msg))
    return problems


def parse_topology(data: Any, source: str = "<topology>", problems: list[Problem] | None = None) -> Topology:
    """Validate already-parsed YAML data; raise ConfigError listing every problem (with
    `problems` found earlier, e.g. duplicate keys, prepended)."""
    problems = list(problems or [])
    if not isinstance(data, dict):
        raise ConfigError(source, problems + [Problem("<top level>", type(data).__name__, "the topology must be a YAML mapping (name:, alibaba:, gcp:, …)")])
    try:
        topology = Topology.model_validate(data)
    except ValidationError as err:
        found = _model_problems(err, data)
        problems += found
        # The cross-field rules run too on the rest of the file: without the keys found wrong
        # (a wrong optional key falls back to its default). A missing required key stops here.
        try:
            rest = Topology.model_validate(_without(data, [tuple(e["loc"]) for e in err.errors()]))
        except ValidationError:
            rest = None
        if rest is not None:
            reported = tuple(p.path for p in found)
            problems += [p for p in errors(preflight(rest)) if not p.path.startswith(reported)]
        raise ConfigError(source, problems) from None
    problems += errors(preflight(topology))  # warnings are for `validate` to print
    if problems:
        raise ConfigError(source, problems)
    return topology


class _Refused(yaml.composer.ComposerError):
    """Well-formed YAML that a topology file may not use."""


class _Loader(yaml.SafeLoader):
    """SafeLoader that refuses aliases (no expansion ever happens) and caps nesting depth."""

    def compose_node(self, parent, index):  # noqa: ANN001
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise _Refused(
                None, None, f"YAML aliases (*{event.anchor}) are not allowed in a topology file; write the value out",
                event.start_mark)
        self._depth = getattr(self, "_depth", 0) + 1
        try:
            if self._depth > MAX_DEPTH:
                event = self.peek_event()
                raise _Refused(None, None, f"nested more than {MAX_DEPTH} levels deep", event.start_mark)
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


def _duplicate_keys(node: yaml.Node, path: str = "") -> list[Problem]:
    """Every key given twice in one mapping (YAML would silently keep the last)."""
    out: list[Problem] = []
    if isinstance(node, yaml.MappingNode):
        first: dict[Any, int] = {}
        for key_node, value_node in node.value:
            key = key_node.value if isinstance(key_node, yaml.ScalarNode) else None
            here = f"{path}.{key}" if path else str(key)
            if key is not None:
                if key in first:
                    out.append(Problem(here, key, f"duplicate key (line {key_node.start_mark.line + 1}; first given on "
                                                   f"line {first[key]}); give each key once"))
                else:
                    first[key] = key_node.start_mark.line + 1
            out += _duplicate_keys(value_node, here)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            out += _duplicate_keys(item, f"{path}[{i}]")
    return out


def _yaml_problem(err: yaml.YAMLError) -> Problem:
    mark = getattr(err, "problem_mark", None)
    where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else "unknown position"
    reason = getattr(err, "problem", None) or str(err)
    return Problem(f"<yaml {where}>", None, reason if isinstance(err, _Refused) else f"malformed YAML: {reason}")


def load_text(text: str, source: str) -> Topology:
    """Parse and validate topology YAML text."""
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        problems = _duplicate_keys(node) if node is not None else []
        data = loader.construct_document(node) if node is not None else None
    except yaml.YAMLError as err:
        raise ConfigError(source, [_yaml_problem(err)]) from None
    finally:
        loader.dispose()
    return parse_topology(data, source, problems)


def load_topology(path: Path | str) -> Topology:
    path = Path(path)
    source = str(path)
    if path.is_dir():
        raise ConfigError(source, [Problem("<file>", source, "is a directory; give the topology file itself (e.g. examples/seed.yaml)")])
    try:
        with path.open("rb") as fh:
            raw = fh.read(MAX_FILE_BYTES + 1)
    except OSError as err:
        raise ConfigError(source, [Problem("<file>", source, f"cannot be read: {err.strerror or err}")]) from None
    if len(raw) > MAX_FILE_BYTES:
        raise ConfigError(source, [Problem("<file>", source, f"is larger than {MAX_FILE_BYTES // 1024} KiB; a topology file is a few KiB")])
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as err:
        raise ConfigError(source, [Problem("<file>", source, f"is not UTF-8 text (byte {err.start})")]) from None
    return load_text(text, source)
