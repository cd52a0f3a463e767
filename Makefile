# GovCenter: `make demo` serves the portal on the embedded default (SQLite);
# `make test` runs the whole suite (on DATABASE_URL when it is set).
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-$(shell cat requirements.txt requirements-dev.txt | sha1sum | cut -c1-12)

.PHONY: install demo serve test lint check messages clean bench fuzz

$(STAMP): requirements.txt requirements-dev.txt
	scripts/system-packages.sh
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

install: $(STAMP)

demo: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py seed_demo --scale small
	scripts/serve-demo.sh

serve: install
	scripts/serve-demo.sh

test: install
	$(PY) -m pytest

# API fuzzing, longer than the bounded run inside `make test`: schemathesis sends FUZZ_EXAMPLES generated
# requests to every operation of /api/schema/ (within FUZZ_SECONDS in all) and fails on a 5xx, a 4xx
# without a message or an answer the schema does not document. On DATABASE_URL when it is set.
FUZZ_EXAMPLES ?= 300
FUZZ_SECONDS ?= 3600
fuzz: install
	FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) FUZZ_SECONDS=$(FUZZ_SECONDS) $(PY) -m pytest -p no:cacheprovider tests/fuzz/test_api_fuzz.py

# The key requests on province data (seeded on first run) next to their floors: a table, and
# bench/results.json. Needs PostgreSQL (BENCH_DATABASE_URL, default gc_province on 127.0.0.1).
bench: install
	$(PY) bench/run.py

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

check: lint
	$(PY) manage.py makemigrations --check --dry-run
	$(PY) manage.py check

# Regenerate the message catalog after changing strings (needs GNU gettext); the compiled
# .mo file is committed so no one else needs gettext.
messages: install
	$(PY) manage.py makemessages -l zh_Hans --ignore=.venv --ignore=var
	$(PY) manage.py compilemessages -l zh_Hans --ignore=.venv

clean:
	rm -rf $(VENV) var db.sqlite3

# The public intake (POST /api/v1/public/reports/) under load: gunicorn with gunicorn.conf.py, wrk
# posting varied reports; req/s, latency percentiles, bench/results-intake.json. Needs PostgreSQL and
# Redis on 127.0.0.1; BENCH_INTAKE_ARGS="--config sync:2 --config gthread:2x4 …" compares workers.
.PHONY: bench-intake
bench-intake: install
	$(PY) bench/intake_load.py $(BENCH_INTAKE_ARGS)

# Load and soak run: clerks, mediators, directors and citizens at once through gunicorn (gunicorn.conf.py)
# and one qcluster, driven by locust for LOAD_SECONDS (default 120; LOAD_USERS default 12). Per request
# kind: requests, errors, p50/p95; throughput, error rate, worker memory growth; bench/results-load.json.
# Exits 1 on any error. Needs PostgreSQL (seeds the county demo into gc_load once) and Redis on 127.0.0.1.
.PHONY: load
load: install
	$(PY) bench/load.py $(LOAD_ARGS)
