"""Options and set-up shared by the commands that run Terraform (plan, deploy, status, destroy)."""

from __future__ import annotations

from pathlib import Path

import click

from ._common import fail, load_or_exit, state_dir

target_option = click.option(
    "--target", type=click.Choice(["sandbox", "clouds"]), default="sandbox", show_default=True,
    help="sandbox: the local twin of both clouds. clouds: the real providers (needs credentials for both).")


def make_runner(ctx: click.Context, config_path: Path, target: str, *, quiet: bool = False):
    """Topology + target + workspace -> a Runner; exits 1 with a clear message on bad input or
    when terraform (or node, when the stacks must be synthesized) is missing or too old."""
    from ..runner.deploy import Runner, Workspace, synth_needed
    from ..runner.report import Reporter
    from ..runner.targets import TargetError, resolve_target
    from ..runner.tools import require_node, require_terraform

    topology = load_or_exit(config_path)
    sdir = state_dir(ctx)
    require_terraform()
    if synth_needed(topology, Workspace(sdir)):
        require_node()
    report = Reporter(quiet=quiet)
    report.event("target", target, f"state dir {sdir}")
    try:
        tgt = resolve_target(target, topology, sdir)
    except TargetError as err:
        fail(str(err), kind="target")
    return Runner(topology, Workspace(sdir), tgt, report)

