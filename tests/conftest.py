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
