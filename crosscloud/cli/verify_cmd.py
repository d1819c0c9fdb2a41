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
    the tutorial's final check — each consumer reaches <svc>.<ns> (MultiClusterService) or
    amcs-<svc>.<ns> (ServiceExport) and gets the provider's response. In the sandbox a blocked
    probe names the first hop that refuses (firewall, route, tunnel, security group...). One
    tunnel of two down passes with a WARN (degraded; deploy restores it). Exits 1 if any check
    fails."""
    from ..fleet.context import FleetError, fleet_context
    from ..fleet.verify import as_json as checks_json, run_checks
    from ..runner.terraform import TerraformError

    runner = make_runner(ctx, config_path, target, quiet=as_json)
    from ..stackgraph import STACK_ORDER

    missing = [s for s in STACK_ORDER if not runner.ws.is_applied(s)]
    if missing:
        fail(f"not deployed: stack(s) {', '.join(missing)} not applied in {runner.ws.state_dir}; "
             f"run crosscloud deploy first", kind="not-deployed", stacks=missing)

    def show(check) -> None:
        if not as_json:
            mark = click.style("PASS", fg="green") if check.passed else click.style("FAIL", fg="red")
            if check.passed and check.warning:
                mark = click.style("WARN", fg="yellow")
            click.echo(f"{mark}  {check.name}\n      {check.detail}" + (f"\n      {check.warning}" if check.warning else ""))

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
