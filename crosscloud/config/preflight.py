"""Cross-field checks on a parsed topology. Every rule runs; every problem is reported at once."""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass
from itertools import combinations
from typing import Any, Callable, Iterator

from .model import Topology


@dataclass(frozen=True)
class Problem:
    path: str  # field path in the topology file, e.g. "alibaba.vswitches[1].cidr"
    value: Any
    message: str  # what is wrong and what is allowed

    def __str__(self) -> str:
        return f"{self.path}: {self.value!r}: {self.message}"


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
    return [problem for check in RULES for problem in check(topology)]


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
        if not 16 <= net.prefixlen <= 29:
            yield Problem(path, value, "vSwitch masks must be /16 to /29")
    for (p1, v1, n1), (p2, v2, n2) in combinations(vsw, 2):
        if n1 and n2 and n1.overlaps(n2):
            yield Problem(p2, v2, f"overlaps {p1} ({v1}); vSwitches must not overlap")
    zones = [(f"alibaba.vswitches[{i}]", v.zone) for i, v in enumerate(t.alibaba.vswitches)]
    zones += [(path, zone) for path, zone, _ in pod_vswitch_fields(t)]
    for path, zone in zones:
        if not re.fullmatch(re.escape(t.alibaba.region) + r"[a-z]", zone):
            yield Problem(f"{path}.zone", zone, f"not a zone of alibaba.region {t.alibaba.region} (expected {t.alibaba.region}a, {t.alibaba.region}b, …)")


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
    if len(vsw) < 2 or vsw[0].zone == vsw[1].zone:
        zones = [v.zone for v in vsw[:2]]
        yield Problem("alibaba.vswitches", zones, "vpn.mode dual needs two vSwitches in different zones (the first two are used); add one or set vpn.mode: single")


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
