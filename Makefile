# The two commands of the README: `make run` and `make test`. Everything else is a helper.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-$(shell cksum requirements.txt | cut -d' ' -f1)

.PHONY: run test lint demo bench kill-check disk-full-check scale-check migrate clean

$(STAMP): requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	rm -f $(VENV)/.installed-* && touch $@

venv: $(STAMP)

migrate: $(STAMP)
	$(PY) -m cli.setup

run: $(STAMP)
	$(PY) -m cli.setup
	$(VENV)/bin/streamlit run launcher.py --server.address 127.0.0.1 --server.port 8501

test: $(STAMP)
	$(VENV)/bin/ruff check .
	$(PY) -m pytest

lint: $(STAMP)
	$(VENV)/bin/ruff check --fix .

demo: $(STAMP)
	$(PY) -m cli.setup --demo

# make bench EXPORT_ROWS=1000000: the issue's million work orders exported (about 10 minutes more)
EXPORT_ROWS ?= 100000
bench: $(STAMP)
	$(PY) -m bench.run
	$(PY) -m bench.kpi
	$(PY) -m bench.export --rows $(EXPORT_ROWS)
	$(PY) -m bench.interactive

# issue 15: kill -9 in the middle of saves, then integrity and half-written records checked (about 4 minutes);
# make kill-check KILL_ARGS="--rounds 10 --url postgresql+psycopg://postgres@127.0.0.1:5432/mydb" on PostgreSQL
KILL_ARGS ?= --rounds 50
kill-check: $(STAMP)
	$(PY) -m bench.kill_loop $(KILL_ARGS)

# issue 15: a save on a full disk (a size-limited tmpfs, mounted as root; else SQLite's page limit, said so), then
# integrity, no half-written record, nothing lost, and saves again once space is freed (about 10 seconds)
disk-full-check: $(STAMP)
	$(PY) -m bench.disk_full

# issue 15: nginx in front of two app servers on one PostgreSQL database (deploy/), worked from two browsers and
# stopped again (about a minute); its own database scale_check_<pid>, dropped at the end
SCALE_ARGS ?=
scale-check: $(STAMP)
	$(PY) -m deploy.scale_check $(SCALE_ARGS)

clean:
	rm -rf $(VENV) data/demo.sqlite*
