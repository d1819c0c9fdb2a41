"""Topology loading: YAML -> typed model -> preflight. The config model is what every part sees."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from .model import Topology
from .preflight import Problem, errors, preflight

__all__ = ["ConfigError", "Problem", "Topology", "load_topology", "parse_topology"]


class ConfigError(Exception):
    """The topology file cannot be used; `problems` lists every reason found."""

    def __init__(self, source: str, problems: list[Problem]):
        self.source = source
        self.problems = problems
        lines = "\n".join(f"  - {p}" for p in problems)
        super().__init__(f"{source}: {len(problems)} problem(s):\n{lines}")


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


def parse_topology(data: Any, source: str = "<topology>") -> Topology:
    """Validate already-parsed YAML data; raise ConfigError listing every problem."""
    if not isinstance(data, dict):
        raise ConfigError(source, [Problem("<top level>", type(data).__name__, "the topology must be a YAML mapping (name:, alibaba:, gcp:, …)")])
    try:
        topology = Topology.model_validate(data)
    except ValidationError as err:
        problems = []
        for e in err.errors():
            loc = tuple(e["loc"])
            if e["type"] == "extra_forbidden":
                problems.append(Problem(_path(loc), _value_at(data, loc), "unknown key; check the spelling against examples/seed.yaml"))
            elif e["type"] == "missing":
                problems.append(Problem(_path(loc), None, "required key is missing"))
            else:
                problems.append(Problem(_path(loc), _value_at(data, loc), e["msg"]))
        raise ConfigError(source, problems) from None
    problems = errors(preflight(topology))  # warnings are for `validate` to print
    if problems:
        raise ConfigError(source, problems)
    return topology


def load_topology(path: Path | str) -> Topology:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as err:
        raise ConfigError(str(path), [Problem("<file>", str(path), f"cannot be read: {err.strerror or err}")]) from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else "unknown position"
        reason = getattr(err, "problem", None) or str(err)
        raise ConfigError(str(path), [Problem(f"<yaml {where}>", None, f"malformed YAML: {reason}")]) from None
    return parse_topology(data, str(path))
