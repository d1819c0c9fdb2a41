"""The sandbox's controllers, run as one reconcile pass after every write and on a timer.

A pass is deterministic: it reads the CloudStore (clusters, fleets) and kube.db, then makes the
emulated clusters agree: Deployments run Pods, agents connect registered clusters, hubs place
objects into members, and fleets wire Multi-cluster Services. Passes repeat until nothing
changes (each controller's output can be another's input).
"""

from __future__ import annotations

import threading
import time

from ...store import CloudStore
from ..storage import KubeStore
from . import agents, mcs, placement, workloads
from .common import Env, log

MAX_PASSES = 6


class Reconciler:
    def __init__(self, cloud: CloudStore, kube: KubeStore, delay: float):
        self.cloud, self.kube, self.delay = cloud, kube, delay
        self._lock = threading.Lock()
        self.wake_at: float | None = None

    def run(self) -> None:
        with self._lock:
            self.wake_at = None
            for _ in range(MAX_PASSES):
                before = self.kube.current_rv()
                env = self._pass()
                self.wake_at = env.wake_at
                if self.kube.current_rv() == before:
                    break

    def _pass(self) -> Env:
        env = Env(self.cloud, self.kube, self.delay, time.time())
        for step, fn in (("deleted clusters", lambda: self._forget_deleted(env)),
                         ("agents", lambda: agents.reconcile(env)),
                         ("workloads", lambda: [workloads.reconcile(env, c) for c in env.workload_clusters()]),
                         ("fleet", lambda: self._fleets(env))):
            try:
                fn()
            except Exception:           # one broken object must not stop the other controllers
                log.exception("sandbox controller %s failed", step)
        return env

    @staticmethod
    def _forget_deleted(env: Env) -> None:
        # A cluster destroyed in the cloud takes its Kubernetes objects with it; a new cluster
        # of the same name must start empty.
        for key in env.kube.cluster_keys() - set(env.directory.clusters):
            env.kube.drop_cluster(key)
        for registered_id in set(env.kube.agents()) - set(env.directory.registered):
            env.kube.drop_agent(registered_id)

    @staticmethod
    def _fleets(env: Env) -> None:
        wanted: set = set()
        for hub in env.directory.hubs():
            placement.reconcile(env, hub)
            wanted |= mcs.reconcile(env, hub)
        mcs.collect_garbage(env, wanted)


class Ticker:
    """Runs the reconciler periodically: soon when a timed change is due, else every `idle` s."""

    def __init__(self, reconciler: Reconciler, *, idle: float = 1.0, step: float = 0.05):
        self.reconciler, self.idle, self.step = reconciler, idle, step
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="kube-sandbox-reconcile", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)

    def _loop(self) -> None:
        last_full = 0.0
        while not self._stop.wait(self.step):
            now = time.time()
            due = self.reconciler.wake_at is not None and now >= self.reconciler.wake_at
            if due or now - last_full >= self.idle:
                last_full = now
                try:
                    self.reconciler.run()
                except Exception:
                    log.exception("sandbox reconcile failed")
