"""`crosscloud validate`: warnings print and exit 0; --strict makes them errors; --json has levels."""

import json

import yaml
from click.testing import CliRunner

from crosscloud.cli.main import cli
from support import EXAMPLES


def invoke(*args):
    return CliRunner().invoke(cli, ["validate", *args], catch_exceptions=False)


def test_warnings_are_printed_and_exit_0():
    result = invoke("-c", str(EXAMPLES / "seed.yaml"))
    assert result.exit_code == 0, result.output
    assert "valid, 4 warning(s)" in result.output
    assert "warning   clusters[0].kind: 'ask': ASK (ACK Serverless) cluster creation is closed" in result.output


def test_strict_turns_warnings_into_errors():
    result = invoke("-c", str(EXAMPLES / "seed.yaml"), "--strict")
    assert result.exit_code == 1
    assert "4 problem(s) (warnings, --strict)" in result.output
    assert "  - vpn.ike_lifetime_seconds: 86400: GCP Classic VPN uses a fixed 36000 s" in result.output


def test_strict_passes_without_warnings(tmp_path, seed_data):
    seed_data["clusters"] = [seed_data["clusters"][1]]  # no ASK
    seed_data["services"] = []
    seed_data["vpn"].update(ike_lifetime_seconds=36000, ipsec_lifetime_seconds=10800)
    path = tmp_path / "t.yaml"
    path.write_text(yaml.safe_dump(seed_data))
    result = invoke("-c", str(path), "--strict")
    # the services-range warning always applies: the range is in the selectors
    assert result.exit_code == 1 and "gcp.services_cidr" in result.output
    assert "clusters[0].kind" not in result.output and "lifetime" not in result.output


def test_json_lists_warnings_with_level():
    result = invoke("-c", str(EXAMPLES / "single.yaml"), "--json")
    assert result.exit_code == 0
    doc = json.loads(result.output)
    assert doc["valid"] is True and doc["strict"] is False and doc["name"] == "solo"
    assert {w["level"] for w in doc["warnings"]} == {"warning"}
    assert {"path": "alibaba.region", "value": "me-east-1"}.items() <= next(
        w for w in doc["warnings"] if w["path"] == "alibaba.region").items()


def test_json_strict_fails_with_warnings():
    result = invoke("-c", str(EXAMPLES / "single.yaml"), "--json", "--strict")
    assert result.exit_code == 1
    doc = json.loads(result.output)
    assert doc["valid"] is False and doc["warnings"] and "name" not in doc


def test_errors_still_exit_1_and_list_every_problem(tmp_path, seed_data):
    seed_data["gcp"]["zone"] = "us-central1-a"
    seed_data["vpn"]["mode"] = "single"
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump(seed_data))
    result = CliRunner().invoke(cli, ["validate", "-c", str(path)])
    assert result.exit_code == 1
    assert "gcp.zone: 'us-central1-a'" in result.output and "vpn.mode: 'single'" in result.output
