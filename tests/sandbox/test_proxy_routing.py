"""The twin's consumer pods call the fleet Service they are for, not the first in the namespace."""

import pytest

from crosscloud.sandbox.kube.errors import ApiError
from crosscloud.sandbox.kube.proxy import consumed_service


def svc(name):
    return {"metadata": {"name": name}}


def dep(name):
    return {"metadata": {"name": name}}


TWO = [svc("amcs-orders"), svc("amcs-billing")]


@pytest.mark.parametrize("owner,expected", [("orders-consumer", "amcs-orders"), ("billing-consumer", "amcs-billing")])
def test_deployment_name_picks_its_service(owner, expected):
    assert consumed_service(TWO, dep(owner), {})["metadata"]["name"] == expected
    assert consumed_service(list(reversed(TWO)), dep(owner), {})["metadata"]["name"] == expected


def test_multi_cluster_service_copy_has_the_provider_name():
    assert consumed_service([svc("orders"), svc("billing")], dep("billing-consumer"), {})["metadata"]["name"] == "billing"


@pytest.mark.parametrize("value", ["http://amcs-billing.provider-ns.svc.cluster.local:80/", "amcs-billing:80", "amcs-billing"])
def test_env_naming_a_service_wins(value):
    assert consumed_service(TWO, dep("orders-consumer"), {"TARGET": value})["metadata"]["name"] == "amcs-billing"


def test_env_prefix_of_another_name_does_not_match():
    services = [svc("amcs-order"), svc("amcs-orders")]
    got = consumed_service(services, dep("x"), {"URL": "http://amcs-orders.ns.svc.cluster.local"})
    assert got["metadata"]["name"] == "amcs-orders"


def test_single_service_serves_the_tutorial_consumer():
    assert consumed_service([svc("amcs-service1")], dep("demo-consumer"), {})["metadata"]["name"] == "amcs-service1"


def test_ambiguous_consumer_is_an_error_naming_the_services():
    with pytest.raises(ApiError) as err:
        consumed_service(TWO, dep("demo-consumer"), {})
    assert err.value.code == 503 and "amcs-billing" in err.value.message and "amcs-orders" in err.value.message
