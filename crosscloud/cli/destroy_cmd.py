from __future__ import annotations

from pathlib import Path

import click

from ._common import config_option
from .run_options import make_runner, target_option


@click.command()
@config_option
@target_option
@click.option("--fleet-only", is_flag=True,
              help="Undo only the ACK One phase (the manifests on the hub, the GKE clusters' "
                   "registrations, which Terraform does not own) and keep every stack. Run it "
                   "before `cdktn destroy '*'` / `cdktf destroy '*'`: otherwise the hub cannot "
                   "go while a registered cluster is still attached to it.")
@click.pass_context
def destroy(ctx: click.Context, config_path: Path, target: str, fleet_only: bool) -> None:
    """Remove the ACK One registration and manifests, then destroy every stack in reverse
    dependency order (members; fleet, gke, clusters, vpn; network)."""
    from ..fleet import fleet_teardown_step, settle_step
    from ..runner.deploy import destroy as run_destroy

    runner = make_runner(ctx, config_path, target)
    if fleet_only:
        from ..runner.journal import run_lock

        if not runner.ws.is_applied("fleet"):
            runner.report.success("nothing to undo: the fleet stack (the ACK One hub) is not applied")
            return
        with run_lock(runner.ws.state_dir, "destroy"):  # not beside a running deploy
            fleet_teardown_step(runner)  # failures: cli._common.run_guarded
        runner.report.success("removed the ACK One phase's manifests and registrations; the stacks are unchanged")
        return
    run_destroy(runner, before=fleet_teardown_step, after=settle_step)  # failures: cli._common.run_guarded
    runner.report.success("destroyed every stack")
