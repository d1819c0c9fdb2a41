"""Derive the sandbox's alicloud schema, and both providers' validator rules, from Go source.

    python scripts/derive_provider_rules.py alicloud <git dir of aliyun/terraform-provider-alicloud> [tag]
    python scripts/derive_provider_rules.py google <git dir of hashicorp/terraform-provider-google> [ref]

The google schema itself stays derived from the prebuilt package (scripts/derive_google_schema.py);
for google only ``schemas/google.rules.json`` is written here.

Reads ``alicloud/resource_alicloud_<type>.go`` / ``data_source_alicloud_<type>.go`` at ``tag``
(default: the version the sandbox mirror serves) and writes
``crosscloud/sandbox/schemas/alicloud.json`` (the schema Terraform sees, as SDK v1 would serve it)
and ``crosscloud/sandbox/schemas/alicloud.rules.json`` (ValidateFunc, ConflictsWith,
ExactlyOneOf, AtLeastOneOf, RequiredWith, Deprecated, Removed, MinItems/MaxItems as data).

It reads the ``schema.Resource`` literal of each file with a small Go expression parser; it
records facts (names, kinds, flags, enum values, ranges, regexes, messages), not code. A
validator it does not know is listed under ``unmodelled`` so nothing is silently dropped.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT_SCHEMA = ROOT / "crosscloud" / "sandbox" / "schemas" / "alicloud.json"
OUT_RULES = ROOT / "crosscloud" / "sandbox" / "schemas" / "alicloud.rules.json"
REPO = "aliyun/terraform-provider-alicloud"
DEFAULT_TAG = "v1.289.0"

# the types crosscloud synthesizes (constructs/alicloud/__init__.py; the node pool came with issue 14, the security group rule with 11)
RESOURCES = [
    "alicloud_vpc", "alicloud_vswitch", "alicloud_vpn_gateway", "alicloud_vpn_customer_gateway",
    "alicloud_vpn_connection", "alicloud_vpn_pbr_route_entry", "alicloud_cs_managed_kubernetes",
    "alicloud_cs_kubernetes_node_pool", "alicloud_security_group_rule",
    "alicloud_ack_one_cluster", "alicloud_ack_one_membership_attachment",
]
DATA_SOURCES = ["alicloud_cs_cluster_credential"]

# ------------------------------------------------------------------------------- Go tokens
_TOKEN = re.compile(r"""
    (?P<ws>\s+|//[^\n]*|/\*.*?\*/)
  | (?P<raw>`[^`]*`)
  | (?P<str>"(?:\\.|[^"\\])*")
  | (?P<num>\d+(?:\.\d+)?)
  | (?P<id>[A-Za-z_][A-Za-z0-9_]*)
  | (?P<op>:=|==|!=|&&|\|\||<=|>=|[{}()\[\],:&.*+\-/=<>!|;])
""", re.X | re.S)


def tokens(src: str) -> list[tuple[str, str]]:
    out, pos = [], 0
    while pos < len(src):
        m = _TOKEN.match(src, pos)
        if not m:
            raise SyntaxError(f"cannot tokenize at {src[pos:pos + 40]!r}")
        pos = m.end()
        if m.lastgroup != "ws":
            out.append((m.lastgroup, m.group()))
    return out


class Parser:
    """Go expressions as tuples: ("str", s) ("num", n) ("id", "a.b") ("call", fn, args)
    ("lit", type, [(key|None, value)]) ("func",) ("bin", op, a, b) ("addr", x)."""

    def __init__(self, toks):
        self.t, self.i = toks, 0

    def peek(self, k=0):
        return self.t[self.i + k] if self.i + k < len(self.t) else ("eof", "")

    def take(self, want=None):
        tok = self.peek()
        if want is not None and tok[1] != want:
            raise SyntaxError(f"expected {want!r}, got {tok[1]!r} near {self.t[self.i:self.i + 8]}")
        self.i += 1
        return tok

    def skip_balanced(self, open_="{", close="}"):
        depth = 0
        while True:
            _, v = self.take()
            depth += v == open_
            depth -= v == close
            if depth == 0:
                return

    def type_expr(self) -> str:
        _, v = self.peek()
        if v == "[":
            self.take("[")
            self.take("]")
            return "[]" + self.type_expr()
        if v == "*":
            self.take()
            return "*" + self.type_expr()
        if v == "map":
            self.take()
            self.take("[")
            k = self.type_expr()
            self.take("]")
            return f"map[{k}]" + self.type_expr()
        if v == "interface":
            self.take()
            self.skip_balanced()
            return "interface{}"
        name = self.take()[1]
        while self.peek()[1] == ".":
            self.take()
            name += "." + self.take()[1]
        return name

    def expr(self):
        left = self.unary()
        while self.peek()[1] in ("*", "+", "-", "/", "||", "&&", "==", "!="):
            op = self.take()[1]
            left = ("bin", op, left, self.unary())
        return left

    def unary(self):
        kind, v = self.peek()
        if v == "&":
            self.take()
            return ("addr", self.unary())
        if v == "!":
            self.take()
            return ("not", self.unary())
        if v == "(":
            self.take()
            e = self.expr()
            self.take(")")
            return e
        if kind == "str":
            self.take()
            return ("str", json.loads(v))
        if kind == "raw":
            self.take()
            return ("str", v[1:-1])
        if kind == "num":
            self.take()
            return ("num", float(v) if "." in v else int(v))
        if v == "func":
            self.take()
            while self.peek()[1] != "{":
                if self.peek()[1] == "(":
                    self.skip_balanced("(", ")")
                else:
                    self.take()
            self.skip_balanced()
            return ("func",)
        if v in ("[", "map"):
            t = self.type_expr()
            return ("lit", t, self.elements())
        if kind == "id":
            name = self.take()[1]
            while self.peek()[1] == ".":
                self.take()
                name += "." + self.take()[1]
            node = ("id", name)
            while True:
                if self.peek()[1] == "(":
                    self.take("(")
                    args = []
                    while self.peek()[1] != ")":
                        args.append(self.expr())
                        if self.peek()[1] == ",":
                            self.take()
                    self.take(")")
                    node = ("call", node[1] if node[0] == "id" else "?", args)
                elif self.peek()[1] == "{" and node[0] == "id":
                    node = ("lit", node[1], self.elements())
                elif self.peek()[1] == ".":  # a method called on a call's result
                    self.take()
                    node = ("sel", node, self.take()[1])
                else:
                    return node
        raise SyntaxError(f"unexpected {v!r} near {self.t[self.i:self.i + 8]}")

    def elements(self):
        self.take("{")
        out = []
        while self.peek()[1] != "}":
            if self.peek()[1] == "{":  # elided element type
                e = ("lit", "", self.elements())
            else:
                e = self.expr()
            if self.peek()[1] == ":":
                self.take()
                key = e
                if self.peek()[1] == "{":
                    e = ("lit", "", self.elements())
                else:
                    e = self.expr()
                out.append((key, e))
            else:
                out.append((None, e))
            if self.peek()[1] == ",":
                self.take()
        self.take("}")
        return out


# ------------------------------------------------------------------------------- interpretation
class Source:
    def __init__(self, git_dir: str, tag: str, const_files=()):
        self.git_dir, self.tag, self.const_files = git_dir, tag, const_files
        self.resolve_dir = ""  # where shared schema pieces are looked up (google only)
        self.commit = self.git("rev-list", "-n1", tag).strip()
        self.consts = self._constants()

    def git(self, *args) -> str:
        return subprocess.run(["git", "--git-dir", self.git_dir, *args], check=True,
                              capture_output=True, text=True).stdout

    def file(self, path: str) -> str:
        return self.git("show", f"{self.tag}:{path}")

    def definition(self, name: str, directory: str):
        """The literal a package-level ``var name = …`` or ``func name() … { return … }`` builds
        (in ``directory``), or None: schema pieces providers share between resources."""
        short = name.split(".")[-1]
        pat = rf"^(var {short} =|\t{short} +=|func {short}\(\))"
        try:
            hits = self.git("grep", "-n", "-E", pat, self.tag, "--", directory).splitlines()
        except subprocess.CalledProcessError:
            return None
        for hit in hits:
            _, path, line, _ = hit.split(":", 3)
            lines = self.file(path).splitlines()
            toks = tokens("\n".join(lines[int(line) - 1:]))
            p = Parser(toks)
            if toks[0][1] == "func":
                while p.peek()[1] != "return":
                    p.take()
                p.take()
                return p.expr()
            while p.peek()[1] != "=":
                p.take()
            p.take()
            return p.expr()
        return None

    def _constants(self) -> dict[str, object]:
        """String/int constants of package alicloud (used as Default and enum values)."""
        out: dict[str, object] = {}
        pat = re.compile(r'^\s*([A-Z][A-Za-z0-9_]*)\s*(?:[A-Za-z.]+\s*)?=\s*(?:string\()?("(?:[^"\\]|\\.)*"|\d+)\)?\s*$', re.M)
        for f in self.const_files:
            try:
                text = self.file(f)
            except subprocess.CalledProcessError:
                continue
            for name, val in pat.findall(text):
                out[name] = json.loads(val) if val.startswith('"') else int(val)
        return out


def value(node, src: Source):
    kind = node[0]
    if kind in ("str", "num"):
        return node[1]
    if kind == "id":
        if node[1] in ("true", "false"):
            return node[1] == "true"
        if node[1] in src.consts:
            return src.consts[node[1]]
        return {"ident": node[1]}
    if kind == "lit" and node[1].startswith("[]"):
        return [value(v, src) for _, v in node[2]]
    if kind == "call" and node[1] in ("string", "int", "StringPointer"):
        return value(node[2][0], src)
    if kind == "bin" and node[1] == "*":
        return {"expr": "product"}
    return {"expr": kind}


TYPE = {"schema.TypeString": "string", "schema.TypeInt": "number", "schema.TypeFloat": "number",
        "schema.TypeBool": "bool", "schema.TypeList": "list", "schema.TypeSet": "set",
        "schema.TypeMap": "map"}

_NAMED = {  # alicloud/validators.go and SDK helper/validation: name -> rule kind
    "StringInSlice": "enum", "validation.StringInSlice": "enum", "validateAllowedStringValue": "enum",
    "IntInSlice": "int_in", "validation.IntInSlice": "int_in", "validateAllowedIntValue": "int_in",
    "IntBetween": "int_range", "validation.IntBetween": "int_range", "validateIntegerInRange": "int_range",
    "IntAtLeast": "int_at_least", "validation.IntAtLeast": "int_at_least",
    "StringLenBetween": "length", "validation.StringLenBetween": "length",
    "validateStringLengthInRange": "length",
    "StringMatch": "regex", "validation.StringMatch": "regex",
    "StringDoesNotMatch": "not_regex", "validation.StringDoesNotMatch": "not_regex",
    "validateCIDRNetworkAddress": "cidr_network", "validation.IsCIDRNetwork": "cidr_network",
    "validation.IsIPAddress": "ip", "validation.IsIPv4Address": "ipv4",
    "validation.ValidateJsonString": "json", "validation.StringIsJSON": "json",
    "validation.NoZeroValues": "no_zero",
    # google provider (google/verify/validation.go, services/compute/resource_compute_vpn_tunnel.go)
    "verify.ValidateGCEName": "gce_name", "verify.ValidateEnum": "enum", "verify.ValidateRegexp": "regexp",
    "verify.ValidateIpCidrRange": "ip_cidr_range", "validatePeerAddr": "peer_addr",
    "validation.IsCIDRNetwork": "cidr_network_bits", "validation.FloatBetween": "float_range",
}


def validator(node, src: Source) -> dict:
    """A rule dict for a ValidateFunc expression ({"kind": "unmodelled", ...} if unknown)."""
    if node[0] == "id":
        kind = _NAMED.get(node[1])
        return {"kind": kind} if kind else {"kind": "unmodelled", "func": node[1]}
    if node[0] != "call":
        return {"kind": "unmodelled", "func": node[0]}
    fn, args = node[1], node[2]
    kind = _NAMED.get(fn)
    if fn == "validation.Any":
        return {"kind": "any", "of": [validator(a, src) for a in args]}
    if kind == "regexp":
        return {"kind": "regexp", "pattern": value(args[0], src), "func": fn}
    if kind == "cidr_network_bits":
        return {"kind": kind, "min": value(args[0], src), "max": value(args[1], src), "func": fn}
    if kind == "enum":
        vals = value(args[0], src)
        ignore = bool(value(args[1], src)) if len(args) > 1 else False
        return {"kind": "enum", "values": vals, "ignore_case": ignore, "func": fn}
    if kind == "int_in":
        return {"kind": "int_in", "values": value(args[0], src), "func": fn}
    if kind in ("int_range", "length"):
        return {"kind": kind, "min": value(args[0], src), "max": value(args[1], src), "func": fn}
    if kind == "int_at_least":
        return {"kind": kind, "min": value(args[0], src), "func": fn}
    if kind in ("regex", "not_regex"):
        rx = args[0]
        pattern = value(rx[2][0], src) if rx[0] == "call" and rx[1] == "regexp.MustCompile" else None
        msg = value(args[1], src) if len(args) > 1 else ""
        return {"kind": kind, "pattern": pattern, "message": msg, "func": fn}
    return {"kind": "unmodelled", "func": fn}


def fields(lit) -> dict[str, object]:
    return {k[1]: v for k, v in lit[2] if k is not None and k[0] == "id"}


def convert_map(map_lit, src: Source, path: str, rules: list, notes: list) -> dict:
    """A ``map[string]*schema.Schema{...}`` literal -> schema block (and rules appended)."""
    block = {"attributes": {}, "blocks": {}}
    if map_lit[0] == "id" and src.resolve_dir:
        found = src.definition(map_lit[1], src.resolve_dir)
        if found is not None:
            return convert_map(found, src, path, rules, notes)
    if map_lit[0] == "call" and map_lit[1].endswith("MergeSchemas"):
        for part in map_lit[2]:
            b = convert_map(part, src, path, rules, notes)
            block["attributes"].update(b["attributes"])
            block["blocks"].update(b["blocks"])
        return block
    if map_lit[0] != "lit":
        notes.append(f"{path or '(top)'}: schema built by code ({map_lit[0]}), not read")
        return block
    for key, val in map_lit[2]:
        name = key[1]
        if val[0] == "call":  # e.g. tagsSchema(): a helper returning a *schema.Schema
            helper = {"tagsSchema": {"type": ["map", "string"], "optional": True},
                      "tagsSchemaForceNew": {"type": ["map", "string"], "optional": True, "force_new": True},
                      "tagsSchemaComputed": {"type": ["map", "string"], "optional": True, "computed": True}}
            found = src.definition(val[1], src.resolve_dir) if src.resolve_dir and val[1] not in helper else None
            if found is not None and found[0] == "addr" and found[1][0] == "lit":
                convert_field(block, name, fields(found[1]), src, path, rules, notes)
                continue
            if val[1] not in helper:
                notes.append(f"{path}{name}: schema from helper {val[1]}() not read")
                continue
            block["attributes"][name] = dict(helper[val[1]])
            continue
        if val[0] == "id" and src.resolve_dir:  # a shared *schema.Schema variable
            found = src.definition(val[1], src.resolve_dir)
            if found is not None and found[0] == "addr" and found[1][0] == "lit":
                val = found[1]
        if val[0] != "lit" or "Type" not in fields(val):
            notes.append(f"{path}{name}: schema built by code, not read")
            continue
        convert_field(block, name, fields(val), src, path, rules, notes)
    return block


def convert_field(block, name, f, src, path, rules, notes):
    full = path + name
    typ = TYPE[f["Type"][1]]
    flags = {k: value(f[g], src) is True for k, g in
             (("required", "Required"), ("optional", "Optional"), ("computed", "Computed"),
              ("force_new", "ForceNew"), ("sensitive", "Sensitive")) if g in f}
    flags = {k: True for k, v in flags.items() if v}
    for go, kind in (("ConflictsWith", "conflicts_with"), ("ExactlyOneOf", "exactly_one_of"),
                     ("AtLeastOneOf", "at_least_one_of"), ("RequiredWith", "required_with")):
        if go in f:
            rules.append({"path": full, "kind": kind, "keys": value(f[go], src)})
    for go, kind in (("Deprecated", "deprecated"), ("Removed", "removed")):
        if go in f:
            rules.append({"path": full, "kind": kind, "message": value(f[go], src)})
    for go, kind in (("MinItems", "min_items"), ("MaxItems", "max_items")):
        if go in f and value(f[go], src):
            rules.append({"path": full, "kind": kind, "value": value(f[go], src)})
    if "ValidateFunc" in f:
        rules.append({"path": full, **validator(f["ValidateFunc"], src)})
    if "ValidateDiagFunc" in f:
        rules.append({"path": full, **validator(f["ValidateDiagFunc"], src)})
    elem = f.get("Elem")
    resource_elem = elem is not None and elem[0] == "addr" and elem[1][0] == "lit" and elem[1][1] == "schema.Resource"
    if typ in ("list", "set") and resource_elem:
        inner = fields(elem[1]).get("Schema", ("none",))
        nb = convert_map(inner, src, full + ".", rules, notes)
        if flags.get("computed") and not flags.get("optional") and not flags.get("required"):
            # SDK: computed-only nested resources are attributes of list(object) type
            block["attributes"][name] = {"type": [typ, ["object", _object_type(nb)]], "computed": True}
            return
        out = {"nesting": typ, **nb}
        for k in ("min_items", "max_items"):
            g = "MinItems" if k == "min_items" else "MaxItems"
            if g in f and value(f[g], src):
                out[k] = value(f[g], src)
        if typ == "list" and out.get("max_items") == 1:
            out["nesting"] = "single"  # the shared format's name for a LIST block of at most one
        if flags.get("required") and "min_items" not in out:
            out["min_items"] = 1
        for k in ("computed", "force_new", "optional", "required"):
            if flags.get(k):
                out[k] = True
        block["blocks"][name] = out
        return
    attr: dict = {}
    if typ in ("list", "set", "map"):
        et = "string"
        if elem is not None:
            e = elem[1] if elem[0] == "addr" else elem
            if e[0] == "lit" and e[1] == "schema.Schema":
                ef = fields(e)
                et = TYPE[ef["Type"][1]]
                for k, g in (("ValidateFunc", "ValidateFunc"),):
                    if g in ef:
                        rules.append({"path": full + "[]", **validator(ef[g], src)})
            elif e[0] == "id" and e[1] in TYPE:
                et = TYPE[e[1]]
        attr["type"] = [typ, et]
    else:
        attr["type"] = typ
    attr.update(flags)
    if "Default" in f:
        d = value(f["Default"], src)
        if not isinstance(d, dict):
            attr["default"] = d
        else:
            notes.append(f"{full}: Default {d} not read")
    block["attributes"][name] = attr


def _object_type(block: dict) -> dict:
    out = {n: a["type"] for n, a in block["attributes"].items()}
    for n, nb in block["blocks"].items():
        out[n] = [nb["nesting"], ["object", _object_type(nb)]]
    return out


def resource_literal(text: str, src: Source):
    toks = tokens(text)
    for i in range(len(toks) - 3):
        if toks[i][1] == "return" and toks[i + 1][1] == "&" and toks[i + 2][1] == "schema.Resource" or (
                toks[i][1] == "return" and toks[i + 1][1] == "&" and toks[i + 2][1] == "schema"
                and toks[i + 4][1] == "Resource"):
            p = Parser(toks[i + 1:])
            return p.expr()[1]
    raise SyntaxError("no `return &schema.Resource{` found")


def derive(src: Source, type_name: str, data: bool, path: str | None = None) -> tuple[dict, list, list, str]:
    stem = type_name[len("alicloud_"):]
    path = path or f"alicloud/{'data_source' if data else 'resource'}_alicloud_{stem}.go"
    lit = resource_literal(src.file(path), src)
    f = fields(lit)
    rules: list = []
    notes: list = []
    block = convert_map(f["Schema"], src, "", rules, notes)
    # SDK v1 adds "id" (Optional+Computed) to every resource and data source
    block["attributes"].setdefault("id", {"type": "string", "optional": True, "computed": True})
    if not data and "Timeouts" in f:
        ops = [k[1].lower() for k, _ in f["Timeouts"][1][2] if k is not None and k[1] != "Default"]
        # SDK v1 serves timeouts as a NestingSingle block with one optional string per operation
        block["blocks"]["timeouts"] = {"nesting": "object", "attributes": {
            op: {"type": "string", "optional": True} for op in ops}, "blocks": {}}
    return block, rules, notes, path


GOOGLE_REPO = "hashicorp/terraform-provider-google"
GOOGLE_RULES = ROOT / "crosscloud" / "sandbox" / "schemas" / "google.rules.json"
GOOGLE_RESOURCES = {
    "google_compute_network": "compute", "google_compute_subnetwork": "compute",
    "google_compute_address": "compute", "google_compute_vpn_gateway": "compute",
    "google_compute_forwarding_rule": "compute", "google_compute_vpn_tunnel": "compute",
    "google_compute_route": "compute", "google_compute_firewall": "compute",
    "google_compute_router": "compute",
    "google_container_cluster": "container", "google_container_node_pool": "container",
}
# inline ValidateFuncs (func literals) the parser cannot read, written out from the source
GOOGLE_INLINE = {
    ("google_container_cluster", "name"): [
        {"kind": "max_length", "max": 40, "message": "{k} cannot be longer than 40 characters"},
        {"kind": "regexp_message", "pattern": "^[a-z0-9-]+$",
         "message": "{k} can only contain lowercase letters, numbers and hyphens"},
        {"kind": "regexp_message", "pattern": "^[a-z]",
         "message": "{k} must start with a letter"},
        {"kind": "regexp_message", "pattern": "[a-z0-9]$",
         "message": "{k} must end with a number or a letter"},
    ],
}


def main_google(git_dir: str, ref: str) -> None:
    src = Source(git_dir, ref)
    src.resolve_dir = "google/services"
    out = {"_comment": (f"Derived by scripts/derive_provider_rules.py from {GOOGLE_REPO} at {ref} "
                        f"(commit {src.commit}); read by crosscloud/sandbox/validators.py. Do not edit by hand."),
           "provider_version": ref, "sdk": "v2", "resources": {}, "data_sources": {}}
    for t, service in GOOGLE_RESOURCES.items():
        path = f"google/services/{service}/resource_{t[len('google_'):]}.go"
        _, rules, notes, _ = derive(src, t, False, path)
        for (rt, attr), extra in GOOGLE_INLINE.items():
            if rt == t:
                rules = [r for r in rules if not (r["path"] == attr and r["kind"] == "unmodelled")]
                rules += [{"path": attr, **e, "func": "inline ValidateFunc"} for e in extra]
        out["resources"][t] = {"source": f"{GOOGLE_REPO} {ref} {path}", "rules": rules, "notes": notes}
    GOOGLE_RULES.write_text(json.dumps(out, indent=1) + "\n")
    n = sum(len(v["rules"]) for v in out["resources"].values())
    print(f"{len(out['resources'])} types, {n} rules -> {GOOGLE_RULES.name}")


def main(argv: list[str]) -> None:
    if len(argv) < 2 or argv[0] not in ("alicloud", "google"):
        raise SystemExit(__doc__)
    if argv[0] == "google":
        return main_google(argv[1], argv[2] if len(argv) > 2 else "HEAD")
    argv = argv[1:]
    src = Source(argv[0], argv[1] if len(argv) > 1 else DEFAULT_TAG,
                 ("alicloud/extension_vpn.go", "alicloud/extension_cs.go", "alicloud/common.go",
                  "alicloud/resource_alicloud_cs_kubernetes.go"))
    version = src.tag.lstrip("v")
    schema = {"_comment": (
        f"Derived by scripts/derive_provider_rules.py from {REPO} {src.tag} (commit {src.commit}); "
        "each type's 'source' names its file. Do not edit by hand. Extensions to the shared format: "
        "force_new, default, on blocks computed/force_new, nesting 'object' for the SDK's single "
        "timeouts block."),
        "provider": {"config": {"attributes": {
            "region": {"type": "string", "optional": True},
            "access_key": {"type": "string", "optional": True},
            "secret_key": {"type": "string", "optional": True, "sensitive": True},
            "security_token": {"type": "string", "optional": True, "sensitive": True},
            "profile": {"type": "string", "optional": True},
            "endpoints": {"type": ["set", ["map", "string"]], "optional": True},
        }, "blocks": {}}},
        "resources": {}, "data_sources": {}}
    all_rules = {"_comment": schema["_comment"].replace("Extensions", "Rule kinds are read by "
                 "crosscloud/sandbox/validators.py. Extensions"), "provider_version": version, "sdk": "v1",
                 "resources": {}, "data_sources": {}}
    for section, names, data in (("resources", RESOURCES, False), ("data_sources", DATA_SOURCES, True)):
        for t in names:
            block, rules, notes, path = derive(src, t, data)
            source = f"{REPO} {src.tag} {path}"
            schema[section][t] = {"source": source, **block}
            all_rules[section][t] = {"source": source, "rules": rules, "notes": notes}
    OUT_SCHEMA.write_text(json.dumps(schema, indent=1, sort_keys=False) + "\n")
    OUT_RULES.write_text(json.dumps(all_rules, indent=1) + "\n")
    n_types = len(RESOURCES) + len(DATA_SOURCES)
    n_rules = sum(len(v["rules"]) for s in ("resources", "data_sources") for v in all_rules[s].values())
    n_attrs = sum(_count(b) for sec in ("resources", "data_sources") for b in schema[sec].values())
    print(f"{n_types} types, {n_attrs} arguments/attributes/blocks, {n_rules} rules "
          f"-> {OUT_SCHEMA.name}, {OUT_RULES.name}")


def _count(block: dict) -> int:
    return len(block.get("attributes", {})) + sum(1 + _count(nb) for nb in block.get("blocks", {}).values())


if __name__ == "__main__":
    main(sys.argv[1:])
