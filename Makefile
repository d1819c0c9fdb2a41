# Fresh machine: `make demo` (the sandbox demo) or `make test` (the test suite).
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
CC     := $(VENV)/bin/crosscloud
DEMO   ?= examples/acs.yaml
export JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION := 20
export CHECKPOINT_DISABLE := 1

TOOLS  := .tools
# CLIs from npm into the project (no global install): cdktn-cli needs Node >= 22.19, which the
# npm package node@22 brings; `cdktn`/`cdktf` then run on it from .tools/node_modules/.bin.
# Pinned with their dependency tree in tools/package.json + tools/package-lock.json.

.PHONY: setup cli demo demo-destroy test clean

$(VENV)/.installed: pyproject.toml constraints.txt
	@command -v node >/dev/null || { echo "error: node (>= 20) is required for jsii/CDKTF"; exit 1; }
	@command -v terraform >/dev/null || { echo "error: terraform (>= 1.5) is required"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -c constraints.txt -e '.[dev]'
	@# bytecode + jsii package cache, so the first synth is as fast as later ones
	$(PY) -m crosscloud.constructs.google.warmup
	touch $@

# The equivalence tests also synthesize through the prebuilt google package: warm it once.
$(VENV)/.warm-prebuilt: $(VENV)/.installed
	$(PY) -m crosscloud.constructs.google.warmup --prebuilt
	touch $@

setup: $(VENV)/.installed

$(TOOLS)/.installed: tools/package.json tools/package-lock.json
	@command -v npm >/dev/null || { echo "error: npm is required to install the CDK CLIs"; exit 1; }
	mkdir -p $(TOOLS) && cp tools/package.json tools/package-lock.json $(TOOLS)/
	npm ci --prefix $(TOOLS) --no-audit --no-fund
	touch $@

# `cdktn`/`cdktf` need the venv's python first on PATH (cdktf.json runs `python main.py`):
#   export PATH="$PWD/.tools/node_modules/.bin:$PWD/.venv/bin:$PATH"
cli: setup $(TOOLS)/.installed

# From a fresh clone to a verified two-cloud fleet in the sandbox (state in .crosscloud/).
demo: setup
	$(CC) validate -c $(DEMO)
	$(CC) deploy -c $(DEMO)
	$(CC) verify -c $(DEMO)
	$(CC) status -c $(DEMO)

demo-destroy: setup
	$(CC) destroy -c $(DEMO)
	$(CC) sandbox down

# xdist workers: one per core and one more (the e2e tests wait on the twin's latency and on
# polls part of the time; bench/README.md, "Suite"); tests handed out one by one, longest first
# (tests/conftest.py).
TEST_WORKERS ?= $(shell $(PYTHON) -c 'import os; print((os.cpu_count() or 1) + 1)')

test: setup $(VENV)/.warm-prebuilt $(TOOLS)/.installed
	$(PY) -m pytest -q -n $(TEST_WORKERS) --maxschedchunk 1

clean:
	rm -rf $(VENV) $(TOOLS) cdktf.out .crosscloud
