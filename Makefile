# Fresh machine: `make demo` (the sandbox demo) or `make test` (the test suite).
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
CC     := $(VENV)/bin/crosscloud
DEMO   ?= examples/seed.yaml
export JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION := 20
export CHECKPOINT_DISABLE := 1

.PHONY: setup demo demo-destroy test clean

$(VENV)/.installed: pyproject.toml
	@command -v node >/dev/null || { echo "error: node (>= 20) is required for jsii/CDKTF"; exit 1; }
	@command -v terraform >/dev/null || { echo "error: terraform (>= 1.5) is required"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	@# bytecode + jsii package cache, so the first synth is as fast as later ones
	$(PY) -m crosscloud.constructs.google.warmup
	touch $@

# The equivalence tests also synthesize through the prebuilt google package: warm it once.
$(VENV)/.warm-prebuilt: $(VENV)/.installed
	$(PY) -m crosscloud.constructs.google.warmup --prebuilt
	touch $@

setup: $(VENV)/.installed

# From a fresh clone to a verified two-cloud fleet in the sandbox (state in .crosscloud/).
demo: setup
	$(CC) validate -c $(DEMO)
	$(CC) deploy -c $(DEMO)
	$(CC) verify -c $(DEMO)
	$(CC) status -c $(DEMO)

demo-destroy: setup
	$(CC) destroy -c $(DEMO)

test: setup $(VENV)/.warm-prebuilt
	$(PY) -m pytest -q -n auto  # pytest-xdist: tests use their own tmp dirs, sandboxes and ports

clean:
	rm -rf $(VENV) cdktf.out .crosscloud
