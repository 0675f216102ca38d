# Two entry points: `make demo` runs the main job on a bundled example,
# `make test` runs every test. Both set up the virtual environment first.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: demo test install clean

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --disable-pip-version-check -e '.[test]'
	touch $@

demo: install
	$(BIN)/nxc compile examples/softmax.py --emit ir
	$(BIN)/nxc compile examples/softmax.py -o build/softmax_nxc
	$(BIN)/python examples/softmax_artifact.py build/softmax_nxc
	$(BIN)/python examples/softmax_demo.py

test: install
	$(BIN)/pytest -n 2 -q
	$(BIN)/lit -q tests/lit

clean:
	rm -rf $(VENV) build *.egg-info
