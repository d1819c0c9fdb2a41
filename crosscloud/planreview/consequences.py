"""Consequences in plain words: what goes down and for how long, what changes next, and
whether the ACK One (fleet) phase will have work to do.

The rules are data (IMPACT, FLEET_PHASE_READS) beside the one function that applies them.
Durations are estimates from crosscloud's per-type latency model (sandbox/semantics.py
LATENCY_MINUTES: real minutes per create/update/delete), not measurements of this change.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..stackgraph import STACK_ORDER
from .effects import Predicted
from .model import ResourceChange

# type -> what its replacement (or destruction) interrupts; "in_place" what an in-place update does.
# outage: link (the whole IPsec link), tunnel (one tunnel), route, workloads, fleet, none
IMPACT: dict[str, dict[str, str]] = {
    "alicloud_vpn_gateway": {
        "outage": "link", "what": "the Alibaba VPN gateway: both of its public IPs (internet_ip, "
        "disaster_recovery_internet_ip) change, so the GCP tunnels' peer_ip and the routes change with them; "
        "the IPsec link is down until both sides renegotiate on the new IPs",
        "in_place": "changes in place; the link stays up"},
    "alicloud_vpn_connection": {
        "outage": "link", "what": "the Alibaba IPsec connection: the link is down until it is re-created and "
        "both sides renegotiate",
        "in_place": "IPsec settings change in place: both sides renegotiate, traffic pauses meanwhile"},
    "alicloud_vpn_customer_gateway": {
        "outage": "link", "what": "Alibaba's record of the GCP gateway IP: the IPsec connection that uses it "
        "is re-created, the link is down until both sides renegotiate"},
    "google_compute_address": {
        "outage": "link", "what": "the GCP VPN public IP: Alibaba's customer gateway (ip_address) and the IPsec "
        "connection follow, the link is down until both sides renegotiate"},
    "google_compute_vpn_gateway": {
        "outage": "link", "what": "the GCP VPN gateway: its tunnels are re-created, the link is down until both "
        "sides renegotiate"},
    "google_compute_forwarding_rule": {
        "outage": "link", "what": "a GCP forwarding rule for IPsec (ESP/UDP 500/4500): IPsec traffic to the GCP "
        "gateway stops until it is back"},
    "google_compute_vpn_tunnel": {
        "outage": "tunnel", "what": "a GCP tunnel: its traffic stops until it is re-created and renegotiated"},
    "alicloud_vpn_pbr_route_entry": {
        "outage": "route", "what": "an Alibaba policy route: traffic to its destination is not sent over the VPN "
        "until it is published again"},
    "google_compute_route": {
        "outage": "route", "what": "a GCP route into a tunnel: traffic to its destination is not sent over the "
        "VPN until it is back"},
    "google_compute_firewall": {
        "outage": "route", "what": "the GCP firewall rule for traffic from Alibaba: that traffic is refused until "
        "it is back", "in_place": "the allowed traffic from Alibaba changes in place"},
    "alicloud_cs_managed_kubernetes": {
        "outage": "workloads", "what": "the ASK cluster and every workload on it: its services are down, its id "
        "and kubeconfig change, its fleet membership is re-attached",
        "in_place": "changes in place; workloads keep running"},
    "google_container_cluster": {
        "outage": "workloads", "what": "the GKE cluster and every workload on it: its endpoint and CA change, its "
        "ACK One registration is redone", "in_place": "changes in place; workloads keep running"},
    "google_container_node_pool": {
        "outage": "workloads", "what": "the GKE node pool: every pod on it is evicted; GKE workloads are down "
        "until the new nodes are ready",
        "in_place": "changes in place (nodes are added or removed; pods on removed nodes are rescheduled); "
        "no outage of the cluster or the link"},
    "alicloud_ack_one_cluster": {
        "outage": "fleet", "what": "the ACK One fleet hub: memberships, registrations and multi-cluster apps are "
        "gone until the fleet phase applies them again"},
    "alicloud_ack_one_membership_attachment": {
        "outage": "fleet", "what": "a fleet membership: the cluster is out of the fleet (no service export or "
        "import through it) until it is attached again"},
    "alicloud_vpc": {"outage": "none", "what": "the Alibaba VPC: everything inside it is re-created too",
                     "in_place": "changes in place"},
    "alicloud_vswitch": {"outage": "none", "what": "an Alibaba vSwitch: what is placed in it is re-created too"},
    "google_compute_network": {"outage": "none", "what": "the GCP network: everything in it is re-created too"},
    "google_compute_subnetwork": {"outage": "none", "what": "the GCP subnet: what is placed in it is re-created too",
                                  "in_place": "changes in place"},
}

# Outputs the fleet phase reads (crosscloud/fleet/phase.py, fleet/context.py): when one changes,
# `crosscloud deploy` re-registers clusters or re-applies the multi-cluster manifests.
FLEET_PHASE_READS = {("network", "alibaba_vpc_id"), ("network", "alibaba_vswitch_ids"), ("fleet", "fleet_id"),
                     ("clusters", "cluster_ids"), ("clusters", "ask_kubeconfigs"), ("gke", "cluster_ids"),
                     ("gke", "gke_endpoints"), ("gke", "gke_ca_certificates")}
FLEET_TYPES = {"alicloud_cs_managed_kubernetes", "google_container_cluster", "alicloud_ack_one_cluster",
               "alicloud_ack_one_membership_attachment"}
# link outages also cover the resources re-created before the link can renegotiate
LINK_CHAIN = ("alicloud_vpn_connection",)


@dataclass(frozen=True)
class Consequence:
    topic: str  # outage | in-place | next | fleet
    stack: str
    text: str

    def as_dict(self) -> dict:
        return {"topic": self.topic, "stack": self.stack, "text": self.text}


def _minutes(rtype: str, ops: tuple[str, ...]) -> float:
    from ..sandbox.semantics import LATENCY_MINUTES, DEFAULT_LATENCY_MINUTES

    index = {"create": 0, "update": 1, "delete": 2}
    return sum(LATENCY_MINUTES.get(rtype, DEFAULT_LATENCY_MINUTES)[index[op]] for op in ops)


def _duration(rtype: str, outage: str, destroyed: bool) -> str:
    from ..sandbox.semantics import IPSEC_NEGOTIATION_MINUTES

    if destroyed:
        return "until it is created again"
    minutes = _minutes(rtype, ("delete", "create"))
    if outage in ("link", "tunnel"):
        minutes += IPSEC_NEGOTIATION_MINUTES
        if outage == "link" and rtype not in LINK_CHAIN:
            minutes += _minutes("alicloud_vpn_connection", ("create",))
    return f"about {minutes:g} min"


def _one(stack: str, address: str, rtype: str, kind: str, forced_by: list[str], attrs: list[str],
         prefix: str = "") -> Consequence | None:
    rule = IMPACT.get(rtype)
    if kind == "change":
        if rule and rule.get("in_place"):
            shown = ", ".join(f"`{a}`" for a in attrs[:6])
            return Consequence("in-place", stack, f"{prefix}`{address}` {rule['in_place']}" + (f" ({shown})." if shown else "."))
        return None
    if kind not in ("replace", "destroy") or not rule:
        return None
    verb = "is replaced" + (f" (forced by {', '.join(f'`{p}`' for p in forced_by)})" if forced_by else "") \
        if kind == "replace" else "is destroyed"
    if rule["outage"] == "none":
        return Consequence("outage", stack, f"{prefix}`{address}` {verb}: {rule['what']}.")
    how_long = _duration(rtype, rule["outage"], kind == "destroy")
    return Consequence("outage", stack, f"{prefix}`{address}` {verb} — {rule['what']} ({how_long}).")


def derive(changes: list[ResourceChange], predicted: list[Predicted],
           outputs_changing: set[tuple[str, str]]) -> list[Consequence]:
    out: list[Consequence] = []
    for c in changes:
        found = _one(c.stack, c.address, c.type, c.kind, c.forced_by, sorted(c.top_attrs))
        if found:
            out.append(found)
    tunnels = [c for c in changes if c.type == "google_compute_vpn_tunnel" and c.kind in ("replace", "destroy")]
    if tunnels and not any(o.topic == "outage" and "link is down" in o.text for o in out):
        note = ("every GCP tunnel is re-created at once: the whole link is down meanwhile" if len(tunnels) > 1
                else "one tunnel is re-created: in dual mode traffic fails over to the other tunnel meanwhile")
        out.append(Consequence("outage", tunnels[0].stack, f"VPN: {note}."))
    for stack in STACK_ORDER:
        mine = [p for p in predicted if p.stack == stack]
        if not mine:
            continue
        items = "; ".join(f"`{p.address}` will be {'replaced' if p.kind == 'replace' else 'updated'} "
                          f"(`{p.path}`: {p.because})" for p in mine)
        out.append(Consequence("next", stack, f"After this is applied, stack `{stack}` changes next: {items}."))
        for p in mine:
            rtype = p.address.split(".")[0]
            found = _one(p.stack, p.address, rtype, p.kind, [p.path] if p.kind == "replace" else [], [p.path], "Next: ")
            if found and found.topic == "outage":
                out.append(found)
    reasons = sorted(f"{s} output `{o}`" for s, o in outputs_changing if (s, o) in FLEET_PHASE_READS)
    reasons += sorted(f"`{c.address}` ({c.kind})" for c in changes if c.type in FLEET_TYPES and c.kind != "change")
    reasons += sorted(f"`{p.address}` ({p.kind}, next)" for p in predicted
                      if p.address.split(".")[0] in FLEET_TYPES and p.kind == "replace")
    if reasons:
        out.append(Consequence("fleet", "", "The fleet phase re-runs on the next `crosscloud deploy` (GKE "
                               "registration, multi-cluster manifests) because " + ", ".join(reasons) + " changes."))
    elif changes or predicted:
        out.append(Consequence("fleet", "", "The fleet phase has nothing new to do: nothing it reads changes."))
    return out
