"""`crosscloud sandbox env|ls|reset`: the local twin of both clouds.

Thin commands: each calls one function of crosscloud.sandbox.sandbox, imported when it runs.
"""

from __future__ import annotations

from pathlib import Path

import click

_STATE_DIR = click.option(
    "--state-dir", type=click.Path(file_okay=False, path_type=Path), default=None,
    help="crosscloud state directory (default: the global --state-dir, .crosscloud); the sandbox is <state-dir>/sandbox.")


def _sandbox_dir(ctx: click.Context, state_dir: Path | None) -> Path:
    base = state_dir or (ctx.obj or {}).get("state_dir") or Path(".crosscloud")
    return Path(base) / "sandbox"


@click.group("sandbox")
def sandbox() -> None:
    """The local twin of both clouds that plain `terraform` runs against (offline)."""


@sandbox.command("env")
@_STATE_DIR
@click.pass_context
def env(ctx: click.Context, state_dir: Path | None) -> None:
    """Print `export` lines: eval "$(crosscloud sandbox env)" points terraform at the sandbox."""
    from crosscloud.sandbox.sandbox import env_exports

    click.echo(env_exports(_sandbox_dir(ctx, state_dir)), nl=False)


@sandbox.command("ls")
@_STATE_DIR
@click.option("--json", "as_json", is_flag=True,
              help="A JSON list of {type, id, name, status, cloud, detail} (cloud objects only).")
@click.pass_context
def ls(ctx: click.Context, state_dir: Path | None, as_json: bool) -> None:
    """List the objects in the sandbox clouds (type, id, name, status) and count the Kubernetes
    objects their clusters hold. Never shows secrets."""
    from crosscloud.sandbox.sandbox import objects_listing

    click.echo(objects_listing(_sandbox_dir(ctx, state_dir), as_json=as_json), nl=False)


@sandbox.command("reset")
@_STATE_DIR
@click.pass_context
def reset(ctx: click.Context, state_dir: Path | None) -> None:
    """Empty both sandbox clouds and their clusters' Kubernetes objects (Terraform state elsewhere
    is not touched)."""
    from crosscloud.runner.journal import run_lock
    from crosscloud.sandbox.sandbox import reset_sandbox

    sandbox_dir = _sandbox_dir(ctx, state_dir)
    with run_lock(sandbox_dir.parent, "sandbox reset"):  # never under a running deploy or destroy
        click.echo(reset_sandbox(sandbox_dir), nl=False)
