"""The fleet phase and verify use the ASK kubeconfig the last apply stored while the cluster still
accepts it, and read the credentials again through Terraform (a refresh-only plan) only when it
does not: expired, revoked, or the endpoint moved."""

import copy
import time

import pytest
from support import EXAMPLES

from crosscloud.config import load_topology
from crosscloud.fleet import kube
from crosscloud.fleet.context import FleetContext
from crosscloud.sandbox.kube import KubeApiServer, cluster_token
from crosscloud.sandbox.kube.clusters import ASK
from crosscloud.sandbox.kube.testing import populate_fleet
from crosscloud.sandbox.store import CloudStore


@pytest.fixture
def server(tmp_path):
    cloud = CloudStore(tmp_path / "cloud.db")
    fleet = populate_fleet(cloud)
    api = KubeApiServer(tmp_path, cloud_store=cloud, delay=0.05)
    api.start()
    yield api, fleet
    api.stop()


def temporary(api, cluster_id: str, expires: float) -> dict:
    """A kubeconfig with a temporary token, as alicloud_cs_cluster_credential issues them."""
    cfg = copy.deepcopy(api.kubeconfig(ASK, cluster_id))
    cfg["users"][0]["user"]["token"] = cluster_token(api.sandbox_dir, cluster_id, expires)
    return cfg


def test_accepts_a_valid_credential_and_refuses_expired_wrong_or_unreachable(server):
    api, fleet = server
    assert kube.accepts(api.kubeconfig(ASK, fleet.ask))
    assert kube.accepts(temporary(api, fleet.ask, time.time() + 3600))
    assert not kube.accepts(temporary(api, fleet.ask, time.time() - 60))       # expired: 401
    wrong = api.kubeconfig(ASK, fleet.ask)
    wrong["users"][0]["user"]["token"] = "ccsb.wrong"
    assert not kube.accepts(wrong)                                              # revoked: 401
    moved = api.kubeconfig(ASK, fleet.ask)
    moved["clusters"][0]["cluster"]["server"] = moved["clusters"][0]["cluster"]["server"].replace(api.url, "https://127.0.0.1:1")
    assert not kube.accepts(moved)                                              # nothing listens there
    assert not kube.accepts(api.kubeconfig(ASK, "c" + "0" * 32))                # no such cluster: 404


class Runner:
    """The two ways a Runner gives the clusters stack's outputs: as last applied, or read again."""

    def __init__(self, stored: dict):
        self.topology = load_topology(EXAMPLES / "seed.yaml")
        self.stored, self.fresh_reads = stored, 0

    def outputs(self, stack: str) -> dict:
        assert stack == "clusters"
        return {"ask_kubeconfigs": {"ask-provider": self.stored}}

    def fresh_outputs(self, stack: str) -> dict:
        assert stack == "clusters"
        self.fresh_reads += 1
        return {"ask_kubeconfigs": {"ask-provider": "read again"}}


def test_a_stored_credential_the_cluster_accepts_needs_no_terraform_run(server):
    api, fleet = server
    stored = temporary(api, fleet.ask, time.time() + 3600)
    runner = Runner(stored)
    ctx = FleetContext(runner, api=None, gke_kubeconfig=None)
    assert ctx.cluster_kubeconfig("ask-provider") == stored
    assert ctx.cluster_kubeconfig("ask-provider") == stored
    assert runner.fresh_reads == 0


def test_an_expired_stored_credential_is_read_again_once_per_command(server):
    api, fleet = server
    runner = Runner(temporary(api, fleet.ask, time.time() - 60))
    ctx = FleetContext(runner, api=None, gke_kubeconfig=None)
    assert ctx.cluster_kubeconfig("ask-provider") == "read again"
    assert ctx.cluster_kubeconfig("ask-provider") == "read again"
    assert runner.fresh_reads == 1
