"""The google bindings: thin generated classes (default) against the prebuilt package they mirror.

* generated.py is exactly what scripts/generate_google_l1.py writes from google.json now;
* every class/keyword/property the generator emits exists, with the same required-ness, in the
  installed cdktn-provider-google (read by AST: the package is never imported here), so a
  new package version that renames or moves anything fails loudly;
* `crosscloud synth` of every examples/*.yaml is byte-identical with either bindings, each bindings
  in its own processes: the thin ones through the CLI, one process per example; the prebuilt ones
  all in one process (importing the package costs ~5 s of CPU, once instead of once per example);
* a kitchen-sink stack (numbers, bools, empty lists, maps, nested/empty/dict blocks, tokens of every
  getter kind, meta-arguments, a second aliased provider) synthesizes identically too.
"""

from __future__ import annotations

import ast
import functools
import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from support import EXAMPLES, ROOT

SCRIPT = ROOT / "scripts" / "generate_google_l1.py"
GOOGLE_DIR = ROOT / "crosscloud" / "constructs" / "google"
GENERATED = GOOGLE_DIR / "generated.py"
PREBUILT_SHIM = GOOGLE_DIR / "prebuilt.py"
PACKAGE = "cdktn_provider_google"
EXAMPLE_FILES = sorted(EXAMPLES.glob("*.yaml"))
META = {"connection", "count", "depends_on", "for_each", "lifecycle", "provider", "provisioners"}


@functools.lru_cache(maxsize=1)
def gen():
    spec = importlib.util.spec_from_file_location("generate_google_l1", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


@functools.lru_cache(maxsize=1)
def package_dir() -> Path:
    spec = importlib.util.find_spec(PACKAGE)  # finds, does not execute, the top-level package
    assert spec is not None and spec.origin, f"{PACKAGE} is not installed"
    return Path(spec.origin).parent


@functools.lru_cache(maxsize=None)
def prebuilt_classes(submodule: str) -> dict[str, dict]:
    """class name -> {jsii_type, positional, kwonly, required, properties: {name: return annotation}}"""
    path = package_dir() / submodule / "__init__.py"
    assert path.is_file(), f"{PACKAGE}.{submodule} no longer exists ({path})"
    out = {}
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        if not isinstance(node, ast.ClassDef):
            continue
        jsii_type = next((ast.literal_eval(k.value) for k in node.keywords if k.arg == "jsii_type"), None)
        for dec in node.decorator_list:  # structs: @jsii.data_type(jsii_type=...)
            if isinstance(dec, ast.Call):
                jsii_type = next((ast.literal_eval(k.value) for k in dec.keywords if k.arg == "jsii_type"), jsii_type)
        init = next((n for n in node.body if isinstance(n, ast.FunctionDef) and n.name == "__init__"), None)
        props = {n.name: ast.unparse(n.returns) for n in node.body if isinstance(n, ast.FunctionDef)
                 and any(ast.unparse(d) == "builtins.property" for d in n.decorator_list)}
        info = {"jsii_type": jsii_type, "positional": [], "kwonly": [], "required": set(), "properties": props}
        if init is not None:
            info["positional"] = [a.arg for a in init.args.args]
            info["kwonly"] = [a.arg for a in init.args.kwonlyargs]
            info["required"] = {a.arg for a, d in zip(init.args.kwonlyargs, init.args.kw_defaults) if d is None}
        out[node.name] = info
    return out


# ---------------------------------------------------------------------------------------------
# Generated module: current, and matching the installed package
# ---------------------------------------------------------------------------------------------


def test_generated_module_is_what_the_script_writes_now():
    g = gen()
    assert GENERATED.read_text(encoding="utf-8") == g.render(g.load_schema()), (
        "crosscloud/constructs/google/generated.py is stale: run scripts/generate_google_l1.py")


# What the prebuilt package's Python getters declare, per generated getter expression (a settable
# attribute's property also has a setter, whose input type jsii merges in).
_PREBUILT_GETTER_TYPES = {
    "get_string_attribute": {"builtins.str"},
    "get_number_attribute": {"jsii.Number"},
    "get_boolean_attribute": {"_cdktn_78ede62e.IResolvable", "typing.Union[builtins.bool, _cdktn_78ede62e.IResolvable]",
                              "typing.Union[builtins.bool, '_cdktn_78ede62e.IResolvable']"},
    "get_list_attribute": {"typing.List[builtins.str]"},
    "get_number_list_attribute": {"typing.List[jsii.Number]"},
    "get_string_map_attribute": {"typing.Mapping[builtins.str, builtins.str]"},
}


def test_prebuilt_package_has_every_generated_class_keyword_and_property():
    """Guard: fails loudly when the installed package's layout differs from what we generate."""
    problems = []
    specs = gen().plan(gen().load_schema())
    assert len(specs) > 200  # the provider, 10 resources, 1 data source and all their blocks
    assert {s.kind for s in specs} == {"provider", "resource", "data", "struct"}
    for s in specs:
        where = f"{PACKAGE}.{s.python_module}.{s.name} ({s.tf_path})"
        cls = prebuilt_classes(s.python_module).get(s.name)
        if cls is None:
            problems.append(f"{where}: class missing")
            continue
        if cls["jsii_type"] != s.jsii_fqn:
            problems.append(f"{where}: jsii type {cls['jsii_type']} != {s.jsii_fqn}")
        expected_positional = ["self"] if s.kind == "struct" else ["self", "scope", s.id_param]
        if cls["positional"] != expected_positional:
            problems.append(f"{where}: positional parameters {cls['positional']} != {expected_positional}")
        ignore = META if s.kind in ("resource", "data") else {"alias"} if s.kind == "provider" else set()
        ours = {a.py for a in s.args}
        theirs = set(cls["kwonly"]) - ignore
        if ours != theirs:
            problems.append(f"{where}: keywords only here {sorted(ours - theirs)}, only there {sorted(theirs - ours)}")
        required = {a.py for a in s.args if a.required}
        if required != cls["required"] - ignore:
            problems.append(f"{where}: required {sorted(required)} != {sorted(cls['required'] - ignore)}")
        if s.kind in ("resource", "data") and set(cls["kwonly"]) & META != META:
            problems.append(f"{where}: meta-arguments {sorted(META - set(cls['kwonly']))} missing")
        for p in s.props:
            method = p.expr.split("self.", 1)[1].split("(", 1)[0]
            theirs_type = cls["properties"].get(p.py)
            if theirs_type not in _PREBUILT_GETTER_TYPES[method]:
                problems.append(f"{where}: property {p.py} is {theirs_type!r} there, {method} here")
    assert not problems, "\n".join(problems)


def test_every_prebuilt_name_crosscloud_imports_is_generated():
    generated_classes = {n.name for n in ast.parse(GENERATED.read_text(encoding="utf-8")).body
                         if isinstance(n, ast.ClassDef)}
    by_name = {s.name: s for s in gen().plan(gen().load_schema())}
    imported = [(node.module, alias.name) for node in ast.parse(PREBUILT_SHIM.read_text()).body
                if isinstance(node, ast.ImportFrom) and (node.module or "").startswith(PACKAGE) for alias in node.names]
    assert len(imported) >= 15
    for module, name in imported:
        assert name in generated_classes, name
        assert module == f"{PACKAGE}.{by_name[name].python_module}", (module, name)


def test_names_follow_the_cdktf_and_jsii_conversions():
    g = gen()
    assert g.python_name("enable_k8s_beta_apis") == "enable_k8_s_beta_apis"
    assert g.python_name("hugepage_size_1g") == "hugepage_size1_g"
    assert g.python_name("ipv6_access_type") == "ipv6_access_type"
    assert g.pascal("enable_k8s_beta_apis") == "EnableK8SBetaApis"


# ---------------------------------------------------------------------------------------------
# The switch and the thin runtime
# ---------------------------------------------------------------------------------------------


def test_bindings_switch(monkeypatch):
    from crosscloud.constructs import google

    monkeypatch.delenv(google.ENV_VAR, raising=False)
    assert google.selected() == "thin"
    monkeypatch.setenv(google.ENV_VAR, "prebuilt")
    assert google.selected() == "prebuilt"
    monkeypatch.setenv(google.ENV_VAR, "fast")
    with pytest.raises(ValueError, match="CROSSCLOUD_GOOGLE_BINDINGS"):
        google.selected()
    monkeypatch.setenv(google.ENV_VAR, "thin")
    assert google.bindings().__name__ == "crosscloud.constructs.google.generated"


def test_thin_structs_take_structs_or_dicts_and_reject_the_wrong_block():
    from crosscloud.constructs.google import generated as g
    from crosscloud.constructs.google._thin import to_terraform

    policy = g.ContainerNodePoolNodeConfig(machine_type="e2-small", oauth_scopes=["s"],
                                           linux_node_config={"hugepages_config": {"hugepage_size1_g": 2}})
    assert to_terraform(policy) == {"machine_type": "e2-small", "oauth_scopes": ["s"],
                                    "linux_node_config": {"hugepages_config": {"hugepage_size_1g": 2}}}
    assert policy == g.ContainerNodePoolNodeConfig(
        machine_type="e2-small", oauth_scopes=["s"],
        linux_node_config=g.ContainerNodePoolNodeConfigLinuxNodeConfig(
            hugepages_config=g.ContainerNodePoolNodeConfigLinuxNodeConfigHugepagesConfig(hugepage_size1_g=2)))
    with pytest.raises(TypeError, match="google_container_node_pool.node_config.linux_node_config"):
        g.ContainerNodePoolNodeConfig(linux_node_config=g.ContainerClusterNodeConfigLinuxNodeConfig())
    with pytest.raises(TypeError, match="ComputeFirewallAllow"):  # the prebuilt classes refuse these too
        g.ComputeFirewall(None, "fw", name="f", network="n", allow=[{"protocol": "tcp"}])
    with pytest.raises(TypeError):
        g.ComputeFirewallAllow(protocol="tcp", port=["22"])  # unknown keyword, as with the prebuilt class
    with pytest.raises(TypeError):
        g.ComputeFirewallAllow()  # required keyword missing


# ---------------------------------------------------------------------------------------------
# Byte-identical output, each bindings in its own process
# ---------------------------------------------------------------------------------------------

KITCHEN_SINK = r'''
import json, sys, tempfile
from pathlib import Path
from crosscloud.cdk import App, LocalBackend, TerraformOutput, TerraformStack, TerraformVariable
from crosscloud.constructs.google import bindings, generated, selected


class Prebuilt:  # every prebuilt class, not only those prebuilt.py imports
    def __getattr__(self, name):
        import importlib
        module, _, cls = getattr(generated, name).PREBUILT_TWIN.rpartition(".")
        return getattr(importlib.import_module(module), cls)


g = Prebuilt() if selected() == "prebuilt" else bindings()
with tempfile.TemporaryDirectory() as out:
    app = App(outdir=out, skip_validation=False, stack_traces=False)
    st = TerraformStack(app, "ks")
    LocalBackend(st, path="ks.tfstate")
    g.GoogleProvider(st, "google", project="p", region="r", user_project_override=False, request_timeout="60s",
                     default_labels={"team": "net"}, batching=[g.GoogleProviderBatching(enable_batching=True, send_after="10s")])
    p2 = g.GoogleProvider(st, "google2", project="p2", alias="second")
    mtu = TerraformVariable(st, "mtu", type="number", default=1500)
    psk = TerraformVariable(st, "psk", type="string", sensitive=True)
    net = g.ComputeNetwork(st, "net", name="n", auto_create_subnetworks=False, mtu=1460, provider=p2,
                           params={"resource_manager_tags": {"tagKeys/1": "tagValues/2"}})
    net2 = g.ComputeNetwork(st, "net2", name="n2", mtu=mtu.number_value, delete_default_routes_on_create=True)
    sub = g.ComputeSubnetwork(st, "sub", name="s", network=net.id, ip_cidr_range="10.0.0.0/24", region="r",
                              secondary_ip_range=[g.ComputeSubnetworkSecondaryIpRange(range_name="a", ip_cidr_range="10.1.0.0/16"),
                                                  g.ComputeSubnetworkSecondaryIpRange(range_name="b", ip_cidr_range="10.2.0.0/20")],
                              log_config=g.ComputeSubnetworkLogConfig(flow_sampling=0.5, metadata="INCLUDE_ALL_METADATA"),
                              send_secondary_ip_range_if_empty=True, private_ip_google_access=False)
    fw = g.ComputeFirewall(st, "fw", name="f", network=net.self_link, priority=1000.0, direction="INGRESS",
                           allow=[g.ComputeFirewallAllow(protocol="tcp", ports=["22", "80-90"]), g.ComputeFirewallAllow(protocol="icmp")],
                           deny=[], source_tags=[], target_tags=["t"], source_ranges=["0.0.0.0/0"], disabled=False,
                           timeouts=g.ComputeFirewallTimeouts(create="5m"), depends_on=[sub, net2],
                           lifecycle={"create_before_destroy": True, "ignore_changes": ["description"]})
    g.ComputeAddress(st, "addrs", name="a", region="r", count=2, labels={})
    addr = g.ComputeAddress(st, "addr", name="a1", region="r", address_type="EXTERNAL")
    cl = g.ContainerCluster(
        st, "gke", name="c", location="z", initial_node_count=1, network=net.id, subnetwork=sub.id, deletion_protection=False,
        node_config=g.ContainerClusterNodeConfig(
            machine_type="e2-medium", labels={"x": "y"}, oauth_scopes=["https://www.googleapis.com/auth/cloud-platform"],
            disk_size_gb=50, preemptible=True,
            guest_accelerator=[g.ContainerClusterNodeConfigGuestAccelerator(type="nvidia-l4", count=1)],
            linux_node_config=g.ContainerClusterNodeConfigLinuxNodeConfig(
                sysctls={"net.core.somaxconn": "1024"},
                hugepages_config=g.ContainerClusterNodeConfigLinuxNodeConfigHugepagesConfig(hugepage_size1_g=1))),
        enable_k8_s_beta_apis=g.ContainerClusterEnableK8SBetaApis(enabled_apis=["a/v1beta1/x"]),
        release_channel={"channel": "STABLE"}, addons_config=g.ContainerClusterAddonsConfig(),
        master_auth=g.ContainerClusterMasterAuth(
            client_certificate_config=g.ContainerClusterMasterAuthClientCertificateConfig(issue_client_certificate=False)),
        ip_allocation_policy=g.ContainerClusterIpAllocationPolicy(cluster_secondary_range_name="a", services_secondary_range_name="b"),
        resource_labels={"env": "test"}, node_locations=["z1", "z2"])
    g.ContainerNodePool(st, "pool", name="p", cluster=cl.id, location="z", node_count=cl.initial_node_count,
                        autoscaling={"min_node_count": 0, "max_node_count": 3},
                        management=g.ContainerNodePoolManagement(auto_repair=True, auto_upgrade=False),
                        node_config=g.ContainerNodePoolNodeConfig(machine_type="e2-small", tags=fw.target_tags))
    gw = g.ComputeVpnGateway(st, "gw", name="gw", network=net.id)
    tun = g.ComputeVpnTunnel(st, "tun", name="t", peer_ip=addr.address, shared_secret=psk.string_value, ike_version=2,
                             target_vpn_gateway=gw.self_link, local_traffic_selector=["10.0.0.0/8"], remote_traffic_selector=fw.source_ranges)
    g.ComputeRoute(st, "route", name="r", network=net.name, dest_range="192.168.0.0/16", next_hop_vpn_tunnel=tun.id,
                   priority=900, tags=["a", "b"])
    g.ComputeForwardingRule(st, "fr", name="fr", ip_protocol="UDP", port_range="500", ip_address=addr.address, target=gw.id,
                            all_ports=False, labels={"k": "v"})
    client = g.DataGoogleClientConfig(st, "client", provider=p2)
    for name, value in {"token": client.access_token, "endpoint": cl.endpoint, "version": cl.master_version, "locations": cl.node_locations,
                        "numeric_id": net.numeric_id, "mtu": net.mtu, "disabled": fw.disabled, "labels": cl.resource_labels,
                        "ranges": fw.source_ranges}.items():
        TerraformOutput(st, f"out_{name}", value=value)
    app.synth()
    manifest = json.loads(Path(out, "manifest.json").read_text())
    doc = json.loads(Path(out, manifest["stacks"]["ks"]["synthesizedStackPath"]).read_text())
print(json.dumps(doc, indent=1, sort_keys=True))
'''


def _env(binding: str, tmpdir: Path) -> dict[str, str]:
    tmpdir.mkdir(parents=True)
    env = dict(os.environ, CROSSCLOUD_GOOGLE_BINDINGS=binding, JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION="20",
               TMPDIR=str(tmpdir))  # private, to check nothing is left behind (jsii's and node's temp dirs)
    env.pop("SYNTH_HCL_OUTPUT", None)
    return env


# The prebuilt jobs in one process: every example through the synth the CLI runs, then the kitchen sink.
SYNTH_EXAMPLES = r'''
import sys
from crosscloud.config import load_topology
from crosscloud.synth import synth

for example, outdir in zip(sys.argv[1::2], sys.argv[2::2]):
    synth(load_topology(example), outdir)
'''


def _synthesize_all(base: Path) -> dict:
    """(binding, example) -> output dir, (binding, "kitchen-sink") -> its document; all processes
    run concurrently."""
    def start(binding: str, job: str, argv: list[str]) -> subprocess.Popen:
        return subprocess.Popen([sys.executable, *argv], cwd=ROOT, env=_env(binding, base / "tmp" / binding / job),
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)

    results: dict = {(binding, e.stem): base / binding / e.stem for binding in ("prebuilt", "thin") for e in EXAMPLE_FILES}
    pairs = [str(arg) for e in EXAMPLE_FILES for arg in (e, results["prebuilt", e.stem])]
    procs = {("prebuilt", "kitchen-sink"): start("prebuilt", "all", ["-c", SYNTH_EXAMPLES + KITCHEN_SINK, *pairs])}
    for e in EXAMPLE_FILES:
        procs["thin", e.stem] = start("thin", e.stem, ["-m", "crosscloud.cli.main_entry", "synth", "-c", str(e),
                                                       "-o", str(results["thin", e.stem])])
    procs["thin", "kitchen-sink"] = start("thin", "kitchen-sink", ["-c", KITCHEN_SINK])
    for key, proc in procs.items():
        stdout, stderr = proc.communicate(timeout=600)
        assert proc.returncode == 0, f"{key}: exit {proc.returncode}\n{stderr}"
        if key[1] == "kitchen-sink":
            results[key] = stdout
    return results


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """The synth jobs of _synthesize_all, run once per test session: under pytest-xdist the first
    worker to get here runs them (9 processes, each with its node) and the others read its
    results instead of running them again (a file lock in the session's shared temp root)."""
    import fcntl

    session_root = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        session_root = session_root.parent  # pytest-N/, shared by this session's popen-gwN/
    base = session_root / "google-bindings"
    base.mkdir(exist_ok=True)
    done = base / "results.json"
    with open(base / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not done.exists():
            done.write_text(json.dumps([[*k, str(v), isinstance(v, Path)] for k, v in _synthesize_all(base).items()]))
    results = {(binding, job): Path(v) if is_dir else v for binding, job, v, is_dir in json.loads(done.read_text())}
    results["tmp"] = base / "tmp"
    return results


def test_synth_processes_leave_no_temp_files_behind(runs):
    """The CLI (the thin runs) ends with os._exit after its atexit handlers, the prebuilt process
    normally: either way jsii must have stopped node, which removes its temp directories."""
    leftovers = sorted(str(p.relative_to(runs["tmp"])) for p in runs["tmp"].glob("*/*/*"))
    assert leftovers == []


@pytest.mark.parametrize("example", [p.stem for p in EXAMPLE_FILES])
def test_synth_is_byte_identical_with_either_bindings(runs, example):
    thin, prebuilt = runs["thin", example], runs["prebuilt", example]
    files = sorted(p.relative_to(prebuilt) for p in prebuilt.rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(thin) for p in thin.rglob("*") if p.is_file())
    assert Path("stacks/network/cdk.tf.json") in files
    for rel in files:
        assert (thin / rel).read_bytes() == (prebuilt / rel).read_bytes(), f"{example}: {rel} differs"
    network = json.loads((thin / "stacks/network/cdk.tf.json").read_text())
    assert network["terraform"]["required_providers"]["google"] == {"source": "hashicorp/google", "version": ">= 7.5.0, < 9.0.0"}
    assert "google_compute_subnetwork" in network["resource"]


def test_kitchen_sink_serializes_identically(runs):
    thin, prebuilt = runs["thin", "kitchen-sink"], runs["prebuilt", "kitchen-sink"]
    doc = json.loads(thin)
    assert len(doc["resource"]) == 10 and len(doc["provider"]["google"]) == 2 and doc["data"]["google_client_config"]
    assert doc["resource"]["google_container_cluster"]["gke"]["node_config"]["linux_node_config"]["hugepages_config"] == {
        "hugepage_size_1g": 1}
    if thin != prebuilt:  # show the difference as a diff of the pretty-printed documents
        import difflib

        diff = "\n".join(difflib.unified_diff(prebuilt.splitlines(), thin.splitlines(), "prebuilt", "thin", lineterm=""))
        pytest.fail(f"thin and prebuilt kitchen-sink documents differ:\n{diff}")
