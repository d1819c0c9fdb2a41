"""What the sandbox clouds do, as data and pure functions (no store, no Terraform).

- id and address formats of both clouds;
- the per-type latency model;
- the google ForceNew / default / computed-block tables (the google schema file comes from the
  CDKTF package, which carries none of that);
- references between types (checked on create, and on delete as "in use by");
- the IPsec link model: when an Alibaba VPN connection (or one of its tunnels) and a Google
  Classic VPN tunnel agree, and the words each cloud uses when they do not.
"""

from __future__ import annotations

import base64
import ipaddress
import os
import secrets
import string
import textwrap
import time
from dataclasses import dataclass, field
from typing import Any

# --------------------------------------------------------------------------------------------
# formats

# Public IPs the twin hands out: inside ranges the clouds themselves use, so the real providers
# accept them downstream (google's validatePeerAddr refuses the TEST-NET ranges as a tunnel
# peer_ip: terraform-provider-google google/services/compute/resource_compute_vpn_tunnel.go).
# Alibaba: 47.74.0.0/15 is registered to Alibaba (AS45102; ARIN whois, not re-read here).
# Google: 34.84.0.0/16 is asia-northeast1 in https://www.gstatic.com/ipranges/cloud.json.
ALIBABA_PUBLIC_RANGE = "47.74.128.0/24"
GOOGLE_PUBLIC_RANGE = "34.84.128.0/24"
PUBLIC_RANGES = {"alicloud": ALIBABA_PUBLIC_RANGE, "google": GOOGLE_PUBLIC_RANGE}

DEFAULT_ALICLOUD_REGION = "ap-northeast-1"
DEFAULT_GOOGLE_PROJECT = "crosscloud-sandbox"
DEFAULT_GOOGLE_REGION = "asia-northeast1"

GKE_VERSION = "1.33.4-gke.1172000"
ACK_VERSION = "1.33.3-aliyun.1"

_ALNUM = string.ascii_lowercase + string.digits


def rand_alnum(n: int = 17) -> str:
    return "".join(secrets.choice(_ALNUM) for _ in range(n))


def alibaba_id(prefix: str) -> str:
    """``vpc-…``, ``vsw-…``, ``vpn-…``, ``vco-…``, ``cgw-…``: a prefix and 17 lowercase alnum."""
    return f"{prefix}-{rand_alnum(17)}"


def ack_cluster_id() -> str:
    """ASK/ACK cluster and ACK One fleet ids: ``c`` + 32 hex digits."""
    return "c" + secrets.token_hex(16)


def numeric_id() -> str:
    """Google numeric resource ids (19 digits)."""
    return str(secrets.randbelow(9 * 10**18) + 10**18)


def fingerprint() -> str:
    return base64.b64encode(secrets.token_bytes(8)).decode()


def rfc3339(ts: float | None = None, google: bool = False) -> str:
    ts = time.time() if ts is None else ts
    if google:  # Compute Engine style: millis and the Pacific offset
        return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(ts - 8 * 3600)) + f".{int(ts * 1000) % 1000:03d}-08:00"
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(ts))


def pem_certificate(label: str = "CERTIFICATE") -> str:
    """A PEM-looking block (random DER-sized body); not a usable certificate."""
    body = base64.b64encode(b"\x30\x82\x03\x0a" + secrets.token_bytes(780)).decode()
    return f"-----BEGIN {label}-----\n" + "\n".join(textwrap.wrap(body, 64)) + f"\n-----END {label}-----\n"


def b64(s: str) -> str:
    return base64.b64encode(s.encode()).decode()


COMPUTE_API = "https://www.googleapis.com/compute/v1/"
CONTAINER_API = "https://container.googleapis.com/v1/"

# google id templates: {p} project, {r} region, {l} location, {c} cluster name, {n} name
GOOGLE_IDS = {
    "google_compute_network": "projects/{p}/global/networks/{n}",
    "google_compute_subnetwork": "projects/{p}/regions/{r}/subnetworks/{n}",
    "google_compute_address": "projects/{p}/regions/{r}/addresses/{n}",
    "google_compute_global_address": "projects/{p}/global/addresses/{n}",
    "google_compute_vpn_gateway": "projects/{p}/regions/{r}/targetVpnGateways/{n}",
    "google_compute_forwarding_rule": "projects/{p}/regions/{r}/forwardingRules/{n}",
    "google_compute_vpn_tunnel": "projects/{p}/regions/{r}/vpnTunnels/{n}",
    "google_compute_route": "projects/{p}/global/routes/{n}",
    "google_compute_firewall": "projects/{p}/global/firewalls/{n}",
    "google_compute_router": "projects/{p}/regions/{r}/routers/{n}",
    "google_container_cluster": "projects/{p}/locations/{l}/clusters/{n}",
    "google_container_node_pool": "projects/{p}/locations/{l}/clusters/{c}/nodePools/{n}",
}
GOOGLE_REGIONAL = {t for t, tpl in GOOGLE_IDS.items() if "{r}" in tpl}


def google_self_link(type_name: str, id_: str) -> str:
    if type_name.startswith("google_container_"):
        return CONTAINER_API + id_
    return COMPUTE_API + id_


def strip_google_link(ref: str) -> str:
    for prefix in (COMPUTE_API, "https://www.googleapis.com/compute/beta/", CONTAINER_API,
                   "https://compute.googleapis.com/compute/v1/"):
        if ref.startswith(prefix):
            return ref[len(prefix):]
    return ref


# --------------------------------------------------------------------------------------------
# latency: real minutes per operation; sandbox seconds = minutes * CROSSCLOUD_SANDBOX_LATENCY

LATENCY_ENV = "CROSSCLOUD_SANDBOX_LATENCY"

#            type                                   create  update  delete
LATENCY_MINUTES: dict[str, tuple[float, float, float]] = {
    "alicloud_vpc":                               (0.1,   0.05,  0.1),
    "alicloud_vswitch":                           (0.1,   0.05,  0.1),
    "alicloud_vpn_gateway":                       (5.0,   1.0,   2.0),
    "alicloud_vpn_customer_gateway":              (0.05,  0.05,  0.05),
    "alicloud_vpn_connection":                    (1.0,   0.5,   0.5),
    "alicloud_vpn_pbr_route_entry":               (0.2,   0.2,   0.2),
    "alicloud_cs_managed_kubernetes":             (10.0,  2.0,   5.0),
    "alicloud_cs_kubernetes_node_pool":           (4.0,   2.0,   3.0),
    "alicloud_ack_one_cluster":                   (6.0,   4.0,   3.0),
    "alicloud_ack_one_membership_attachment":     (1.0,   0.0,   0.5),
    "google_compute_network":                     (0.3,   0.1,   0.3),
    "google_compute_subnetwork":                  (0.3,   0.1,   0.3),
    "google_compute_address":                     (0.05,  0.05,  0.05),
    "google_compute_vpn_gateway":                 (0.2,   0.1,   0.2),
    "google_compute_forwarding_rule":             (0.2,   0.1,   0.2),
    "google_compute_vpn_tunnel":                  (0.3,   0.1,   0.2),
    "google_compute_route":                       (0.2,   0.1,   0.2),
    "google_compute_firewall":                    (0.2,   0.1,   0.2),
    "google_container_cluster":                   (8.0,   2.0,   4.0),
    "google_container_node_pool":                 (3.0,   1.0,   2.0),
    # one AuthorizeSecurityGroup / RevokeSecurityGroup call, no wait in the provider's create
    # (aliyun/terraform-provider-alicloud alicloud/resource_alicloud_security_group_rule.go)
    "alicloud_security_group_rule":               (0.05,  0.0,   0.05),
}
DEFAULT_LATENCY_MINUTES = (0.05, 0.05, 0.05)
# Sources of the figures above where one exists (the rest are estimates of the order of magnitude
# with no primary figure found, 2026-12):
# - alicloud_ack_one_cluster update 4.0: every update sleeps a fixed 4 minutes
#   (resource_alicloud_ack_one_cluster.go, v1.243.0+; shared/reference/terraform-providers.md A9).
# - google_container_*: the Container API's operations are long-running, with a 30-minute default
#   wait (cloud.google.com/workflows/docs/reference/googleapis/container/v1/projects.locations.
#   clusters.nodePools/create); the provider's own timeouts are create 40 / delete 40 min for
#   clusters and 30 / 30 for node pools (hashicorp/terraform-provider-google
#   resource_container_cluster.go, resource_container_node_pool.go). No typical duration is documented.

# Side effects beyond the table: (type, op, attribute that triggers it) -> extra real minutes.
# - The hub's create runs the provider's update path afterwards, which ends in the same fixed
#   4-minute wait, when argocd_enabled is set (resource_alicloud_ack_one_cluster.go;
#   shared/reference/ack-one-2026.md "Registered clusters and the fleet").
LATENCY_SIDE_EFFECTS: dict[tuple[str, str, str], float] = {
    ("alicloud_ack_one_cluster", "create", "argocd_enabled"): 4.0,
}
# - With profile Default the hub's vSwitches "may not be released right after" it is deleted
#   (alicloud docs r/ack_one_cluster, a known issue); alicloud_vswitch's delete retries on
#   DependencyViolation until its delete timeout (resource_alicloud_vswitch.go), so the twin
#   holds them this long. UNVERIFIED figure: the doc gives none.
HUB_VSWITCH_RELEASE_MINUTES = 2.0


def side_effect_minutes(type_name: str, op: str, state: dict) -> float:
    return sum(m for (t, o, attr), m in LATENCY_SIDE_EFFECTS.items()
               if t == type_name and o == op and state.get(attr) is True)
IPSEC_NEGOTIATION_MINUTES = 0.5  # both sides agree -> this long until the SAs are up
_OPS = {"create": 0, "update": 1, "delete": 2}


def latency_scale() -> float:
    try:
        return max(0.0, float(os.environ.get(LATENCY_ENV, "0") or 0))
    except ValueError:
        return 0.0


def latency_seconds(type_name: str, op: str, scale: float | None = None) -> float:
    scale = latency_scale() if scale is None else scale
    return LATENCY_MINUTES.get(type_name, DEFAULT_LATENCY_MINUTES)[_OPS[op]] * scale


# --------------------------------------------------------------------------------------------
# google tables (the google schema file has no ForceNew, defaults or computed blocks)

# attribute/block paths (block names without indices) whose change replaces the object
GOOGLE_FORCE_NEW: dict[str, set[tuple[str, ...]]] = {
    "google_compute_network": {("name",), ("auto_create_subnetworks",), ("project",),
                               ("description",), ("enable_ula_internal_ipv6",)},
    "google_compute_subnetwork": {("name",), ("network",), ("region",), ("project",),
                                  ("description",), ("purpose",), ("reserved_internal_range",)},
    "google_compute_address": {("name",), ("address",), ("address_type",), ("region",),
                               ("project",), ("network_tier",), ("purpose",), ("subnetwork",),
                               ("network",), ("prefix_length",), ("description",)},
    "google_compute_vpn_gateway": {("name",), ("network",), ("region",), ("project",),
                                   ("description",)},
    "google_compute_forwarding_rule": {("name",), ("region",), ("project",), ("ip_address",),
                                       ("ip_protocol",), ("port_range",), ("ports",),
                                       ("load_balancing_scheme",), ("network",), ("subnetwork",),
                                       ("network_tier",), ("backend_service",), ("description",),
                                       ("all_ports",), ("is_mirroring_collector",)},
    "google_compute_vpn_tunnel": {("name",), ("region",), ("project",), ("shared_secret",), ("shared_secret_wo_version",),
                                  ("peer_ip",), ("ike_version",), ("local_traffic_selector",),
                                  ("remote_traffic_selector",), ("target_vpn_gateway",),
                                  ("vpn_gateway",), ("vpn_gateway_interface",), ("router",),
                                  ("peer_external_gateway",), ("peer_external_gateway_interface",),
                                  ("peer_gcp_gateway",), ("description",)},
    "google_compute_route": {("name",), ("network",), ("dest_range",), ("priority",),
                             ("tags",), ("project",), ("description",), ("next_hop_gateway",),
                             ("next_hop_instance",), ("next_hop_instance_zone",), ("next_hop_ip",),
                             ("next_hop_vpn_tunnel",), ("next_hop_ilb",)},
    "google_compute_firewall": {("name",), ("network",), ("project",), ("direction",)},
    "google_container_cluster": {("name",), ("location",), ("project",), ("network",),
                                 ("subnetwork",), ("networking_mode",), ("ip_allocation_policy",),
                                 ("private_cluster_config", "enable_private_nodes"),
                                 ("private_cluster_config", "master_ipv4_cidr_block"),
                                 ("initial_node_count",), ("description",)},
    "google_container_node_pool": {("name",), ("name_prefix",), ("cluster",), ("location",),
                                   ("project",), ("initial_node_count",), ("node_config",),
                                   ("network_config",), ("max_pods_per_node",)},
}

# schema defaults of the real google provider (applied at plan time, like SDKv2 does)
GOOGLE_DEFAULTS: dict[str, dict[str, Any]] = {
    "google_compute_network": {"auto_create_subnetworks": True, "delete_default_routes_on_create": False},
    "google_compute_address": {"address_type": "EXTERNAL"},
    "google_compute_vpn_tunnel": {"ike_version": 2},
    "google_compute_route": {"priority": 1000},
    "google_compute_firewall": {"priority": 1000, "disabled": False},
    "google_container_cluster": {"deletion_protection": True},
    "google_compute_forwarding_rule": {"load_balancing_scheme": "EXTERNAL"},
}

# Optional+Computed blocks: filled by the cloud when the configuration leaves them out
GOOGLE_COMPUTED_BLOCKS: dict[str, set[str]] = {
    "google_container_cluster": {"master_auth", "ip_allocation_policy"},
}

GKE_DELETION_PROTECTION_ERROR = (
    "Cannot destroy cluster because deletion_protection is set to true. "
    "Set it to false to proceed with cluster deletion."
)


def google_force_new(type_name: str):
    table = GOOGLE_FORCE_NEW.get(type_name, {("name",), ("project",), ("region",), ("location",)})
    return lambda path: tuple(path) in table


# --------------------------------------------------------------------------------------------
# references: (attribute path, target types or None for "any type with that id")
# "a.b" walks into block a; "x[]" is every element of list attribute x.

REFERENCES: dict[str, list[tuple[str, tuple[str, ...] | None]]] = {
    "alicloud_vswitch": [("vpc_id", ("alicloud_vpc",))],
    "alicloud_vpn_gateway": [("vpc_id", ("alicloud_vpc",)), ("vswitch_id", ("alicloud_vswitch",)),
                             ("disaster_recovery_vswitch_id", ("alicloud_vswitch",))],
    "alicloud_vpn_connection": [("vpn_gateway_id", ("alicloud_vpn_gateway",)),
                                ("customer_gateway_id", ("alicloud_vpn_customer_gateway",)),
                                ("tunnel_options_specification.customer_gateway_id",
                                 ("alicloud_vpn_customer_gateway",))],
    "alicloud_vpn_pbr_route_entry": [("vpn_gateway_id", ("alicloud_vpn_gateway",)),
                                     ("next_hop", ("alicloud_vpn_connection",))],
    "alicloud_cs_managed_kubernetes": [("vswitch_ids[]", ("alicloud_vswitch",)),
                                       ("pod_vswitch_ids[]", ("alicloud_vswitch",))],
    "alicloud_cs_kubernetes_node_pool": [("cluster_id", ("alicloud_cs_managed_kubernetes",)),
                                         ("vswitch_ids[]", ("alicloud_vswitch",))],
    "alicloud_ack_one_cluster": [("network.vpc_id", ("alicloud_vpc",)),
                                 ("network.vswitches[]", ("alicloud_vswitch",))],
    "alicloud_ack_one_membership_attachment": [("cluster_id", ("alicloud_ack_one_cluster",)),
                                               ("sub_cluster_id", None)],
    "google_compute_subnetwork": [("network", ("google_compute_network",))],
    "google_compute_vpn_gateway": [("network", ("google_compute_network",))],
    "google_compute_vpn_tunnel": [("target_vpn_gateway", ("google_compute_vpn_gateway",))],
    "google_compute_forwarding_rule": [("target", ("google_compute_vpn_gateway",))],
    "google_compute_route": [("network", ("google_compute_network",)),
                             ("next_hop_vpn_tunnel", ("google_compute_vpn_tunnel",))],
    "google_compute_firewall": [("network", ("google_compute_network",))],
    "google_container_cluster": [("network", ("google_compute_network",)),
                                 ("subnetwork", ("google_compute_subnetwork",))],
    "google_container_node_pool": [("cluster", ("google_container_cluster",))],
}

# objects that go away together with their parent (no "in use" error on delete)
CASCADE_DELETE = {("google_container_node_pool", "google_container_cluster")}

ALIBABA_NOT_FOUND = {
    "alicloud_vpc": "InvalidVpcId.NotFound",
    "alicloud_vswitch": "InvalidVSwitchId.NotFound",
    "alicloud_vpn_gateway": "InvalidVpnGatewayInstanceId.NotFound",
    "alicloud_vpn_customer_gateway": "InvalidCustomerGatewayInstanceId.NotFound",
    "alicloud_vpn_connection": "InvalidVpnConnectionInstanceId.NotFound",
    "alicloud_cs_managed_kubernetes": "ErrorClusterNotFound",
    "alicloud_ack_one_cluster": "ErrorClusterNotFound",
}


def reference_values(value: dict, path: str) -> list[str]:
    """String values at ``path`` (see :data:`REFERENCES`) inside an object's state."""
    head, _, rest = path.partition(".")
    if rest:
        out: list[str] = []
        for item in value.get(head) or []:
            if isinstance(item, dict):
                out.extend(reference_values(item, rest))
        return out
    if head.endswith("[]"):
        return [v for v in (value.get(head[:-2]) or []) if isinstance(v, str) and v]
    v = value.get(head)
    return [v] if isinstance(v, str) and v else []


# --------------------------------------------------------------------------------------------
# validators: `terraform validate` runs the real providers' own rules (sandbox/validators.py,
# data in schemas/*.rules.json); value sets they leave to the cloud API are refused at apply
# (sandbox/alibaba/api_checks.py).


# --------------------------------------------------------------------------------------------
# the IPsec link model

# What GCP Classic VPN negotiates, in Alibaba's vocabulary (the model the sandbox uses).
GCP_CLASSIC_VPN_SUPPORTS: dict[str, set[str]] = {
    "ike_enc_alg": {"aes", "aes192", "aes256", "3des"},
    "ike_auth_alg": {"md5", "sha1", "sha256", "sha384", "sha512"},
    "ike_pfs": {"group2", "group5", "group14"},
    "ike_mode": {"main"},  # IKEv1 only: no aggressive mode
    "ipsec_enc_alg": {"aes", "aes192", "aes256", "3des"},
    "ipsec_auth_alg": {"md5", "sha1", "sha256", "sha384", "sha512"},
    "ipsec_pfs": {"disabled", "group2", "group5", "group14"},
}

# Alibaba API defaults when a value is not given
ALIBABA_IKE_DEFAULTS = {"ike_version": "ikev1", "ike_mode": "main", "ike_enc_alg": "aes",
                        "ike_auth_alg": "md5", "ike_pfs": "group2", "ike_lifetime": 86400}
ALIBABA_IPSEC_DEFAULTS = {"ipsec_enc_alg": "aes", "ipsec_auth_alg": "md5", "ipsec_pfs": "group2",
                          "ipsec_lifetime": 86400}

# Alibaba VpnConnection.Status / TunnelOptionsSpecification.Status values
IKE_SA_NOT_ESTABLISHED = "ike_sa_not_established"
IKE_SA_ESTABLISHED = "ike_sa_established"
IPSEC_SA_NOT_ESTABLISHED = "ipsec_sa_not_established"
IPSEC_SA_ESTABLISHED = "ipsec_sa_established"
_ALI_RANK = {IKE_SA_NOT_ESTABLISHED: 0, IKE_SA_ESTABLISHED: 1, IPSEC_SA_NOT_ESTABLISHED: 2,
             IPSEC_SA_ESTABLISHED: 3}

GCP_UP_TEXT = "Tunnel is up and running."

# reason -> (Alibaba status, GCP tunnel status, GCP detailed_status)
LINK_REASONS: dict[str, tuple[str, str, str]] = {
    "up": (IPSEC_SA_ESTABLISHED, "ESTABLISHED", GCP_UP_TEXT),
    "negotiating": (IKE_SA_ESTABLISHED, "FIRST_HANDSHAKE", "Negotiation in progress. Waiting for IPsec SA."),
    "no_target_gateway": (IKE_SA_NOT_ESTABLISHED, "WAITING_FOR_FULL_CONFIG", "Waiting for full config."),
    "missing_forwarding_rules": (IKE_SA_NOT_ESTABLISHED, "WAITING_FOR_FULL_CONFIG",
                                 "Waiting for full config. Forwarding rules missing: {missing}."),
    "no_peer": (IKE_SA_NOT_ESTABLISHED, "NO_INCOMING_PACKETS", "No incoming packets from peer."),
    "peer_address_mismatch": (IKE_SA_NOT_ESTABLISHED, "NO_INCOMING_PACKETS",
                              "No incoming packets from peer. The peer sends to a different gateway address."),
    "ike_version_mismatch": (IKE_SA_NOT_ESTABLISHED, "NEGOTIATION_FAILURE",
                             "Negotiation failure with peer. IKE version mismatch."),
    "ike_proposal_mismatch": (IKE_SA_NOT_ESTABLISHED, "NEGOTIATION_FAILURE",
                              "Negotiation failure with peer. Proposal mismatch."),
    "psk_mismatch": (IKE_SA_NOT_ESTABLISHED, "AUTHORIZATION_ERROR",
                     "Authentication failure. Check pre-shared key."),
    "ipsec_proposal_mismatch": (IPSEC_SA_NOT_ESTABLISHED, "NEGOTIATION_FAILURE",
                                "Negotiation failure with peer. Child SA proposal mismatch."),
    "ikev1_multiple_cidrs": (IPSEC_SA_NOT_ESTABLISHED, "NEGOTIATION_FAILURE",
                             "Negotiation failure with peer. IKEv1 allows one CIDR per traffic selector."),
    "traffic_selector_mismatch": (IPSEC_SA_NOT_ESTABLISHED, "NEGOTIATION_FAILURE",
                                  "Negotiation failure with peer. Traffic selector mismatch."),
}


@dataclass
class AlibabaEnd:
    """One Alibaba IPsec tunnel: a single-tunnel connection, or one tunnel of a dual one."""
    connection_id: str
    role: str                      # "single" | "master" | "slave"
    ip: str | None                 # Alibaba public IP of this tunnel
    peer_ip: str | None            # customer gateway ip_address
    ike: dict = field(default_factory=dict)
    ipsec: dict = field(default_factory=dict)
    local_subnet: list = field(default_factory=list)
    remote_subnet: list = field(default_factory=list)
    updated_at: float = 0.0


@dataclass
class GoogleEnd:
    """One Google Classic VPN tunnel and what its target gateway offers."""
    tunnel_id: str
    gateway_found: bool
    missing_rules: list[str]       # e.g. ["UDP 4500"]
    ip: str | None                 # the address the target gateway's forwarding rules use
    peer_ip: str | None
    psk: str | None
    ike_version: int | None
    local_ts: list = field(default_factory=list)
    remote_ts: list = field(default_factory=list)
    updated_at: float = 0.0


@dataclass(frozen=True)
class Verdict:
    reason: str
    detail: str = ""

    @property
    def alibaba_status(self) -> str:
        return LINK_REASONS[self.reason][0]

    @property
    def google_status(self) -> str:
        return LINK_REASONS[self.reason][1]

    @property
    def google_text(self) -> str:
        return LINK_REASONS[self.reason][2].format(missing=self.detail)

    @property
    def up(self) -> bool:
        return self.reason == "up"


def _nets(values) -> set:
    out = set()
    for v in values or []:
        try:
            out.add(ipaddress.ip_network(v, strict=False))
        except (ValueError, TypeError):
            out.add(v)
    return out


def gateway_config_verdict(g: GoogleEnd) -> Verdict | None:
    """The Google side alone: is the Classic VPN gateway ready to negotiate?"""
    if not g.gateway_found:
        return Verdict("no_target_gateway")
    if g.missing_rules:
        return Verdict("missing_forwarding_rules", ", ".join(g.missing_rules))
    return None


def evaluate(a: AlibabaEnd, g: GoogleEnd, now: float | None = None, negotiation_s: float = 0.0) -> Verdict:
    """Whether the Alibaba tunnel ``a`` and the Google tunnel ``g`` (which points at ``a.ip``)
    bring an IPsec link up, and if not, the first thing they disagree on."""
    v = gateway_config_verdict(g)
    if v:
        return v
    if a.peer_ip != g.ip:
        return Verdict("peer_address_mismatch")
    ike = {**ALIBABA_IKE_DEFAULTS, **{k: v for k, v in a.ike.items() if v not in (None, "")}}
    ipsec = {**ALIBABA_IPSEC_DEFAULTS, **{k: v for k, v in a.ipsec.items() if v not in (None, "")}}
    ali_version = 2 if ike["ike_version"] == "ikev2" else 1
    if ali_version != (g.ike_version or 2):
        return Verdict("ike_version_mismatch")
    for key in ("ike_enc_alg", "ike_auth_alg", "ike_pfs") + (("ike_mode",) if ali_version == 1 else ()):
        if ike[key] not in GCP_CLASSIC_VPN_SUPPORTS[key]:
            return Verdict("ike_proposal_mismatch", key)
    if not a.ike.get("psk") or a.ike.get("psk") != g.psk:
        return Verdict("psk_mismatch")
    for key in ("ipsec_enc_alg", "ipsec_auth_alg", "ipsec_pfs"):
        if ipsec[key] not in GCP_CLASSIC_VPN_SUPPORTS[key]:
            return Verdict("ipsec_proposal_mismatch", key)
    local_ts = g.local_ts or ["0.0.0.0/0"]
    remote_ts = g.remote_ts or ["0.0.0.0/0"]
    if ali_version == 1 and (len(local_ts) > 1 or len(remote_ts) > 1
                             or len(a.local_subnet) > 1 or len(a.remote_subnet) > 1):
        return Verdict("ikev1_multiple_cidrs")
    if _nets(local_ts) != _nets(a.remote_subnet) or _nets(remote_ts) != _nets(a.local_subnet):
        return Verdict("traffic_selector_mismatch")
    now = time.time() if now is None else now
    if negotiation_s > 0 and now - max(a.updated_at, g.updated_at) < negotiation_s:
        return Verdict("negotiating")
    return Verdict("up")


def _rank(v: Verdict) -> int:
    return _ALI_RANK[v.alibaba_status] * 10 + (1 if v.up else 0)


def link_verdicts(alibaba: list[AlibabaEnd], google: list[GoogleEnd], now: float | None = None,
                  negotiation_s: float = 0.0) -> tuple[dict, dict]:
    """Verdicts for every Alibaba tunnel (keyed ``(connection_id, role)``) and every Google
    tunnel (keyed by tunnel id), each with the id of the peer it was judged against."""
    ali_out: dict[tuple[str, str], tuple[Verdict, str | None]] = {}
    gcp_out: dict[str, tuple[Verdict, str | None]] = {}
    for g in google:
        best: tuple[Verdict, str | None] | None = None
        for a in alibaba:
            if a.ip and a.ip == g.peer_ip:
                v = evaluate(a, g, now, negotiation_s)
                if best is None or _rank(v) > _rank(best[0]):
                    best = (v, f"{a.connection_id}:{a.role}")
        if best is None:
            best = (gateway_config_verdict(g) or Verdict("no_peer"), None)
        gcp_out[g.tunnel_id] = best
    for a in alibaba:
        best = None
        for g in google:
            if a.ip and g.peer_ip == a.ip and g.ip == a.peer_ip:
                v = evaluate(a, g, now, negotiation_s)
                if best is None or _rank(v) > _rank(best[0]):
                    best = (v, g.tunnel_id)
        ali_out[(a.connection_id, a.role)] = best or (Verdict("no_peer"), None)
    return ali_out, gcp_out


def connection_status(tunnel_statuses: list[str]) -> str:
    """A dual-tunnel connection's status: the best of its tunnels (traffic flows if one is up)."""
    if not tunnel_statuses:
        return IKE_SA_NOT_ESTABLISHED
    return max(tunnel_statuses, key=lambda s: _ALI_RANK.get(s, 0))


def pbr_status(publish_vpc: Any) -> str:
    return "published" if publish_vpc else "normal"


# keys never shown by `crosscloud sandbox ls` (values are cloud-side secrets)
SECRET_KEYS = frozenset({
    "psk", "shared_secret", "kube_config", "client_key", "client_cert", "cluster_cert",
    "password", "access_key", "secret_key", "security_token", "access_token", "private_key",
    "shared_secret_hash", "_kubeconfig", "certificate_authority", "cluster_ca_certificate",
    "client_certificate", "_credentials", "_ca_pem",
})


def redact(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: ("(sensitive)" if k in SECRET_KEYS and v not in (None, "", [], {}) else redact(v))
                for k, v in value.items()}
    if isinstance(value, list):
        return [redact(v) for v in value]
    return value


# --------------------------------------------------------------------------------------------
# planning helpers

# computed attributes recomputed by every update (planned unknown when anything changes)
VOLATILE: dict[str, tuple[str, ...]] = {
    "alicloud_vpn_connection": ("status",),
    "google_compute_vpn_tunnel": ("detailed_status",),
}


def plan_known(type_name: str, planned: dict) -> None:
    """Computed values the cloud already knows at plan time."""
    if type_name == "alicloud_vpn_pbr_route_entry" and isinstance(planned.get("publish_vpc"), bool):
        planned["status"] = pbr_status(planned["publish_vpc"])
