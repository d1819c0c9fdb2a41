from __future__ import annotations

import sys
from pathlib import Path

import click

from ._common import json_option, print_json


@click.command()
@click.argument("old", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.argument("new", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--exit-code", is_flag=True, help="Exit 1 when the outputs differ (for CI gates).")
@json_option
def diff(old: Path, new: Path, exit_code: bool, as_json: bool) -> None:
    """Compare two synth output directories (JSON or HCL) resource by resource and attribute by
    attribute, ignoring cdktf metadata. Example: crosscloud diff base/cdktf.out cdktf.out"""
    from ..diff import DiffError, diff_dirs

    try:
        result = diff_dirs(old, new)
    except DiffError as err:
        click.secho(f"error: {err}", fg="red", err=True)
        sys.exit(2)
    differs = any(not d.empty for d in result.values())
    if as_json:
        print_json({"changed": differs, "stacks": {s: {"added": d.added, "removed": d.removed, "changed": d.changed}
                                                   for s, d in result.items()}})
    else:
        if not differs:
            click.echo("no differences")
        for stack, d in result.items():
            if d.empty:
                continue
            click.secho(f"stack {stack}:", bold=True)
            for address in d.added:
                click.secho(f"  + {address}", fg="green")
            for address in d.removed:
                click.secho(f"  - {address}", fg="red")
            for address, changes in d.changed.items():
                click.secho(f"  ~ {address}", fg="yellow")
                for c in changes:
                    click.echo(f"      {c['path']}: {_fmt(c['old'])} -> {_fmt(c['new'])}")
    if exit_code and differs:
        sys.exit(1)


def _fmt(value) -> str:
    import json

    return "(absent)" if value is None else json.dumps(value)
