"""Two services in one namespace on one provider: verify reaches each through its own amcs-<svc>."""

import copy
import json

import pytest
import yaml

pytestmark = pytest.mark.e2e


def test_two_services_in_one_namespace_both_verified(crosscloud, seed_config, tmp_path):
    data = yaml.safe_load(open(seed_config).read())
    second = copy.deepcopy(dict(data["services"][0], name="service2", env={"ENV_NAME": "second-service"}))
    data["services"].append(second)
    config = tmp_path / "two-in-one-ns.yaml"
    config.write_text(yaml.safe_dump(data))
    crosscloud.run("deploy", "-c", str(config))
    out = crosscloud.run("verify", "-c", str(config), "--json", check=False)
    result = json.loads(out.stdout)
    assert out.returncode == 0 and result["passed"], json.dumps(result, indent=1)
    text = json.dumps(result)
    assert "second-service" in text and "cluster1-jp-for-gke" in text, text
    crosscloud.run("destroy", "-c", str(config))
    assert crosscloud.store_objects() == []
