"""The path one packet takes between two cluster addresses in the twin, hop by hop.

A flow (source address in one cluster, destination address and port in another) is allowed
only when every hop on the way there and back allows it. The first hop that refuses is the
answer a blocked probe gives, in the words of the cloud that refuses:

  GCP → Alibaba (the tutorial's curl from the GKE consumer to the ASK provider pod):
    consumer egress firewall · GCP route (only via tunnels that are up) · tunnel traffic
    selectors · IPsec tunnel up on both sides · Alibaba VPC holds the destination · the
    provider cluster's security group · reply: a published policy route in the VPC route table
    over a tunnel that is up (active/standby: the master if it is up, else the slave).
  Alibaba → GCP: security group egress · published policy route · tunnel up · selectors ·
    GCP ingress firewall (target tags / service accounts of the nodes) · reply: a GCP route.
  Same VPC: the destination's security group (Alibaba) or firewall (GCP).

Every rule the clouds apply is data below with its source. The store is read, never written.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field
from typing import Any, Iterable

from .store import CloudStore

ASK_TYPES = ("alicloud_cs_managed_kubernetes", "alicloud_cs_serverless_kubernetes", "alicloud_cs_kubernetes")
GKE = "google_container_cluster"
SG_RULE = "alicloud_security_group_rule"

# The security group ACK/ASK/ACS create for a cluster admits, inbound, ICMP from anywhere and all
# traffic from the group itself; outbound is open. (ACK docs, "Configure and manage cluster
# security groups", help.aliyun.com/en/ack/ack-managed-and-ack-dedicated/user-guide/
# configure-security-group-rules-to-enforce-access-control-on-ack-clusters, read 2026-12.)
# The doc gives no priority for them; they are taken as the lowest precedence (100).
CLUSTER_SG_DEFAULT_RULES: tuple[dict, ...] = (
    {"type": "ingress", "ip_protocol": "icmp", "port_range": "-1/-1", "cidr_ip": "0.0.0.0/0",
     "policy": "accept", "priority": 100, "_default": True},
    {"type": "ingress", "ip_protocol": "all", "port_range": "-1/-1", "source_security_group_id": "self",
     "policy": "accept", "priority": 100, "_default": True},
    {"type": "egress", "ip_protocol": "all", "port_range": "-1/-1", "cidr_ip": "0.0.0.0/0",
     "policy": "accept", "priority": 100, "_default": True},
)
# Security group rule precedence: priority 1-100, smaller first; at equal priority drop wins;
# no matching inbound rule means drop. (ECS API AuthorizeSecurityGroup,
# alibabacloud.com/help/en/ecs/api-authorizesecuritygroup, read 2026-12.) Groups are stateful:
# replies to admitted traffic pass (ECI "Assign security groups to a pod",
# help.aliyun.com/en/eci/user-guide/assign-a-security-group-1: "Stateful Packet Inspection").
SG_MAX_PRIORITY = 100

# VPC firewall rules: lower priority number first, deny wins at equal priority; implied rules
# allow all egress and deny all ingress at priority 65535; rules are stateful. (Google Cloud
# "VPC firewall rules", cloud.google.com/firewall/docs/firewalls, read 2026-12.)
GCP_IMPLIED_PRIORITY = 65535
# Routes: the most specific destination wins, then the lowest priority value; a Classic VPN
# tunnel is a usable next hop only while its IKE SA is established (Google Cloud "Routes",
# cloud.google.com/vpc/docs/routes; see shared/reference/ack-one-2026.md "VPN").
GCP_TUNNEL_UP = "ESTABLISHED"


@dataclass(frozen=True)
class Endpoint:
    """An address in a cluster; ip None means "one of the cluster's nodes"."""
    cluster_type: str
    cluster_id: str
    ip: str | None = None


@dataclass(frozen=True)
class Flow:
    src: Endpoint
    dst: Endpoint
    port: int | None = None
    protocol: str = "tcp"

    def describe(self) -> str:
        proto = self.protocol.upper()
        return f"{proto} {self.port}" if self.port and self.protocol in ("tcp", "udp") else proto


@dataclass(frozen=True)
class Hop:
    name: str
    ok: bool
    detail: str


@dataclass
class PathResult:
    flow: Flow
    hops: list[Hop] = field(default_factory=list)
    tunnel: str | None = None                       # the tunnel the packet took
    degraded: list[str] = field(default_factory=list)  # tunnels that are down while another carries

    @property
    def ok(self) -> bool:
        return all(h.ok for h in self.hops)

    @property
    def blocked(self) -> Hop | None:
        return next((h for h in self.hops if not h.ok), None)

    @property
    def reason(self) -> str:
        hop = self.blocked
        if hop:
            return f"{hop.name}: {hop.detail}"
        via = f" via {self.tunnel}" if self.tunnel else ""
        return f"reachable{via}" + (f" (degraded: {'; '.join(self.degraded)})" if self.degraded else "")


class _Blocked(Exception):
    pass


# ---------------------------------------------------------------------------------------- helpers
def _net(value: Any):
    try:
        return ipaddress.ip_network(value, strict=False)
    except (TypeError, ValueError):
        return None


def _within(ip: str, cidrs: Iterable[Any]) -> bool:
    addr = ipaddress.ip_address(ip)
    return any((n := _net(c)) is not None and addr in n for c in cidrs or [])


def _first(value: Any) -> dict:
    return value[0] if isinstance(value, list) and value and isinstance(value[0], dict) else {}


def _resolve(objects: list[dict], ref: Any) -> dict | None:
    from .cloud import Cloud  # noqa: PLC0415  (the one google reference resolver)

    return Cloud._resolve_google(objects, ref)


def _ports(port_range: Any) -> tuple[int, int] | None:
    """Alibaba "80/80" (or "-1/-1" = every port)."""
    try:
        lo, hi = (int(x) for x in str(port_range).split("/"))
    except ValueError:
        return None
    return (1, 65535) if (lo, hi) == (-1, -1) else (lo, hi)


class _View:
    """The store, read once per probe."""

    def __init__(self, store: CloudStore):
        self.by_type: dict[str, list[dict]] = {}
        for o in store.list():
            self.by_type.setdefault(o["type"], []).append(o)

    def of(self, t: str) -> list[dict]:
        return self.by_type.get(t, [])

    def get(self, t: str, id_: Any) -> dict | None:
        return next((o for o in self.of(t) if o["id"] == id_), None)


# ---------------------------------------------------------------------------------------- sides
@dataclass
class _Side:
    cloud: str                 # "alibaba" | "gcp"
    ip: str
    network: str               # VPC id / google network id
    ranges: list[str]          # every range that belongs to this network
    source_label: str          # how a refusal names the source's range
    security_group: str | None = None
    tags: tuple[str, ...] = ()
    service_accounts: tuple[str, ...] = ()


def _cluster(view: _View, ep: Endpoint) -> dict:
    types = ASK_TYPES if ep.cluster_type in ASK_TYPES else (ep.cluster_type,)
    for t in types:
        o = view.get(t, ep.cluster_id)
        if o:
            return o
    raise _Blocked(f"cluster {ep.cluster_id} does not exist")


def _side(view: _View, ep: Endpoint) -> _Side:
    obj = _cluster(view, ep)
    a = obj["attrs"]
    if obj["type"] == GKE:
        net = _resolve(view.of("google_compute_network"), a.get("network"))
        sub = _resolve(view.of("google_compute_subnetwork"), a.get("subnetwork"))
        if not net or not sub:
            raise _Blocked(f"GKE cluster {a.get('name')}: its network or subnet no longer exists")
        subs = [s for s in view.of("google_compute_subnetwork")
                if (_resolve([net], s["attrs"].get("network")) is not None)]
        ranges = [r for s in subs for r in [s["attrs"].get("ip_cidr_range")] +
                  [x.get("ip_cidr_range") for x in s["attrs"].get("secondary_ip_range") or []] if r]
        pools = [p["attrs"] for p in view.of("google_container_node_pool")
                 if _resolve([obj], p["attrs"].get("cluster")) is not None]
        tags = tuple(t for p in pools for t in _first(p.get("node_config")).get("tags") or [])
        accounts = tuple(_first(p.get("node_config")).get("service_account") or "default" for p in pools)
        ip = ep.ip or str(ipaddress.ip_network(sub["attrs"]["ip_cidr_range"], strict=False)[2])
        label = next((f"{r} (subnet {sub['attrs'].get('name')}"
                      f"{', range ' + x.get('range_name') if x.get('range_name') else ''})"
                      for x in [{"ip_cidr_range": sub["attrs"].get("ip_cidr_range")}] +
                      list(sub["attrs"].get("secondary_ip_range") or [])
                      if (r := x.get("ip_cidr_range")) and _within(ip, [r])), ip)
        return _Side("gcp", ip, net["id"], ranges, label, tags=tags, service_accounts=accounts)
    vsws = [view.get("alicloud_vswitch", v) for v in a.get("vswitch_ids") or []]
    vsws = [v for v in vsws if v]
    vpc_id = a.get("vpc_id") or (vsws[0]["attrs"].get("vpc_id") if vsws else None)
    vpc = view.get("alicloud_vpc", vpc_id)
    if not vpc:
        raise _Blocked(f"cluster {ep.cluster_id}: its VPC {vpc_id} no longer exists")
    ip = ep.ip or (str(ipaddress.ip_network(vsws[0]["attrs"]["cidr_block"], strict=False)[10]) if vsws else "")
    label = next((f"{v['attrs']['cidr_block']} (vSwitch {v['id']})" for v in view.of("alicloud_vswitch")
                  if v["attrs"].get("vpc_id") == vpc_id and ip and _within(ip, [v["attrs"].get("cidr_block")])), ip)
    return _Side("alibaba", ip, vpc_id, [vpc["attrs"].get("cidr_block")], label,
                 security_group=a.get("security_group_id"))


# ---------------------------------------------------------------------------------------- Alibaba
def _sg_rules(view: _View, sg: str) -> list[dict]:
    mine = [o["attrs"] for o in view.of(SG_RULE) if o["attrs"].get("security_group_id") == sg]
    return mine + [dict(r) for r in CLUSTER_SG_DEFAULT_RULES]


def _sg_matches(rule: dict, sg: str, peer: _Side, protocol: str, port: int | None) -> bool:
    proto = (rule.get("ip_protocol") or "").lower()
    if proto not in ("all", protocol):
        return False
    if protocol in ("tcp", "udp") and proto != "all":
        span = _ports(rule.get("port_range"))
        if not span or port is None or not span[0] <= port <= span[1]:
            return False
    source = rule.get("source_security_group_id")
    if source:
        group = sg if source == "self" else source
        return peer.security_group is not None and peer.security_group == group
    return bool(peer.ip) and _within(peer.ip, [rule.get("cidr_ip")])


def _security_group(view: _View, sg: str | None, direction: str, peer: _Side, flow: Flow) -> Hop:
    name = f"security group {sg} ({direction})"
    if not sg:
        return Hop(name, False, "the cluster has no security group")
    rules = [r for r in _sg_rules(view, sg) if r.get("type") == direction
             and _sg_matches(r, sg, peer, flow.protocol, flow.port)]
    rules.sort(key=lambda r: (int(r.get("priority") or 1), (r.get("policy") or "accept") != "drop"))
    way = "from" if direction == "ingress" else "to"
    if not rules or (rules[0].get("policy") or "accept") == "drop":
        what = "drops" if rules else "admits no"
        return Hop(name, False, f"security group {sg} {what} {flow.describe()} {way} {peer.ip} ({peer.source_label})")
    r = rules[0]
    src = r.get("cidr_ip") or ("its own group" if r.get("source_security_group_id") == "self"
                               else r.get("source_security_group_id"))
    origin = "default rule" if r.get("_default") else "rule"
    return Hop(name, True, f"{origin} {r.get('ip_protocol')} {r.get('port_range')} {way} {src}")


def _alibaba_tunnels(view: _View, conn_id: str) -> list[tuple[str, bool, str]]:
    """(role, up, why) of an Alibaba connection's tunnels, master first."""
    conn = view.get("alicloud_vpn_connection", conn_id)
    link = ((conn or {}).get("attrs") or {}).get("_link") or {}
    order = {"single": 0, "master": 0, "slave": 1}
    return sorted(((role, l.get("reason") == "up", l.get("detail") or l.get("status") or "")
                   for role, l in link.items()), key=lambda t: order.get(t[0], 2))


def _alibaba_route(view: _View, vpc_id: str, src_ip: str, dst_ip: str) -> tuple[Hop, str | None, list[str]]:
    """The VPC route table's way from ``src_ip`` (in the VPC) to ``dst_ip`` over the VPN: a policy
    route published to the VPC, whose connection has a tunnel up (active/standby)."""
    name = "Alibaba VPC route table"
    gateways = {o["id"] for o in view.of("alicloud_vpn_gateway") if o["attrs"].get("vpc_id") == vpc_id}
    routes = [o["attrs"] for o in view.of("alicloud_vpn_pbr_route_entry")
              if o["attrs"].get("vpn_gateway_id") in gateways and _within(dst_ip, [o["attrs"].get("route_dest")])
              and _within(src_ip, [o["attrs"].get("route_source")])]
    if not routes:
        return Hop(name, False, f"no policy route of a VPN gateway in {vpc_id} covers {src_ip} -> {dst_ip}"), None, []
    published = [r for r in routes if r.get("status") == "published"]
    if not published:
        return Hop(name, False, f"policy route {routes[0].get('route_dest')} via {routes[0].get('next_hop')} is "
                                f"{routes[0].get('status')}, not published to the VPC route table"), None, []
    published.sort(key=lambda r: -(_net(r.get("route_dest")).prefixlen if _net(r.get("route_dest")) else 0))
    down_all = []
    for r in published:
        tunnels = _alibaba_tunnels(view, r.get("next_hop"))
        if not tunnels:
            down_all.append(f"{r.get('next_hop')}: connection does not exist")
            continue
        up = [t for t in tunnels if t[1]]
        down = [f"{r.get('next_hop')} {role} tunnel: {why}" for role, ok, why in tunnels if not ok]
        if up:
            return (Hop(name, True, f"{r.get('route_dest')} -> {r.get('next_hop')} ({up[0][0]} tunnel), published"),
                    f"{r.get('next_hop')}:{up[0][0]}", down)
        down_all.extend(down)
    return Hop("IPsec tunnel up", False, "every tunnel of the link is down: " + "; ".join(down_all)), None, []


# ---------------------------------------------------------------------------------------- GCP
def _fw_matches(rule: dict, direction: str, local: _Side, peer: _Side, protocol: str, port: int | None) -> bool:
    if (rule.get("direction") or "INGRESS") != direction or rule.get("disabled"):
        return False
    targets, accounts = rule.get("target_tags") or [], rule.get("target_service_accounts") or []
    if targets and not set(targets) & set(local.tags):
        return False
    if accounts and not set(accounts) & set(local.service_accounts):
        return False
    if direction == "INGRESS":
        src_ok = _within(peer.ip, rule.get("source_ranges") or [])
        if rule.get("source_tags") and set(rule["source_tags"]) & set(peer.tags):
            src_ok = True
        if not src_ok:
            return False
    elif not _within(peer.ip, rule.get("destination_ranges") or ["0.0.0.0/0"]):
        return False
    return any(_proto_match(p, protocol, port) for p in (rule.get("allow") or []) + (rule.get("deny") or []))


def _proto_match(entry: dict, protocol: str, port: int | None) -> bool:
    proto = (entry.get("protocol") or "").lower()
    if proto not in ("all", protocol):
        return False
    ports = entry.get("ports") or []
    if not ports or protocol not in ("tcp", "udp"):
        return True
    for p in ports:
        lo, _, hi = str(p).partition("-")
        if port is not None and int(lo) <= port <= int(hi or lo):
            return True
    return False


def _firewall(view: _View, direction: str, local: _Side, peer: _Side, flow: Flow) -> Hop:
    name = f"GCP firewall ({direction.lower()})"
    networks = view.of("google_compute_network")
    rules = [o["attrs"] for o in view.of("google_compute_firewall")
             if (_resolve(networks, o["attrs"].get("network")) or {}).get("id") == local.network
             and _fw_matches(o["attrs"], direction, local, peer, flow.protocol, flow.port)]
    rules.sort(key=lambda r: (int(r.get("priority") or 1000), not r.get("deny")))
    if rules and not rules[0].get("deny"):
        return Hop(name, True, f"rule {rules[0].get('name')} allows {flow.describe()}")
    if rules:
        return Hop(name, False, f"rule {rules[0].get('name')} denies {flow.describe()} "
                                f"{'from' if direction == 'INGRESS' else 'to'} {peer.ip}")
    if direction == "EGRESS":
        return Hop(name, True, "implied allow-egress rule")
    tags = ", ".join(local.tags) or "none"
    return Hop(name, False, f"no rule of network {local.network.rsplit('/', 1)[-1]} allows {flow.describe()} from "
                            f"{peer.ip} ({peer.source_label}) to the nodes (tags: {tags}); the implied rule denies ingress")


def _gcp_route(view: _View, local: _Side, dst_ip: str) -> tuple[Hop, dict | None, list[str]]:
    name = "GCP route"
    routes = []
    for o in view.of("google_compute_route"):
        a = o["attrs"]
        net = _resolve(view.of("google_compute_network"), a.get("network"))
        if not net or net["id"] != local.network or not _within(dst_ip, [a.get("dest_range")]):
            continue
        if a.get("tags") and not set(a["tags"]) & set(local.tags):
            continue
        routes.append(a)
    if not routes:
        return Hop(name, False, f"network {local.network.rsplit('/', 1)[-1]} has no route to {dst_ip}"), None, []
    routes.sort(key=lambda a: (-_net(a["dest_range"]).prefixlen, int(a.get("priority") or 1000)))
    tunnels = view.of("google_compute_vpn_tunnel")
    down = []
    for a in routes:
        t = _resolve(tunnels, a.get("next_hop_vpn_tunnel")) if a.get("next_hop_vpn_tunnel") else None
        if a.get("next_hop_vpn_tunnel") and not t:
            down.append(f"route {a.get('name')}: tunnel {a['next_hop_vpn_tunnel'].rsplit('/', 1)[-1]} does not exist")
            continue
        if t and (t["attrs"].get("_link") or {}).get("status") != GCP_TUNNEL_UP:
            down.append(f"tunnel {t['attrs'].get('name')}: {t['attrs'].get('detailed_status')}")
            continue
        return Hop(name, True, f"route {a.get('name')} ({a.get('dest_range')}, priority {a.get('priority')})"
                               + (f" -> tunnel {t['attrs'].get('name')}" if t else "")), t, down
    return Hop("IPsec tunnel up", False, "no route to " + dst_ip + " has a tunnel that is up: " + "; ".join(down)), None, []


def _selectors(tunnel: dict, gcp_ip: str, ali_ip: str) -> Hop:
    a = tunnel["attrs"]
    local, remote = a.get("local_traffic_selector") or ["0.0.0.0/0"], a.get("remote_traffic_selector") or ["0.0.0.0/0"]
    if _within(gcp_ip, local) and _within(ali_ip, remote):
        return Hop("tunnel traffic selectors", True, f"{a.get('name')}: local {', '.join(local)}, remote {', '.join(remote)}")
    return Hop("tunnel traffic selectors", False,
               f"tunnel {a.get('name')} carries {', '.join(local)} <-> {', '.join(remote)}, not {gcp_ip} <-> {ali_ip}")


def _peer_up(view: _View, tunnel: dict) -> Hop:
    link = tunnel["attrs"].get("_link") or {}
    peer = link.get("peer") or ""
    conn_id, _, role = peer.partition(":")
    for r, up, why in _alibaba_tunnels(view, conn_id):
        if r == role:
            return Hop("IPsec tunnel up", up, f"{tunnel['attrs'].get('name')} <-> {conn_id} {role}: "
                                              + ("established" if up else why))
    return Hop("IPsec tunnel up", False, f"tunnel {tunnel['attrs'].get('name')} has no Alibaba peer")


# ---------------------------------------------------------------------------------------- probe
def probe(store: CloudStore, flow: Flow) -> PathResult:
    """Walk ``flow`` through the twin's clouds; the result names the first hop that blocks."""
    view = _View(store)
    result = PathResult(flow)
    try:
        src, dst = _side(view, flow.src), _side(view, flow.dst)
        for side, ep in ((src, flow.src), (dst, flow.dst)):
            if not side.ip or not _within(side.ip, side.ranges):
                raise _Blocked(f"{side.ip or ep.cluster_id} is not an address of network {side.network}")
        if src.cloud == dst.cloud == "alibaba":
            if src.network != dst.network:
                raise _Blocked(f"{src.network} and {dst.network} are not connected")
            result.hops += [_security_group(view, src.security_group, "egress", dst, flow),
                            _security_group(view, dst.security_group, "ingress", src, flow)]
        elif src.cloud == dst.cloud == "gcp":
            result.hops += [_firewall(view, "EGRESS", src, dst, flow), _firewall(view, "INGRESS", dst, src, flow)]
        elif src.cloud == "gcp":
            _gcp_to_alibaba(view, src, dst, flow, result)
        else:
            _alibaba_to_gcp(view, src, dst, flow, result)
    except _Blocked as err:
        result.hops.append(Hop("addresses", False, str(err)))
    return result


class _Stop(Exception):
    """The walk ends at the first hop that refuses."""


def _stop(result: PathResult, hop: Hop) -> None:
    result.hops.append(hop)
    if not hop.ok:
        raise _Stop


def _gcp_to_alibaba(view: _View, src: _Side, dst: _Side, flow: Flow, result: PathResult) -> None:
    try:
        _stop(result, _firewall(view, "EGRESS", src, dst, flow))
        hop, tunnel, down = _gcp_route(view, src, dst.ip)
        result.degraded += down
        _stop(result, hop)
        if tunnel is None:
            _stop(result, Hop("GCP route", False, f"the route to {dst.ip} does not lead into the VPN"))
        result.tunnel = tunnel["attrs"].get("name")
        _stop(result, _selectors(tunnel, src.ip, dst.ip))
        _stop(result, _peer_up(view, tunnel))
        conn_id = ((tunnel["attrs"].get("_link") or {}).get("peer") or ":").split(":")[0]
        conn = view.get("alicloud_vpn_connection", conn_id) or {"attrs": {}}
        gw = view.get("alicloud_vpn_gateway", conn["attrs"].get("vpn_gateway_id")) or {"attrs": {}}
        _stop(result, Hop("Alibaba VPC", gw["attrs"].get("vpc_id") == dst.network,
                          f"VPN gateway {gw.get('id')} serves {gw['attrs'].get('vpc_id')}, destination is in {dst.network}"))
        _stop(result, _security_group(view, dst.security_group, "ingress", src, flow))
        hop, _, back_down = _alibaba_route(view, dst.network, dst.ip, src.ip)
        result.degraded += [d for d in back_down if d not in result.degraded]
        _stop(result, Hop("reply: " + hop.name, hop.ok, hop.detail))
    except _Stop:
        pass


def _alibaba_to_gcp(view: _View, src: _Side, dst: _Side, flow: Flow, result: PathResult) -> None:
    try:
        _stop(result, _security_group(view, src.security_group, "egress", dst, flow))
        hop, via, down = _alibaba_route(view, src.network, src.ip, dst.ip)
        result.degraded += down
        _stop(result, hop)
        result.tunnel = via
        conn_id, _, role = (via or ":").partition(":")
        peer = next((t for t in view.of("google_compute_vpn_tunnel")
                     if (t["attrs"].get("_link") or {}).get("peer") == via), None)
        if peer is None:
            _stop(result, Hop("IPsec tunnel up", False, f"{conn_id} {role} tunnel has no GCP peer"))
        _stop(result, _selectors(peer, dst.ip, src.ip))
        _stop(result, _firewall(view, "INGRESS", dst, src, flow))
        hop, _, back = _gcp_route(view, dst, src.ip)
        result.degraded += [d for d in back if d not in result.degraded]
        _stop(result, Hop("reply: " + hop.name, hop.ok, hop.detail))
    except _Stop:
        pass


def link_carries(store: CloudStore) -> tuple[bool, str]:
    """Whether the VPN carries traffic at all (one tunnel pair up and policy routes published),
    and what is degraded — the check for callers that have no particular flow."""
    view = _View(store)
    conns = view.of("alicloud_vpn_connection")
    if not conns:
        return False, "no IPsec connection exists"
    tunnels = [(c["id"], *t) for c in conns for t in _alibaba_tunnels(view, c["id"])]
    up = [t for t in tunnels if t[2]]
    if not up:
        return False, "every tunnel is down: " + "; ".join(f"{c} {r}: {why}" for c, r, _, why in tunnels)
    routes = view.of("alicloud_vpn_pbr_route_entry")
    unpublished = [o["attrs"].get("route_dest") for o in routes if o["attrs"].get("status") != "published"]
    if not routes or unpublished:
        return False, f"policy routes not published: {', '.join(map(str, unpublished)) or 'none exist'}"
    down = [f"{c} {r}: {why}" for c, r, ok, why in tunnels if not ok]
    return True, "up" + (f" (degraded: {'; '.join(down)})" if down else "")


