# The two commands of the README: `make demo` and `make test`. Both set up .venv first.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# Tests draw windows offscreen; the demo opens the studio where a display is available.
test: export QT_QPA_PLATFORM ?= offscreen

.PHONY: demo test lint setup clean

setup: $(STAMP)

# torch/torchvision are pinned to the wheels this project's machines carry (a plain
# `pip install torch` would download a multi-GB build); other machines get them from PyPI.
$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet "torch==2.14.1" "torchvision==0.29.1"
	$(BIN)/python -m pip install --quiet -e ".[test]"
	touch $(STAMP)

test: $(STAMP)
	$(BIN)/lint-imports
	$(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/lint-imports

demo: $(STAMP)
	$(BIN)/python -m wsad_core.demo $(DEMO_ARGS)

clean:
	rm -rf $(VENV) build *.egg-info demo-project
