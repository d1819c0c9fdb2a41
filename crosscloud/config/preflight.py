"""Cross-field checks on a parsed topology. Every rule runs; every problem is reported at once."""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass
from itertools import combinations
from typing import Any, Callable, Iterator

from . import regions
from .model import Topology

ERROR = "error"  # the cloud refuses it outright
WARNING = "warning"  # depends on the account, or on a fact that may have changed: printed, exit 0 (unless --strict)


@dataclass(frozen=True)
class Problem:
    path: str  # field path in the topology file, e.g. "alibaba.vswitches[1].cidr"
    value: Any
    message: str  # what is wrong and what is allowed
    level: str = ERROR

    def __str__(self) -> str:
        return f"{self.path}: {self.value!r}: {self.message}"

    def as_dict(self) -> dict[str, Any]:
        return {"path": self.path, "value": self.value, "message": self.message, "level": self.level}


def warning(path: str, value: Any, message: str) -> Problem:
    return Problem(path, value, message, WARNING)


def _per(source: str) -> str:
    """The source and date of a fact a rule relies on, for rules whose fact may be stale."""
    return f"(per {regions.SOURCES[source].cite()}; the cloud's console wins if it changed)"


# What both ends of a Classic VPN <-> Alibaba VPN link accept (Alibaba's names).
IKE_VERSIONS = ("ikev1", "ikev2")
ENCRYPTIONS = ("aes", "aes192", "aes256")
INTEGRITIES = ("sha1", "sha256", "sha384", "sha512")
DH_GROUPS = ("group2", "group5", "group14")
ALIBABA_VPN_BANDWIDTHS = (5, 10, 20, 50, 100, 200, 500, 1000)
SUPPORTED_CLUSTERS = {("alibaba", "ask"), ("alibaba", "acs"), ("alibaba", "ack"), ("gcp", "gke")}
GKE_RANGE_FIELDS = ("subnet_cidr", "pods_cidr", "services_cidr")

# The Alibaba VPN gateway refuses 0.0.0.0/0 and this range as policy-route destinations.
CARRIER_GRADE_NAT = ipaddress.ip_network("100.64.0.0/10")

# Longest suffix crosscloud appends to `name` for a cloud resource ("-fr-udp4500"), and the
# clouds' limits: GCP resource names 63, GKE cluster names 40.
NAME_MAX = 20
GCP_NAME_MAX = 63
GKE_NAME_MAX = 40
_DNS_LABEL = re.compile(r"^[a-z]([-a-z0-9]*[a-z0-9])?$")
_GCP_PROJECT = re.compile(r"^[a-z][-a-z0-9]{4,28}[a-z0-9]$")

Rule = Callable[[Topology], Iterator[Problem]]
RULES: list[Rule] = []


def rule(fn: Rule) -> Rule:
    RULES.append(fn)
    return fn


def preflight(topology: Topology) -> list[Problem]:
    """Every problem, errors and warnings (see `Problem.level`)."""
    return [problem for check in RULES for problem in check(topology)]


def errors(problems: list[Problem]) -> list[Problem]:
    return [p for p in problems if p.level == ERROR]


def warnings(problems: list[Problem]) -> list[Problem]:
    return [p for p in problems if p.level == WARNING]


def _network(value: str | None) -> ipaddress.IPv4Network | None:
    try:
        net = ipaddress.ip_network(value or "", strict=True)
    except ValueError:
        return None
    return net if isinstance(net, ipaddress.IPv4Network) else None


def named_ranges(t: Topology) -> list[tuple[str, str]]:
    """Every address range of the topology that must be unique, with its field path."""
    ranges = [("alibaba.vpc_cidr", t.alibaba.vpc_cidr)]
    if not t.clusters_of("gke"):
        ranges += [(f"gcp.{f}", getattr(t.gcp, f)) for f in GKE_RANGE_FIELDS]
    first_gke = True
    for i, c in enumerate(t.clusters):
        if c.kind == "gke":  # each GKE cluster's own subnet + secondary ranges (the first may use gcp.*)
            for f in GKE_RANGE_FIELDS:
                if getattr(c, f):
                    ranges.append((f"clusters[{i}].{f}", getattr(c, f)))
                elif first_gke:
                    ranges.append((f"gcp.{f}", getattr(t.gcp, f)))
            first_gke = False
    ranges += [(f"clusters[{i}].service_cidr", c.service_cidr) for i, c in enumerate(t.clusters) if c.service_cidr]
    return ranges


def pod_vswitch_fields(t: Topology) -> list[tuple[str, str, str]]:
    """(path, zone, cidr) of every ACK cluster's Terway pod vSwitch."""
    return [(f"clusters[{i}].pod_vswitches[{j}]", v.zone, v.cidr)
            for i, c in enumerate(t.clusters) for j, v in enumerate(c.pod_vswitches)]


@rule
def cidrs_are_valid(t: Topology) -> Iterator[Problem]:
    fields = named_ranges(t) + [(f"alibaba.vswitches[{i}].cidr", v.cidr) for i, v in enumerate(t.alibaba.vswitches)]
    fields += [(f"{path}.cidr", cidr) for path, _, cidr in pod_vswitch_fields(t)]
    for path, value in fields:
        if _network(value) is None:
            yield Problem(path, value, "not an IPv4 network in CIDR notation with no host bits set (e.g. 192.168.0.0/16)")


@rule
def ranges_do_not_overlap(t: Topology) -> Iterator[Problem]:
    nets = [(p, v, _network(v)) for p, v in named_ranges(t)]
    for (p1, v1, n1), (p2, v2, n2) in combinations(nets, 2):
        if n1 and n2 and n1.overlaps(n2):
            yield Problem(p2, v2, f"overlaps {p1} ({v1}); every range on both clouds must be distinct")


@rule
def vswitches_fit_the_vpc(t: Topology) -> Iterator[Problem]:
    vpc = _network(t.alibaba.vpc_cidr)
    vsw = [(f"alibaba.vswitches[{i}].cidr", v.cidr, _network(v.cidr)) for i, v in enumerate(t.alibaba.vswitches)]
    vsw += [(f"{path}.cidr", cidr, _network(cidr)) for path, _, cidr in pod_vswitch_fields(t)]  # ACK pod vSwitches
    for path, value, net in vsw:
        if net is None:
            continue
        if vpc and not net.subnet_of(vpc):
            yield Problem(path, value, f"outside alibaba.vpc_cidr ({t.alibaba.vpc_cidr}); a vSwitch must lie inside its VPC")
        yield from _mask_bounds(path, value, net, "alibaba_vswitch", "vSwitch")
    for (p1, v1, n1), (p2, v2, n2) in combinations(vsw, 2):
        if n1 and n2 and n1.overlaps(n2):
            yield Problem(p2, v2, f"overlaps {p1} ({v1}); vSwitches must not overlap")
    zones = [(f"alibaba.vswitches[{i}]", v.zone) for i, v in enumerate(t.alibaba.vswitches)]
    zones += [(path, zone) for path, zone, _ in pod_vswitch_fields(t)]
    for path, zone in zones:
        if regions.alibaba_zone_letter(t.alibaba.region, zone) is None:
            a, b = (regions.alibaba_zone_id(t.alibaba.region, x) for x in "ab")
            yield Problem(f"{path}.zone", zone, f"not a zone of alibaba.region {t.alibaba.region} (expected {a}, {b}, …)")


@rule
def vpn_destinations_are_routable(t: Topology) -> Iterator[Problem]:
    # Both directions: GCP ranges are Alibaba policy-route destinations, Alibaba's are GCP route destinations.
    for path, value in named_ranges(t):
        net = _network(value)
        if net is None:
            continue
        if net.prefixlen == 0:
            yield Problem(path, value, "a VPN destination may not be 0.0.0.0/0; use a private range (RFC 1918)")
        elif net.overlaps(CARRIER_GRADE_NAT):
            yield Problem(path, value, f"a VPN destination may not overlap {CARRIER_GRADE_NAT}; use a private range (RFC 1918)")


@rule
def dual_mode_has_two_zones(t: Topology) -> Iterator[Problem]:
    if t.vpn.mode != "dual":
        return
    vsw = t.alibaba.vswitches
    same_zone_allowed = regions.one_dual_tunnel_zone(t.alibaba.region)
    if len(vsw) < 2 or (vsw[0].zone == vsw[1].zone and not same_zone_allowed):
        zones = [v.zone for v in vsw[:2]]
        yield Problem("alibaba.vswitches", zones, "vpn.mode dual needs two vSwitches in different zones (the first two are used; "
                                                  "only regions with a single dual-tunnel zone take two in the same zone "
                                                  f"{_per('vpn-gateway-zones')}); add one or set vpn.mode: single")


@rule
def ike_parameters_are_known(t: Topology) -> Iterator[Problem]:
    checks = [
        ("vpn.ike_version", t.vpn.ike_version, IKE_VERSIONS),
        ("vpn.encryption", t.vpn.encryption, ENCRYPTIONS),
        ("vpn.integrity", t.vpn.integrity, INTEGRITIES),
        ("vpn.dh_group", t.vpn.dh_group, DH_GROUPS),
    ]
    for path, value, allowed in checks:
        if value not in allowed:
            yield Problem(path, value, f"must be one of {', '.join(allowed)} (what both Alibaba VPN and GCP Classic VPN accept)")
    if t.vpn.ike_version == "ikev1":
        yield Problem("vpn.ike_version", "ikev1", "GCP Classic VPN puts all selector CIDRs in one child SA, which needs ikev2; the link carries several CIDRs")
    if t.vpn.bandwidth_mbps not in ALIBABA_VPN_BANDWIDTHS:
        yield Problem("vpn.bandwidth_mbps", t.vpn.bandwidth_mbps, f"must be one of {', '.join(map(str, ALIBABA_VPN_BANDWIDTHS))}")


@rule
def names_fit_the_clouds(t: Topology) -> Iterator[Problem]:
    def label(path: str, value: str, limit: int, what: str) -> Iterator[Problem]:
        if not _DNS_LABEL.match(value):
            yield Problem(path, value, "must be a DNS label: lowercase letters, digits and '-', starting with a letter and not ending with '-'")
        elif len(value) > limit:
            yield Problem(path, value, f"is {len(value)} characters; at most {limit} allowed ({what})")

    yield from label("name", t.name, NAME_MAX, "it prefixes every cloud resource name")
    for i, c in enumerate(t.clusters):
        limit = (GKE_NAME_MAX if c.kind == "gke" else GCP_NAME_MAX) - min(len(t.name), NAME_MAX) - 1  # a too-long name is its own problem
        yield from label(f"clusters[{i}].name", c.name, limit, f'"{t.name}-{c.name}" must fit the cloud\'s cluster-name limit')
    for i, s in enumerate(t.services):
        yield from label(f"services[{i}].name", s.name, GCP_NAME_MAX - len("amcs-"), 'the consumer sees it as "amcs-<name>", a 63-character Service name')
        yield from label(f"services[{i}].namespace", s.namespace, GCP_NAME_MAX, "Kubernetes namespace names")
    if not _GCP_PROJECT.match(t.gcp.project):
        yield Problem("gcp.project", t.gcp.project, "a GCP project id: 6-30 lowercase letters, digits or '-', starting with a letter")


@rule
def clusters_are_supported(t: Topology) -> Iterator[Problem]:
    seen: dict[str, int] = {}
    for i, c in enumerate(t.clusters):
        if (c.cloud, c.kind) not in SUPPORTED_CLUSTERS:
            allowed = ", ".join(f"{cloud}/{kind}" for cloud, kind in sorted(SUPPORTED_CLUSTERS))
            yield Problem(f"clusters[{i}]", f"{c.cloud}/{c.kind}", f"unsupported cloud/kind; allowed: {allowed}")
        if c.cloud == "alibaba" and not c.service_cidr:
            yield Problem(f"clusters[{i}].service_cidr", None, f"an {c.kind.upper()} cluster needs a service_cidr that overlaps no other range")
        if c.kind == "gke" and c.service_cidr:
            yield Problem(f"clusters[{i}].service_cidr", c.service_cidr, "a GKE cluster's Service range is services_cidr (its subnet's secondary range)")
        if c.kind == "gke" and any(o.kind == "gke" for o in t.clusters[:i]):
            for f in GKE_RANGE_FIELDS:  # each GKE cluster owns its subnet and secondary ranges
                if not getattr(c, f):
                    yield Problem(f"clusters[{i}].{f}", None, "every GKE cluster after the first needs its own subnet_cidr, pods_cidr and services_cidr")
        if c.kind != "gke" and any(getattr(c, f) for f in GKE_RANGE_FIELDS):
            yield Problem(f"clusters[{i}]", c.name, "subnet_cidr / pods_cidr / services_cidr are for GKE clusters only")
        if c.kind == "ack" and not c.pod_vswitches:
            yield Problem(f"clusters[{i}].pod_vswitches", [], "an ACK cluster (Terway) needs at least one pod vSwitch inside alibaba.vpc_cidr: pod IPs come from it")
        if c.kind != "ack" and c.pod_vswitches:
            yield Problem(f"clusters[{i}].pod_vswitches", [v.cidr for v in c.pod_vswitches], f"pod vSwitches are for ACK clusters only; {c.kind} pods take addresses from alibaba.vswitches")
        if c.name in seen:
            yield Problem(f"clusters[{i}].name", c.name, f"duplicates clusters[{seen[c.name]}].name; cluster names must be unique")
        seen.setdefault(c.name, i)


@rule
def services_name_known_clusters(t: Topology) -> Iterator[Problem]:
    names = [c.name for c in t.clusters]
    seen: dict[tuple[str, str], int] = {}
    for i, s in enumerate(t.services):
        if s.provider not in names:
            yield Problem(f"services[{i}].provider", s.provider, f"names no cluster; known clusters: {', '.join(names)}")
        for j, consumer in enumerate(s.consumers):
            if consumer not in names:
                yield Problem(f"services[{i}].consumers[{j}]", consumer, f"names no cluster; known clusters: {', '.join(names)}")
            elif consumer == s.provider:
                yield Problem(f"services[{i}].consumers[{j}]", consumer, "the provider cluster cannot also consume its own service")
        key = (s.namespace, s.name)
        if key in seen:
            yield Problem(f"services[{i}].name", s.name, f"duplicates services[{seen[key]}] in namespace {s.namespace}")
        seen.setdefault(key, i)


@rule
def backend_is_complete(t: Topology) -> Iterator[Problem]:
    if t.backend.type == "cloud":
        for field in ("organization", "workspace_prefix"):
            if not getattr(t.backend, field):
                yield Problem(f"backend.{field}", None, "required when backend.type is cloud (Terraform Cloud)")


# ------------------------------------------------------------------ region and range facts (config/regions.py)
def _mask_bounds(path: str, value: str, net: ipaddress.IPv4Network, kind: str, what: str) -> Iterator[Problem]:
    shortest, longest, source = regions.MASK_BOUNDS[kind]
    if not shortest <= net.prefixlen <= longest:
        yield Problem(path, value, f"{what} masks must be /{shortest} to /{longest} {_per(source)}")


@rule
def ranges_are_not_special(t: Topology) -> Iterator[Problem]:
    fields = named_ranges(t) + [(f"alibaba.vswitches[{i}].cidr", v.cidr) for i, v in enumerate(t.alibaba.vswitches)]
    for path, value in fields:
        net = _network(value)
        if net is None or net.prefixlen == 0:
            continue  # reported by cidrs_are_valid / vpn_destinations_are_routable
        for special, what in regions.SPECIAL_RANGES.items():
            if net.overlaps(special):
                yield Problem(path, value, f"overlaps {special}, {what}, a special-purpose range neither cloud "
                                           "accepts for a network; use a private range (RFC 1918)")


@rule
def range_sizes_fit_the_clouds(t: Topology) -> Iterator[Problem]:
    checks = [("alibaba.vpc_cidr", t.alibaba.vpc_cidr, "alibaba_vpc", "Alibaba VPC"),
              ("gcp.subnet_cidr", t.gcp.subnet_cidr, "gcp_subnet", "GCP subnet primary range"),
              ("gcp.pods_cidr", t.gcp.pods_cidr, "gcp_secondary", "GCP subnet secondary range"),
              ("gcp.services_cidr", t.gcp.services_cidr, "gke_services", "GKE services range")]
    for path, value, kind, what in checks:
        net = _network(value)
        if net is not None:
            yield from _mask_bounds(path, value, net, kind, what)
    vpc = _network(t.alibaba.vpc_cidr)
    if vpc is not None and not any(vpc.subnet_of(p) for p in regions.ALIBABA_PRIVATE):
        yield Problem("alibaba.vpc_cidr", t.alibaba.vpc_cidr, "an ACK/ASK VPC must lie in 10.0.0.0/8, 172.16.0.0/12 or "
                                                              f"192.168.0.0/16 {_per('ack-network-planning')}")


@rule
def ack_service_cidr_is_allowed(t: Topology) -> Iterator[Problem]:
    for i, c in enumerate(t.clusters):
        net = _network(c.service_cidr) if c.cloud == "alibaba" and c.service_cidr else None
        if net is None:
            continue
        path = f"clusters[{i}].service_cidr"
        if not any(net.subnet_of(p) for p in regions.ALIBABA_PRIVATE):
            yield Problem(path, c.service_cidr, "an ACK service CIDR must lie in 10.0.0.0/8, 172.16.0.0/12 or 192.168.0.0/16 "
                                                f"{_per('ack-network-planning')}")
        yield from _mask_bounds(path, c.service_cidr, net, "ack_service", "ACK service CIDR")


@rule
def gke_pod_range_fits_the_nodes(t: Topology) -> Iterator[Problem]:
    pods = _network(t.gcp.pods_cidr)
    if pods is None:
        return
    per_node = regions.GKE_POD_PREFIX_PER_NODE
    capacity = 2 ** (per_node - pods.prefixlen) if pods.prefixlen <= per_node else 0
    for i, c in enumerate(t.clusters):
        if c.kind != "gke":
            continue
        why = (f"each GKE node takes a /{per_node} of gcp.pods_cidr at the default "
               f"{regions.GKE_DEFAULT_MAX_PODS_PER_NODE} pods per node, so {t.gcp.pods_cidr} holds {capacity} node(s) "
               f"{_per('gke-pods-per-node')}")
        if capacity < c.node_count:
            yield Problem(f"clusters[{i}].node_count", c.node_count, f"too many nodes for the pod range: {why}")
        elif capacity < c.node_count + 1:
            yield warning(f"clusters[{i}].node_count", c.node_count,
                          f"no room for the surge node a node-pool upgrade adds: {why}")


@rule
def gke_zone_is_in_the_region(t: Topology) -> Iterator[Problem]:
    g = t.gcp
    letters = regions.GCP_ZONES.get(g.region)
    if letters is None:
        yield warning("gcp.region", g.region, f"not in crosscloud's table of GCP regions {_per('gcp-regions-zones')}; "
                                              "check that the region exists and offers GKE")
    if g.zone is None:
        if letters is not None and "a" not in letters:
            yield Problem("gcp.zone", None, f"the default GKE zone {g.region}-a does not exist; set gcp.zone to one of "
                                            f"{', '.join(f'{g.region}-{z}' for z in letters)} {_per('gcp-regions-zones')}")
        return
    if not re.fullmatch(re.escape(g.region) + r"-[a-z]", g.zone):
        yield Problem("gcp.zone", g.zone, f"not a zone of gcp.region {g.region} (expected {g.region}-a, {g.region}-b, …); "
                                          "the GKE cluster must sit in the subnet's region to use it")
    elif letters is not None and g.zone[-1] not in letters:
        yield Problem("gcp.zone", g.zone, f"{g.region} has zones {', '.join(f'{g.region}-{z}' for z in letters)} "
                                          f"{_per('gcp-regions-zones')}")


@rule
def vpn_mode_fits_the_region(t: Topology) -> Iterator[Problem]:
    region = t.alibaba.region
    if t.vpn.mode == "single":
        if regions.dual_tunnel_only(region):
            yield Problem("vpn.mode", "single", f"new VPN gateways in {region} are dual-tunnel only: the gateway API refuses "
                                                "a single vSwitch; set vpn.mode: dual (two vSwitches in dual-tunnel zones) "
                                                f"or use a region such as {', '.join(regions.SINGLE_TUNNEL_REGIONS)} "
                                                f"{_per('vpn-dual-tunnel')}")
        return
    if not regions.dual_tunnel_only(region):
        yield warning("vpn.mode", "dual", f"{region} is not in the list of dual-tunnel regions "
                                          f"{_per('vpn-dual-tunnel')}; there only single-tunnel gateways may be offered")
        return
    for i, v in enumerate(t.alibaba.vswitches[:2]):
        if regions.dual_tunnel_zone_ok(region, v.zone) is False:
            letters = regions.DUAL_TUNNEL_ONLY_ZONES[region] or ()
            yield Problem(f"alibaba.vswitches[{i}].zone", v.zone, "the VPN gateway's vSwitches must be in zones that carry "
                                                                  f"dual tunnels: {', '.join(regions.alibaba_zone_id(region, z) for z in letters)} "
                                                                  f"{_per('vpn-dual-tunnel')}")


@rule
def alibaba_clusters_are_offered(t: Topology) -> Iterator[Problem]:
    region = t.alibaba.region
    for i, c in enumerate(t.clusters):
        if c.kind == "ask":
            yield warning(f"clusters[{i}].kind", "ask", "ASK (ACK Serverless) cluster creation is closed to accounts that "
                                                        f"never created one, since {regions.ASK_CLOSED_TO_NEW_ACCOUNTS_SINCE}; "
                                                        "a new account needs ACS or ACK with virtual nodes "
                                                        f"{_per('ask-new-accounts')}")
        if c.kind == "acs" and region not in regions.ACS_REGIONS:
            yield warning(f"clusters[{i}].kind", "acs", f"ACS is not known to be offered in {region} {_per('acs-regions')}")
    if region not in regions.ACK_ONE_FLEET_REGIONS:
        yield warning("alibaba.region", region, f"ACK One fleets are not known to be offered in {region} "
                                                f"{_per('ackone-regions')}; check 'Regions that support ACK One'")


@rule
def vpn_choices_gcp_ignores(t: Topology) -> Iterator[Problem]:
    fixed = [("vpn.ike_lifetime_seconds", t.vpn.ike_lifetime_seconds, regions.GCP_IKE_LIFETIME_SECONDS),
             ("vpn.ipsec_lifetime_seconds", t.vpn.ipsec_lifetime_seconds, regions.GCP_IPSEC_LIFETIME_SECONDS)]
    for path, value, gcp in fixed:
        if value != gcp:
            yield warning(path, value, f"GCP Classic VPN uses a fixed {gcp} s and the SA is rekeyed at the shorter of "
                                       f"the two lifetimes; set {gcp} to match {_per('gcp-classic-vpn-lifetimes')}")
    yield warning("gcp.services_cidr", t.gcp.services_cidr, "is in the VPN traffic selectors, but GKE ClusterIPs are "
                                                            "virtual and not reachable over the VPN; reach GKE services "
                                                            "through an internal load balancer or NodePort")
