"""--target: credentials are checked up front and the sandbox is never a silent fallback."""

import pytest

from crosscloud.config import parse_topology
from crosscloud.runner.targets import TargetError, resolve_target

CREDS = ["ALIBABA_CLOUD_ACCESS_KEY_ID", "ALIBABA_CLOUD_ACCESS_KEY_SECRET", "GOOGLE_APPLICATION_CREDENTIALS",
         "GOOGLE_CREDENTIALS", "GOOGLE_OAUTH_ACCESS_TOKEN", "TF_VAR_ipsec_psk", "TF_TOKEN_app_terraform_io"]


@pytest.fixture
def clean_env(monkeypatch):
    for var in CREDS:
        monkeypatch.delenv(var, raising=False)
    return monkeypatch


def test_clouds_without_credentials_names_every_missing_variable(clean_env, seed_data, tmp_path):
    with pytest.raises(TargetError) as err:
        resolve_target("clouds", parse_topology(seed_data), tmp_path)
    msg = str(err.value)
    for var in ("ALIBABA_CLOUD_ACCESS_KEY_ID", "ALIBABA_CLOUD_ACCESS_KEY_SECRET", "GOOGLE_APPLICATION_CREDENTIALS", "TF_VAR_ipsec_psk"):
        assert var in msg
    assert not (tmp_path / "sandbox").exists(), "must not fall back to the sandbox"


def test_clouds_with_credentials(clean_env, seed_data, tmp_path):
    for var, value in [("ALIBABA_CLOUD_ACCESS_KEY_ID", "a"), ("ALIBABA_CLOUD_ACCESS_KEY_SECRET", "b"),
                       ("GOOGLE_OAUTH_ACCESS_TOKEN", "c"), ("TF_VAR_ipsec_psk", "k3y")]:
        clean_env.setenv(var, value)
    target = resolve_target("clouds", parse_topology(seed_data), tmp_path)
    assert target.name == "clouds" and target.secrets == ["k3y"]
    assert target.env == {"TF_VAR_ipsec_psk_wo": "k3y"}  # the ephemeral twin of the PSK variable
    clean_env.setenv("TF_VAR_ipsec_psk_wo", "own")
    assert resolve_target("clouds", parse_topology(seed_data), tmp_path).env == {"TF_VAR_ipsec_psk_wo": "own"}


def test_terraform_cloud_needs_its_token_not_a_local_psk(clean_env, seed_data, tmp_path):
    seed_data["backend"] = {"type": "cloud", "organization": "acme", "workspace_prefix": "cc"}
    for var in ("ALIBABA_CLOUD_ACCESS_KEY_ID", "ALIBABA_CLOUD_ACCESS_KEY_SECRET", "GOOGLE_CREDENTIALS"):
        clean_env.setenv(var, "x")
    with pytest.raises(TargetError, match="TF_TOKEN_app_terraform_io"):
        resolve_target("clouds", parse_topology(seed_data), tmp_path)
    clean_env.setenv("TF_TOKEN_app_terraform_io", "t")
    assert resolve_target("clouds", parse_topology(seed_data), tmp_path).name == "clouds"


def test_sandbox_refuses_terraform_cloud_backend(seed_data, tmp_path):
    seed_data["backend"] = {"type": "cloud", "organization": "acme", "workspace_prefix": "cc"}
    with pytest.raises(TargetError, match="cannot reach the local sandbox"):
        resolve_target("sandbox", parse_topology(seed_data), tmp_path)
