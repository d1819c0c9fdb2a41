"""The latency model's side effects follow the providers' code: the hub's post-create wait only
with argocd_enabled, and a Default-profile hub holding its vSwitches for a while after delete."""

import time

import pytest

from crosscloud.sandbox import semantics as sem
from crosscloud.sandbox.cloud import Cloud
from crosscloud.sandbox.store import CloudStore


def test_hub_post_create_wait_only_when_argocd_is_enabled():
    assert sem.side_effect_minutes("alicloud_ack_one_cluster", "create", {"argocd_enabled": True}) == 4.0
    assert sem.side_effect_minutes("alicloud_ack_one_cluster", "create", {"argocd_enabled": False}) == 0.0
    assert sem.side_effect_minutes("alicloud_ack_one_cluster", "delete", {"argocd_enabled": True}) == 0.0
    assert sem.side_effect_minutes("alicloud_vpc", "create", {"argocd_enabled": True}) == 0.0


@pytest.mark.parametrize("profile,held", [("Default", True), ("XFlow", False)])
def test_deleted_hub_holds_its_vswitches(tmp_path, monkeypatch, profile, held):
    monkeypatch.setenv(sem.LATENCY_ENV, "0.1")  # hold: 2 min -> 12 s
    store = CloudStore(tmp_path / "cloud.db")
    store.put("alicloud_vswitch", "vsw-1", {"id": "vsw-1", "vpc_id": "vpc-1"})
    store.put("alicloud_vswitch", "vsw-2", {"id": "vsw-2", "vpc_id": "vpc-1"})
    hub = {"id": "c1", "profile": profile, "network": [{"vpc_id": "vpc-1", "vswitches": ["vsw-1"]}]}
    store.put("alicloud_ack_one_cluster", "c1", hub)
    Cloud(store, "alicloud", doc={"resources": {}, "data_sources": {}}).delete("alicloud_ack_one_cluster", hub)
    assert store.get("alicloud_ack_one_cluster", "c1") is None
    assert (Cloud._held_for("alicloud_vswitch", store.get("alicloud_vswitch", "vsw-1")) > 0) is held
    assert Cloud._held_for("alicloud_vswitch", store.get("alicloud_vswitch", "vsw-2")) == 0.0
    until = store.get("alicloud_vswitch", "vsw-1").get("_held_until", 0)
    assert (until > time.time()) is held
