"""StopProvider: the sandbox provider lets in-flight calls finish; a create cut short keeps its id."""

import time

import pytest

from crosscloud.sandbox import stopping
from crosscloud.sandbox.cloud import Cloud
from crosscloud.sandbox.provider import STOP_GRACE_SECONDS, SandboxProvider, _StopGracefully
from crosscloud.sandbox.store import CloudStore


class Details:
    def __init__(self, method):
        self.method = method


class Server:
    stops = 0
    grace = None

    def stop(self, grace=None):
        self.stops += 1
        self.grace = grace


@pytest.fixture(autouse=True)
def fresh_stop():
    stopping.STOP.clear()
    yield
    stopping.STOP.clear()


def test_stop_provider_does_not_stop_the_server():
    interceptor = _StopGracefully()
    interceptor.server = Server()
    handler = object()
    assert interceptor.intercept_service(lambda d: handler, Details("/tfplugin6.Provider/StopProvider")) is handler
    assert stopping.STOP.is_set() and not interceptor.stopped and interceptor.server.stops == 0
    interceptor.intercept_service(lambda d: handler, Details("/plugin.GRPCController/Shutdown"))
    # Shutdown (after the calls Terraform waited for) stops the server at once, still with grace for a
    # call in flight, instead of when tf.runner's serve loop next polls
    deadline = time.monotonic() + 10
    while interceptor.server.stops == 0 and time.monotonic() < deadline:
        time.sleep(0.01)
    assert interceptor.stopped and interceptor.server.stops == 1 and interceptor.server.grace == STOP_GRACE_SECONDS


def _cloud(tmp_path, monkeypatch, latency):
    monkeypatch.setenv("CROSSCLOUD_SANDBOX_LATENCY", str(latency))
    p = SandboxProvider("alicloud")
    return Cloud(CloudStore(tmp_path / "cloud.db"), "alicloud", {"region": "ap-northeast-1"}, p.doc)


CONFIG = {"cidr_block": "192.168.0.0/16", "vpc_name": "demo-vpc"}


def planned_vpc(cloud):
    from crosscloud.sandbox import tfschema

    block = cloud.block("alicloud_vpc")
    proposed = tfschema.normalise(block, dict(CONFIG))
    return tfschema.plan_new(block, proposed, proposed, None, set())


def test_create_cut_short_by_stop_returns_its_id_and_keeps_the_object(tmp_path, monkeypatch):
    cloud = _cloud(tmp_path, monkeypatch, 600)  # a create that would wait a minute
    import threading

    threading.Timer(0.1, stopping.STOP.set).start()
    with pytest.raises(stopping.CreateInterrupted) as err:
        cloud.create("alicloud_vpc", planned_vpc(cloud))
    state = err.value.state
    assert state["id"].startswith("vpc-")
    assert cloud.read("alicloud_vpc", {"id": state["id"]}) is not None  # recorded by Terraform as tainted


def test_create_without_stop_is_unchanged(tmp_path, monkeypatch):
    cloud = _cloud(tmp_path, monkeypatch, 0)
    state = cloud.create("alicloud_vpc", planned_vpc(cloud))
    assert cloud.read("alicloud_vpc", {"id": state["id"]})["cidr_block"] == "192.168.0.0/16"
