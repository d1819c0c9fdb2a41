from __future__ import annotations

import sys
from pathlib import Path

import click

from ._common import config_option, json_option, print_json
from .run_options import fail, make_runner, target_option


@click.command()
@config_option
@target_option
@json_option
@click.pass_context
def verify(ctx: click.Context, config_path: Path, target: str, as_json: bool) -> None:
    """Check the deployed fleet end to end, each check pass/fail with the reason: VPN link up on
    both sides, routes published, fleet members joined, each service exported and imported, and
    the tutorial's final check — the consumer reaches amcs-<svc>.<ns>.svc.cluster.local and gets
    the provider's response. Exits 1 if any check fails."""
    from ..fleet.context import FleetError, fleet_context
    from ..fleet.verify import as_json as checks_json, run_checks
    from ..runner.terraform import TerraformError

    runner = make_runner(ctx, config_path, target, quiet=as_json)

    def show(check) -> None:
        if not as_json:
            mark = click.style("PASS", fg="green") if check.passed else click.style("FAIL", fg="red")
            click.echo(f"{mark}  {check.name}\n      {check.detail}")

    try:
        with fleet_context(runner) as fctx:
            checks = run_checks(fctx, show)
    except (TerraformError, FleetError) as err:
        fail(str(err))
    result = checks_json(checks)
    if as_json:
        print_json(result)
    else:
        failed = [c.name for c in checks if not c.passed]
        click.secho(f"{len(checks) - len(failed)}/{len(checks)} checks passed", fg="red" if failed else "green", bold=True)
    if not result["passed"]:
        sys.exit(1)
