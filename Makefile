# Fresh machine: `make demo` (the sandbox demo) or `make test` (the test suite).
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
export JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION := 20
export CHECKPOINT_DISABLE := 1

.PHONY: setup demo test clean

$(VENV)/.installed: pyproject.toml
	@command -v node >/dev/null || { echo "node (>= 20) is required for jsii/CDKTF"; exit 1; }
	@command -v terraform >/dev/null || { echo "terraform (>= 1.5) is required"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	$(PY) -m compileall -q crosscloud
	touch $@

setup: $(VENV)/.installed

demo: setup
	$(VENV)/bin/crosscloud validate -c examples/seed.yaml
	$(VENV)/bin/crosscloud synth -c examples/seed.yaml -o cdktf.out

test: setup
	$(PY) -m pytest -q

clean:
	rm -rf $(VENV) cdktf.out .crosscloud
