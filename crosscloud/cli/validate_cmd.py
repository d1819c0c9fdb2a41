from __future__ import annotations

import sys
from pathlib import Path

import click

from ._common import config_option, json_option, load_or_exit, print_json


@click.command()
@config_option
@json_option
@click.option("--strict", is_flag=True, help="Treat warnings as errors (exit 1 if there are any).")
def validate(config_path: Path, as_json: bool, strict: bool) -> None:
    """Check a topology file: schema, CIDR ranges and sizes, regions and zones, VPN mode and
    parameters, names, services.

    Errors are what the clouds refuse outright: exits 1 listing every one, each naming the field,
    the bad value and what is allowed. Warnings are what depends on the account or on a cloud fact
    that may have changed (each cites its source and date): printed, exit 0, unless --strict.
    """
    from ..config.preflight import preflight, warnings
    from ..summary import topology_summary

    topology = load_or_exit(config_path)
    found = warnings(preflight(topology))
    failed = strict and bool(found)
    if as_json:
        print_json({"valid": not failed, "strict": strict, "warnings": [w.as_dict() for w in found],
                    **({} if failed else topology_summary(topology))})
        if failed:
            sys.exit(1)
        return
    if failed:
        click.secho(f"{config_path}: {len(found)} problem(s) (warnings, --strict):", fg="red", err=True)
        for w in found:
            click.echo(f"  - {w}", err=True)
        sys.exit(1)
    summary = topology_summary(topology)
    click.secho(f"{config_path}: valid" + (f", {len(found)} warning(s)" if found else ""), fg="green")
    click.echo(f"  name      {summary['name']}")
    click.echo(f"  alibaba   {summary['alibaba']}")
    click.echo(f"  gcp       {summary['gcp']}")
    click.echo(f"  vpn       {summary['vpn']}")
    for c in summary["clusters"]:
        click.echo(f"  cluster   {c}")
    for s in summary["services"]:
        click.echo(f"  service   {s}")
    for w in found:
        click.secho(f"  warning   {w}", fg="yellow")
