"""`kubectl exec` (the real binary, websocket v5.channel.k8s.io) into the tutorial's consumer pod:
curl reaches the provider through the same proxy checks as verify, and fails as curl would when
the VPN is down or the name does not resolve."""

import json
import shutil
import subprocess

import pytest
from kubernetes import client

from crosscloud.sandbox.kube import write_kubeconfig
from crosscloud.sandbox.kube.clusters import ASK, GKE
from crosscloud.sandbox.kube.remote_exec import accept_key, encode_frame, read_frame
from test_kube_fleet import consumer_pod, deploy_tutorial, sb, wait_for  # noqa: F401  (sb is a fixture)

ANSWER_ENV = "cluster1-jp-for-gke"   # the ENV_NAME of the tutorial's provider Deployment


@pytest.fixture
def kubectl(sb, tmp_path):
    exe = shutil.which("kubectl")
    assert exe, "kubectl is required on PATH for this test"
    deploy_tutorial(sb)
    ask_apps = client.AppsV1Api(sb.typed(ASK, sb.fleet.ask))
    wait_for(lambda: ask_apps.read_namespaced_deployment("web-demo", "provider-ns").status.available_replicas)
    _, pod = consumer_pod(sb)
    config = write_kubeconfig(tmp_path / "gke.kubeconfig", sb.api.kubeconfig(GKE, sb.fleet.gke))

    def run(*args, stdin=None):
        return subprocess.run([exe, "--kubeconfig", str(config), "--cache-dir", str(tmp_path / "cache"), *args],
                              capture_output=True, text=True, timeout=60, input=stdin)

    return run, pod.metadata.name


def test_exec_curl_amcs_service_returns_the_providers_answer(kubectl, sb):
    run, pod = kubectl
    out = run("exec", "-n", "provider-ns", pod, "--", "curl", "amcs-service1.provider-ns.svc.cluster.local")
    assert out.returncode == 0, out.stderr
    body = json.loads(out.stdout)
    assert (body["provider"], body["cluster"], body["env"]) == ("web-demo", sb.fleet.ask, ANSWER_ENV)
    # the consumer's own web app on 8080 calls the same service (the tutorial's second curl)
    local = run("exec", "-n", "provider-ns", pod, "--", "curl", "-s", "127.0.0.1:8080")
    assert local.returncode == 0 and json.loads(local.stdout)["env"] == ANSWER_ENV
    # kubectl picks a pod of the Deployment itself (as the README shows)
    by_deployment = run("exec", "-n", "provider-ns", "deploy/demo-consumer", "--", "curl", "amcs-service1.provider-ns")
    assert by_deployment.returncode == 0 and json.loads(by_deployment.stdout)["env"] == ANSWER_ENV, by_deployment.stderr


def test_exec_interactive_shell_runs_the_tutorials_commands(kubectl):
    run, pod = kubectl
    script = "curl amcs-service1.provider-ns.svc.cluster.local\nhostname\nexit\n"
    out = run("exec", "-n", "provider-ns", "-i", pod, "--", "sh", stdin=script)
    assert out.returncode == 0, out.stderr
    first, second = out.stdout.splitlines()[:2]
    assert json.loads(first)["env"] == ANSWER_ENV and second == pod


def test_exec_curl_times_out_when_the_vpn_is_down(kubectl, sb):
    run, pod = kubectl
    sb.network["up"] = False
    out = run("exec", "-n", "provider-ns", pod, "--", "curl", "amcs-service1.provider-ns.svc.cluster.local")
    assert out.returncode == 28, (out.stdout, out.stderr)
    assert "curl: (28)" in out.stderr and "IPsec tunnel is down" in out.stderr and out.stdout == ""


def test_exec_curl_unknown_host_and_unknown_command(kubectl):
    run, pod = kubectl
    out = run("exec", "-n", "provider-ns", pod, "--", "curl", "nope.provider-ns.svc.cluster.local")
    assert out.returncode == 6 and "Could not resolve host: nope.provider-ns.svc.cluster.local" in out.stderr
    out = run("exec", "-n", "provider-ns", pod, "--", "wget", "x")
    assert out.returncode == 127 and "wget: not found" in out.stderr


def test_exec_into_a_missing_pod_is_not_found(kubectl):
    run, _ = kubectl
    out = run("exec", "-n", "provider-ns", "no-such-pod", "--", "curl", "x")
    assert out.returncode != 0 and 'pods "no-such-pod" not found' in out.stderr


def test_websocket_frames_round_trip():
    import io

    key = "dGhlIHNhbXBsZSBub25jZQ=="
    assert accept_key(key) == "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="      # RFC 6455 section 1.3's example
    for size in (0, 125, 126, 70000):
        payload = bytes([1]) + b"x" * size
        assert read_frame(io.BytesIO(encode_frame(payload))) == (0x2, payload)
    masked = bytes([0x82, 0x80 | 3]) + b"\x01\x02\x03\x04" + bytes(b ^ m for b, m in zip(b"\x00hi", b"\x01\x02\x03"))
    assert read_frame(io.BytesIO(masked)) == (0x2, b"\x00hi")
    assert read_frame(io.BytesIO(b"")) is None
