"""Moving the GKE state from the old `clusters` stack to `gke` (runner/migrate.py), with real
terraform on hand-written state files (no cloud: `state mv` reads and writes files only)."""

import json
from types import SimpleNamespace

import pytest

from crosscloud.runner import migrate
from crosscloud.runner.deploy import Workspace
from crosscloud.runner.journal import Journal
from crosscloud.runner.report import Reporter
from crosscloud.runner.terraform import Terraform, TerraformError

GOOGLE = 'provider["registry.terraform.io/hashicorp/google"]'
ALICLOUD = 'provider["registry.terraform.io/aliyun/alicloud"]'


def resource(type_, name, id_, provider):
    return {"mode": "managed", "type": type_, "name": name, "provider": provider,
            "instances": [{"schema_version": 0, "attributes": {"id": id_}, "sensitive_attributes": []}]}


OLD_CLUSTERS = [resource("alicloud_cs_managed_kubernetes", "ask_provider", "c-ask", ALICLOUD),
                resource("google_container_cluster", "gke_consumer", "projects/p/locations/z/clusters/g", GOOGLE),
                resource("google_container_node_pool", "gke_consumer_pool", "projects/p/locations/z/clusters/g/nodePools/p", GOOGLE)]


def state(resources, lineage):
    return {"version": 4, "terraform_version": "1.11.4", "serial": 7, "lineage": lineage, "outputs": {},
            "resources": resources}


@pytest.fixture
def world(tmp_path):
    ws = Workspace(tmp_path / "state")
    for stack in ("clusters", "gke"):
        ws.stack_dir(stack).mkdir(parents=True)
    (ws.stack_dir("gke") / "cdk.tf.json").write_text("{}")  # the new layout is synthesized
    ws.state_path("clusters").write_text(json.dumps(state(OLD_CLUSTERS, "lineage-clusters")))
    runner = SimpleNamespace(ws=ws, report=Reporter(quiet=True), runs_locally=True, run_id="t",
                             target=SimpleNamespace(env={}, secrets=[]))
    return runner, ws


def addresses(ws, stack):
    doc = json.loads(ws.state_path(stack).read_text())
    return sorted(f"{r['type']}.{r['name']}" for r in doc["resources"]), doc


def test_old_layout_moves_to_the_gke_stack_once(world):
    runner, ws = world
    journal = Journal(ws.state_dir, "deploy", "sandbox")
    moved = migrate.move_gke_state(runner, journal)
    assert moved == ["google_container_cluster.gke_consumer", "google_container_node_pool.gke_consumer_pool"]
    left, clusters = addresses(ws, "clusters")
    assert left == ["alicloud_cs_managed_kubernetes.ask_provider"] and clusters["lineage"] == "lineage-clusters"
    now, gke = addresses(ws, "gke")
    assert now == moved
    assert {i["attributes"]["id"] for r in gke["resources"] for i in r["instances"]} == {
        "projects/p/locations/z/clusters/g", "projects/p/locations/z/clusters/g/nodePools/p"}
    recorded = json.loads(ws.journal_path.read_text())
    assert recorded["steps"][migrate.MIGRATION_STEP]["status"] == "done"
    assert recorded["applied"]["gke"]["lineage"] == gke["lineage"]
    assert not list(ws.state_dir.glob(".migrate-*"))  # the private copies are gone
    assert migrate.move_gke_state(runner, journal) == []  # nothing left to move


def test_old_synthesized_layout_is_left_alone(world):
    runner, ws = world
    (ws.stack_dir("gke") / "cdk.tf.json").unlink()  # config still has GKE in clusters: state matches it
    assert migrate.pending_moves(ws) == [] and migrate.move_gke_state(runner) == []
    assert len(addresses(ws, "clusters")[0]) == 3 and not ws.state_path("gke").exists()


def test_move_interrupted_between_the_two_files_is_finished(world):
    runner, ws = world
    # the gke file was replaced, the clusters one not yet: the objects are in both, same ids
    ws.state_path("gke").write_text(json.dumps(state(OLD_CLUSTERS[1:], "lineage-gke")))
    migrate.move_gke_state(runner)
    assert addresses(ws, "clusters")[0] == ["alicloud_cs_managed_kubernetes.ask_provider"]
    now, gke = addresses(ws, "gke")
    assert len(now) == 2 and gke["lineage"] == "lineage-gke"


def test_conflicting_ids_are_refused_and_nothing_is_written(world):
    runner, ws = world
    other = [resource("google_container_cluster", "gke_consumer", "projects/p/locations/z/clusters/OTHER", GOOGLE)]
    ws.state_path("gke").write_text(json.dumps(state(other, "lineage-gke")))
    before = {s: ws.state_path(s).read_bytes() for s in ("clusters", "gke")}
    with pytest.raises(migrate.MigrationError, match=r"google_container_cluster.gke_consumer is in both .* different ids"):
        migrate.move_gke_state(runner)
    assert {s: ws.state_path(s).read_bytes() for s in ("clusters", "gke")} == before


def test_a_failed_terraform_leaves_both_states_as_they_were(world, monkeypatch):
    runner, ws = world
    before = ws.state_path("clusters").read_bytes()
    real_run, calls = Terraform.run, []

    def second_fails(self, *args, **kw):
        calls.append(args)
        if len(calls) == 2:
            raise TerraformError("gke", "state", "simulated failure", None)
        return real_run(self, *args, **kw)

    monkeypatch.setattr(Terraform, "run", second_fails)
    with pytest.raises(TerraformError):
        migrate.move_gke_state(runner)
    assert ws.state_path("clusters").read_bytes() == before and not ws.state_path("gke").exists()
    monkeypatch.setattr(Terraform, "run", real_run)
    assert len(migrate.move_gke_state(runner)) == 2  # the next run does it all


def test_terraform_cloud_workspaces_are_not_touched(world):
    runner, ws = world
    runner.runs_locally = False
    assert migrate.move_gke_state(runner) == []
    assert len(addresses(ws, "clusters")[0]) == 3
