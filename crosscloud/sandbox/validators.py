"""The real providers' config validators, applied to sandbox configurations.

The rules are data (``schemas/<provider>.rules.json``, derived from the providers' Go source by
``scripts/derive_provider_rules.py``; each type names its source file and version). This module
evaluates them the way the providers' plugin SDKs do: alicloud is built on terraform-plugin-sdk
v1 (messages are the diagnostic summary, ``%q`` keys, ``[DEPRECATED]`` warnings), google on
terraform-plugin-sdk v2 (summaries such as "Invalid combination of arguments", the message in
the detail, attribute paths attached).

Unknown values are skipped, as the SDKs skip them: ``terraform validate`` checks what is known,
and the provider's PlanResourceChange runs the same rules again once references are known.
Nothing here looks at values beyond the rules; value checks the real providers leave to the
cloud API belong to the sandbox cloud (apply), not here.
"""

from __future__ import annotations

import ipaddress
import json
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterator

from tf.types import Unknown as UNKNOWN

RULES_DIR = Path(__file__).resolve().parent / "schemas"

# alicloud validators.go: the suffix every alicloud validator error carries
ALICLOUD_NOTE = ("\n[NOTE] set env variable TF_SKIP_RESOURCE_SCHEMA_VALIDATION to true can skip the "
                 "error and get a warning")
# hashicorp/terraform-provider-google google/services/compute/resource_compute_vpn_tunnel.go
# invalidPeerAddrs: the RFC 5735 ranges validatePeerAddr refuses as a tunnel peer_ip
GOOGLE_INVALID_PEER_RANGES = [
    ("0.0.0.0", "0.255.255.255"), ("10.0.0.0", "10.255.255.255"), ("127.0.0.0", "127.255.255.255"),
    ("169.254.0.0", "169.254.255.255"), ("172.16.0.0", "172.31.255.255"), ("192.0.0.0", "192.0.0.255"),
    ("192.0.2.0", "192.0.2.255"), ("192.88.99.0", "192.88.99.255"), ("192.168.0.0", "192.168.255.255"),
    ("198.18.0.0", "198.19.255.255"), ("198.51.100.0", "198.51.100.255"), ("203.0.113.0", "203.0.113.255"),
    ("224.0.0.0", "239.255.255.255"), ("240.0.0.0", "255.255.255.255"),
]


SECRET_KEYS = {"psk", "shared_secret", "shared_secret_wo", "password", "kms_encrypted_password"}


@dataclass(frozen=True)
class Problem:
    severity: str  # "error" | "warning"
    summary: str
    detail: str
    path: tuple


@lru_cache(maxsize=None)
def rules_doc(provider: str) -> dict:
    path = RULES_DIR / f"{provider}.rules.json"
    if not path.exists():
        return {"resources": {}, "data_sources": {}, "sdk": "v2"}
    return json.loads(path.read_text())


def _set(v: Any) -> bool:
    """Whether a config value counts as set (the SDK's ``c.Get`` ok)."""
    return v is not None and v != [] and v != {}


def _get(config: dict, key: str) -> Any:
    """The value at an SDK flatmap key (``a.0.b``) of ``config``; None when absent."""
    cur: Any = config
    for part in key.split("."):
        if cur is UNKNOWN:
            return UNKNOWN
        if isinstance(cur, list):
            if not part.isdigit() or int(part) >= len(cur):
                return None
            cur = cur[int(part)]
        elif isinstance(cur, dict):
            cur = cur.get(part)
        else:
            return None
    return cur


def _walk(config: Any, parts: list[str], key: str, path: tuple) -> Iterator[tuple[str, tuple, Any, dict]]:
    """(flatmap key, attribute path, value, enclosing object) for a rule path: ``a.b`` walks
    into every element of block ``a``; ``x[]`` yields every element of list/set ``x``."""
    if not isinstance(config, dict):
        return
    head, rest = parts[0], parts[1:]
    elems = head.endswith("[]")
    name = head[:-2] if elems else head
    v = config.get(name)
    k = f"{key}.{name}" if key else name
    if rest:
        if isinstance(v, dict):
            yield from _walk(v, rest, k, path + (name,))
        elif isinstance(v, list):
            for i, item in enumerate(v):
                yield from _walk(item, rest, f"{k}.{i}", path + (name, i))
        return
    if elems:
        if isinstance(v, list):
            for i, item in enumerate(v):
                yield f"{k}.{i}", path + (name, i), item, config
        return
    yield k, path + (name,), v, config


def validate(provider: str, type_name: str, config: dict, data: bool = False,
             errors_only: bool = False) -> list[Problem]:
    """The diagnostics the real provider gives for ``config`` of ``type_name``."""
    doc = rules_doc(provider)
    entry = doc["data_sources" if data else "resources"].get(type_name)
    if not entry or not isinstance(config, dict):
        return []
    v1 = doc.get("sdk") == "v1"
    out: list[Problem] = []
    for rule in entry["rules"]:
        for key, path, value, _ in _walk(config, rule["path"].split("."), "", ()):
            for p in _check(rule, key, path, value, config, v1):
                if isinstance(value, str) and value and key.split(".")[-1] in SECRET_KEYS:
                    # the provider would echo the value; the sandbox never shows a secret
                    p = Problem(p.severity, p.summary.replace(value, "(sensitive value)"),
                                p.detail.replace(value, "(sensitive value)"), p.path)
                if not (errors_only and p.severity == "warning"):
                    out.append(p)
    return out


def _q(s: str) -> str:
    return json.dumps(s)  # Go's %q for plain strings


def _go_list(vals: list, quoted: bool) -> str:
    return "[" + " ".join(_q(v) if quoted else str(v) for v in vals) + "]"


def _check(rule: dict, key: str, path: tuple, v: Any, config: dict, v1: bool) -> list[Problem]:
    kind = rule["kind"]
    err = _err_v1 if v1 else _err_v2
    # combination rules (schemaMap.validate): run whether or not this key is set
    if kind in ("exactly_one_of", "at_least_one_of"):
        keys = rule.get("keys")
        if not isinstance(keys, list):
            return []
        vals = [_get(config, k) for k in keys]
        if any(x is UNKNOWN for x in vals):
            return []
        specified = [k for k, x in zip(keys, vals) if _set(x)]
        if kind == "exactly_one_of" and len(specified) > 1:
            return [err("Invalid combination of arguments",
                        f"{_q(key)}: only one of `{','.join(keys)}` can be specified, but "
                        f"`{','.join(specified)}` were specified.", path)]
        if not specified:
            summary = "Invalid combination of arguments" if kind == "exactly_one_of" else "Missing required argument"
            return [err(summary, f"{_q(key)}: one of `{','.join(keys)}` must be specified", path)]
        return []
    if not _set(v):
        return []
    if kind == "required_with":
        keys = rule.get("keys") or []
        missing = [k for k in keys if not _set(_get(config, k))]
        if missing and UNKNOWN not in [_get(config, k) for k in keys]:
            return [err("Missing required argument", f"{_q(key)}: all of `{','.join(keys)}` must be specified", path)]
        return []
    if kind == "deprecated":
        if v1:
            return [Problem("warning", f"{_q(key)}: [DEPRECATED] {rule['message']}", "", path)]
        return [Problem("warning", "Argument is deprecated", rule["message"], path)]
    if kind == "removed":
        return [err("Removed argument", f"{_q(key)}: [REMOVED] {rule['message']}", path)]
    if v is UNKNOWN:
        return []
    if kind == "conflicts_with":
        for other in rule.get("keys") or []:
            ov = _get(config, other)
            if ov is UNKNOWN or not _set(ov):
                continue
            return [err("Conflicting configuration arguments", f"{_q(key)}: conflicts with {other}", path)]
        return []
    if kind in ("max_items", "min_items"):
        if not isinstance(v, list) or any(x is UNKNOWN for x in v):
            return []
        n = rule["value"]
        if kind == "max_items" and len(v) > n:
            return [err("List longer than MaxItems", f"{key}: attribute supports {n} item maximum, "
                        f"config has {len(v)} declared", path)]
        if kind == "min_items" and len(v) < n:
            return [err("List shorter than MinItems", f"{key}: attribute supports {n} item as a minimum, "
                        f"config has {len(v)} declared", path)]
        return []
    msg = _value_message(rule, key, v, v1)
    return [err("Invalid value", msg, path)] if msg else []


def _value_message(rule: dict, key: str, v: Any, v1: bool) -> str | None:
    """The provider's error for one value against a ValidateFunc rule, or None when valid."""
    kind = rule["kind"]
    alicloud_own = v1 and not str(rule.get("func", "")).startswith("validation.")
    note = f" {ALICLOUD_NOTE}" if alicloud_own else ""
    if kind == "any":
        msgs = [_value_message(r, key, v, v1) for r in rule["of"]]
        return None if any(m is None for m in msgs) else "; ".join(m for m in msgs if m)
    if kind == "enum" and isinstance(v, str):
        allowed = rule["values"]
        if v in allowed or (rule.get("ignore_case") and v.lower() in [a.lower() for a in allowed]):
            return None
        return f"expected {key} to be one of {_go_list(allowed, not v1)}, got {v}{note}"
    if kind == "int_in" and isinstance(v, (int, float)):
        if int(v) in rule["values"]:
            return None
        return f"expected {key} to be one of {_go_list(rule['values'], False)}, got {int(v)}{note}"
    if kind in ("int_range", "float_range") and isinstance(v, (int, float)):
        lo, hi = rule["min"], rule["max"]
        if lo <= v <= hi:
            return None
        shown = int(v) if kind == "int_range" else v
        return f"expected {key} to be in the range ({lo} - {hi}), got {shown}{note}"
    if kind == "int_at_least" and isinstance(v, (int, float)):
        return None if v >= rule["min"] else f"expected {key} to be at least ({rule['min']}), got {int(v)}{note}"
    if kind == "length" and isinstance(v, str):
        if rule["min"] <= len(v) <= rule["max"]:
            return None
        return f"expected length of {key} to be in the range ({rule['min']} - {rule['max']}), got {v}{note}"
    if kind == "max_length" and isinstance(v, str):
        return None if len(v) <= rule["max"] else rule["message"].format(k=_q(key))
    if kind == "regexp_message" and isinstance(v, str):
        return None if re.search(rule["pattern"], v) else rule["message"].format(k=_q(key))
    if kind in ("regex", "not_regex") and isinstance(v, str) and rule.get("pattern"):
        hit = re.search(rule["pattern"], v) is not None
        if hit == (kind == "regex"):
            return None
        if rule.get("message"):
            return f"invalid value for {key} ({rule['message']}){note}"
        return f"expected value of {key} to match regular expression {_q(rule['pattern'])}{note}"
    if kind in ("regexp", "gce_name") and isinstance(v, str):
        pattern = rule.get("pattern") or r"^(?:[a-z](?:[-a-z0-9]{0,61}[a-z0-9])?)$"
        return None if re.search(pattern, v) else f"{_q(key)} ({_q(v)}) doesn't match regexp {_q(pattern)}"
    if kind == "cidr_network" and isinstance(v, str):
        return _cidr_network(key, v, v1)
    if kind == "cidr_network_bits" and isinstance(v, str):
        return _cidr_bits(key, v, rule["min"], rule["max"])
    if kind == "ip_cidr_range" and isinstance(v, str):
        try:
            _parse_cidr(v)
        except ValueError:
            return f"{_q(key)} is not a valid IP CIDR range: invalid CIDR address: {v}"
        return None
    if kind == "peer_addr" and isinstance(v, str):
        return _peer_addr(key, v)
    return None


def _parse_cidr(v: str):
    """Go's net.ParseCIDR: address/prefix, host bits allowed; returns (address, network)."""
    if "/" not in v:
        raise ValueError(v)
    iface = ipaddress.ip_interface(v)
    if iface.ip.version == 4 and any(len(p) > 1 and p.startswith("0") for p in v.split("/")[0].split(".")):
        raise ValueError(v)
    return iface.ip, iface.network


def _cidr_network(key: str, v: str, v1: bool) -> str | None:
    try:
        _, net = _parse_cidr(v)
    except ValueError:
        return f"{_q(key)} must contain a valid CIDR, got error parsing: invalid CIDR address: {v}"
    if str(net) != v:
        return f"{_q(key)} must contain a valid network CIDR, expected {_q(str(net))}, got {_q(v)}"
    return None


def _cidr_bits(key: str, v: str, lo: int, hi: int) -> str | None:
    try:
        _, net = _parse_cidr(v)
    except ValueError:
        return f"expected {key} to contain a valid Value, got: {v} with err: invalid CIDR address: {v}"
    if str(net) != v:
        return f"expected {key} to contain a valid network Value, expected {net}, got {v}"
    if not lo <= net.prefixlen <= hi:
        return (f"expected {key} to contain a network Value with between {lo} and {hi} significant bits, "
                f"got: {net.prefixlen}")
    return None


def _peer_addr(key: str, v: str) -> str | None:
    try:
        ip = ipaddress.ip_address(v)
    except ValueError:
        return f"could not parse {_q(key)} to IP address"
    if ip.version != 4:
        return None
    for lo, hi in GOOGLE_INVALID_PEER_RANGES:
        if ipaddress.ip_address(lo) <= ip <= ipaddress.ip_address(hi):
            return f"address is invalid (is between {_q(lo)} and {_q(hi)}, conflicting with RFC5735)"
    return None


def _err_v1(summary_v2: str, message: str, path: tuple) -> Problem:
    return Problem("error", message, "", path)


def _err_v2(summary: str, message: str, path: tuple) -> Problem:
    return Problem("error", summary if summary != "Invalid value" else message,
                   "" if summary == "Invalid value" else message, path)


def counts() -> dict[str, dict[str, int]]:
    """{provider: {"types": n, "rules": n}} (for reports and tests)."""
    out = {}
    for p in ("alicloud", "google"):
        doc = rules_doc(p)
        entries = [e for s in ("resources", "data_sources") for e in doc.get(s, {}).values()]
        out[p] = {"types": len(entries), "rules": sum(len(e["rules"]) for e in entries)}
    return out
