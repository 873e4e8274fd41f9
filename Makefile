# The two commands a new user needs: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PG_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/test

.PHONY: run test test-multinode install lint browser-deps pg-up redis-up bench clean screenshots

$(BIN)/allo: pyproject.toml requirements.lock requirements-hashed.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip==26.3
	$(BIN)/pip install --quiet --no-deps --require-hashes -r requirements-hashed.txt
	$(BIN)/pip install --quiet -r requirements.lock
	$(BIN)/pip install --quiet --no-deps -e .
	touch $(BIN)/allo

install: $(BIN)/allo

## Start Allo on the bundled real data at http://127.0.0.1:8000
run: install
	$(BIN)/allo serve --init

## Lint, then the whole suite on SQLite and on PostgreSQL (browser tests included)
test: install browser-deps pg-up redis-up
	$(BIN)/ruff check src tests bench
	$(BIN)/mypy
	$(BIN)/pytest -q
	ALLO_TEST_DATABASE_URL=$(PG_URL) $(BIN)/pytest -q -m "not browser"

## Only the two-node test: two nodes behind HAProxy on PostgreSQL, one killed mid-run
test-multinode: install browser-deps pg-up
	ALLO_TEST_DATABASE_URL=$(PG_URL) $(BIN)/pytest -q -m multinode tests/ops

lint: install
	$(BIN)/ruff check src tests bench
	$(BIN)/mypy
	$(BIN)/ruff format --check src tests bench

# System packages, installed with apt-get when missing (needs root; the README says so): Debian's
# Chromium for the Playwright tests (Playwright cannot download browsers here), wrk for benchmarks,
# HAProxy for the two-node test and benchmark.
browser-deps:
	@(command -v chromium && command -v wrk && command -v haproxy) >/dev/null 2>&1 || \
		(echo "Installation des paquets système manquants (apt-get) : chromium wrk haproxy" && \
		apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium wrk haproxy >/dev/null 2>&1)

# Start the machine's PostgreSQL if it is not running (CI machines start it; this is belt and braces).
pg-up:
	@pg_isready -h 127.0.0.1 -p 5432 -q || (pg_ctlcluster --skip-systemctl-redirect $$(ls /etc/postgresql) main start && sleep 2)

# Redis for the shared rate-limit tests (Debian's redis-server, started if not answering).
redis-up:
	@(command -v redis-server >/dev/null 2>&1 || (apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server >/dev/null 2>&1)) && \
		(redis-cli -h 127.0.0.1 ping >/dev/null 2>&1 || redis-server --bind 127.0.0.1 --port 6379 --daemonize yes --save "" >/dev/null)

bench: install
	$(BIN)/python -m bench.run_all

## Browser tests write screenshots to build/screenshots; this publishes them to docs/screenshots on purpose
screenshots: install browser-deps
	$(BIN)/pytest -q -m browser tests/browser
	cp build/screenshots/*.png docs/screenshots/

clean:
	rm -rf $(VENV) .pytest_cache build
