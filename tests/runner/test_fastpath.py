"""fastpath: when init and plan may be skipped, and every reason they may not."""

import json

from crosscloud.runner import fastpath

STATE = {"version": 4, "serial": 1, "outputs": {"vpc": {"value": "vpc-1"}},
         "resources": [{"mode": "managed", "type": "alicloud_vpc", "name": "vpc",
                        "instances": [{"attributes": {"id": "vpc-1"}}]}]}


ENV = {"TF_VAR_ipsec_psk": "k1"}


def stack(tmp_path, name="net", state=STATE):
    d = tmp_path / name
    d.mkdir()
    (d / "cdk.tf.json").write_text(json.dumps({"terraform": {"required_providers": {"a": {"version": "1"}}}}))
    (d / f"terraform.{name}.tfstate").write_text(json.dumps(state))
    return d


def test_init_skipped_only_while_its_inputs_are_unchanged(tmp_path):
    d = stack(tmp_path)
    env = {"TF_CLI_CONFIG_FILE": str(tmp_path / "rc")}
    (tmp_path / "rc").write_text("provider_installation {}")
    assert not fastpath.init_is_current(d, env)  # never initialized
    (d / ".terraform" / "providers").mkdir(parents=True)
    fastpath.mark_initialized(d, env)
    assert fastpath.init_is_current(d, env)
    (d / ".terraform.lock.hcl").write_text("changed")
    assert not fastpath.init_is_current(d, env)
    fastpath.mark_initialized(d, env)
    (tmp_path / "rc").write_text("provider_installation { filesystem_mirror {} }")
    assert not fastpath.init_is_current(d, env)
    fastpath.mark_initialized(d, env)
    (d / "cdk.tf.json").write_text(json.dumps({"terraform": {"required_providers": {"a": {"version": "2"}}}}))
    assert not fastpath.init_is_current(d, env)


def test_plan_skipped_only_with_unchanged_inputs_and_everything_present(tmp_path):
    up = stack(tmp_path, "up")
    d = stack(tmp_path)
    upstream = {"up": up}
    present = lambda t, i: {"id": i}
    assert fastpath.plan_skippable(d, "net", upstream, ENV, present) is None  # never applied
    fastpath.mark_applied(d, "net", upstream, ENV)
    assert "all 1 resources exist" in fastpath.plan_skippable(d, "net", upstream, ENV, present)
    assert fastpath.plan_skippable(d, "net", upstream, ENV, None) is None  # no live reader: always plan
    assert fastpath.plan_skippable(d, "net", upstream, ENV, lambda t, i: None) is None  # deleted out of band
    (up / "terraform.up.tfstate").write_text(json.dumps({**STATE, "outputs": {"vpc": {"value": "vpc-2"}}}))
    assert fastpath.plan_skippable(d, "net", upstream, ENV, present) is None  # upstream output changed
    fastpath.mark_applied(d, "net", upstream, ENV)
    (d / "cdk.tf.json").write_text("{}")
    assert fastpath.plan_skippable(d, "net", upstream, ENV, present) is None  # synthesized anew, differently
    fastpath.mark_applied(d, "net", upstream, ENV)
    assert fastpath.plan_skippable(d, "net", upstream, {"TF_VAR_ipsec_psk": "k2"}, present) is None  # variable changed
    fastpath.forget_applied(d)
    assert fastpath.plan_skippable(d, "net", upstream, ENV, present) is None


def test_stacks_with_data_sources_that_may_answer_differently_always_plan(tmp_path):
    reread = {"mode": "data", "type": "alicloud_cs_cluster_credential", "name": "c", "instances": [{"attributes": {}}]}
    remote = {"mode": "data", "type": "terraform_remote_state", "name": "n", "instances": [{"attributes": {}}]}
    d = stack(tmp_path, "clusters", {**STATE, "resources": [*STATE["resources"], reread]})
    fastpath.mark_applied(d, "clusters", {}, ENV)
    assert fastpath.plan_skippable(d, "clusters", {}, ENV, lambda t, i: {"id": i}) is None  # no expiration known
    other = {"mode": "data", "type": "google_client_config", "name": "me", "instances": [{"attributes": {}}]}
    o = stack(tmp_path, "other", {**STATE, "resources": [*STATE["resources"], other]})
    fastpath.mark_applied(o, "other", {}, ENV)
    assert fastpath.plan_skippable(o, "other", {}, ENV, lambda t, i: {"id": i}) is None
    v = stack(tmp_path, "vpn", {**STATE, "resources": [*STATE["resources"], remote]})
    fastpath.mark_applied(v, "vpn", {}, ENV)
    assert fastpath.plan_skippable(v, "vpn", {}, ENV, lambda t, i: {"id": i})


def test_cluster_credential_skippable_only_with_most_of_its_life_left(tmp_path):
    from datetime import datetime, timezone

    now = datetime(2026, 12, 1, tzinfo=timezone.utc).timestamp()

    def cred(expires: str) -> dict:
        return {"mode": "data", "type": "alicloud_cs_cluster_credential", "name": "c",
                "instances": [{"attributes": {"expiration": expires, "temporary_duration_minutes": 4320}}]}

    fresh = stack(tmp_path, "fresh", {**STATE, "resources": [*STATE["resources"], cred("2026-12-03T12:00:00Z")]})
    fastpath.mark_applied(fresh, "fresh", {}, ENV)
    assert fastpath.plan_skippable(fresh, "fresh", {}, ENV, lambda t, i: {"id": i}, now=now)  # 60 h of 72 left
    aging = stack(tmp_path, "aging", {**STATE, "resources": [*STATE["resources"], cred("2026-12-02T10:00:00Z")]})
    fastpath.mark_applied(aging, "aging", {}, ENV)
    assert fastpath.plan_skippable(aging, "aging", {}, ENV, lambda t, i: {"id": i}, now=now) is None  # 34 h of 72: more than half gone
