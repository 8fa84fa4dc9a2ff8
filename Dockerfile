# The commit-polish Action. GitHub builds it from the official Python image; here, with no
# registry in reach, `make docker-smoke` passes a locally bootstrapped Debian base instead.
ARG BASE=python:3.11-slim
FROM ${BASE}

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    LITELLM_LOCAL_MODEL_COST_MAP=True \
    LITELLM_OFFLINE_MODE=true

# Every runtime package comes from the hash-locked list; nothing else is resolved at build.
COPY requirements/runtime.txt /tmp/runtime.txt
RUN python3 -m venv /opt/venv \
    && /opt/venv/bin/pip install --require-hashes --no-deps -r /tmp/runtime.txt \
    && rm /tmp/runtime.txt

COPY pyproject.toml README.md /tmp/src/
COPY src /tmp/src/src
COPY LICENSES /tmp/src/LICENSES
RUN /opt/venv/bin/pip install --no-deps --no-build-isolation /tmp/src \
    && rm -rf /tmp/src

# GitHub mounts the workspace and sets the working directory itself: no WORKDIR, no USER.
ENTRYPOINT ["/opt/venv/bin/commit-polish", "action"]
