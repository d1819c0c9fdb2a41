import copy
import os

import pytest
import yaml
from support import EXAMPLES

os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")
os.environ.setdefault("CHECKPOINT_DISABLE", "1")


@pytest.fixture
def seed_data() -> dict:
    """The seed topology as plain data, a fresh copy per test to mutate."""
    return copy.deepcopy(_SEED)


_SEED = yaml.safe_load((EXAMPLES / "seed.yaml").read_text())


@pytest.fixture(scope="session")
def synthesized():
    """example name -> {stack: synthesized document}; one CDKTF run per example per session."""
    from crosscloud.config import load_topology
    from crosscloud.synth import synthesize_documents

    cache = {}

    def get(example: str) -> dict:
        if example not in cache:
            cache[example] = synthesize_documents(load_topology(EXAMPLES / f"{example}.yaml"))[1]
        return cache[example]

    return get


# Longest first, so the xdist workers finish together instead of one running the last e2e test
# alone. `make test` passes --maxschedchunk 1: xdist then hands tests out one by one in this order;
# with its default chunks (a quarter of a worker's share up front) one worker got every e2e test
# while the other ran out of work after two minutes. Weights are coarse classes, not timings.
_SLOW_FIRST = ("tests/e2e/", "tests/constructs/test_google_bindings.py", "tests/sandbox/test_stacks_terraform.py",
               "tests/planreview/test_plan_review_terraform.py", "tests/sandbox/test_provider_terraform.py")


def pytest_collection_modifyitems(session, config, items):
    def rank(item) -> int:
        path = item.nodeid
        return next((i for i, prefix in enumerate(_SLOW_FIRST) if path.startswith(prefix)), len(_SLOW_FIRST))

    items.sort(key=rank)  # stable: the order inside each class is kept
