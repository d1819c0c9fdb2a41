"""The IPsec link as both clouds report it, read from refreshed Terraform state of the `vpn` stack.

Reading it through Terraform keeps one code path for the sandbox and the real clouds: the real
providers refresh these attributes from the Alibaba VPC API and the Compute API.
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass, field
from typing import Callable

from . import interrupt

ALIBABA_UP = "ipsec_sa_established"
GCP_UP = "Tunnel is up and running."


@dataclass
class LinkState:
    alibaba: str = "absent"  # the connection's status, in Alibaba's words
    alibaba_tunnels: dict[str, str] = field(default_factory=dict)  # role -> tunnel status (dual mode)
    gcp: dict[str, str] = field(default_factory=dict)  # tunnel name -> detailed_status
    routes: list[dict] = field(default_factory=list)  # {dest, status, published}

    @property
    def alibaba_up(self) -> bool:
        return self.alibaba == ALIBABA_UP and all(s == ALIBABA_UP for s in self.alibaba_tunnels.values())

    @property
    def gcp_up(self) -> bool:
        return bool(self.gcp) and all(s == GCP_UP for s in self.gcp.values())

    @property
    def up(self) -> bool:
        return self.alibaba_up and self.gcp_up

    @property
    def carrying(self) -> bool:
        """Traffic flows: dual mode is active/standby, so one established tunnel pair is enough
        (GCP routes only use tunnels that are up; the Alibaba connection uses the master while
        it is up, else the slave)."""
        ali = any(s == ALIBABA_UP for s in self.alibaba_tunnels.values()) if self.alibaba_tunnels \
            else self.alibaba == ALIBABA_UP
        return ali and any(s == GCP_UP for s in self.gcp.values())

    @property
    def degraded(self) -> bool:
        return self.carrying and not self.up

    def down_tunnels(self) -> list[dict]:
        """Each tunnel that is not up: which side, which tunnel, and why (the cloud's words)."""
        out = [{"side": "alibaba", "tunnel": role, "why": s} for role, s in self.alibaba_tunnels.items() if s != ALIBABA_UP]
        out += [{"side": "gcp", "tunnel": name, "why": s} for name, s in self.gcp.items() if s != GCP_UP]
        for role in self.alibaba_tunnels:  # a GCP tunnel gone (deleted out of band) leaves its peer alone
            if not any(name.endswith(f"-{role}") for name in self.gcp) and len(self.alibaba_tunnels) > 1:
                out.append({"side": "gcp", "tunnel": f"tunnel-{role}", "why": "does not exist (deleted outside Terraform?)"})
        return out

    @property
    def routes_published(self) -> bool:
        return bool(self.routes) and all(r["published"] for r in self.routes)

    def as_dict(self) -> dict:
        return {**asdict(self), "up": self.up, "carrying": self.carrying, "degraded": self.degraded,
                "down": self.down_tunnels(), "routes_published": self.routes_published}

    def describe(self) -> str:
        ali = self.alibaba + (f" ({', '.join(f'{r}: {s}' for r, s in self.alibaba_tunnels.items())})" if self.alibaba_tunnels else "")
        gcp = "; ".join(f"{n}: {s}" for n, s in self.gcp.items()) or "no tunnel"
        pub = sum(r["published"] for r in self.routes)
        return f"Alibaba: {ali} | GCP: {gcp} | routes published {pub}/{len(self.routes)}"


def state_resources(show: dict) -> list[dict]:
    """Resources of `terraform show -json` output (root module)."""
    return (show.get("values") or {}).get("root_module", {}).get("resources", [])


def link_from_state(show: dict) -> LinkState:
    link = LinkState()
    for res in state_resources(show):
        v = res.get("values") or {}
        if res["type"] == "alicloud_vpn_connection":
            link.alibaba = v.get("status") or "unknown"
            for tunnel in v.get("tunnel_options_specification") or []:
                link.alibaba_tunnels[tunnel.get("role") or tunnel.get("tunnel_id", "?")] = tunnel.get("status") or tunnel.get("state") or "unknown"
        elif res["type"] == "google_compute_vpn_tunnel":
            link.gcp[v.get("name") or res["name"]] = v.get("detailed_status") or "unknown"
        elif res["type"] == "alicloud_vpn_pbr_route_entry":
            link.routes.append({"dest": v.get("route_dest"), "status": v.get("status"), "published": v.get("status") == "published"})
    link.routes.sort(key=lambda r: r["dest"] or "")
    return link


def likely_cause(link: LinkState) -> str:
    words = " ".join([link.alibaba, *link.alibaba_tunnels.values(), *link.gcp.values()]).lower()
    if link.alibaba == "absent" or not link.gcp:
        return "one side of the link does not exist yet (has the vpn stack been applied?)"
    if "pre-shared" in words or "authentication" in words or "psk" in words:
        return "the pre-shared keys differ: both sides must use the same TF_VAR_ipsec_psk"
    if "selector" in words:
        return "traffic selectors are not mirrored (GCP local = Alibaba remote_subnet and vice versa)"
    if "proposal" in words or "negotiation" in words or "ike" in words and "not_established" in words:
        return "IKE/IPsec parameters disagree (version, encryption, integrity, DH group)"
    if "no incoming packets" in words or "peer" in words:
        return "a peer IP is wrong or unreachable (customer gateway IP vs GCP address, tunnel peer_ip vs Alibaba gateway IP)"
    if not link.routes_published:
        return "policy routes are not published to the VPC (publish_vpc)"
    return "the clouds have not finished negotiating"


class LinkTimeout(RuntimeError):
    pass


def wait_for_link(read: Callable[[], LinkState], *, timeout: float, report: Callable[[str], None],
                  first_delay: float = 0.5, max_delay: float = 10.0) -> LinkState:
    """Poll with exponential backoff until the link is up on both sides and every route is published."""
    deadline = time.monotonic() + timeout
    delay, last = first_delay, ""
    while True:
        link = read()
        if link.up and link.routes_published:
            return link
        now = link.describe()
        if now != last:
            report(now)
            last = now
        if time.monotonic() + delay > deadline:
            down = [side for side, ok in (("Alibaba", link.alibaba_up), ("GCP", link.gcp_up)) if not ok]
            sides = " and ".join(down) + (" side" if len(down) == 1 else " sides") if down else "route publication"
            raise LinkTimeout(f"the IPsec link is not up after {timeout:.0f}s: {sides} not established. "
                              f"Likely cause: {likely_cause(link)}. Last state: {now}")
        interrupt.sleep(delay, "waiting for the IPsec link")
        delay = min(delay * 2, max_delay)
