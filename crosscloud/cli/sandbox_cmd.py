"""`crosscloud sandbox up|down|status|kubeconfig|env|ls|reset`: the local twin of both clouds.

Thin commands: each calls one function of crosscloud.sandbox (sandbox.py, daemon.py, access.py),
imported when it runs. This module and runner/targets.py are the only product code that may
import crosscloud.sandbox (tests/test_boundary.py).
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


def _fail(message: str) -> None:
    import sys

    click.secho(f"error: {message}", fg="red", err=True)
    sys.exit(1)


def _ensure_up(sandbox_dir: Path):
    """Start the background service if it is not up, saying so on stderr."""
    from crosscloud.sandbox import daemon

    try:
        st, started = daemon.up(sandbox_dir)
    except daemon.DaemonError as err:
        _fail(str(err))
    if started:
        click.echo(f"started the sandbox service (pid {st.pid}); stop it with: crosscloud sandbox down", err=True)
    return st


@sandbox.command("up")
@_STATE_DIR
@click.pass_context
def up(ctx: click.Context, state_dir: Path | None) -> None:
    """Start the twin's APIs as one background process on 127.0.0.1 (the Kubernetes API of the
    hub and every cluster, the Alibaba OpenAPI), controllers reconciling on their own. Ports and
    pid are kept in the sandbox dir (services.json, daemon.pid); all state in its SQLite files,
    so it is safe to stop and start again. Does nothing if it is already up."""
    from crosscloud.sandbox.daemon import status_text
    from crosscloud.sandbox.sandbox import Sandbox

    sandbox_dir = _sandbox_dir(ctx, state_dir)
    Sandbox(sandbox_dir).ensure()
    st = _ensure_up(sandbox_dir)
    click.echo(status_text(sandbox_dir, st), nl=False)


@sandbox.command("down")
@_STATE_DIR
@click.pass_context
def down(ctx: click.Context, state_dir: Path | None) -> None:
    """Stop the background service (SIGTERM; it closes its servers and exits). The sandbox's
    clouds and clusters stay as they are: `sandbox up` serves them again."""
    from crosscloud.sandbox import daemon

    try:
        pid = daemon.down(_sandbox_dir(ctx, state_dir))
    except daemon.DaemonError as err:
        _fail(str(err))
    click.echo(f"stopped the sandbox service (pid {pid})" if pid else "the sandbox service was not running")


@sandbox.command("status")
@_STATE_DIR
@click.option("--json", "as_json", is_flag=True, help="{running, pid, endpoints: {name: {url, emulates}}}.")
@click.pass_context
def status(ctx: click.Context, state_dir: Path | None, as_json: bool) -> None:
    """Whether the background service runs, its pid, and each endpoint with what it emulates.
    Exits 3 when it is not running (like `systemctl status`)."""
    import sys

    from crosscloud.sandbox import daemon

    sandbox_dir = _sandbox_dir(ctx, state_dir)
    st = daemon.status(sandbox_dir)
    if as_json:
        import json

        click.echo(json.dumps(daemon.status_json(st), indent=2))
    else:
        click.echo(daemon.status_text(sandbox_dir, st), nl=False)
    if not st.running:
        sys.exit(3)


@sandbox.command("kubeconfig")
@click.argument("cluster", required=False)
@click.option("-c", "--config", "config_path", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Topology file: contexts are named after its clusters (and `hub`). Default: examples/seed.yaml "
                   "if it exists, else every sandbox cluster under its cloud name.")
@click.option("--merge", is_flag=True,
              help="Merge into the kubeconfig kubectl reads ($KUBECONFIG's first file, else ~/.kube/config) "
                   "instead of printing; other entries there are kept.")
@_STATE_DIR
@click.pass_context
def kubeconfig(ctx: click.Context, cluster: str | None, config_path: Path | None, merge: bool,
               state_dir: Path | None) -> None:
    """A kubeconfig for the hub and every member cluster (or just CLUSTER), one context per
    cluster named as the topology names it, so e.g. `kubectl --context gke-consumer get svc -n
    provider-ns` works. Printed as YAML unless --merge. Starts the service if it is not up."""
    from crosscloud.sandbox import access

    from ._common import DEFAULT_CONFIG, load_or_exit

    sandbox_dir = _sandbox_dir(ctx, state_dir)
    path = config_path or (Path(DEFAULT_CONFIG) if Path(DEFAULT_CONFIG).exists() else None)
    topology_name = load_or_exit(path).name if path else None
    try:
        doc = access.kubeconfig_document(sandbox_dir, topology_name, cluster)
    except access.AccessError as err:
        _fail(str(err))
    _ensure_up(sandbox_dir)
    if not merge:
        import yaml

        click.echo(yaml.safe_dump(doc, sort_keys=False), nl=False)
        return
    target = access.default_kubeconfig_path()
    try:
        names = access.merge_into(target, doc)
    except access.AccessError as err:
        _fail(str(err))
    click.echo(f"merged context(s) {', '.join(names)} into {target}; current context: {doc['current-context']}")


@sandbox.command("env")
@_STATE_DIR
@click.pass_context
def env(ctx: click.Context, state_dir: Path | None) -> None:
    """Print `export` lines: eval "$(crosscloud sandbox env)" points terraform at the sandbox and
    gives the Alibaba SDKs the emulation's endpoint (CROSSCLOUD_SANDBOX_OPENAPI_ENDPOINT, for
    Config(endpoint=..., protocol="http")) and its sandbox keys (ALIBABA_CLOUD_ACCESS_KEY_ID/SECRET)."""
    from crosscloud.sandbox.access import sdk_env
    from crosscloud.sandbox.sandbox import env_exports, shell_exports

    sandbox_dir = _sandbox_dir(ctx, state_dir)
    click.echo(env_exports(sandbox_dir) + shell_exports(sdk_env(sandbox_dir)), nl=False)


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
