"""DescribeExternalAgent is deprecated with no replacement: while it answers the fleet phase uses
it; when it fails, nothing half-made stays and the error says how to register by hand."""

import pytest

from crosscloud.fleet.alibaba_api import AlibabaApiError
from crosscloud.fleet.context import FleetError
from crosscloud.fleet.phase import _agent_manifest

AGENT = "apiVersion: v1\nkind: Namespace\nmetadata: {name: ack-agent}\n---\napiVersion: v1\nkind: ServiceAccount\nmetadata: {name: a, namespace: ack-agent}\n"


class FakeApi:
    def __init__(self, fail: bool):
        self.fail, self.deleted = fail, []

    def external_agent_manifest(self, cluster_id, *, private_ip=True):
        assert private_ip  # the agent reaches ACK One over the VPN
        if self.fail:
            raise AlibabaApiError("DescribeExternalAgent", "Forbidden.Deprecated", "this API is offline", "req-1")
        return AGENT

    def delete_cluster(self, cluster_id):
        self.deleted.append(cluster_id)


class Ctx:
    def __init__(self, api):
        self.api = api


def test_while_the_api_answers_its_manifest_is_used():
    api = FakeApi(fail=False)
    docs = _agent_manifest(Ctx(api), "gke-consumer", "c1", created=True)
    assert [d["kind"] for d in docs] == ["Namespace", "ServiceAccount"] and api.deleted == []


def test_failure_deletes_what_this_run_created_and_names_the_manual_steps():
    api = FakeApi(fail=True)
    with pytest.raises(FleetError) as err:
        _agent_manifest(Ctx(api), "gke-consumer", "c1", created=True)
    assert api.deleted == ["c1"]
    text = str(err.value)
    assert "Forbidden.Deprecated" in text and "deprecated" in text and "Registering a GKE cluster by hand" in text
    assert "c1 (created by this run) was deleted" in text


def test_failure_keeps_an_earlier_registration_for_reuse():
    api = FakeApi(fail=True)
    with pytest.raises(FleetError, match="kept and reused"):
        _agent_manifest(Ctx(api), "gke-consumer", "c1", created=False)
    assert api.deleted == []
