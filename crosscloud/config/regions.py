"""What the real clouds offer where, and the range limits they enforce: data, each with its source.

Preflight (config/preflight.py) and the sandbox twin (sandbox/alibaba/vpn.py, sandbox/gcp/...) read
these tables; nothing else hard-codes a region, a zone or a mask bound. To update a fact, change
its row and the `SOURCES` entry it names (with the date you read it). Rules built on a fact that
may have changed since print that fact's source and date in their message.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass


@dataclass(frozen=True)
class Source:
    where: str  # doc URL, or provider repo + version + file
    read: str  # date the fact was read (YYYY-MM-DD)
    note: str = ""

    def cite(self) -> str:
        return f"{self.where}, read {self.read}" + (", unverified" if "UNVERIFIED" in self.note else "")


SOURCES: dict[str, Source] = {
    "vpn-dual-tunnel": Source(
        "https://alibabacloud.com/help/en/vpn/sub-product-ipsec-vpn/user-guide/ipsec-vpn-connections-support-the-dual-tunnel-mode",
        "2026-12-01", "page last updated 2024-10-28; 'after you purchase a VPN gateway, you can create only dual-tunnel "
        "IPsec-VPN connections' in these regions; the stored copy stops at US (Virginia), whose zones were cut off"),
    "alibaba-zone-ids": Source(
        "https://www.alibabacloud.com/help/en/eci/product-overview/regions-and-zones", "2026-12-02",
        "zone ids such as cn-hangzhou-h, cn-shanghai-l, cn-qingdao-b (Chinese mainland and Hong Kong: hyphen + "
        "letter) and ap-southeast-1a, ap-northeast-1a (region ids ending in a digit: the letter appended)"),
    "vpn-gateway-zones": Source(
        "https://www.alibabacloud.com/help/en/vpn/sub-product-ipsec-vpn/user-guide/vpn-gateway-instance",
        "2026-12-02", "page last updated 2026-05-27: two vSwitches in different zones for zone-level disaster "
        "recovery; 'in single-zone regions ... specify two different vSwitches in the same zone'"),
    "vpn-single-tunnel-tests": Source(
        "aliyun/terraform-provider-alicloud v1.289.0 alicloud/connectivity/regions.go (VPNSingleConnectRegions)",
        "2026-12-01", "the provider's single-vSwitch gateway acceptance tests run only there"),
    "vpn-single-vswitch-error": Source(
        "https://github.com/aliyun/terraform-provider-alicloud/issues/6804", "2026-12-01",
        "CreateVpnGateway with only VSwitchId in a dual-tunnel region: 400 InvalidVSwitchId.NotFound"),
    "ask-new-accounts": Source(
        "https://www.alibabacloud.com/help/en/doc-detail/86366.html", "2026-12-01",
        "from 2025-02-17 ACK Serverless cluster creation is closed to accounts that never created one; "
        "alternatives: ACS, or ACK Pro with virtual nodes"),
    "acs-regions": Source("https://www.alibabacloud.com/help/en/cs/open-service-area", "2026-12-01",
                          "only the regions named in shared/reference/ack-one-2026.md were read"),
    "ackone-regions": Source(
        "https://www.alibabacloud.com/help/en/ack/distributed-cloud-container-platform-for-kubernetes/user-guide/fleet-management-network-planning",
        "2026-12-01", "links 'Regions that support ACK One'; that list was not in the stored copies, Tokyo is"),
    "ack-network-planning": Source("https://www.alibabacloud.com/help/doc-detail/86500.html", "2026-12-01",
                                   "VPC ranges 10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16; service CIDR locked after creation"),
    "ack-service-cidr-mask": Source(
        "ACK console / CreateCluster help text ('10.0.0.0/16-24, 172.16-31.0.0/16-24, 192.168.0.0/16-24')",
        "2026-12-01", "UNVERIFIED: no stored primary page quoted the mask bounds"),
    "alibaba-vpc-mask": Source("https://www.alibabacloud.com/help/en/vpc/user-guide/plan-networks", "2026-12-01",
                               "UNVERIFIED in this session: VPC /8 to /28, vSwitch /16 to /29"),
    "gcp-regions-zones": Source("https://cloud.google.com/compute/docs/regions-zones/", "2026-12-01",
                                "older stored copy; regions added since are not listed here"),
    "gcp-subnet-ranges": Source("https://cloud.google.com/vpc/docs/subnets#valid-ranges", "2026-12-01",
                                "UNVERIFIED in this session: smallest IPv4 subnet range /29, largest /8; "
                                "0.0.0.0/8, 127.0.0.0/8, 169.254.0.0/16, 224.0.0.0/4, 255.255.255.255/32 prohibited"),
    "gke-pods-per-node": Source("https://cloud.google.com/kubernetes-engine/docs/how-to/flexible-pod-cidr", "2026-12-01",
                                "default 110 pods per node on Standard clusters -> a /24 per node from the pod range"),
    "gke-services-range": Source("https://cloud.google.com/kubernetes-engine/docs/concepts/alias-ips", "2026-12-01",
                                 "UNVERIFIED in this session: services secondary range /16 (largest) to /27 (smallest)"),
    "rfc6890": Source("RFC 6890 / IANA IPv4 Special-Purpose Address Registry", "2026-12-01"),
    "gcp-classic-vpn-lifetimes": Source(
        "https://cloud.google.com/network-connectivity/docs/vpn/concepts/supported-ike-ciphers", "2026-12-01",
        "UNVERIFIED in this session: Cloud VPN proposes fixed lifetimes (IKE SA 36000 s, IPsec SA 10800 s)"),
}


# -------------------------------------------------------------------------------- Alibaba VPN
# Regions where a *new* VPN gateway is dual-tunnel only, with the zones that carry dual tunnels
# (zone letters; None = region listed, zones not read). Source: SOURCES["vpn-dual-tunnel"].
DUAL_TUNNEL_ONLY_ZONES: dict[str, tuple[str, ...] | None] = {
    "cn-hangzhou": ("k", "j", "i", "h", "g"),
    "cn-shanghai": ("k", "l", "m", "n", "b", "d", "e", "f", "g"),
    "cn-nanjing": ("a",),
    "cn-shenzhen": ("a", "e", "d", "f"),
    "cn-heyuan": ("a", "b"),
    "cn-guangzhou": ("a", "b"),
    "cn-qingdao": ("b", "c"),
    "cn-beijing": ("f", "e", "h", "g", "a", "c", "j", "i", "l", "k"),
    "cn-zhangjiakou": ("a", "b", "c"),
    "cn-huhehaote": ("a", "b"),
    "cn-wulanchabu": ("a", "b", "c"),
    "cn-chengdu": ("a", "b"),
    "cn-hongkong": ("b", "c", "d"),
    "ap-southeast-1": ("a", "b", "c"),  # Singapore
    "ap-southeast-7": ("a",),  # Bangkok
    "ap-northeast-1": ("a", "b", "c"),  # Tokyo
    "ap-northeast-2": ("a",),  # Seoul
    "ap-southeast-6": ("a",),  # Manila
    "ap-southeast-5": ("a", "b", "c"),  # Jakarta
    "ap-southeast-3": ("a", "b"),  # Kuala Lumpur
    "eu-west-1": ("a", "b"),  # London
    "eu-central-1": ("a", "b", "c"),  # Frankfurt
    "us-west-1": ("a", "b"),  # Silicon Valley
    "us-east-1": None,  # Virginia: listed, zones cut off in the stored copy
}
# Regions where a single-vSwitch (single-tunnel) gateway is known to be created.
SINGLE_TUNNEL_REGIONS: tuple[str, ...] = ("me-east-1",)  # SOURCES["vpn-single-tunnel-tests"]


def one_dual_tunnel_zone(region: str) -> bool:
    """A region whose dual-tunnel gateways have one zone to sit in: there both vSwitches may share
    it (two different vSwitches, same zone; SOURCES["vpn-gateway-zones"])."""
    letters = DUAL_TUNNEL_ONLY_ZONES.get(region)
    return letters is not None and len(letters) == 1


def dual_tunnel_only(region: str) -> bool:
    return region in DUAL_TUNNEL_ONLY_ZONES


def alibaba_zone_id(region: str, letter: str) -> str:
    """Alibaba zone ids: a region id ending in a digit takes the letter as it is (ap-northeast-1a),
    the others after a hyphen (cn-hangzhou-h, cn-hongkong-b). SOURCES["alibaba-zone-ids"]."""
    return f"{region}{letter}" if region[-1:].isdigit() else f"{region}-{letter}"


def alibaba_zone_letter(region: str, zone: str) -> str | None:
    """The zone's letter when `zone` is a zone id of `region`, else None."""
    letter = zone[-1:]
    return letter if letter.isalpha() and letter.islower() and zone == alibaba_zone_id(region, letter) else None


def dual_tunnel_zone_ok(region: str, zone: str) -> bool | None:
    """True/False when the zone list of the region is known, None when it is not."""
    letters = DUAL_TUNNEL_ONLY_ZONES.get(region)
    letter = alibaba_zone_letter(region, zone)
    if letters is None or letter is None:
        return None
    return letter in letters


# -------------------------------------------------------------------------------- clusters
# Where the cluster kinds crosscloud builds are known to be offered (a region missing here is a
# warning, not an error: the lists were read partially).
ACK_ONE_FLEET_REGIONS: tuple[str, ...] = ("ap-northeast-1",)  # SOURCES["ackone-regions"]
ACS_REGIONS: tuple[str, ...] = ("ap-northeast-1",)  # SOURCES["acs-regions"]
ASK_CLOSED_TO_NEW_ACCOUNTS_SINCE = "2025-02-17"  # SOURCES["ask-new-accounts"]

# GCP regions and their zone letters (SOURCES["gcp-regions-zones"]); GKE is offered in each.
GCP_ZONES: dict[str, tuple[str, ...]] = {
    "asia-east1": ("a", "b", "c"),
    "asia-east2": ("a", "b", "c"),
    "asia-northeast1": ("a", "b", "c"),
    "asia-south1": ("a", "b", "c"),
    "asia-southeast1": ("a", "b", "c"),
    "australia-southeast1": ("a", "b", "c"),
    "europe-north1": ("a", "b", "c"),
    "europe-west1": ("b", "c", "d"),
    "europe-west2": ("a", "b", "c"),
    "europe-west3": ("a", "b", "c"),
    "europe-west4": ("a", "b", "c"),
    "northamerica-northeast1": ("a", "b", "c"),
    "us-central1": ("a", "b", "c", "f"),
    "us-west1": ("a", "b", "c"),
}


# -------------------------------------------------------------------------------- ranges
def _nets(*cidrs: str) -> tuple[ipaddress.IPv4Network, ...]:
    return tuple(ipaddress.IPv4Network(c) for c in cidrs)


# Special-purpose ranges neither cloud accepts for a VPC, subnet, secondary or service range
# (GCP's prohibited list, SOURCES["gcp-subnet-ranges"]; all are special-purpose per RFC 6890).
SPECIAL_RANGES: dict[ipaddress.IPv4Network, str] = {
    ipaddress.IPv4Network("0.0.0.0/8"): "'this network' (RFC 6890)",
    ipaddress.IPv4Network("127.0.0.0/8"): "loopback",
    ipaddress.IPv4Network("169.254.0.0/16"): "link-local",
    ipaddress.IPv4Network("224.0.0.0/4"): "multicast",
    ipaddress.IPv4Network("240.0.0.0/4"): "reserved (class E) and broadcast",
}
# Private ranges an Alibaba VPC / ACK service CIDR must lie in (SOURCES["ack-network-planning"]).
ALIBABA_PRIVATE = _nets("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16")

# Mask bounds (shortest, longest prefix) per kind of range.
MASK_BOUNDS: dict[str, tuple[int, int, str]] = {
    "alibaba_vpc": (8, 28, "alibaba-vpc-mask"),
    "alibaba_vswitch": (16, 29, "alibaba-vpc-mask"),
    "ack_service": (16, 24, "ack-service-cidr-mask"),
    "gcp_subnet": (8, 29, "gcp-subnet-ranges"),
    "gcp_secondary": (8, 29, "gcp-subnet-ranges"),
    "gke_services": (16, 27, "gke-services-range"),
}

# GKE Standard: 110 pods per node by default, so each node takes a /24 of the pod range.
GKE_DEFAULT_MAX_PODS_PER_NODE = 110
GKE_POD_PREFIX_PER_NODE = 24  # SOURCES["gke-pods-per-node"]

# GCP Classic VPN's own IKE/IPsec SA lifetimes (the peer's values should match or exceed).
GCP_IKE_LIFETIME_SECONDS = 36000  # SOURCES["gcp-classic-vpn-lifetimes"]
GCP_IPSEC_LIFETIME_SECONDS = 10800
