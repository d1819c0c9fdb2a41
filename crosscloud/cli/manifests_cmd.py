from __future__ import annotations

import sys
from pathlib import Path

import click

from ._common import config_option, load_or_exit, state_dir


@click.command()
@config_option
@click.option("-o", "--out", "outdir", type=click.Path(file_okay=False, path_type=Path), default="manifests",
              show_default=True, help="Directory to write the rendered manifests to.")
@click.option("--ids", "ids_path", type=click.Path(dir_okay=False, path_type=Path),
              help='Cluster ids as JSON: {"clusters": {"<cluster name>": "<id>"}, "fleet": "<hub id>"}.')
@click.pass_context
def manifests(ctx: click.Context, config_path: Path, outdir: Path, ids_path: Path | None) -> None:
    """Render the ACK One multi-cluster manifests of every service for review.

    \b
    Per service: hub/<ns>/<svc>/app.yaml and service-policy.yaml (apply to the fleet hub),
    clusters/<consumer>/<ns>/<svc>/consumer.yaml (apply to that consumer cluster).
    Every document is checked against its kind's schema; nothing is written unless all pass.
    Cluster ids are the Alibaba cluster ids and the registered-cluster ids of GKE, as ACK One knows them:
    from --ids, or else from the deployment in the state dir (crosscloud deploy records them).
    """
    from ..fleet.phase import deployed_ids
    from ..k8s_manifests.render import ClusterIds, ManifestError, write_manifests

    topology = load_or_exit(config_path)
    try:
        ids = ClusterIds.load(ids_path) if ids_path else deployed_ids(state_dir(ctx), topology)
        written = write_manifests(topology, ids, outdir)
    except ManifestError as err:
        click.secho(f"{config_path}: cannot render the manifests: {len(err.problems)} problem(s):", fg="red", err=True)
        for p in err.problems:
            click.echo(f"  - {p}", err=True)
        if not ids_path:
            click.echo(f"  (no deployment in {state_dir(ctx)} has them: run crosscloud deploy, or pass --ids FILE.json)", err=True)
        sys.exit(1)
    click.secho(f"wrote {len(written)} file(s) to {outdir}", fg="green")
    for path in written:
        click.echo(f"  {path.relative_to(outdir).as_posix()}")
