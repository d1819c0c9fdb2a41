"""Options and error handling shared by the commands. Light imports only."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click

DEFAULT_CONFIG = "examples/seed.yaml"

config_option = click.option(
    "-c", "--config", "config_path", type=click.Path(dir_okay=False, path_type=Path), default=DEFAULT_CONFIG,
    show_default=True, help="Topology file (YAML).")
json_option = click.option("--json", "as_json", is_flag=True, help="Print machine-readable JSON instead of text.")


def load_or_exit(path: Path):
    """The validated topology, or exit 1 listing every problem (never a traceback)."""
    from ..config import ConfigError, load_topology

    try:
        return load_topology(path)
    except ConfigError as err:
        click.secho(f"{err.source}: {len(err.problems)} problem(s):", fg="red", err=True)
        for p in err.problems:
            click.echo(f"  - {p}", err=True)
        sys.exit(1)


def print_json(data: Any) -> None:
    click.echo(json.dumps(data, indent=2, sort_keys=True))


def state_dir(ctx: click.Context) -> Path:
    return ctx.find_root().obj["state_dir"]
