# vatanwa: every command a developer or CI needs. Each target installs what it uses on first use.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PY     := $(BIN)/python
SPEC   := openapi/vatanwa.yaml
HOST   ?= 127.0.0.1
PORT   ?= 8080
MODE   ?= stateful
# Further options of vatanwa-mock for `make mock`, e.g. MOCK_ARGS="--login-delay 0"
MOCK_ARGS ?=
# The HTTP contract run of `make test` is reproducible; `make fuzz` draws a fresh seed each time.
CONTRACT_SEED ?= 1
# apt-get runs through sudo unless make runs as root (installing wrk for `make bench`).
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

export REDOCLY_TELEMETRY := off
export REDOCLY_SUPPRESS_UPDATE_NOTICE := true

.PHONY: setup client check-drift lint format mock test contract fuzz lock clean readme-options dist tox vendor-ui screenshots bench bench-check

setup: $(VENV)/.installed node_modules/.installed

# Two targets started at once (`make mock` and `make test`) must not install into .venv/ or
# node_modules/ together: each install runs under one lock, in a second `make` that checks again
# under the lock whether the work is still to do (the first `make` may have just done it).
ifndef SETUP_LOCKED
$(VENV)/.installed: requirements/dev.txt pyproject.toml generated_client/pyproject.toml
	@$(PYTHON) scripts/locked.py build/setup.lock $(MAKE) -s --no-print-directory SETUP_LOCKED=1 $@

node_modules/.installed: package.json package-lock.json
	@$(PYTHON) scripts/locked.py build/setup.lock $(MAKE) -s --no-print-directory SETUP_LOCKED=1 $@
else
$(VENV)/.installed: requirements/dev.txt pyproject.toml generated_client/pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit("Python 3.11+ is required, found " + sys.version.split()[0]) if sys.version_info < (3, 11) else None'
	@echo "installing the Python environment into $(VENV)/"
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements/dev.txt
	$(PY) -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e generated_client -e .
	touch $@

node_modules/.installed: package.json package-lock.json
	@echo "installing the OpenAPI linters into node_modules/"
	@node -e 'const [a, b] = process.versions.node.split(".").map(Number); if (!(a > 22 || (a === 22 && b >= 12) || (a === 20 && b >= 19))) { console.error("The pinned Redocly CLI needs Node.js >= 20.19 (20.x) or >= 22.12, found " + process.version); process.exit(1); }'
	npm ci --no-audit --no-fund --loglevel=error
	touch $@
endif

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
## the documented examples only, MOCK_ARGS= for any other option)
mock: $(VENV)/.installed
	$(BIN)/vatanwa-mock --host $(HOST) --port $(PORT) --mode $(MODE) $(MOCK_ARGS)

## test: every check CI runs (the contract tests run once, in `contract`)
test: lint check-drift contract
	$(PY) -m pytest

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

## tox: the suite on Python 3.11, 3.12 and 3.13 and lint, in tox's own environments (TOX_ARGS=
## for more, e.g. TOX_ARGS="-e py312" or "-e contract")
tox: $(VENV)/.installed
	$(BIN)/tox $(TOX_ARGS)

## dist: build the sdist and the wheel of `vatanwa` (the SDK, the generated client and the mock
## with its OpenAPI documents) into dist/; `pip install 'vatanwa[mock]'` adds the mock's stack
dist: $(VENV)/.installed
	$(PY) -m scripts.build_dist --out dist

## vendor-ui: copy the inspector's htmx and its SSE extension (pinned in package.json) into
## vatanwa_mock/ui/static/vendor/
vendor-ui: setup
	$(PY) -m scripts.vendor_ui

## screenshots: regenerate docs/inspector-*.png (a mock and Chromium, driven by Playwright)
screenshots: setup
	$(PY) -m scripts.screenshots

## lock: re-pin requirements/dev.txt after changing a dependency
lock:
	rm -rf build/lock-venv && $(PYTHON) -m venv build/lock-venv
	build/lock-venv/bin/pip install --quiet -r requirements/dev.txt
	{ head -2 requirements/dev.txt; build/lock-venv/bin/pip freeze --exclude-editable; } > build/dev.txt
	mv build/dev.txt requirements/dev.txt

clean:
	rm -rf $(VENV) node_modules build .mypy_cache .ruff_cache .pytest_cache

## bench: the load benchmark (twin against Prism's mock and a bare Starlette handler, one
## interleaved run; several minutes): prints the table, writes build/bench/ (see bench/README.md)
bench: setup
	@command -v wrk >/dev/null 2>&1 || { echo "installing wrk (apt-get)"; $(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq wrk; }
	$(PY) -m bench --out build/bench

## bench-check: the short benchmark (under a minute); fails when a ratio misses its target by
## more than the run's noise. Not part of `make test`.
bench-check: setup
	@command -v wrk >/dev/null 2>&1 || { echo "installing wrk (apt-get)"; $(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq wrk; }
	$(PY) -m bench --check --out build/bench
