"""GIVEN rendered documents WHEN validated against the kinds' schemas THEN the good ones pass and
each broken one fails with a message naming the document and the field."""

import copy

import pytest

from support import EXAMPLES
from crosscloud.config import load_topology
from crosscloud.k8s_manifests import ClusterIds, render, validate, validate_document, validate_files
from crosscloud.k8s_manifests.validate import known_kinds
from manifests_helpers import MULTI_IDS, SEED_IDS, doc, multi_service, topology


@pytest.fixture(params=["kubevela", "propagation-policy"])
def files(request, seed_data):
    return render(topology(seed_data, distribution=request.param), SEED_IDS)


def test_every_rendered_document_validates(files, seed_data):
    assert validate_files(files) == []
    assert validate([d for f in files for d in f.documents()]) == []
    multi = render(topology(multi_service(seed_data)), MULTI_IDS)
    assert validate_files(multi) == []


def test_every_kind_we_emit_has_a_schema(seed_data):
    kinds = set()
    for distribution in ("kubevela", "propagation-policy"):
        for discovery in ("multicluster-service", "service-export"):
            t = topology(seed_data, distribution=distribution, service_discovery=discovery)
            for f in render(t, SEED_IDS):
                kinds |= {(d["apiVersion"], d["kind"]) for d in f.documents()}
    assert kinds == set(known_kinds())


def _seed_doc(seed_data, kind, name, distribution="kubevela"):
    return copy.deepcopy(doc(render(topology(seed_data, distribution=distribution), SEED_IDS), kind, name))


def test_serviceimport_type_must_be_clustersetip_or_headless(seed_data):
    bad = _seed_doc(seed_data, "ServiceImport", "service1")
    bad["spec"]["type"] = "Bogus"
    assert validate([bad]) == [
        "ServiceImport provider-ns/service1: spec.type: 'Bogus' is not one of ClusterSetIP, Headless"]


def test_serviceimport_needs_ports(seed_data):
    bad = _seed_doc(seed_data, "ServiceImport", "service1")
    del bad["spec"]["ports"]
    assert validate([bad]) == ["ServiceImport provider-ns/service1: spec.ports: required field is missing"]


def test_deployment_without_selector(seed_data):
    bad = _seed_doc(seed_data, "Deployment", "service1")
    del bad["spec"]["selector"]
    assert validate([bad]) == ["Deployment provider-ns/service1: spec.selector: required field is missing"]


def test_deployment_selector_must_select_its_pods(seed_data):
    bad = _seed_doc(seed_data, "Deployment", "service1")
    bad["spec"]["selector"]["matchLabels"] = {"app": "other"}
    [problem] = validate([bad])
    assert problem.startswith("Deployment provider-ns/service1: spec.selector.matchLabels: {'app': 'other'} not in")


def test_wrong_types_and_ranges_name_the_field(seed_data):
    bad = _seed_doc(seed_data, "Deployment", "service1")
    container = bad["spec"]["template"]["spec"]["containers"][0]
    container["ports"][0]["containerPort"] = "8080"
    container["env"][0]["value"] = 3
    bad["spec"]["replicas"] = -1
    assert validate([bad]) == [
        "Deployment provider-ns/service1: spec.replicas: -1 is below the minimum 0",
        "Deployment provider-ns/service1: spec.template.spec.containers[0].ports[0].containerPort: expected integer, got string '8080'",
        "Deployment provider-ns/service1: spec.template.spec.containers[0].env[0].value: expected string, got integer 3",
    ]


def test_closed_schema_reports_unknown_fields(seed_data):
    bad = _seed_doc(seed_data, "Service", "service1")
    bad["spec"]["prots"] = bad["spec"].pop("ports")
    problems = validate([bad])
    assert problems[0].startswith("Service provider-ns/service1: spec.prots: unknown field (allowed here: clusterIP,")


def test_service_target_port_is_int_or_string(seed_data):
    svc = _seed_doc(seed_data, "Service", "service1")
    svc["spec"]["ports"][0]["targetPort"] = "http"
    assert validate([svc]) == []
    svc["spec"]["ports"][0]["targetPort"] = [8080]
    assert validate([svc]) == [
        "Service provider-ns/service1: spec.ports[0].targetPort: expected an integer or a string, got array [8080]"]


def test_application_needs_components_and_typed_policies(seed_data):
    bad = _seed_doc(seed_data, "Application", "service1")
    del bad["spec"]["policies"][0]["type"]
    bad["spec"]["components"][0].pop("name")
    assert validate([bad]) == [
        "Application provider-ns/service1: spec.components[0].name: required field is missing",
        "Application provider-ns/service1: spec.policies[0].type: required field is missing",
    ]


def test_topology_policy_properties_are_checked_against_the_definition(seed_data):
    bad = _seed_doc(seed_data, "Application", "amcs-import-service1")
    props = bad["spec"]["policies"][0]["properties"]
    props["cluster"] = props.pop("clusters")  # the easy typo
    [problem] = validate([bad])
    assert problem.startswith(
        "Application provider-ns/amcs-import-service1: spec.policies[0].properties.cluster: unknown field (allowed here:")
    props["clusters"] = "c123"
    del props["cluster"]
    assert validate([bad]) == ["Application provider-ns/amcs-import-service1: "
                               "spec.policies[0].properties.clusters: expected array, got string 'c123'"]


def test_propagation_policy_shape(seed_data):
    pp = _seed_doc(seed_data, "PropagationPolicy", "service1", "propagation-policy")
    pp["spec"]["placement"]["replicaScheduling"]["replicaSchedulingType"] = "Copied"
    pp["spec"]["resourceSelectors"][0].pop("kind")
    assert validate([pp]) == [
        "PropagationPolicy provider-ns/service1: spec.resourceSelectors[0].kind: required field is missing",
        "PropagationPolicy provider-ns/service1: spec.placement.replicaScheduling.replicaSchedulingType: "
        "'Copied' is not one of Duplicated, Divided",
    ]
    pp["spec"]["resourceSelectors"] = []
    assert "spec.resourceSelectors: has 0 item(s); at least 1 required" in validate([pp])[0]


def test_unknown_kind_and_non_mapping():
    problems = validate([{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "x"}}, ["not", "a", "map"]])
    assert problems[0].startswith("ConfigMap x: no schema for apiVersion 'v1' kind 'ConfigMap' (known: ")
    assert problems[1] == "<document>: a Kubernetes document must be a mapping, got array"


def test_metadata_needs_a_name():
    assert validate_document({"apiVersion": "v1", "kind": "Namespace", "metadata": {}}) == [
        "Namespace <no name>: metadata.name: required field is missing"]


def test_validate_files_names_the_file(files):
    broken = [type(f)(f.filename, f.target, f.text.replace("type: ClusterSetIP", "type: Bogus"), f.service) for f in files]
    problems = validate_files(broken)
    assert problems == ["hub/provider-ns/service1/service-policy.yaml: ServiceImport provider-ns/service1: "
                        "spec.type: 'Bogus' is not one of ClusterSetIP, Headless"]


@pytest.mark.parametrize("example", sorted(p.stem for p in EXAMPLES.glob("*.yaml")))
def test_every_example_renders_valid_manifests(example):
    t = load_topology(EXAMPLES / f"{example}.yaml")
    ids = ClusterIds(clusters={c.name: f"c{i:032x}" for i, c in enumerate(t.clusters, 1)}, fleet="c" + "f" * 32)
    files = render(t, ids)
    assert len(files) == sum(2 + len(s.consumers) for s in t.services)
    assert validate_files(files) == []
