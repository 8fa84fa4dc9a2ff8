# The commit-polish Action. On main, action.yml says `image: Dockerfile` and GitHub builds this
# file on the runner; a release's action.yml runs the image that .github/workflows/release.yml
# built from it once and published to GHCR.
#
# Two stages: `build` makes /opt/venv; the image is the Python base plus that one folder, with
# no pip, no build tools, no tests and no compiler. The base is named literally (not through a
# build argument) so Dependabot can propose its patch releases. No registry is reachable where
# `make docker-smoke` runs: it gives its locally bootstrapped Debian base this name inside its
# own private Docker engine, and builds this file unchanged.
FROM python:3.11.14-slim-bookworm AS build

SHELL ["/bin/bash", "-o", "pipefail", "-c"]

ENV PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    LITELLM_LOCAL_MODEL_COST_MAP=True \
    LITELLM_OFFLINE_MODE=true

# binutils for `strip` only, in this stage that is thrown away. Debian versions are not pinned:
# the archive keeps only the newest bookworm point release, and the base tag fixes the release.
# hadolint ignore=DL3008
RUN apt-get update \
    && apt-get install -y --no-install-recommends binutils \
    && rm -rf /var/lib/apt/lists/*

# Every runtime package comes from the hash-locked list, as wheels: nothing is compiled and
# nothing else is resolved. No byte-code yet: see warm_imports.py below.
COPY requirements/runtime.txt /tmp/runtime.txt
RUN python3 -m venv /opt/venv \
    && /opt/venv/bin/pip install --require-hashes --no-deps --only-binary :all: --no-compile \
        -r /tmp/runtime.txt

# The package, built by the locked setuptools; then pip and setuptools leave the venv.
COPY pyproject.toml README.md LICENSE /tmp/src/
COPY src /tmp/src/src
COPY LICENSES /tmp/src/LICENSES
RUN /opt/venv/bin/pip install --no-deps --no-build-isolation --no-compile /tmp/src \
    && /opt/venv/bin/python -m pip uninstall --yes --quiet setuptools pip \
    && rm -rf /tmp/src /tmp/runtime.txt

# What a run never reads: the LiteLLM proxy server's web UI, Swagger assets and OpenAPI
# snapshot (static files only that server serves), botocore's older API versions and
# examples (it loads the newest version of a service), the packages' own test suites, and
# the symbol tables of the compiled extensions (--strip-unneeded keeps what the dynamic
# loader needs).
RUN site=$(/opt/venv/bin/python -c 'import sysconfig; print(sysconfig.get_path("purelib"))') \
    && rm -rf "${site}/litellm/proxy/_experimental/out" "${site}/litellm/proxy/swagger" \
        "${site}/litellm/proxy/_lazy_openapi_snapshot.json" \
    && for service in "${site}"/botocore/data/*/; do \
        find "${service}" -mindepth 1 -maxdepth 1 -type d | sort | head -n -1 | xargs -r rm -rf; \
    done \
    && find "${site}/botocore/data" -name 'examples-*.json' -delete \
    && find "${site}" -depth -type d -name tests -exec rm -rf {} + \
    && find /opt/venv -type f \( -name '*.so' -o -name '*.so.*' \) -exec strip --strip-unneeded {} +

# Byte-code for the modules a run imports from LiteLLM (about 2,500 at start, two thirds of the
# import time) and from commit_polish; the rest of the venv ships none, which keeps our
# layers 40% smaller than before. `make docker-smoke` prints the import time with the
# shipped .pyc files and with none.
COPY docker/warm_imports.py /tmp/warm_imports.py
RUN /opt/venv/bin/python /tmp/warm_imports.py \
    && rm /tmp/warm_imports.py \
    && site=$(/opt/venv/bin/python -c 'import sysconfig; print(sysconfig.get_path("purelib"))') \
    && find /opt/venv -type d -name __pycache__ ! -path "${site}/litellm/*" \
        ! -path "${site}/commit_polish/*" -prune -exec rm -rf {} +

FROM python:3.11.14-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    LITELLM_LOCAL_MODEL_COST_MAP=True \
    LITELLM_OFFLINE_MODE=true

COPY --from=build /opt/venv /opt/venv

# GitHub mounts the workspace and sets the working directory itself: no WORKDIR, no USER.
ENTRYPOINT ["/opt/venv/bin/commit-polish", "action"]
