"""The twin as a running service: deploy the seed, then the tutorial's step 12 with the real
kubectl against each context `sandbox kubeconfig` writes; `sandbox down` leaves no process; a
deploy with the service down starts it (and says so), one with it up uses it."""

import json
import os
import shutil
import subprocess

import pytest

pytestmark = pytest.mark.e2e

PROVIDER_ENV = "cluster1-jp-for-gke"   # ENV_NAME of the seed's service1, what the provider answers


def daemon_pid(crosscloud) -> int | None:
    st = json.loads(crosscloud.run("sandbox", "status", "--json", check=False).stdout)
    return st["pid"] if st["running"] else None


def gone(pid: int) -> bool:
    """No such process, or only its exit status left (a zombie where PID 1 does not reap)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    try:
        state = next(l for l in open(f"/proc/{pid}/status") if l.startswith("State:"))
    except (FileNotFoundError, StopIteration):
        return True
    return "zombie" in state


def test_step_12_with_kubectl_against_the_running_twin(crosscloud, seed_config, tmp_path):
    kubectl = shutil.which("kubectl")
    assert kubectl, "kubectl is required on PATH"
    up = crosscloud.run("sandbox", "up")
    assert "running (pid" in up.stdout and "started the sandbox service" in up.stderr
    pid = daemon_pid(crosscloud)

    deployed = crosscloud.run("deploy", "-c", seed_config)
    assert "started the sandbox service" not in deployed.stderr     # it was up: deploy used it
    assert daemon_pid(crosscloud) == pid

    config = tmp_path / "kubeconfig"
    config.write_text(crosscloud.run("sandbox", "kubeconfig", "-c", seed_config).stdout)

    def k(context, *args):
        out = subprocess.run([kubectl, "--kubeconfig", str(config), "--context", context,
                              "--cache-dir", str(tmp_path / "cache"), *args],
                             capture_output=True, text=True, timeout=60)
        assert out.returncode == 0, f"kubectl --context {context} {' '.join(args)}:\n{out.stderr}"
        return out.stdout

    contexts = k("hub", "config", "get-contexts", "-o", "name").split()
    assert sorted(contexts) == ["ask-provider", "gke-consumer", "hub"]
    # the tutorial's app is web-demo; crosscloud names it after the service (k8s_manifests/render.py)
    assert "service1" in k("hub", "get", "app", "service1", "-n", "provider-ns")
    # `kubectl amc get deployment,service -m <ASK id>` is this per-context read
    provider = k("ask-provider", "get", "deployment,service", "-n", "provider-ns")
    assert "deployment.apps/service1" in provider and "service/service1" in provider
    for context in ("ask-provider", "gke-consumer"):                  # ... `-m all`
        mcs = k(context, "get", "serviceexport,serviceimport", "-n", "provider-ns", "-o", "name")
        assert ("serviceexport" if context == "ask-provider" else "serviceimport") in mcs
    assert "amcs-service1" in k("gke-consumer", "get", "svc", "-n", "provider-ns")
    pods = k("gke-consumer", "get", "pod", "-n", "provider-ns", "-l", "app=service1-consumer", "-o", "name").split()
    assert pods, "no service1-consumer pod in gke-consumer"
    answer = k("gke-consumer", "exec", "-n", "provider-ns", pods[0].split("/")[1], "--",
               "curl", "amcs-service1.provider-ns.svc.cluster.local")
    assert json.loads(answer)["env"] == PROVIDER_ENV

    down = crosscloud.run("sandbox", "down")
    assert f"stopped the sandbox service (pid {pid})" in down.stdout
    assert gone(pid) and daemon_pid(crosscloud) is None
    assert not (crosscloud.state_dir / "sandbox" / "daemon.pid").exists()

    # with the service down, verify (like deploy) starts it and says so
    verified = crosscloud.run("verify", "-c", seed_config)
    assert "started the sandbox service" in verified.stderr and "checks passed" in verified.stdout
    assert daemon_pid(crosscloud) is not None


def test_deploy_with_the_service_down_starts_it(crosscloud, seed_config):
    assert daemon_pid(crosscloud) is None
    out = crosscloud.run("deploy", "-c", seed_config)
    assert "started the sandbox service" in out.stderr and "fleet ready" in out.stderr
    pid = daemon_pid(crosscloud)
    assert pid is not None                          # it keeps running after the command
    # restart-safe: stopped and started again, the fleet is still served
    crosscloud.run("sandbox", "down")
    assert gone(pid)
    crosscloud.run("sandbox", "up")
    code = crosscloud.run("verify", "-c", seed_config, "--json", check=False)
    assert code.returncode == 0, code.stdout
    crosscloud.run("destroy", "-c", seed_config)
    assert crosscloud.store_objects() == []
