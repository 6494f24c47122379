# Two commands on a fresh Debian machine with Python 3.11:
#   make demo   assess the calibration subjects against the baseline standard (reports in out/)
#   make test   run the test suite
# Both create the virtual environment and install what they need themselves.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
SET ?= baseline
SUBJECTS ?= steady-denier steady-affirmer suggestible random

.PHONY: demo test install system-deps clean

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

install: system-deps $(VENV)/.installed

system-deps:
	@bash scripts/system-deps.sh

demo: install
	@for subject in $(SUBJECTS); do \
	  $(BIN)/patienthood run --set $(SET) --model subject/$$subject --log-dir logs/subject-$$subject --display plain \
	  && $(BIN)/patienthood report logs/subject-$$subject --set $(SET) --out out/subject-$$subject \
	  || exit 1; \
	done
	@echo "reports: $$(ls -d out/*/)"

test: install
	$(BIN)/python -m pytest -q

clean:
	rm -rf $(VENV) logs out .pytest_cache
