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
def plan(ctx: click.Context, config_path: Path, target: str, as_json: bool) -> None:
    """Synthesize, then `terraform plan` every stack whose inputs exist; summarize what each would
    add, change, replace or destroy, by resource address."""
    from ..runner.deploy import plan as run_plan
    from ..runner.terraform import TerraformError

    runner = make_runner(ctx, config_path, target, quiet=as_json)
    try:
        result = run_plan(runner)
    except TerraformError as err:
        fail(str(err))
    if as_json:
        print_json({"target": target, "stacks": result})
        return
    for stack, info in result.items():
        if not info["planned"]:
            click.echo(f"{stack}: not planned — {info['reason']}")
            continue
        counts = ", ".join(f"{len(info[k])} to {k}" for k in ("add", "change", "replace", "destroy") if info.get(k))
        click.secho(f"{stack}: {counts or 'no changes'}", bold=True)
        for kind, sign in (("add", "+"), ("change", "~"), ("replace", "-/+"), ("destroy", "-")):
            for address in info.get(kind, []):
                click.echo(f"  {sign} {address}")
