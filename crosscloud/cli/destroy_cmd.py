from __future__ import annotations

from pathlib import Path

import click

from ._common import config_option
from .run_options import fail, make_runner, target_option


@click.command()
@config_option
@target_option
@click.pass_context
def destroy(ctx: click.Context, config_path: Path, target: str) -> None:
    """Remove the ACK One registration and manifests, then destroy every stack in reverse
    dependency order (members; fleet, clusters, vpn; network)."""
    from ..fleet import fleet_teardown_step, settle_step
    from ..fleet.alibaba_api import AlibabaApiError
    from ..fleet.context import FleetError
    from ..runner.deploy import destroy as run_destroy
    from ..runner.journal import LockHeld
    from ..runner.terraform import Interrupted, TerraformError

    runner = make_runner(ctx, config_path, target)
    try:
        run_destroy(runner, before=fleet_teardown_step, after=settle_step)
    except (LockHeld, TerraformError, AlibabaApiError, FleetError) as err:
        fail(str(err))
    except (KeyboardInterrupt, Interrupted):
        fail("interrupted; run destroy again to continue.", 130)
    runner.report.success("destroyed every stack")
