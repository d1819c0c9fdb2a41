"""Options and set-up shared by the commands that run Terraform (plan, deploy, status, destroy)."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from ._common import load_or_exit, state_dir

target_option = click.option(
    "--target", type=click.Choice(["sandbox", "clouds"]), default="sandbox", show_default=True,
    help="sandbox: the local twin of both clouds. clouds: the real providers (needs credentials for both).")


def make_runner(ctx: click.Context, config_path: Path, target: str, *, quiet: bool = False):
    """Topology + target + workspace -> a Runner; exits 1 with a clear message on bad input."""
    from ..runner.deploy import Runner, Workspace
    from ..runner.report import Reporter
    from ..runner.targets import TargetError, resolve_target

    topology = load_or_exit(config_path)
    sdir = state_dir(ctx)
    report = Reporter(quiet=quiet)
    report.event("target", target, f"state dir {sdir}")
    try:
        tgt = resolve_target(target, topology, sdir)
    except TargetError as err:
        click.secho(f"error: {err}", fg="red", err=True)
        sys.exit(1)
    return Runner(topology, Workspace(sdir), tgt, report)


def fail(message: str, code: int = 1) -> None:
    click.secho(f"error: {message}", fg="red", err=True)
    sys.exit(code)
