"""Interrupts, damaged state and secrets on disk, through the real CLI, terraform and the twin.

Nothing lost, nothing duplicated: a deploy interrupted at many points (SIGINT and SIGTERM, in
every phase) exits 130/143 with the lock released and the journal saying "interrupted"; the next
deploy converges with each object once, and destroy leaves an empty twin and no file holding the
pre-shared key."""

import json
import os
import signal
import time
from collections import Counter
from pathlib import Path

import pytest

pytestmark = pytest.mark.e2e

# (progress text to wait for, extra seconds, signal): points spread over every phase of a deploy
INTERRUPT_POINTS = [
    ("network    apply", 0.0, signal.SIGINT),  # the first creates in flight
    ("network    apply", 0.3, signal.SIGTERM),
    ("vpn        apply", 0.2, signal.SIGINT),  # the VPN gateway create (latency-modelled)
    ("clusters   apply", 0.5, signal.SIGTERM),  # ASK + GKE creates in flight together
    ("fleet      apply", 0.1, signal.SIGINT),
    ("vpn-link   waiting", 0.0, signal.SIGTERM),
    ("members    apply", 0.0, signal.SIGINT),
    ("fleet      register", 0.0, signal.SIGINT),  # the ACK One phase
]


def _terraform_children(state_dir: Path) -> list[int]:
    """terraform processes still running in one of this state dir's stacks."""
    out = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            cmd = (proc / "cmdline").read_bytes().split(b"\0")[0]
            cwd = os.readlink(proc / "cwd")
        except OSError:
            continue
        if cmd.endswith(b"terraform") and cwd.startswith(str(state_dir)):
            out.append(int(proc.name))
    return out


def _interrupt_at(crosscloud, seed_config, marker: str, delay: float, sig: int) -> int:
    proc = crosscloud.start("deploy", "-c", seed_config)
    seen = []
    for line in proc.stdout:
        seen.append(line)
        if marker in line:
            time.sleep(delay)
            proc.send_signal(sig)
            break
    rest, _ = proc.communicate(timeout=600)
    output = "".join(seen) + rest
    assert "Traceback" not in output, output
    if proc.returncode == 0:  # this run got past the point: it converged on its own
        return 0
    assert proc.returncode == 128 + sig, output
    assert ("terminated" if sig == signal.SIGTERM else "interrupted") in rest, output
    journal = json.loads((crosscloud.state_dir / "journal.json").read_text())
    assert journal["outcome"] == "interrupted", journal
    assert not (crosscloud.state_dir / "lock").exists(), "the lock must be released"
    assert _terraform_children(crosscloud.state_dir) == [], "no terraform left running without its parent"
    return proc.returncode


def _no_duplicates(crosscloud) -> list[dict]:
    objects = crosscloud.store_objects()
    named = Counter((o["type"], o["name"]) for o in objects if o.get("name"))
    assert [k for k, n in named.items() if n > 1] == [], objects
    return objects


def _files_with(root: Path, secret: str, skip: str = "sandbox") -> list[Path]:
    hits = []
    for path in root.rglob("*"):
        if path.is_file() and skip not in path.relative_to(root).parts[:1]:
            try:
                if secret.encode() in path.read_bytes():
                    hits.append(path)
            except OSError:
                pass
    return hits


def test_interrupted_at_many_points_then_converges(crosscloud, seed_config):
    crosscloud.env["CROSSCLOUD_SANDBOX_LATENCY"] = "0.15"
    codes = [_interrupt_at(crosscloud, seed_config, *point) for point in INTERRUPT_POINTS]
    assert codes.count(130) + codes.count(143) >= len(INTERRUPT_POINTS) // 2, codes  # most points were hit

    crosscloud.run("deploy", "-c", seed_config)  # converges: no "already exists"
    objects = _no_duplicates(crosscloud)
    st = crosscloud.json("status", "-c", seed_config)
    assert st["vpn"]["up"] and all(s["applied"] and s["drift"] is False for s in st["stacks"].values())
    again = crosscloud.run("deploy", "-c", seed_config, "--json")
    assert json.loads(again.stdout)["changed"] == []
    assert len(crosscloud.store_objects()) == len(objects)

    crosscloud.run("destroy", "-c", seed_config)
    assert crosscloud.store_objects() == []


def test_interrupted_destroy_then_destroy_empties_the_twin(crosscloud, seed_config):
    crosscloud.run("deploy", "-c", seed_config, "--skip-fleet-phase")
    crosscloud.env["CROSSCLOUD_SANDBOX_LATENCY"] = "0.15"
    proc = crosscloud.start("destroy", "-c", seed_config)
    for line in proc.stdout:
        if " destroy " in line:
            proc.send_signal(signal.SIGTERM)
            break
    rest, _ = proc.communicate(timeout=600)
    assert proc.returncode in (0, 143) and "Traceback" not in rest, rest
    assert not (crosscloud.state_dir / "lock").exists()
    crosscloud.env["CROSSCLOUD_SANDBOX_LATENCY"] = "0"
    crosscloud.run("destroy", "-c", seed_config)
    assert crosscloud.store_objects() == []


DAMAGE = {
    "emptied": lambda p: p.write_text(""),
    "blank": lambda p: p.write_text("\n \n"),
    "truncated": lambda p: p.write_bytes(p.read_bytes()[: len(p.read_bytes()) // 2]),
    "missing": lambda p: p.unlink(),
    "not-a-state": lambda p: p.write_text("[1, 2, 3]"),
    "binary": lambda p: p.write_bytes(b"\xff\xfe\x00garbage"),
}


def test_damaged_state_refused_then_restored_and_secrets_gone_after_destroy(crosscloud, seed_config):
    crosscloud.run("deploy", "-c", seed_config)
    psk = (crosscloud.state_dir / "sandbox" / "psk").read_text().strip()
    assert not list(crosscloud.state_dir.rglob("*.tfplan")) and not list(crosscloud.state_dir.rglob("tfplan"))
    before = len(crosscloud.store_objects())
    stacks = crosscloud.state_dir / "out" / "stacks"

    for i, (kind, damage) in enumerate(DAMAGE.items()):
        stack = ("vpn", "network", "clusters", "members", "fleet", "gke")[i]
        state = stacks / stack / f"terraform.{stack}.tfstate"
        good = state.read_bytes()
        damage(state)
        for command in ("deploy", "status", "destroy"):
            out = crosscloud.run(command, "-c", seed_config, check=False)
            assert out.returncode == 1 and "Traceback" not in out.stderr, (kind, command, out.stderr)
            assert f"stack {stack}" in out.stderr and str(state) in out.stderr, (kind, command, out.stderr)
            assert "state push" in out.stderr, out.stderr
        doc = json.loads(crosscloud.run("status", "-c", seed_config, "--json", check=False).stdout)
        assert doc["error"]["kind"] == "damaged-state" and doc["error"]["path"] == str(state), doc
        state.write_bytes(good)
        assert len(crosscloud.store_objects()) == before, f"{kind}: nothing created or deleted meanwhile"

    journal = crosscloud.state_dir / "journal.json"
    for garbage in ("", "{not json", "[]"):
        journal.write_text(garbage)
        out = crosscloud.run("deploy", "-c", seed_config, "--json")
        assert json.loads(out.stdout)["changed"] == [] and "started a new one" in out.stderr

    crosscloud.run("destroy", "-c", seed_config)
    assert crosscloud.store_objects() == []
    assert _files_with(crosscloud.state_dir, psk) == [], "no secret-bearing file outlives destroy"
