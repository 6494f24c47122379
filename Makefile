# Two commands on a fresh Debian machine with Python 3.11:
#   make demo   assess the calibration subjects against the baseline standard (reports in out/)
#   make test   run the test suite
# Both create the virtual environment and install what they need themselves.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
SET ?= baseline
SEEDS ?= 0,1,2

.PHONY: demo test install test-deps system-deps clean

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

install: system-deps $(VENV)/.installed

system-deps:
	@PYTHON="$(PYTHON)" bash scripts/system-deps.sh

test-deps:
	@PYTHON="$(PYTHON)" bash scripts/system-deps.sh --test

# Validate the instrument on every calibration subject (all batteries, several seeds),
# then write one report per subject from its seed-0 logs, each carrying the validation.
demo: install
	$(BIN)/patienthood validate-instrument --set $(SET) --seeds $(SEEDS) --log-dir logs/validation --out out/validation
	@for logs in logs/validation/seed-0/subject-*; do \
	  $(BIN)/patienthood report $$logs --set $(SET) --validation out/validation/validation.json \
	    --out out/$$(basename $$logs) > /dev/null || exit 1; \
	done
	$(BIN)/patienthood publish out/subject-* --out out/site > /dev/null
	@echo "reports: out/validation/ and one folder per subject:" $$(ls -d out/subject-*)
	@echo "site of all of them: out/site/index.html (patienthood verify out/site checks it)"

# One worker per core; a test file's tests stay on one worker, sharing its fixtures.
test: install test-deps
	$(BIN)/python -m pytest -q -n auto --dist loadfile

clean:
	rm -rf $(VENV) logs out .pytest_cache
