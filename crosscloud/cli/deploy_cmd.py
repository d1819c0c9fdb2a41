from __future__ import annotations

from pathlib import Path

import click

from ._common import config_option, json_option, print_json
from .run_options import fail, make_runner, target_option


@click.command()
@config_option
@target_option
@click.option("--link-timeout", type=float, default=600, show_default=True,
              help="Seconds to wait for the IPsec link to come up on both sides and routes to publish.")
@json_option
@click.pass_context
def deploy(ctx: click.Context, config_path: Path, target: str, link_timeout: float, as_json: bool) -> None:
    """Synthesize and apply every stack in dependency order (network, then vpn beside clusters,
    then fleet), independent stacks concurrently; wait until the IPsec link is up on both sides
    and every policy route is published.

    Safe to re-run: after a failure or Ctrl-C the same command continues and converges; with
    nothing changed it applies nothing. Full terraform logs: <state-dir>/logs/<run>/<stack>.log.
    """
    from ..runner.deploy import deploy as run_deploy
    from ..runner.journal import LockHeld
    from ..runner.link import LinkTimeout
    from ..runner.terraform import Interrupted, TerraformError

    runner = make_runner(ctx, config_path, target, quiet=False)
    try:
        result = run_deploy(runner, link_timeout=link_timeout)
    except LockHeld as err:
        fail(str(err))
    except (TerraformError, LinkTimeout) as err:
        fail(str(err))
    except (KeyboardInterrupt, Interrupted):
        fail("interrupted; terraform stopped gracefully and saved its state. Run deploy again to continue.", 130)
    changed = result["changed"]
    if as_json:
        print_json({"target": target, "changed": changed, "link": result["link"]})
        return
    runner.report.success(f"deployed: {'changed ' + ', '.join(changed) if changed else 'nothing to change'}; IPsec link up")
