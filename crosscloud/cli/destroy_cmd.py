from __future__ import annotations

from pathlib import Path

import click

from ._common import config_option
from .run_options import make_runner, target_option


@click.command()
@config_option
@target_option
@click.pass_context
def destroy(ctx: click.Context, config_path: Path, target: str) -> None:
    """Remove the ACK One registration and manifests, then destroy every stack in reverse
    dependency order (members; fleet, clusters, vpn; network)."""
    from ..fleet import fleet_teardown_step, settle_step
    from ..runner.deploy import destroy as run_destroy

    runner = make_runner(ctx, config_path, target)
    run_destroy(runner, before=fleet_teardown_step, after=settle_step)  # failures: cli._common.run_guarded
    runner.report.success("destroyed every stack")
