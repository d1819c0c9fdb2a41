"""L2 networks: the Alibaba VPC with its vSwitches, and the GCP custom VPC with its subnet."""

from __future__ import annotations

from ..cdk import Construct
from ..config import Topology
from . import alicloud
from .google import bindings

# Secondary range names GKE refers to; stable because they are part of the subnet's identity.
PODS_RANGE = "pods"
SERVICES_RANGE = "services"
# APIs a new GCP project has disabled and the GCP resources here need (construct id, service).
GCP_APIS = (("compute", "compute.googleapis.com"), ("container", "container.googleapis.com"))


def gke_node_tag(t: Topology) -> str:
    """The network tag of the GKE nodes, which the firewall targets (pods' alias IPs share it)."""
    return f"{t.name}-gke-node"


def gke_ports_for_alibaba(t: Topology) -> list[int]:
    """Target ports of services a GKE cluster provides to Alibaba consumers."""
    return sorted({s.target_port for s in t.services if t.cluster(s.provider).kind == "gke"
                   and any(t.cluster(c).cloud == "alibaba" for c in s.consumers)})


class AlibabaNetwork(Construct):
    """A VPC and one vSwitch per entry of alibaba.vswitches (the VPN gateway uses the first two)."""

    def __init__(self, scope: Construct, id: str, topology: Topology):
        super().__init__(scope, id)
        t = topology
        self.vpc = alicloud.Vpc(self, "vpc", vpc_name=f"{t.name}-vpc", cidr_block=t.alibaba.vpc_cidr)
        self.vpc.override_logical_id("vpc")
        self.vswitches = []
        for i, vsw in enumerate(t.alibaba.vswitches):
            resource = alicloud.Vswitch(self, f"vswitch-{i}", vpc_id=self.vpc.id, cidr_block=vsw.cidr, zone_id=vsw.zone,
                                        vswitch_name=f"{t.name}-vsw-{vsw.zone}")
            resource.override_logical_id(f"vswitch_{i}")
            self.vswitches.append(resource)
        # ACK clusters' Terway pod vSwitches: cluster name -> vSwitches (pod IPs are VPC IPs).
        self.pod_vswitches: dict[str, list] = {}
        for c in t.clusters_of("ack"):
            for i, vsw in enumerate(c.pod_vswitches):
                logical = f"pod_vswitch_{c.name.replace('-', '_')}_{i}"
                resource = alicloud.Vswitch(self, logical, vpc_id=self.vpc.id, cidr_block=vsw.cidr, zone_id=vsw.zone,
                                            vswitch_name=f"{t.name}-{c.name}-pods-{i}")
                resource.override_logical_id(logical)
                self.pod_vswitches.setdefault(c.name, []).append(resource)


class GcpNetwork(Construct):
    """The Compute Engine and Kubernetes Engine APIs (unless gcp.enable_apis is false), a custom-mode
    VPC, one subnet per GKE cluster with its pod and service secondary ranges, and a firewall rule
    admitting from the Alibaba VPC what it needs on the GKE nodes."""

    def __init__(self, scope: Construct, id: str, topology: Topology):
        super().__init__(scope, id)
        g = bindings()
        t = topology
        # Left enabled at destroy: other workloads in the project may use them, and disabling
        # fails while any resource of the API remains.
        self.apis = [g.ProjectService(self, f"api-{key}", service=service, disable_on_destroy=False)
                     for key, service in GCP_APIS] if t.gcp.enable_apis else []
        for api, (key, _) in zip(self.apis, GCP_APIS):
            api.override_logical_id(f"api_{key}")
        self.network = g.ComputeNetwork(self, "network", name=f"{t.name}-vpc", auto_create_subnetworks=False,
                                        routing_mode="REGIONAL", depends_on=self.apis or None)
        self.network.override_logical_id("network")
        # One subnet per GKE cluster (a cluster owns its subnet's pod and service ranges). The
        # first keeps the id and name it always had, so existing deployments are not replaced.
        gkes = t.clusters_of("gke")
        self.subnets: dict[str, object] = {}
        self.subnet = None
        for i, c in enumerate(gkes or [None]):
            subnet_cidr, pods, services = t.gke_ranges(c) if c else (t.gcp.subnet_cidr, t.gcp.pods_cidr, t.gcp.services_cidr)
            logical = "subnet" if i == 0 else f"subnet_{c.name.replace('-', '_')}"
            subnet = g.ComputeSubnetwork(
                self, logical, name=f"{t.name}-subnet" if i == 0 else f"{t.name}-{c.name}", network=self.network.id,
                region=t.gcp.region, ip_cidr_range=subnet_cidr, private_ip_google_access=True,
                secondary_ip_range=[
                    g.ComputeSubnetworkSecondaryIpRange(range_name=PODS_RANGE, ip_cidr_range=pods),
                    g.ComputeSubnetworkSecondaryIpRange(range_name=SERVICES_RANGE, ip_cidr_range=services),
                ])
            subnet.override_logical_id(logical)
            self.subnet = self.subnet or subnet
            if c:
                self.subnets[c.name] = subnet
        # Only what the Alibaba side opens: ICMP (the tutorial's ping) and the target ports of
        # services GKE provides to Alibaba consumers, on the GKE nodes only. Replies to what GKE
        # opens pass anyway: firewall rules are stateful.
        ports = [str(p) for p in gke_ports_for_alibaba(t)]
        self.firewall = g.ComputeFirewall(
            self, "allow-alibaba", name=f"{t.name}-allow-alibaba", network=self.network.id, direction="INGRESS",
            source_ranges=[t.alibaba.vpc_cidr], target_tags=[gke_node_tag(t)],
            allow=[g.ComputeFirewallAllow(protocol="icmp")] + ([g.ComputeFirewallAllow(protocol="tcp", ports=ports)] if ports else []))
        self.firewall.override_logical_id("allow_alibaba")
