# orgdns: `make demo` runs the local organization, `make test` runs every check.
# Both create what they need on a fresh machine: .venv (Python 3.13, project + tests) and
# .venv-tools (SAM CLI, cfn-lint, checkov: their pins conflict with moto's boto3).

SHELL := /bin/bash
PY313 := $(shell scripts/python313.sh)
VENV := .venv
TOOLS := .venv-tools
PY := $(VENV)/bin/python
PYBIN := $(dir $(PY313))
export SAM_CLI_TELEMETRY := 0
export PYTHONDONTWRITEBYTECODE := 1

.PHONY: demo test lint typecheck template asl build pytest bench bench-quick schema clean

demo: $(VENV)/.stamp
	$(VENV)/bin/orgdns local demo
	$(VENV)/bin/orgdns local demo brownfield

test: lint typecheck template build pytest

$(VENV)/.stamp: requirements-dev.txt layers/orgdns/requirements.txt pyproject.toml
	@test -n "$(PY313)" || { echo "Python 3.13 not found (see scripts/python313.sh)"; exit 1; }
	$(PY313) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --upgrade pip
	$(VENV)/bin/pip install --quiet -r requirements-dev.txt
	$(VENV)/bin/pip install --quiet --no-deps -e .
	touch $@

$(TOOLS)/.stamp: requirements-tools.txt
	@test -n "$(PY313)" || { echo "Python 3.13 not found (see scripts/python313.sh)"; exit 1; }
	$(PY313) -m venv $(TOOLS)
	$(TOOLS)/bin/pip install --quiet --upgrade pip
	$(TOOLS)/bin/pip install --quiet -r requirements-tools.txt
	touch $@

lint: $(VENV)/.stamp
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

typecheck: $(VENV)/.stamp
	$(VENV)/bin/mypy

template: $(TOOLS)/.stamp $(VENV)/.stamp
	$(TOOLS)/bin/sam validate --lint --region us-east-1 --template-file template.yaml
	$(TOOLS)/bin/cfn-lint template.yaml baseline.yaml
	$(TOOLS)/bin/checkov --quiet --compact --framework cloudformation --skip-download -f template.yaml -f baseline.yaml
	$(TOOLS)/bin/python scripts/check_asl.py template.yaml

build: $(TOOLS)/.stamp
	PATH="$(PYBIN):$$PATH" $(TOOLS)/bin/sam build --template-file template.yaml --build-dir .aws-sam/build

pytest: $(VENV)/.stamp
	$(PY) -m pytest

bench: $(VENV)/.stamp
	$(VENV)/bin/orgdns local bench --output docs/benchmarks.md

bench-quick: $(VENV)/.stamp
	$(VENV)/bin/orgdns local bench --quick --output /tmp/orgdns-benchmarks-quick.md

schema: $(VENV)/.stamp
	$(PY) -m orgdns_local.schema events/manual-input.schema.json

clean:
	rm -rf $(VENV) $(TOOLS) .aws-sam .pytest_cache .mypy_cache .ruff_cache
