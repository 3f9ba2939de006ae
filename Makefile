# claimgraph: `make demo` runs the analysis on the bundled examples, `make test` runs every check.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
SHARED ?= ../shared
OUT    := out

.PHONY: demo test lint typecheck unit gate eval bench install dev clean train-attribution

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

# torch first, pinned: its CPU build (an unpinned torch resolves to a multi-GB CUDA build).
$(VENV)/.dev: pyproject.toml $(VENV)/.installed
	$(BIN)/python -m pip install --quiet 'torch==2.13.0'
	$(BIN)/python -m pip install --quiet -e '.[dev,embeddings]'
	touch $@

install: $(VENV)/.installed
dev: $(VENV)/.dev

demo: $(VENV)/.installed
	@mkdir -p $(OUT)
	$(BIN)/claimgraph analyze examples/articles --db $(OUT)/demo.db --html $(OUT)/demo.html
	$(BIN)/claimgraph stories --db $(OUT)/demo.db --format json -o $(OUT)/demo.json
	@echo "JSON report: $(OUT)/demo.json   HTML report: $(OUT)/demo.html"

lint: dev
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench

typecheck: dev
	$(BIN)/mypy

unit: dev
	$(BIN)/pytest -q

gate: dev
	$(BIN)/claimgraph eval gate --shared $(SHARED) --floors eval/floors.json

test: lint typecheck unit gate

eval: dev
	$(BIN)/claimgraph eval seeds $(SHARED)/eval/seeds.gold.json
	$(BIN)/claimgraph eval polnear $(SHARED)/eval/polnear/dev
	$(BIN)/claimgraph eval polnear $(SHARED)/eval/polnear/train --agreement
	$(BIN)/claimgraph eval anonymity eval/anonymity/polnear_dev_sources.jsonl --polnear $(SHARED)/eval/polnear/dev
	$(BIN)/claimgraph eval events $(SHARED)/eval/events/PLOVER_GSR_CAMEO.json
	$(BIN)/claimgraph eval events tests/fixtures/events_test.jsonl
	$(BIN)/claimgraph eval geo $(SHARED)/eval/geo/lgl.xml
	$(BIN)/claimgraph eval geo $(SHARED)/eval/geo/GeoVirus.xml

bench: dev
	$(BIN)/python bench/bench.py --n 500 --corpus $(SHARED)/corpora/bbc-2004-2005.jsonl
	$(BIN)/python bench/memory.py --small 200 --large 2000 --corpus $(SHARED)/corpora/bbc-2004-2005.jsonl
	$(BIN)/python bench/api_latency.py --docs 10000 --clients 20 --workers 2 --corpus $(SHARED)/corpora/bbc-2004-2005.jsonl
	$(BIN)/python bench/linking.py --n 2000 --large 20000 --corpus $(SHARED)/corpora/bbc-2004-2005.jsonl
	$(BIN)/python bench/ray_bench.py --n 1000 --workers 2 --corpus $(SHARED)/corpora/bbc-2004-2005.jsonl

train-attribution: dev
	$(BIN)/python scripts/train_cue_model.py $(SHARED)/eval/polnear/train -o src/claimgraph/data/cue_model.json \
		--cue-extent-output src/claimgraph/data/cue_extent.json

clean:
	rm -rf $(OUT) .pytest_cache .mypy_cache .ruff_cache
