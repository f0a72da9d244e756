# Everything runs from a local virtualenv made on first use: a fresh machine needs only
# Python 3.11+ and make.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo check test fuzz fuzz-raw bench soak snapshot-update clean

$(STAMP): pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[dev]'
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/noc-tui --demo

# Lint, format, types and the layer contracts: quick, so `make test` runs it first.
check: $(STAMP)
	$(BIN)/ruff check noc_tui tests benchmarks
	$(BIN)/ruff format --check noc_tui tests benchmarks
	$(BIN)/mypy --strict noc_tui
	$(BIN)/python -m pytest tests/test_layers.py tests/test_import_cycles.py -q

test: check
	$(BIN)/python -m pytest

# Hostile answers to every client method, many more examples than `make test`, a new seed each run.
fuzz: $(STAMP)
	HYPOTHESIS_PROFILE=fuzz $(BIN)/python -m pytest tests/api/test_fuzz_clients.py -q

# The same with the client net taken off: an exception our parsing did not foresee fails with
# its own traceback instead of becoming a MalformedResponse. What `make fuzz` cannot see.
fuzz-raw: $(STAMP)
	HYPOTHESIS_NET=off HYPOTHESIS_PROFILE=fuzz $(BIN)/python -m pytest tests/api/test_fuzz_clients.py -q

bench: $(STAMP)
	$(BIN)/python benchmarks/bench.py

soak: $(STAMP)
	$(BIN)/python benchmarks/soak.py

snapshot-update: $(STAMP)
	$(BIN)/python -m pytest tests/snapshots --snapshot-update

clean:
	rm -rf $(VENV) .pytest_cache snapshot_report.html
