"""The `manifests` command through click's CliRunner, with an empty state dir of its own (so no
deployment supplies cluster ids unless a test passes --ids)."""

import json

import click
import pytest
from click.testing import CliRunner

from support import EXAMPLES
from crosscloud.cli.manifests_cmd import manifests
from crosscloud.config import load_topology
from crosscloud.k8s_manifests import ManifestError, render, write_manifests
from manifests_helpers import ASK_ID, FLEET_ID, GKE_ID, SEED_IDS, multi_service, topology

SEED = str(EXAMPLES / "seed.yaml")


@pytest.fixture
def cli(tmp_path):
    @click.group()
    @click.pass_context
    def group(ctx):
        ctx.obj = {"state_dir": tmp_path / "empty-state"}

    group.add_command(manifests)
    return group


def ids_file(tmp_path, clusters, fleet=FLEET_ID):
    path = tmp_path / "ids.json"
    path.write_text(json.dumps({"clusters": clusters, "fleet": fleet}))
    return str(path)


def files_under(root):
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file())


def test_writes_the_rendered_files(cli, tmp_path):
    out = tmp_path / "out"
    ids = ids_file(tmp_path, {"ask-provider": ASK_ID, "gke-consumer": GKE_ID})
    result = CliRunner().invoke(cli, ["manifests", "-c", SEED, "-o", str(out), "--ids", ids])
    assert result.exit_code == 0, result.output
    assert "wrote 3 file(s)" in result.output
    expected = render(load_topology(SEED), SEED_IDS)
    assert files_under(out) == sorted(f.filename for f in expected)
    for f in expected:
        assert (out / f.filename).read_text() == f.text


def test_without_ids_names_what_is_missing_and_writes_nothing(cli, tmp_path):
    out = tmp_path / "out"
    result = CliRunner().invoke(cli, ["manifests", "-c", SEED, "-o", str(out)])
    assert result.exit_code == 1
    assert "cluster id for ask-provider (ASK cluster) is not known yet" in result.output
    assert "cluster id for gke-consumer (registered cluster) is not known yet" in result.output
    assert "--ids" in result.output
    assert "Traceback" not in result.output
    assert not out.exists()


def test_partial_ids_name_the_missing_cluster(cli, tmp_path):
    out = tmp_path / "out"
    result = CliRunner().invoke(cli, ["manifests", "-c", SEED, "-o", str(out), "--ids",
                                      ids_file(tmp_path, {"ask-provider": ASK_ID})])
    assert result.exit_code == 1
    assert "cluster id for gke-consumer (registered cluster) is not known yet: run the fleet phase / deploy first" in result.output
    assert not out.exists()


@pytest.mark.parametrize("content, message", [
    ("{not json", "not JSON"),
    ('{"clusters": {"ask-provider": 5}, "fleet": "c1"}', "clusters.ask-provider"),
    ('{"cluster": {}}', "cluster: Extra inputs are not permitted"),
])
def test_bad_ids_file(cli, tmp_path, content, message):
    path = tmp_path / "ids.json"
    path.write_text(content)
    result = CliRunner().invoke(cli, ["manifests", "-c", SEED, "-o", str(tmp_path / "out"), "--ids", str(path)])
    assert result.exit_code == 1
    assert message in result.output and str(path) in result.output
    assert "Traceback" not in result.output


def test_bad_topology_exits_1(cli, tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: [")
    result = CliRunner().invoke(cli, ["manifests", "-c", str(bad), "-o", str(tmp_path / "out")])
    assert result.exit_code == 1 and "malformed YAML" in result.output


def test_nothing_is_written_when_validation_fails(tmp_path, monkeypatch):
    import importlib

    render_module = importlib.import_module("crosscloud.k8s_manifests.render")  # the package re-exports render()

    monkeypatch.setattr(render_module, "validate_files", lambda files: ["app.yaml: Deployment x: spec.selector: required field is missing"])
    with pytest.raises(ManifestError, match="spec.selector"):
        write_manifests(load_topology(SEED), SEED_IDS, tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_rewrite_removes_files_of_services_no_longer_rendered(tmp_path, seed_data):
    from manifests_helpers import MULTI_IDS

    out = tmp_path / "out"
    write_manifests(topology(multi_service(seed_data)), MULTI_IDS, out)
    assert "hub/provider-ns/service2/app.yaml" in files_under(out)
    (out / "notes.txt").write_text("mine")
    (out / "hub" / "handwritten.yaml").write_text("kind: ConfigMap\n")
    write_manifests(topology(seed_data), SEED_IDS, out)
    assert files_under(out) == sorted([
        "clusters/gke-consumer/provider-ns/service1/consumer.yaml", "hub/handwritten.yaml",
        "hub/provider-ns/service1/app.yaml", "hub/provider-ns/service1/service-policy.yaml", "notes.txt"])
