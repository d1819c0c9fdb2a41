"""GIVEN a topology WHEN synthesized THEN the provider security groups admit exactly the consumers
on the services' target ports, and the GCP firewall only what the Alibaba side opens."""

from crosscloud.config.model import Topology


def resources(doc: dict, rtype: str) -> dict:
    return doc.get("resource", {}).get(rtype, {})


def rules_by_source(doc: dict) -> dict:
    return {(r.get("cidr_ip") or r.get("source_security_group_id"), r["port_range"]): r
            for r in resources(doc, "alicloud_security_group_rule").values()}


def test_seed_provider_group_admits_gke_pods_and_nodes_on_the_target_port_only(synthesized, seed_data):
    docs = synthesized("seed")
    rules = rules_by_source(docs["clusters"])
    assert set(rules) == {(seed_data["gcp"]["pods_cidr"], "8080/8080"), (seed_data["gcp"]["subnet_cidr"], "8080/8080")}
    for r in rules.values():
        assert (r["type"], r["ip_protocol"], r["policy"], r["nic_type"]) == ("ingress", "tcp", "accept", "intranet")
        assert r["security_group_id"] == "${alicloud_cs_managed_kubernetes.ask_provider.security_group_id}"
    # no client key in Terraform state
    (ask,) = resources(docs["clusters"], "alicloud_cs_managed_kubernetes").values()
    assert ask["skip_set_certificate_authority"] is True


def test_firewall_admits_icmp_on_the_gke_nodes_only(synthesized, seed_data):
    docs = synthesized("seed")
    (fw,) = resources(docs["network"], "google_compute_firewall").values()
    assert fw["allow"] == [{"protocol": "icmp"}]          # nothing on tcp/udp: GKE serves nothing to Alibaba
    assert fw["source_ranges"] == [seed_data["alibaba"]["vpc_cidr"]]
    (pool,) = resources(docs["gke"], "google_container_node_pool").values()
    assert fw["target_tags"] == pool["node_config"]["tags"] == ["demo-gke-node"]


def test_alibaba_consumer_is_admitted_by_its_security_group(synthesized):
    docs = synthesized("two-services")
    rules = rules_by_source(docs["clusters"])
    edge = ("${alicloud_cs_managed_kubernetes.ask_edge.security_group_id}", "8080/8080")
    assert edge in rules and rules[edge]["security_group_id"].endswith("ask_provider.security_group_id}")
    # each (provider, port, source) once: service1 and orders have two providers, so four GKE rules
    assert len(resources(docs["clusters"], "alicloud_security_group_rule")) == 5


def test_a_service_gke_provides_to_alibaba_opens_its_port_in_the_firewall(seed_data):
    from crosscloud.synth import synthesize_documents

    seed_data["services"].append({
        "name": "reports", "namespace": "bi", "image": "example/reports:1", "port": 80, "target_port": 9090,
        "provider": "gke-consumer", "consumers": ["ask-provider"], "consumer_image": "example/client:1"})
    docs = synthesize_documents(Topology.model_validate(seed_data))[1]
    (fw,) = resources(docs["network"], "google_compute_firewall").values()
    assert fw["allow"] == [{"protocol": "icmp"}, {"protocol": "tcp", "ports": ["9090"]}]
    # GKE as provider: no Alibaba rule for it (only for services Alibaba provides)
    assert {k[1] for k in rules_by_source(docs["clusters"])} == {"8080/8080"}
