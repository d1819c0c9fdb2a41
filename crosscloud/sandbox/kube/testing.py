"""A small fleet in a CloudStore, for tests and demos of the Kubernetes emulation.

The same shapes the sandbox Terraform providers and OpenAPI emulation write: an ACK One hub, an
ASK cluster, a GKE cluster, a registered cluster for the GKE one, and both memberships.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..store import CloudStore
from .clusters import ASK, GKE, HUB, MEMBERSHIP, REGISTERED, cluster_key


@dataclass(frozen=True)
class Fleet:
    hub: str
    ask: str
    gke: str
    registered: str

    @property
    def gke_key(self) -> str:
        return cluster_key(GKE, self.gke)


def populate_fleet(cloud: CloudStore, *, outsider: bool = False) -> Fleet:
    """Write the tutorial's clusters; `outsider` adds an ASK cluster that joins no fleet."""
    fleet = Fleet(hub="c" + "1" * 32, ask="c" + "2" * 32,
                  gke="projects/demo-project-123456/locations/asia-northeast1/clusters/demo-gke-consumer",
                  registered="c" + "4" * 32)
    cloud.put(HUB, fleet.hub, {"cluster_name": "demo-fleet", "status": "running"}, name="demo-fleet", status="running")
    cloud.put(ASK, fleet.ask, {"name": "demo-ask-provider", "profile": "Serverless", "service_cidr": "172.21.0.0/20"}, name="demo-ask-provider")
    cloud.put(GKE, fleet.gke, {"name": "demo-gke-consumer", "location": "asia-northeast1",
                               "ip_allocation_policy": [{"cluster_ipv4_cidr_block": "10.40.0.0/14",
                                                         "services_ipv4_cidr_block": "10.44.0.0/20"}]},
              name="demo-gke-consumer")
    cloud.put(REGISTERED, fleet.registered, {"name": "demo-gke-consumer", "state": "waiting"},
              name="demo-gke-consumer", status="waiting")
    for member in (fleet.ask, fleet.registered):
        cloud.put(MEMBERSHIP, f"{fleet.hub}:{member}", {"cluster_id": fleet.hub, "sub_cluster_id": member})
    if outsider:
        cloud.put(ASK, "c" + "9" * 32, {"name": "not-a-member", "profile": "Serverless"}, name="not-a-member")
    return fleet
