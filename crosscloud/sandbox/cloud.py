"""The two sandbox clouds acting on the :class:`CloudStore`: create, read, update, delete.

One :class:`Cloud` per provider process (``alicloud`` or ``google``). Objects are stored under
``(terraform type, terraform id)`` with the Terraform state as attrs, plus store-only keys that
start with ``_`` (``_updated_at``, ``_link``, ``_ca_pem``…), which never reach Terraform.

The IPsec link fields are recomputed from the whole store on every read of a VPN connection or
tunnel and after every change to a VPN-related object (see :meth:`Cloud.reconcile_links`).
"""

from __future__ import annotations

import copy
import hashlib
import ipaddress
import os
import time
import uuid
from pathlib import Path
from typing import Any, Callable

from . import clock
from . import semantics as sem
from . import stopping
from . import tfschema
from .alibaba import vpn as alibaba_vpn
from .gcp import container as gcp_container
from .gcp import serviceusage
from .store import CloudStore
from .tfschema import UNKNOWN

LINK_TYPES = frozenset({
    "alicloud_vpn_gateway", "alicloud_vpn_customer_gateway", "alicloud_vpn_connection",
    "google_compute_address", "google_compute_vpn_gateway", "google_compute_forwarding_rule",
    "google_compute_vpn_tunnel",
})
DEFAULT_RESOURCE_GROUP = "rg-acfmsandbox0default"
NAME_KEYS = ("name", "vpc_name", "vswitch_name", "vpn_gateway_name", "customer_gateway_name",
             "vpn_connection_name", "cluster_name")


class CloudError(Exception):
    """An error as the cloud API reports it; becomes a Terraform error diagnostic."""

    def __init__(self, summary: str, detail: str = "", path: tuple = ()):
        super().__init__(summary)
        self.summary = summary
        self.detail = detail
        self.path = path


def _fill(obj: dict, key: str, value: Any) -> None:
    """Set ``obj[key]`` when it is still unknown (callables are only called then)."""
    if key in obj and obj[key] is UNKNOWN:
        obj[key] = value() if callable(value) else value


def _first(items: Any) -> dict:
    return items[0] if isinstance(items, list) and items and isinstance(items[0], dict) else {}


def _host(cidr: str | None, n: int) -> str | None:
    try:
        net = ipaddress.ip_network(cidr, strict=False)
    except (TypeError, ValueError):
        return None
    return str(net[min(n, net.num_addresses - 2)])


class Cloud:
    def __init__(self, store: CloudStore, provider: str, config: dict | None = None,
                 doc: dict | None = None):
        self.store = store
        self.provider = provider
        self.config = {k: v for k, v in (config or {}).items() if v not in (None, UNKNOWN)}
        self.doc = doc if doc is not None else tfschema.load(provider)

    # ---------------------------------------------------------------- configuration
    @property
    def region(self) -> str:
        if self.provider == "google":
            return self.config.get("region") or os.environ.get("GOOGLE_REGION") or sem.DEFAULT_GOOGLE_REGION
        return (self.config.get("region") or os.environ.get("ALIBABA_CLOUD_REGION")
                or os.environ.get("ALICLOUD_REGION") or sem.DEFAULT_ALICLOUD_REGION)

    @property
    def project(self) -> str:
        return (self.config.get("project") or os.environ.get("GOOGLE_PROJECT")
                or os.environ.get("GOOGLE_CLOUD_PROJECT") or sem.DEFAULT_GOOGLE_PROJECT)

    def block(self, type_name: str, data: bool = False) -> dict:
        return tfschema.block_of(self.doc, type_name, data)

    # ---------------------------------------------------------------- store helpers
    def _get(self, type_name: str, id_: Any) -> dict | None:
        return self.store.get(type_name, id_) if isinstance(id_, str) and id_ else None

    def state_of(self, type_name: str, attrs: dict | None) -> dict | None:
        return tfschema.normalise(self.block(type_name), attrs)

    def _save(self, type_name: str, state: dict, **meta: Any) -> None:
        attrs = dict(state)
        old = self.store.get(type_name, state["id"]) or {}
        for k, v in old.items():  # keep store-only keys (e.g. set by the API/k8s emulation)
            if k.startswith("_") and k not in meta:
                attrs[k] = v
        attrs.update(meta)
        attrs["_updated_at"] = time.time()
        self.store.put(type_name, state["id"], attrs, name=self._name(state), status=self._status(type_name, attrs))

    @staticmethod
    def _name(state: dict) -> str | None:
        for k in NAME_KEYS:
            if isinstance(state.get(k), str) and state[k]:
                return state[k]
        return None

    @staticmethod
    def _status(type_name: str, attrs: dict) -> str | None:
        if "_status" in attrs:
            return attrs["_status"]
        if type_name == "google_compute_vpn_tunnel":
            return (attrs.get("_link") or {}).get("status")
        s = attrs.get("status")
        return s if isinstance(s, str) else None

    def _find(self, target_types: tuple[str, ...] | None, ref: str) -> dict | None:
        """The store object a reference points at (google refs may be name, id or self link)."""
        if target_types is None:
            for o in self.store.list():
                if o["id"] == ref:
                    return o
            return None
        for t in target_types:
            if t.startswith("google_"):
                o = self._resolve_google(self.store.list(t), ref)
            else:
                attrs = self.store.get(t, ref)
                o = {"type": t, "id": ref, "attrs": attrs} if attrs is not None else None
            if o:
                return o
        return None

    @staticmethod
    def _resolve_google(objects: list[dict], ref: Any) -> dict | None:
        if not isinstance(ref, str) or not ref:
            return None
        short = sem.strip_google_link(ref)
        for o in objects:
            if o["id"] == short or o["attrs"].get("self_link") == ref:
                return o
        for o in objects:
            if "/" in short and o["id"].endswith("/" + short):
                return o
            if "/" not in short and o["attrs"].get("name") == short:
                return o
        return None

    def _check_references(self, type_name: str, state: dict) -> None:
        for path, targets in sem.REFERENCES.get(type_name, []):
            for ref in sem.reference_values(state, path):
                if self._find(targets, ref) is None:
                    raise self._not_found(type_name, path, targets, ref)

    def _not_found(self, type_name: str, path: str, targets, ref: str) -> CloudError:
        attr = path.replace("[]", "").split(".")
        if self.provider == "google":
            return CloudError(f"Error creating {type_name}: googleapi: Error 404: The resource '{ref}' was not "
                              "found, notFound", path=tuple(attr[:1]))
        code = sem.ALIBABA_NOT_FOUND.get((targets or ("",))[0], "InvalidParameter.NotFound")
        return CloudError(f"{code}: The specified {attr[-1]} {ref} does not exist.",
                          f"{type_name}: {path} = {ref}", path=tuple(attr[:1]))

    def _dependents(self, type_name: str, obj_id: str, attrs: dict) -> list[tuple[str, str]]:
        me = {"type": type_name, "id": obj_id, "attrs": attrs}
        everything = self.store.list()
        out = []
        for other_type, refs in sem.REFERENCES.items():
            if (other_type, type_name) in sem.CASCADE_DELETE:
                continue
            for path, targets in refs:
                if targets is not None and type_name not in targets:
                    continue
                for o in (x for x in everything if x["type"] == other_type):
                    for ref in sem.reference_values(o["attrs"], path):
                        hit = (ref == obj_id) if not type_name.startswith("google_") else (
                            self._resolve_google([me], ref) is not None)
                        if hit and (o["type"], o["id"]) not in out:
                            out.append((o["type"], o["id"]))
        return out

    def _allocate_public_ip(self, cloud: str | None = None) -> str:
        cloud = cloud or self.provider
        net = ipaddress.ip_network(sem.PUBLIC_RANGES[cloud])
        prefix = str(net.network_address).rsplit(".", 1)[0] + "."
        used: set[str] = set()

        def collect(v: Any) -> None:
            if isinstance(v, str) and v.startswith(prefix):
                used.add(v)
            elif isinstance(v, dict):
                for x in v.values():
                    collect(x)
            elif isinstance(v, list):
                for x in v:
                    collect(x)

        for o in self.store.list():
            collect(o["attrs"])
        for _ in range(254):
            n = self.store.next_number(f"public-ip:{cloud}")
            ip = str(net[(n - 1) % 254 + 1])
            if ip not in used:
                return ip
        raise CloudError(f"No public IP address left in the sandbox range {net}",
                         "Remove unused objects (crosscloud sandbox ls) or reset the sandbox.")

    # ---------------------------------------------------------------- operations
    def create(self, type_name: str, planned: dict) -> dict:
        state = copy.deepcopy(planned)
        self._api_checks(type_name, state)
        self._check_references(type_name, state)
        self._compute(type_name, state, None)
        state = tfschema.finalise(self.block(type_name), state)
        if not state.get("id"):
            raise CloudError(f"{type_name}: the sandbox could not assign an id")
        if self.store.get(type_name, state["id"]) is not None:
            raise self._already_exists(type_name, state)
        finished = stopping.wait(sem.latency_seconds(type_name, "create")
                                 + sem.side_effect_minutes(type_name, "create", state) * sem.latency_scale())
        self._save(type_name, state, **self._meta(type_name, state))
        if not finished:  # StopProvider: the cloud has the object; hand Terraform its id (tainted)
            raise stopping.CreateInterrupted(type_name, self._after_change(type_name, state))
        return self._after_change(type_name, state)

    def _api_checks(self, type_name: str, state: dict) -> None:
        """Refusals of the cloud API that the provider does not make at validate (issue 10)."""
        if self.provider != "alicloud":
            return
        from .alibaba import api_checks  # noqa: PLC0415

        api_checks.fill_aliases(type_name, state)
        refused = api_checks.refusal(type_name, state)
        if refused:
            raise CloudError(*refused)

    def update(self, type_name: str, prior: dict, planned: dict) -> dict:
        state = copy.deepcopy(planned)
        state["id"] = prior.get("id")
        self._api_checks(type_name, state)
        self._check_references(type_name, state)
        self._compute(type_name, state, prior)
        state = tfschema.finalise(self.block(type_name), state)
        stopping.wait(sem.latency_seconds(type_name, "update"))  # StopProvider: finish now
        if self.store.get(type_name, state["id"]) is None:
            raise CloudError(f"{type_name} {state['id']} no longer exists in the cloud",
                             "It was deleted outside Terraform; run plan again to recreate it.")
        self._save(type_name, state)
        return self._after_change(type_name, state)

    def delete(self, type_name: str, state: dict) -> None:
        obj_id = state.get("id")
        attrs = self._get(type_name, obj_id)
        if attrs is None:
            return
        self._guard_delete(type_name, state, attrs)
        deps = self._dependents(type_name, obj_id, attrs)
        if deps:
            raise self._in_use(type_name, obj_id, deps)
        stopping.wait(sem.latency_seconds(type_name, "delete") + self._held_for(type_name, attrs))  # StopProvider: finish now
        self.store.delete(type_name, obj_id)
        if type_name == "google_project_service":
            serviceusage.after_delete(self.store, attrs)
        if type_name == "alicloud_ack_one_cluster" and attrs.get("profile", "Default") == "Default":
            self._hold_hub_vswitches(attrs)
        for child_type, parent_type in sem.CASCADE_DELETE:
            if parent_type == type_name:
                me = [{"type": type_name, "id": obj_id, "attrs": attrs}]
                for o in self.store.list(child_type):
                    if any(self._resolve_google(me, r) for r in
                           sem.reference_values(o["attrs"], "cluster")):
                        self.store.delete(child_type, o["id"])
        if type_name in LINK_TYPES:
            self.reconcile_links()

    def _hold_hub_vswitches(self, hub: dict) -> None:
        """The deleted hub's vSwitches stay in use a while (see HUB_VSWITCH_RELEASE_MINUTES)."""
        until = time.time() + sem.HUB_VSWITCH_RELEASE_MINUTES * sem.latency_scale()
        for net in hub.get("network") or []:
            for vsw in net.get("vswitches") or []:
                self.store.modify("alicloud_vswitch", vsw, lambda a: {**a, "_held_until": until})

    @staticmethod
    def _held_for(type_name: str, attrs: dict) -> float:
        """Seconds a delete waits for a dependency the cloud still holds (the provider retries)."""
        if type_name != "alicloud_vswitch":
            return 0.0
        return max(0.0, float(attrs.get("_held_until") or 0) - time.time())

    def read(self, type_name: str, state: dict) -> dict | None:
        attrs = self._get(type_name, state.get("id"))
        if attrs is None:
            return None
        if type_name in LINK_TYPES:
            self.reconcile_links()
            attrs = self._get(type_name, state.get("id"))
            if attrs is None:
                return None
        if type_name == "google_compute_address":
            attrs = dict(attrs, users=self._address_users(attrs))
        return self.state_of(type_name, attrs)

    def import_state(self, type_name: str, id_: str) -> dict | None:
        attrs = self._get(type_name, id_)
        if attrs is None and type_name.startswith("google_"):
            o = self._resolve_google(self.store.list(type_name), id_)
            attrs = o["attrs"] if o else None
        return self.state_of(type_name, attrs) if attrs is not None else None

    def _after_change(self, type_name: str, state: dict) -> dict:
        if type_name in LINK_TYPES:
            self.reconcile_links()
        attrs = self.store.get(type_name, state["id"])
        return self.state_of(type_name, attrs) if attrs is not None else state

    def _already_exists(self, type_name: str, state: dict) -> CloudError:
        if self.provider == "google":
            return CloudError(f"Error creating {type_name}: googleapi: Error 409: The resource "
                              f"'{state['id']}' already exists, alreadyExists")
        return CloudError(f"InvalidParameter.AlreadyExist: {type_name} {state['id']} already exists.")

    def _in_use(self, type_name: str, obj_id: str, deps: list[tuple[str, str]]) -> CloudError:
        listing = ", ".join(f"{t} {i}" for t, i in deps[:5])
        if self.provider == "google":
            return CloudError(f"Error deleting {type_name}: googleapi: Error 400: The resource '{obj_id}' is "
                              f"already being used by '{deps[0][1]}', resourceInUseByAnotherResource",
                              f"In use by: {listing}")
        return CloudError(f"DependencyViolation: {type_name} {obj_id} still has dependent resources.",
                          f"Delete these first: {listing}")

    def _guard_delete(self, type_name: str, state: dict, attrs: dict) -> None:
        if type_name == "google_container_cluster":
            # like the real provider: the value in Terraform state decides (default true)
            protected = state.get("deletion_protection") if "deletion_protection" in state \
                else attrs.get("deletion_protection")
            if protected is None or protected is True:
                raise CloudError(sem.GKE_DELETION_PROTECTION_ERROR)
        if type_name == "alicloud_cs_managed_kubernetes" and attrs.get("deletion_protection") is True:
            raise CloudError("ErrorDeletionProtection: The cluster cannot be deleted because deletion "
                             "protection is enabled. Set deletion_protection = false first.")

    # ---------------------------------------------------------------- computed values
    def _compute(self, type_name: str, state: dict, prior: dict | None) -> None:
        hook: Callable | None = getattr(self, "_c_" + type_name, None)
        if self.provider == "google":
            self._google_common(type_name, state)
            refused = serviceusage.required_service(self.store, type_name, state.get("project") or self.project) \
                if prior is None else None
            if refused:
                raise CloudError(*refused)
        else:
            self._alibaba_common(type_name, state)
        if hook:
            hook(state, prior)
        if self.provider == "google":
            _fill(state, "self_link", lambda: sem.google_self_link(type_name, state["id"]))

    def _meta(self, type_name: str, state: dict) -> dict:
        if type_name in ("alicloud_cs_managed_kubernetes", "google_container_cluster"):
            return {"_status": "running" if type_name.startswith("alicloud") else "RUNNING",
                    "_ca_pem": sem.pem_certificate()}
        if type_name == "google_container_node_pool":
            return {"_status": "RUNNING"}
        if type_name == "alicloud_ack_one_membership_attachment":
            return {"_status": "attached"}
        if type_name.startswith("google_compute_") and type_name != "google_compute_vpn_tunnel":
            return {"_status": "READY"}
        return {}

    # alibaba -----------------------------------------------------------------
    def _alibaba_common(self, type_name: str, state: dict) -> None:
        block = self.block(type_name)
        ct = block["attributes"].get("create_time")
        if ct:
            _fill(state, "create_time", lambda: int(time.time() * 1000) if ct["type"] == "number" else sem.rfc3339())
        _fill(state, "resource_group_id", DEFAULT_RESOURCE_GROUP)
        _fill(state, "region_id", self.region)

    def _c_alicloud_vpc(self, s: dict, prior: dict | None) -> None:
        _fill(s, "id", lambda: sem.alibaba_id("vpc"))
        _fill(s, "cidr_block", "172.16.0.0/12")
        _fill(s, "route_table_id", lambda: sem.alibaba_id("vtb"))
        _fill(s, "router_id", lambda: sem.alibaba_id("vrt"))
        _fill(s, "status", "Available")
        _fill(s, "enable_ipv6", False)
        _fill(s, "dns_hostname_status", "DISABLED")
        _fill(s, "is_default", False)
        _fill(s, "user_cidrs", [])
        _fill(s, "system_route_table_route_propagation_enable", True)

    def _c_alicloud_vswitch(self, s: dict, prior: dict | None) -> None:
        vpc = self._get("alicloud_vpc", s.get("vpc_id"))
        if prior is None and vpc and isinstance(s.get("cidr_block"), str):
            mine = ipaddress.ip_network(s["cidr_block"], strict=False)
            try:
                if not mine.subnet_of(ipaddress.ip_network(vpc.get("cidr_block"), strict=False)):
                    raise CloudError(f"InvalidCidrBlock.Mismatch: The CIDR block {mine} is not within the "
                                     f"VPC CIDR block {vpc.get('cidr_block')}.", path=("cidr_block",))
            except (TypeError, ValueError):
                pass
            for other in self.store.find("alicloud_vswitch", vpc_id=s["vpc_id"]):
                try:
                    if mine.overlaps(ipaddress.ip_network(other["attrs"]["cidr_block"], strict=False)):
                        raise CloudError(f"InvalidCidrBlock.Overlapped: The CIDR block {mine} overlaps the "
                                         f"CIDR block of vSwitch {other['id']}.", path=("cidr_block",))
                except (KeyError, TypeError, ValueError):
                    pass
        _fill(s, "id", lambda: sem.alibaba_id("vsw"))
        _fill(s, "zone_id", f"{self.region}-a")
        _fill(s, "status", "Available")
        _fill(s, "enable_ipv6", False)
        _fill(s, "is_default", False)

    def _c_alicloud_vpn_gateway(self, s: dict, prior: dict | None) -> None:
        refused = alibaba_vpn.create_gateway_error(self.region, s) if prior is None else None
        if refused:
            raise CloudError(*refused, path=("disaster_recovery_vswitch_id",))
        if s.get("vswitch_id") is UNKNOWN:
            vsws = self.store.find("alicloud_vswitch", vpc_id=s.get("vpc_id"))
            s["vswitch_id"] = vsws[0]["id"] if vsws else None
        _fill(s, "disaster_recovery_vswitch_id", None)
        _fill(s, "id", lambda: sem.alibaba_id("vpn"))
        _fill(s, "internet_ip", self._allocate_public_ip)
        _fill(s, "disaster_recovery_internet_ip",
              lambda: self._allocate_public_ip() if s.get("disaster_recovery_vswitch_id") else None)
        _fill(s, "ssl_vpn_internet_ip", lambda: self._allocate_public_ip() if s.get("enable_ssl") else None)
        _fill(s, "ssl_connections", lambda: 5 if s.get("enable_ssl") else None)
        _fill(s, "network_type", "public")
        _fill(s, "payment_type", "PayAsYouGo")
        _fill(s, "vpn_type", "Normal")
        _fill(s, "business_status", "Normal")
        _fill(s, "status", "active")

    def _c_alicloud_vpn_customer_gateway(self, s: dict, prior: dict | None) -> None:
        try:
            ipaddress.ip_address(s.get("ip_address"))
        except (TypeError, ValueError):
            raise CloudError(f"InvalidIpAddress.Malformed: {s.get('ip_address')!r} is not an IP address.",
                             path=("ip_address",)) from None
        _fill(s, "id", lambda: sem.alibaba_id("cgw"))

    def _c_alicloud_vpn_connection(self, s: dict, prior: dict | None) -> None:
        gw = self._get("alicloud_vpn_gateway", s.get("vpn_gateway_id")) or {}
        dual = bool(gw.get("disaster_recovery_vswitch_id"))
        tunnels = s.get("tunnel_options_specification") or []
        gw_id = s.get("vpn_gateway_id")
        if dual and not tunnels:
            raise CloudError(
                f"IllegalParam.TunnelOptionsSpecification: VPN gateway {gw_id} works in dual-tunnel mode; "
                "give two tunnel_options_specification blocks (role master and slave) instead of "
                "customer_gateway_id/ike_config/ipsec_config.", path=("tunnel_options_specification",))
        if not dual and tunnels:
            raise CloudError(
                f"IllegalParam.TunnelOptionsSpecification: VPN gateway {gw_id} works in single-tunnel mode "
                "and takes customer_gateway_id, ike_config and ipsec_config, not tunnel_options_specification.",
                path=("tunnel_options_specification",))
        if not dual and not s.get("customer_gateway_id"):
            raise CloudError("MissingParameter.CustomerGatewayId: customer_gateway_id is required for a "
                             "single-tunnel IPsec connection.", path=("customer_gateway_id",))
        _fill(s, "id", lambda: sem.alibaba_id("vco"))
        _fill(s, "status", sem.IKE_SA_NOT_ESTABLISHED)
        _fill(s, "vpn_connection_name", None)
        _fill(s, "enable_dpd", True)
        _fill(s, "enable_nat_traversal", True)
        _fill(s, "enable_tunnels_bgp", False)
        cgw = self._get("alicloud_vpn_customer_gateway", s.get("customer_gateway_id")) or {}
        if dual:
            for key in ("ike_config", "ipsec_config", "bgp_config", "health_check_config"):
                _fill(s, key, [])
        else:
            ike_defaults = dict(sem.ALIBABA_IKE_DEFAULTS, psk=lambda: sem.rand_alnum(16),
                                ike_local_id=gw.get("internet_ip"), ike_remote_id=cgw.get("ip_address"))
            self._fill_block(s, "ike_config", ike_defaults)
            self._fill_block(s, "ipsec_config", sem.ALIBABA_IPSEC_DEFAULTS)
            self._fill_block(s, "bgp_config", {"enable": False, "local_asn": "45104", "tunnel_cidr": None,
                                               "local_bgp_ip": None, "status": None})
            self._fill_block(s, "health_check_config", {"enable": False, "dip": None, "sip": None,
                                                        "interval": None, "retry": None})
        vsw_zone = {}
        for key in ("vswitch_id", "disaster_recovery_vswitch_id"):
            vsw = self._get("alicloud_vswitch", gw.get(key)) or {}
            vsw_zone[key] = vsw.get("zone_id") or f"{self.region}-a"
        for i, t in enumerate(tunnels):
            if not isinstance(t, dict):
                continue
            _fill(t, "role", "master" if i == 0 else "slave")
            master = t.get("role") == "master"
            _fill(t, "internet_ip", gw.get("internet_ip") if master else gw.get("disaster_recovery_internet_ip"))
            _fill(t, "tunnel_id", lambda: sem.alibaba_id("tun"))
            _fill(t, "state", "active")
            _fill(t, "status", sem.IKE_SA_NOT_ESTABLISHED)
            _fill(t, "zone_no", vsw_zone["vswitch_id" if master else "disaster_recovery_vswitch_id"])
            tcgw = self._get("alicloud_vpn_customer_gateway", t.get("customer_gateway_id")) or {}
            for ike in t.get("tunnel_ike_config") or []:
                _fill(ike, "local_id", t.get("internet_ip"))
                _fill(ike, "remote_id", tcgw.get("ip_address"))
            for bgp in t.get("tunnel_bgp_config") or []:
                for k in ("peer_asn", "peer_bgp_ip", "bgp_status"):
                    _fill(bgp, k, None)

    @staticmethod
    def _fill_block(s: dict, key: str, defaults: dict) -> None:
        if s.get(key) is UNKNOWN:
            s[key] = [{k: (v() if callable(v) else v) for k, v in defaults.items()}]
            return
        for item in s.get(key) or []:
            for k, v in defaults.items():
                _fill(item, k, v)

    def _c_alicloud_vpn_pbr_route_entry(self, s: dict, prior: dict | None) -> None:
        conn = self._get("alicloud_vpn_connection", s.get("next_hop"))
        if prior is None and conn and conn.get("vpn_gateway_id") != s.get("vpn_gateway_id"):
            raise CloudError(f"IllegalParam.NextHop: VPN connection {s.get('next_hop')} does not belong to "
                             f"VPN gateway {s.get('vpn_gateway_id')}.", path=("next_hop",))
        _fill(s, "id", lambda: ":".join(str(s.get(k)) for k in ("vpn_gateway_id", "next_hop", "route_source",
                                                                 "route_dest")))
        s["status"] = sem.pbr_status(s.get("publish_vpc"))

    def _c_alicloud_security_group_rule(self, s: dict, prior: dict | None) -> None:
        from .alibaba import ecs  # noqa: PLC0415

        ecs.compute_rule(s, self.store.list(), _fill, CloudError)

    def _c_alicloud_cs_managed_kubernetes(self, s: dict, prior: dict | None) -> None:
        _fill(s, "id", sem.ack_cluster_id)
        _fill(s, "vswitch_ids", [])
        vsws = [self._get("alicloud_vswitch", v) or {} for v in s.get("vswitch_ids") or []]
        first = vsws[0] if vsws else {}
        _fill(s, "name", lambda: f"{s.get('name_prefix') or 'Terraform-Creation'}{time.strftime('%Y%m%d%H%M%S')}"
                                 f"{sem.rand_alnum(6)}")
        _fill(s, "profile", "Default")
        _fill(s, "cluster_spec", "ack.pro.small")
        _fill(s, "version", sem.ACK_VERSION)
        _fill(s, "ip_stack", "ipv4")
        _fill(s, "load_balancer_spec", "slb.s1.small")
        _fill(s, "deletion_protection", False)
        _fill(s, "security_group_id", lambda: sem.alibaba_id("sg"))
        _fill(s, "is_enterprise_security_group", False)
        _fill(s, "vpc_id", first.get("vpc_id"))
        _fill(s, "slb_id", lambda: sem.alibaba_id("lb"))
        internet = s.get("slb_internet_enabled") is not False
        _fill(s, "slb_internet", lambda: self._allocate_public_ip() if internet else None)
        _fill(s, "slb_intranet", lambda: _host(first.get("cidr_block"), 253))
        _fill(s, "nat_gateway_id", lambda: sem.alibaba_id("ngw") if s.get("new_nat_gateway") is not False else None)
        _fill(s, "worker_ram_role_name", lambda: f"KubernetesWorkerRole-{uuid.uuid4()}")
        _fill(s, "connections", lambda: {
            "api_server_internet": f"https://{s['slb_internet']}:6443" if s.get("slb_internet") else "",
            "api_server_intranet": f"https://{s['slb_intranet']}:6443" if s.get("slb_intranet") else "",
            "master_public_ip": s.get("slb_internet") or "",
            "service_domain": f"*.{s['id']}.{self.region}.alicontainer.com",
        })
        _fill(s, "maintenance_window", lambda: [{"enable": False, "maintenance_time": None, "duration": None,
                                                 "weekly_period": None}])
        _fill(s, "operation_policy", [])

    def _c_alicloud_cs_kubernetes_node_pool(self, s: dict, prior: dict | None) -> None:
        cluster = self._get("alicloud_cs_managed_kubernetes", s.get("cluster_id")) or {}
        if prior is None and cluster.get("profile") in ("Serverless", "Acs"):
            raise CloudError(f"ErrorClusterType: cluster {s.get('cluster_id')} is a {cluster.get('profile')} "
                             "cluster; node pools need an ACK managed cluster (profile Default).")
        _fill(s, "node_pool_id", lambda: "np" + uuid.uuid4().hex)
        _fill(s, "id", lambda: f"{s.get('cluster_id')}:{s['node_pool_id']}")
        _fill(s, "node_pool_name", lambda: f"np-{s['node_pool_id'][2:10]}")
        _fill(s, "scaling_group_id", lambda: sem.alibaba_id("asg"))
        # Optional+Computed in the provider: the API's default (CS CreateClusterNodePool,
        # kubernetes_config.system_disk_category "cloud_efficiency")
        _fill(s, "system_disk_category", "cloud_efficiency")

    def _c_alicloud_ack_one_cluster(self, s: dict, prior: dict | None) -> None:
        _fill(s, "id", sem.ack_cluster_id)
        _fill(s, "cluster_name", lambda: f"ack-one-{s['id'][1:9]}")
        _fill(s, "profile", "Default")
        _fill(s, "argocd_enabled", lambda: s.get("profile") == "Default")
        _fill(s, "status", "running")
        for net in s.get("network") or []:
            _fill(net, "security_group_ids", lambda: [sem.alibaba_id("sg")])

    def _c_alicloud_ack_one_membership_attachment(self, s: dict, prior: dict | None) -> None:
        hub = self._get("alicloud_ack_one_cluster", s.get("cluster_id")) or {}
        if hub.get("status") not in (None, "running"):
            raise CloudError(f"ErrorClusterState: fleet {s.get('cluster_id')} is {hub.get('status')}, not running.")
        _fill(s, "id", f"{s.get('cluster_id')}:{s.get('sub_cluster_id')}")

    # google ------------------------------------------------------------------
    def _google_common(self, type_name: str, s: dict) -> None:
        block = self.block(type_name)
        attrs = block["attributes"]
        _fill(s, "project", self.project)
        if "region" in attrs and s.get("region") is UNKNOWN and type_name != "google_compute_vpn_tunnel":
            s["region"] = self.region
        _fill(s, "creation_timestamp", lambda: sem.rfc3339(google=True))
        for name, a in attrs.items():
            if name.endswith("fingerprint"):
                _fill(s, name, sem.fingerprint)
        labels = s.get("labels") or s.get("resource_labels") or {}
        _fill(s, "effective_labels", lambda: {**labels, "goog-terraform-provisioned": "true"})
        _fill(s, "terraform_labels", lambda: {**labels, "goog-terraform-provisioned": "true"})

    def _google_id(self, type_name: str, s: dict, cluster: str = "") -> None:
        tpl = sem.GOOGLE_IDS.get(type_name, "projects/{p}/" + type_name.split("_", 2)[-1] + "s/{n}")
        _fill(s, "id", lambda: tpl.format(p=s.get("project") or self.project, r=s.get("region") or self.region,
                                          l=s.get("location") or self.region, n=s.get("name"), c=cluster))

    def _c_google_compute_network(self, s: dict, prior: dict | None) -> None:
        self._google_id("google_compute_network", s)
        _fill(s, "network_id", lambda: sem.numeric_id())
        _fill(s, "numeric_id", lambda: sem.numeric_id())
        _fill(s, "routing_mode", "REGIONAL")
        _fill(s, "mtu", 1460)
        _fill(s, "gateway_ipv4", None)
        _fill(s, "bgp_best_path_selection_mode", "LEGACY")

    def _network_of(self, ref: Any) -> dict | None:
        return self._resolve_google(self.store.list("google_compute_network"), ref)

    def _c_google_compute_subnetwork(self, s: dict, prior: dict | None) -> None:
        self._google_id("google_compute_subnetwork", s)
        net = self._network_of(s.get("network"))
        cidr = s.get("ip_cidr_range")
        if prior is None and net and isinstance(cidr, str):
            mine = ipaddress.ip_network(cidr, strict=False)
            for other in self.store.list("google_compute_subnetwork"):
                if (self._network_of(other["attrs"].get("network")) or {}).get("id") != net["id"]:
                    continue
                ranges = [other["attrs"].get("ip_cidr_range")] + [
                    r.get("ip_cidr_range") for r in other["attrs"].get("secondary_ip_range") or []]
                for r in ranges:
                    try:
                        if r and mine.overlaps(ipaddress.ip_network(r, strict=False)):
                            raise CloudError(
                                f"Error creating Subnetwork: googleapi: Error 400: Invalid IPCidrRange: {cidr} "
                                f"conflicts with existing subnetwork '{other['attrs'].get('name')}' in region "
                                f"'{other['attrs'].get('region')}'., invalid", path=("ip_cidr_range",))
                    except ValueError:
                        pass
        _fill(s, "gateway_address", lambda: _host(cidr, 1))
        _fill(s, "subnetwork_id", lambda: int(sem.numeric_id()[:15]))
        _fill(s, "purpose", "PRIVATE")
        _fill(s, "stack_type", "IPV4_ONLY")
        _fill(s, "private_ip_google_access", False)
        _fill(s, "private_ipv6_google_access", "DISABLE_GOOGLE_ACCESS")
        _fill(s, "state", "READY")
        _fill(s, "enable_flow_logs", False)

    def _c_google_compute_address(self, s: dict, prior: dict | None) -> None:
        self._google_id("google_compute_address", s)
        if s.get("address_type") == "INTERNAL":
            sub = self._resolve_google(self.store.list("google_compute_subnetwork"), s.get("subnetwork")) or {}
            _fill(s, "address", lambda: _host((sub.get("attrs") or {}).get("ip_cidr_range"),
                                              10 + self.store.next_number("internal-ip") % 200))
            _fill(s, "purpose", "GCE_ENDPOINT")
        else:
            _fill(s, "address", self._allocate_public_ip)
            _fill(s, "network_tier", "PREMIUM")
        _fill(s, "prefix_length", 32)
        _fill(s, "users", [])

    def _address_users(self, attrs: dict) -> list[str]:
        ip = attrs.get("address")
        me = [{"type": "google_compute_address", "id": attrs.get("id"), "attrs": attrs}]
        return sorted(o["attrs"].get("self_link") for o in self.store.list("google_compute_forwarding_rule")
                      if o["attrs"].get("ip_address") == ip or self._resolve_google(me, o["attrs"].get("ip_address")))

    def _c_google_compute_vpn_gateway(self, s: dict, prior: dict | None) -> None:
        self._google_id("google_compute_vpn_gateway", s)
        _fill(s, "gateway_id", lambda: int(sem.numeric_id()[:15]))

    def _c_google_compute_forwarding_rule(self, s: dict, prior: dict | None) -> None:
        self._google_id("google_compute_forwarding_rule", s)
        _fill(s, "ip_address", self._allocate_public_ip)
        _fill(s, "ip_protocol", "TCP")
        _fill(s, "ip_version", "IPV4")
        _fill(s, "network_tier", "PREMIUM")
        _fill(s, "forwarding_rule_id", lambda: int(sem.numeric_id()[:15]))

    def _c_google_compute_vpn_tunnel(self, s: dict, prior: dict | None) -> None:
        gw = self._resolve_google(self.store.list("google_compute_vpn_gateway"), s.get("target_vpn_gateway"))
        if s.get("region") is UNKNOWN:
            s["region"] = (gw or {}).get("attrs", {}).get("region") or self.region
        self._google_id("google_compute_vpn_tunnel", s)
        _fill(s, "tunnel_id", sem.numeric_id)
        _fill(s, "peer_ip", None)
        _fill(s, "local_traffic_selector", ["0.0.0.0/0"])
        _fill(s, "remote_traffic_selector", ["0.0.0.0/0"])
        _fill(s, "detailed_status", "Allocating resources. VPN tunnel will start soon.")
        secret = s.get("shared_secret") or s.get("shared_secret_wo") or ""
        _fill(s, "shared_secret_hash", lambda: hashlib.sha256(f"{s['id']}\0{secret}".encode()).hexdigest()[:27])

    def _c_google_compute_route(self, s: dict, prior: dict | None) -> None:
        self._google_id("google_compute_route", s)
        net = self._network_of(s.get("network"))
        _fill(s, "next_hop_network", (net or {}).get("attrs", {}).get("self_link"))
        for k in ("next_hop_gateway", "next_hop_instance", "next_hop_instance_zone", "next_hop_ip",
                  "next_hop_ilb", "next_hop_hub", "next_hop_peering", "next_hop_inter_region_cost",
                  "next_hop_med", "next_hop_origin"):
            _fill(s, k, None)
        _fill(s, "route_status", "ACTIVE")
        _fill(s, "route_type", "STATIC")
        _fill(s, "warnings", [])

    def _c_google_compute_firewall(self, s: dict, prior: dict | None) -> None:
        self._google_id("google_compute_firewall", s)
        _fill(s, "direction", "INGRESS")

    def _c_google_container_cluster(self, s: dict, prior: dict | None) -> None:
        _fill(s, "location", self.region)
        self._google_id("google_container_cluster", s)
        sub = self._resolve_google(self.store.list("google_compute_subnetwork"), s.get("subnetwork"))
        ranges = {r.get("range_name"): r.get("ip_cidr_range")
                  for r in ((sub or {}).get("attrs", {}).get("secondary_ip_range") or [])}
        policy = s.get("ip_allocation_policy")
        pol = _first(policy) if isinstance(policy, list) else {}
        if prior is None and sub:
            refused = gcp_container.location_error(s.get("location") or "", sub["id"], sub["attrs"].get("region") or "")
            if refused:
                raise CloudError(refused, path=("location",))
            for key in ("cluster_secondary_range_name", "services_secondary_range_name"):
                name = pol.get(key)
                if isinstance(name, str) and name and name not in ranges:
                    raise CloudError(
                        f"Error creating Cluster: googleapi: Error 400: Secondary range \"{name}\" does not exist "
                        f"in subnetwork \"{sub['id']}\"., badRequest", path=("ip_allocation_policy",))
        pods = ranges.get(pol.get("cluster_secondary_range_name")) or "10.4.0.0/14"
        svcs = ranges.get(pol.get("services_secondary_range_name")) or "34.118.224.0/20"
        if policy is UNKNOWN:
            s["ip_allocation_policy"] = [dict(tfschema.blank(self.block("google_container_cluster")["blocks"]
                                                             ["ip_allocation_policy"]),
                                              cluster_ipv4_cidr_block=pods, services_ipv4_cidr_block=svcs,
                                              stack_type="IPV4")]
        else:
            for p in policy or []:
                _fill(p, "cluster_ipv4_cidr_block", pods)
                _fill(p, "services_ipv4_cidr_block", svcs)
                _fill(p, "cluster_secondary_range_name", None)
                _fill(p, "services_secondary_range_name", None)
        _fill(s, "cluster_ipv4_cidr", pods)
        _fill(s, "services_ipv4_cidr", svcs)
        _fill(s, "networking_mode", "VPC_NATIVE")
        _fill(s, "endpoint", lambda: self._allocate_public_ip())
        _fill(s, "master_version", sem.GKE_VERSION)
        _fill(s, "node_version", sem.GKE_VERSION)
        _fill(s, "operation", None)
        ca = sem.b64(sem.pem_certificate())
        auth_block = self.block("google_container_cluster")["blocks"]["master_auth"]
        if s.get("master_auth") is UNKNOWN:
            s["master_auth"] = [dict(tfschema.blank(auth_block), cluster_ca_certificate=ca, client_certificate="",
                                     client_key="", client_certificate_config=[{"issue_client_certificate": False}])]
        for m in s.get("master_auth") or []:
            _fill(m, "cluster_ca_certificate", ca)
            _fill(m, "client_certificate", "")
            _fill(m, "client_key", "")

    def _c_google_container_node_pool(self, s: dict, prior: dict | None) -> None:
        cluster = self._resolve_google(self.store.list("google_container_cluster"), s.get("cluster"))
        cattrs = (cluster or {}).get("attrs", {})
        _fill(s, "location", cattrs.get("location") or self.region)
        _fill(s, "name_prefix", None)
        _fill(s, "name", lambda: (s.get("name_prefix") or "pool-") + sem.rand_alnum(8))
        self._google_id("google_container_node_pool", s, cluster=cattrs.get("name") or s.get("cluster") or "")
        _fill(s, "initial_node_count", 1)
        _fill(s, "node_count", lambda: s.get("initial_node_count") or 1)
        _fill(s, "version", cattrs.get("master_version") or sem.GKE_VERSION)
        _fill(s, "node_locations", lambda: [f"{s['location']}-a"] if s["location"].count("-") == 1 else [s["location"]])
        group = (f"https://www.googleapis.com/compute/v1/projects/{s.get('project')}/zones/{s['location']}-a/"
                 f"instanceGroupManagers/gke-{s.get('name')}-{sem.rand_alnum(8)}-grp")
        _fill(s, "instance_group_urls", [group])
        _fill(s, "managed_instance_group_urls", [group.replace("instanceGroupManagers", "instanceGroups")])
        _fill(s, "max_pods_per_node", 110)
        _fill(s, "operation", None)

    def _c_google_project_service(self, s: dict, prior: dict | None) -> None:
        _fill(s, "id", lambda: f"{s.get('project') or self.project}/{s.get('service')}")
        serviceusage.after_create(self.store, s)

    # ---------------------------------------------------------------- data sources
    def read_data(self, type_name: str, config: dict) -> dict:
        state = tfschema.normalise(self.block(type_name, data=True), config) or {}
        hook = getattr(self, "_d_" + type_name, None)
        if hook:
            hook(state)
        return state

    def _d_alicloud_cs_cluster_credential(self, s: dict) -> None:
        cid = s.get("cluster_id")
        found = self._find(None, cid) if isinstance(cid, str) else None
        if not found:
            raise CloudError(f"ErrorClusterNotFound: The specified cluster {cid} does not exist.",
                             path=("cluster_id",))
        attrs = found["attrs"]
        minutes = s.get("temporary_duration_minutes") or 3 * 365 * 24 * 60
        # a credential stays the same until it expires (so re-reads do not churn outputs)
        issued = (attrs.get("_credentials") or {}).get(str(minutes))
        if not issued or issued["expires"] < clock.now() + 60:
            issued = {"client_cert": sem.pem_certificate(), "client_key": sem.pem_certificate("RSA PRIVATE KEY"),
                      "expires": clock.now() + minutes * 60}

            def keep(a: dict, issued=issued) -> dict:
                a.setdefault("_credentials", {})[str(minutes)] = issued
                a.setdefault("_ca_pem", attrs.get("_ca_pem") or sem.pem_certificate())
                return a

            attrs = self.store.modify(found["type"], cid, keep) or attrs
        ca_pem = attrs.get("_ca_pem") or sem.pem_certificate()
        client_cert, client_key = issued["client_cert"], issued["client_key"]
        name = attrs.get("name") or cid
        s["id"] = cid
        s["cluster_name"] = name
        s["expiration"] = sem.rfc3339(issued["expires"])
        s["certificate_authority"] = {"cluster_cert": sem.b64(ca_pem), "client_cert": sem.b64(client_cert),
                                      "client_key": sem.b64(client_key)}
        # The sandbox's Kubernetes API serves this cluster: hand out a kubeconfig that reaches it.
        from .services import kubeconfig_yaml

        # (expiring with the credential: the cluster's API server answers 401 after `expiration`)
        s["kube_config"] = attrs.get("_kubeconfig") or kubeconfig_yaml(self.store.path.parent, found["type"], cid,
                                                                       expires=issued["expires"])
        out = s.get("output_file")
        if isinstance(out, str) and out:
            path = Path(os.environ.get("CROSSCLOUD_TF_CWD") or ".") / out
            path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "w") as fh:
                fh.write(s["kube_config"])

    def _d_google_client_config(self, s: dict) -> None:
        zone = f"{self.region}-a"
        s.update(id=f"projects/{self.project}/regions/{self.region}/zones/{zone}", project=self.project,
                 region=self.region, zone=zone, default_labels={},
                 access_token="ya29.sandbox-" + sem.rand_alnum(40))

    # ---------------------------------------------------------------- the IPsec link
    def reconcile_links(self, now: float | None = None) -> None:
        """Recompute every VPN connection's and tunnel's link fields from the store and save
        those that changed (atomically, field by field, so concurrent config updates survive)."""
        objects = self.store.list()
        by_type: dict[str, list[dict]] = {}
        for o in objects:
            by_type.setdefault(o["type"], []).append(o)
        ali_ends = _alibaba_ends(by_type)
        gcp_ends = self._google_ends(by_type)
        if not ali_ends and not gcp_ends:
            return
        negotiation_s = sem.IPSEC_NEGOTIATION_MINUTES * sem.latency_scale()
        ali_v, gcp_v = sem.link_verdicts(ali_ends, gcp_ends, now, negotiation_s)

        for o in by_type.get("alicloud_vpn_connection", []):
            verdicts = {role: v for (cid, role), v in ali_v.items() if cid == o["id"]}

            def patch(attrs: dict, verdicts=verdicts) -> dict:
                link = {role: {"status": v.alibaba_status, "reason": v.reason, "detail": v.google_text,
                               "peer": peer} for role, (v, peer) in verdicts.items()}
                tunnels = attrs.get("tunnel_options_specification") or []
                if tunnels:
                    statuses = []
                    for i, t in enumerate(tunnels):
                        role = t.get("role") or ("master" if i == 0 else "slave")
                        if role in link:
                            t["status"] = link[role]["status"]
                            t["state"] = t.get("state") or "active"
                        statuses.append(t.get("status") or sem.IKE_SA_NOT_ESTABLISHED)
                    attrs["status"] = sem.connection_status(statuses)
                elif "single" in link:
                    attrs["status"] = link["single"]["status"]
                attrs["_link"] = link
                return attrs

            if patch(copy.deepcopy(o["attrs"])) != o["attrs"]:  # write only what changed
                self.store.modify("alicloud_vpn_connection", o["id"], patch, status=lambda a: a.get("status"))

        for o in by_type.get("google_compute_vpn_tunnel", []):
            v, peer = gcp_v[o["id"]]

            def gpatch(attrs: dict, v=v, peer=peer) -> dict:
                attrs["detailed_status"] = v.google_text
                attrs["_link"] = {"status": v.google_status, "reason": v.reason, "peer": peer}
                return attrs

            if gpatch(copy.deepcopy(o["attrs"])) != o["attrs"]:
                self.store.modify("google_compute_vpn_tunnel", o["id"], gpatch,
                                  status=lambda a: (a.get("_link") or {}).get("status"))

    def _google_ends(self, by_type: dict[str, list[dict]]) -> list[sem.GoogleEnd]:
        gateways = by_type.get("google_compute_vpn_gateway", [])
        rules = by_type.get("google_compute_forwarding_rule", [])
        addresses = by_type.get("google_compute_address", [])
        out = []
        for t in by_type.get("google_compute_vpn_tunnel", []):
            a = t["attrs"]
            gw = self._resolve_google(gateways, a.get("target_vpn_gateway"))
            missing: list[str] = []
            ip = None
            if gw:
                mine = [r["attrs"] for r in rules if self._resolve_google([gw], r["attrs"].get("target"))]
                have = set()
                for r in mine:
                    proto = (r.get("ip_protocol") or "").upper()
                    port = (r.get("port_range") or "").split("-")[0]
                    have.add("ESP" if proto == "ESP" else f"{proto} {port}")
                missing = [p for p in ("ESP", "UDP 500", "UDP 4500") if p not in have]
                esp = [r for r in mine if (r.get("ip_protocol") or "").upper() == "ESP"] or mine
                if esp:
                    ip = _address_ip(esp[0].get("ip_address"), addresses, self._resolve_google)
            out.append(sem.GoogleEnd(
                tunnel_id=t["id"], gateway_found=gw is not None, missing_rules=missing, ip=ip,
                peer_ip=a.get("peer_ip"), psk=a.get("shared_secret") or a.get("shared_secret_wo"), ike_version=a.get("ike_version"),
                local_ts=a.get("local_traffic_selector") or [], remote_ts=a.get("remote_traffic_selector") or [],
                updated_at=a.get("_updated_at") or 0.0))
        return out


def _address_ip(value: Any, addresses: list[dict], resolve) -> str | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        ipaddress.ip_address(value)
        return value
    except ValueError:
        o = resolve(addresses, value)
        return o["attrs"].get("address") if o else None


def _alibaba_ends(by_type: dict[str, list[dict]]) -> list[sem.AlibabaEnd]:
    gws = {o["id"]: o["attrs"] for o in by_type.get("alicloud_vpn_gateway", [])}
    cgws = {o["id"]: o["attrs"] for o in by_type.get("alicloud_vpn_customer_gateway", [])}
    out = []
    for o in by_type.get("alicloud_vpn_connection", []):
        a = o["attrs"]
        gw = gws.get(a.get("vpn_gateway_id")) or {}
        common = dict(local_subnet=a.get("local_subnet") or [], remote_subnet=a.get("remote_subnet") or [],
                      updated_at=max(a.get("_updated_at") or 0.0, gw.get("_updated_at") or 0.0))
        tunnels = a.get("tunnel_options_specification") or []
        if tunnels:
            for i, t in enumerate(tunnels):
                role = t.get("role") or ("master" if i == 0 else "slave")
                ip = t.get("internet_ip") or (gw.get("internet_ip") if role == "master"
                                              else gw.get("disaster_recovery_internet_ip"))
                cgw = cgws.get(t.get("customer_gateway_id")) or {}
                ike = dict(_first(t.get("tunnel_ike_config")))
                out.append(sem.AlibabaEnd(o["id"], role, ip, cgw.get("ip_address"), ike,
                                          dict(_first(t.get("tunnel_ipsec_config"))), **common))
        else:
            cgw = cgws.get(a.get("customer_gateway_id")) or {}
            out.append(sem.AlibabaEnd(o["id"], "single", gw.get("internet_ip"), cgw.get("ip_address"),
                                      dict(_first(a.get("ike_config"))), dict(_first(a.get("ipsec_config"))),
                                      **common))
    return out
