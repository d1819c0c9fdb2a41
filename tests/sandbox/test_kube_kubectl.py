"""kubectl against the emulated API: the same kubeconfig a user would get, over TLS."""

import shutil
import subprocess
import threading
import time

import pytest

from crosscloud.sandbox.kube import KubeApiServer, write_kubeconfig
from crosscloud.sandbox.kube.clusters import ASK
from crosscloud.sandbox.kube.testing import populate_fleet
from crosscloud.sandbox.store import CloudStore

MANIFEST = """
apiVersion: v1
kind: Namespace
metadata: {name: provider-ns}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web-demo, namespace: provider-ns, labels: {app: web-demo}}
spec:
  replicas: 2
  selector: {matchLabels: {app: web-demo}}
  template:
    metadata: {labels: {app: web-demo}}
    spec:
      containers:
      - {name: web-demo, image: "bwbw723/ack_one_demo_provider:1.0", env: [{name: ENV_NAME, value: x}]}
"""


@pytest.fixture
def kubectl(tmp_path):
    exe = shutil.which("kubectl")
    assert exe, "kubectl is required on PATH for this test (the machine image ships it at /usr/bin/kubectl)"
    cloud = CloudStore(tmp_path / "cloud.db")
    fleet = populate_fleet(cloud)
    before = set(threading.enumerate())
    api = KubeApiServer(tmp_path, cloud_store=cloud, delay=0.05)
    api.start()
    config = write_kubeconfig(tmp_path / "ask.kubeconfig", api.kubeconfig(ASK, fleet.ask))

    def run(*args):
        out = subprocess.run([exe, "--kubeconfig", str(config), "--cache-dir", str(tmp_path / "cache"), *args],
                             capture_output=True, text=True, timeout=120)
        assert out.returncode == 0, f"kubectl {' '.join(args)} failed:\n{out.stderr}"
        return out.stdout

    yield run, tmp_path
    api.stop()
    deadline = time.time() + 5
    while time.time() < deadline and set(threading.enumerate()) - before:
        time.sleep(0.05)
    assert not (set(threading.enumerate()) - before)


def test_kubectl_server_side_apply_and_get(kubectl):
    run, tmp_path = kubectl
    (tmp_path / "m.yaml").write_text(MANIFEST)
    assert run("get", "deployments", "-A").strip() == ""       # "No resources found" goes to stderr
    applied = run("apply", "--server-side", "-f", str(tmp_path / "m.yaml"))
    assert "deployment.apps/web-demo serverside-applied" in applied
    deadline = time.time() + 5
    while "2/2" not in (listed := run("get", "deployments", "-A")) and time.time() < deadline:
        time.sleep(0.1)
    header, row = listed.strip().splitlines()
    assert header.split()[:3] == ["NAMESPACE", "NAME", "READY"]
    assert row.split()[:3] == ["provider-ns", "web-demo", "2/2"]
    pods = run("get", "pods", "-n", "provider-ns", "-l", "app=web-demo", "-o", "name").split()
    assert len(pods) == 2 and all(p.startswith("pod/web-demo-") for p in pods)
