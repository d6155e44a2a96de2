# Two entry points for a fresh machine with Python 3.11: `make demo` and `make test`.
# Both create .venv themselves; nothing is installed outside it.
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python

.PHONY: demo test lint perf screenshots clean

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[dev]'
	touch $@

demo: $(VENV)/.installed
	$(VENV)/bin/natstui demo

test: $(VENV)/.installed
	$(PY) -m pytest -n 2 -q

lint: $(VENV)/.installed
	$(VENV)/bin/ruff check natstui tests
	$(VENV)/bin/ruff format --check natstui tests
	$(VENV)/bin/mypy

perf: $(VENV)/.installed
	for m in bench_cluster bench_requests bench_tail bench_time_to_error; do $(PY) -m tests.perf.$$m; done

screenshots: $(VENV)/.installed
	$(PY) docs/make_screenshots.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
