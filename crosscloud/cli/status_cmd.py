from __future__ import annotations

from pathlib import Path

import click

from ._common import config_option, json_option, print_json
from .run_options import fail, make_runner, target_option


@click.command()
@config_option
@target_option
@json_option
@click.pass_context
def status(ctx: click.Context, config_path: Path, target: str, as_json: bool) -> None:
    """One table: stacks (applied? resources gone from the cloud?), the VPN link as each cloud
    reports it, routes, clusters and fleet members. The VPN is UP, DEGRADED (one tunnel of two
    down, named with the reason) or DOWN. Reads Terraform state and asks the clouds by id (in the
    sandbox: no terraform run, about a second); changed attributes show in `plan`. Reads only;
    safe beside a running deploy."""
    from ..runner.status import collect_status
    from ..runner.terraform import TerraformError

    runner = make_runner(ctx, config_path, target, quiet=as_json)
    try:
        st = collect_status(runner)
    except TerraformError as err:
        fail(str(err))
    if as_json:
        print_json(st)
        return
    click.secho("stacks", bold=True)
    for name, s in st["stacks"].items():
        if s.get("missing"):
            drift = f"  (gone from the cloud: {', '.join(s['missing'])}; deploy recreates them)"
        else:
            drift = "" if s["drift"] is None else ("  (drift: plan shows changes)" if s["drift"] else "  (in sync)")
        click.echo(f"  {name:<10} {'applied' if s['applied'] else 'not applied'}{drift}")
    vpn = st["vpn"]
    click.secho(f"vpn      {vpn['state'].upper()}", bold=True,
                fg={"up": "green", "degraded": "yellow"}.get(vpn["state"], "red"))
    for d in vpn["down"] if vpn["degraded"] else []:
        click.echo(f"  down     {d['side']} {d['tunnel']}: {d['why']}")
    click.echo(f"  alibaba  {vpn['alibaba']}" + "".join(f"\n    {r}: {s}" for r, s in vpn["alibaba_tunnels"].items()))
    for name, s in vpn["gcp_tunnels"].items():
        click.echo(f"  gcp      {name}: {s}")
    click.secho("routes", bold=True)
    for r in st["routes"]:
        click.echo(f"  {r['dest']:<18} {r['status']}")
    click.secho("clusters", bold=True)
    for name, c in st["clusters"].items():
        click.echo(f"  {name:<16} {c['cloud']}/{c['kind']}  {c['id']}")
    click.secho("fleet", bold=True)
    click.echo(f"  hub {st['fleet']['id'] or '-'}; members: {', '.join(st['fleet']['members']) or '-'}")
