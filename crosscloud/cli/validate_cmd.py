from __future__ import annotations

from pathlib import Path

import click

from ._common import config_option, json_option, load_or_exit, print_json


@click.command()
@config_option
@json_option
def validate(config_path: Path, as_json: bool) -> None:
    """Check a topology file: schema, CIDR overlaps, VPN parameters, names, services.

    Exits 0 with a short summary, or 1 with every problem found, each naming the field, the bad
    value and what is allowed.
    """
    from ..summary import topology_summary

    summary = topology_summary(load_or_exit(config_path))
    if as_json:
        print_json({"valid": True, **summary})
        return
    click.secho(f"{config_path}: valid", fg="green")
    click.echo(f"  name      {summary['name']}")
    click.echo(f"  alibaba   {summary['alibaba']}")
    click.echo(f"  gcp       {summary['gcp']}")
    click.echo(f"  vpn       {summary['vpn']}")
    for c in summary["clusters"]:
        click.echo(f"  cluster   {c}")
    for s in summary["services"]:
        click.echo(f"  service   {s}")
