from __future__ import annotations

import sys
from pathlib import Path

import click

from ._common import config_option, json_option
from .run_options import fail, make_runner, target_option


@click.command()
@config_option
@target_option
@json_option
@click.option("--format", "fmt", type=click.Choice(["text", "markdown", "json"]), default="text", show_default=True,
              help="markdown: one pull-request comment (summary table, changes with old -> new, consequences, "
                   "drift; at most 65,536 characters). json: everything, for tools. --json is --format json.")
@click.option("--exit-code", "exit_code", is_flag=True,
              help="Exit 2 when anything would change, 0 when nothing would (like terraform -detailed-exitcode).")
@click.pass_context
def plan(ctx: click.Context, config_path: Path, target: str, as_json: bool, fmt: str, exit_code: bool) -> None:
    """Synthesize, then plan every stack whose inputs exist: what each would add, change, replace
    or destroy (with the attribute forcing each replacement), changes made outside Terraform
    (drift), and the consequences across both clouds (outages, stacks that change next, whether
    the fleet phase re-runs). Secrets are masked; the output is the same for the same plan."""
    from ..planreview import render
    from ..planreview.collect import review
    from ..planreview.tfc import TfcError
    from ..runner.terraform import TerraformError

    fmt = "json" if as_json else fmt
    runner = make_runner(ctx, config_path, target, quiet=fmt != "text")
    try:
        result = review(runner)
    except (TerraformError, TfcError) as err:
        fail(str(err))
    out = {"text": render.text, "markdown": render.markdown, "json": render.as_json}[fmt](result)
    click.echo(out, nl=False)
    if exit_code:
        sys.exit(2 if result.changed else 0)
