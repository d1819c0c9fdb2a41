"""The twin refuses at apply what the clouds refuse, with their error codes (issue #12):
a single-vSwitch VPN gateway where new gateways are dual-tunnel only, GKE outside its subnet's
region, and any Compute/GKE resource in a project whose API is still disabled."""

from __future__ import annotations

import pytest

from crosscloud.sandbox.cloud import Cloud, CloudError
from crosscloud.sandbox.gcp import serviceusage
from crosscloud.sandbox.gcp.container import region_of
from crosscloud.sandbox.store import CloudStore
from crosscloud.sandbox.testing import planned as plan

APIS = ["compute.googleapis.com", "container.googleapis.com"]




@pytest.fixture
def store(tmp_path) -> CloudStore:
    return CloudStore(tmp_path / "cloud.db")


def _vpc_and_vswitches(ali: Cloud, zones: list[str]) -> tuple[dict, list[dict]]:
    vpc = ali.create("alicloud_vpc", plan(ali, "alicloud_vpc", cidr_block="192.168.0.0/16"))
    vsws = [ali.create("alicloud_vswitch", plan(ali, "alicloud_vswitch", vpc_id=vpc["id"], zone_id=z,
                                                cidr_block=f"192.168.{i + 1}.0/24")) for i, z in enumerate(zones)]
    return vpc, vsws


@pytest.mark.parametrize("region", ["ap-northeast-1", "ap-southeast-1", "eu-central-1"])
def test_single_vswitch_gateway_is_refused_where_dual_tunnel_only(store, region):
    ali = Cloud(store, "alicloud", {"region": region})
    vpc, (a, b) = _vpc_and_vswitches(ali, [f"{region}a", f"{region}b"])
    with pytest.raises(CloudError, match="InvalidVSwitchId.NotFound") as err:
        ali.create("alicloud_vpn_gateway", plan(ali, "alicloud_vpn_gateway", vpc_id=vpc["id"], bandwidth=10,
                                                vswitch_id=a["id"]))
    assert "disaster_recovery_vswitch_id" in err.value.detail
    assert store.list("alicloud_vpn_gateway") == []
    gw = ali.create("alicloud_vpn_gateway", plan(ali, "alicloud_vpn_gateway", vpc_id=vpc["id"], bandwidth=10,
                                                 vswitch_id=a["id"], disaster_recovery_vswitch_id=b["id"]))
    assert gw["disaster_recovery_internet_ip"]


def test_single_vswitch_gateway_is_created_in_a_single_tunnel_region(store):
    ali = Cloud(store, "alicloud", {"region": "me-east-1"})
    vpc, (a,) = _vpc_and_vswitches(ali, ["me-east-1a"])
    gw = ali.create("alicloud_vpn_gateway", plan(ali, "alicloud_vpn_gateway", vpc_id=vpc["id"], bandwidth=10,
                                                 vswitch_id=a["id"]))
    assert gw["internet_ip"] and gw["disaster_recovery_internet_ip"] is None


def _gcp_subnet(store: CloudStore, region: str) -> tuple[Cloud, dict]:
    serviceusage.enable_services(store, "p1", APIS)
    gcp = Cloud(store, "google", {"project": "p1", "region": region})
    net = gcp.create("google_compute_network", plan(gcp, "google_compute_network", name="n",
                                                    auto_create_subnetworks=False))
    sub = gcp.create("google_compute_subnetwork", plan(gcp, "google_compute_subnetwork", name="s", network=net["id"],
                                                       ip_cidr_range="10.146.0.0/20", region=region))
    return gcp, sub


@pytest.mark.parametrize("location", ["us-central1-a", "europe-west1"])
def test_gke_outside_the_subnet_region_is_refused(store, location):
    gcp, sub = _gcp_subnet(store, "asia-northeast1")
    with pytest.raises(CloudError, match=r"Error 400: .*is in region \"asia-northeast1\".*badRequest"):
        gcp.create("google_container_cluster", plan(gcp, "google_container_cluster", name="c", location=location,
                                                    network="n", subnetwork=sub["id"], initial_node_count=1))
    assert store.list("google_container_cluster") == []


@pytest.mark.parametrize("location", ["asia-northeast1-a", "asia-northeast1"])
def test_gke_in_the_subnet_region_is_created(store, location):
    gcp, sub = _gcp_subnet(store, "asia-northeast1")
    cluster = gcp.create("google_container_cluster", plan(gcp, "google_container_cluster", name="c",
                                                          location=location, network="n", subnetwork=sub["id"],
                                                          initial_node_count=1))
    assert cluster["location"] == location


def test_region_of_a_location():
    assert region_of("asia-northeast1-a") == "asia-northeast1"
    assert region_of("asia-northeast1") == "asia-northeast1"
    assert region_of("northamerica-northeast1-b") == "northamerica-northeast1"


def test_new_project_has_compute_and_gke_apis_disabled(store):
    gcp = Cloud(store, "google", {"project": "fresh-project", "region": "asia-northeast1"})
    with pytest.raises(CloudError) as err:
        gcp.create("google_compute_network", plan(gcp, "google_compute_network", name="n"))
    number = serviceusage.project_number("fresh-project")
    assert err.value.summary.startswith(
        f"Error creating Network: googleapi: Error 403: Compute Engine API has not been used in project {number} "
        "before or it is disabled.")
    assert '"reason": "SERVICE_DISABLED"' in err.value.detail and "compute.googleapis.com" in err.value.detail
    assert store.list() == []

    api = gcp.create("google_project_service", plan(gcp, "google_project_service", service="compute.googleapis.com",
                                                    disable_on_destroy=False))
    assert api["id"] == "fresh-project/compute.googleapis.com"
    net = gcp.create("google_compute_network", plan(gcp, "google_compute_network", name="n"))
    with pytest.raises(CloudError, match="Kubernetes Engine API has not been used in project"):
        gcp.create("google_container_cluster", plan(gcp, "google_container_cluster", name="c", network=net["id"],
                                                    initial_node_count=1))


def test_disable_on_destroy_decides_whether_the_api_stays_on(store):
    gcp = Cloud(store, "google", {"project": "fresh-project", "region": "asia-northeast1"})
    kept = gcp.create("google_project_service", plan(gcp, "google_project_service", service="compute.googleapis.com",
                                                     disable_on_destroy=False))
    gcp.delete("google_project_service", kept)
    assert serviceusage.is_enabled(store, "fresh-project", "compute.googleapis.com")
    assert store.list() == []  # an enabled API is not a leftover object
    dropped = gcp.create("google_project_service", plan(gcp, "google_project_service",
                                                        service="container.googleapis.com"))
    gcp.delete("google_project_service", dropped)  # the provider's default disable_on_destroy is true
    assert not serviceusage.is_enabled(store, "fresh-project", "container.googleapis.com")
