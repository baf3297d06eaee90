# vatanwa: every command a developer or CI needs. Each target installs what it uses on first use.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PY     := $(BIN)/python
SPEC   := openapi/vatanwa.yaml
HOST   ?= 127.0.0.1
PORT   ?= 8080
MODE   ?= stateful
# The HTTP contract run of `make test` is reproducible; `make fuzz` draws a fresh seed each time.
CONTRACT_SEED ?= 1

export REDOCLY_TELEMETRY := off
export REDOCLY_SUPPRESS_UPDATE_NOTICE := true

.PHONY: setup client check-drift lint format mock test contract fuzz lock clean readme-options

setup: $(VENV)/.installed node_modules/.installed

$(VENV)/.installed: requirements/dev.txt pyproject.toml generated_client/pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit("Python 3.11+ is required, found " + sys.version.split()[0]) if sys.version_info < (3, 11) else None'
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements/dev.txt
	$(PY) -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e generated_client -e .
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

## client: regenerate generated_client/ from the YAML
client: $(VENV)/.installed
	$(PY) -m scripts.generate_client

## check-drift: fail when generated_client/ does not match the YAML
check-drift: $(VENV)/.installed
	$(PY) -m scripts.generate_client --check

## lint: ruff, mypy (strict) and the OpenAPI linters
lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	node_modules/.bin/spectral lint --fail-severity=hint --quiet $(SPEC) openapi/mock-control.yaml
	node_modules/.bin/redocly lint --max-problems=50 $(SPEC) openapi/mock-control.yaml

## readme-options: write the mock's options table into README.md from vatanwa_mock/config.py
readme-options: $(VENV)/.installed
	$(PY) -m scripts.readme_options

format: $(VENV)/.installed
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

## mock: start the offline twin on http://$(HOST):$(PORT)/api/whatsapp/v1 (MODE=examples for
## the documented examples only)
mock: $(VENV)/.installed
	$(PY) -m vatanwa_mock --host $(HOST) --port $(PORT) --mode $(MODE)

## test: every check CI runs (the contract tests run once, in `contract`)
test: lint check-drift contract
	$(PY) -m pytest --ignore=tests/contract

## contract: schemathesis against `python -m vatanwa_mock` over HTTP (every phase and check, at
## least 100 cases per operation, every link followed) and the contract tests (in-process fuzzing,
## client properties, negative cases, fault injection); JUnit reports in build/contract/
contract: $(VENV)/.installed
	$(PY) -m tests.contract.run_http --report-dir build/contract --seed $(CONTRACT_SEED)
	$(PY) -m pytest tests/contract --junitxml=build/contract/pytest-junit.xml

## fuzz: the nightly run of `contract`, with ten times the generated cases
fuzz: $(VENV)/.installed
	$(PY) -m tests.contract.run_http --report-dir build/fuzz --max-examples 1000
	VATANWA_CONTRACT_SCALE=10 $(PY) -m pytest tests/contract --junitxml=build/fuzz/pytest-junit.xml

## lock: re-pin requirements/dev.txt after changing a dependency
lock:
	rm -rf build/lock-venv && $(PYTHON) -m venv build/lock-venv
	build/lock-venv/bin/pip install --quiet -r requirements/dev.txt
	{ head -2 requirements/dev.txt; build/lock-venv/bin/pip freeze --exclude-editable; } > build/dev.txt
	mv build/dev.txt requirements/dev.txt

clean:
	rm -rf $(VENV) node_modules build .mypy_cache .ruff_cache .pytest_cache
