"""commit-polish through a real LiteLLM Proxy in front of the real llama.cpp server (SmolLM2).

The proxy stands for an organisation's gateway: commit-polish reaches it like any other
LiteLLM endpoint. It runs from its own venv (`.proxy-venv`, made on first use: ~750 MB, about
3.5 minutes), never from the project's, because `litellm[proxy]` brings a server stack that
commit-polish does not ship. Assert on form, never on the tiny model's words.
"""

from __future__ import annotations

import fcntl
import json
import os
import re
import secrets
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

from commit_polish import llm
from commit_polish.cli import main
from commit_polish.records import ChatMessage, Endpoint
from commit_polish.serve.server import RunningServer, free_port
from commit_polish.settings.load import endpoints, load_settings
from tests.support.paths import FIXTURES, ROOT

pytestmark = [pytest.mark.proxy, pytest.mark.realmodel]

PROXY_VENV = ROOT / ".proxy-venv"
# Every package of the proxy's venv as tested, so CI installs the same set.
CONSTRAINTS = ROOT / "tests" / "proxy-constraints.txt"
# `pip install 'litellm[proxy]'` resolves to 1.108.7 (newer releases pin extras that are not
# on PyPI). Pinned so CI installs what was tested; 1.82.7 and 1.82.8 were compromised releases.
PROXY_VERSION = "1.108.7"
PROXY_REQUIREMENT = f"litellm[proxy]=={PROXY_VERSION}"
COMPROMISED = frozenset({"1.82.7", "1.82.8"})
INSTALL_TIMEOUT = 1800.0
READY_TIMEOUT = 90.0
MODEL_NAME = "commit-polish-model"
_LEAKY = re.compile(
    r"^(GITHUB_|INPUT_|COMMIT_POLISH_|LLAMAFILE_|LITELLM_|DATABASE_URL$)|.*_(API_KEY|API_BASE|TOKEN)$"
)


def _tail(path: Path, lines: int = 30) -> str:
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return f"(no log at {path})"
    return "\n".join(text.splitlines()[-lines:])


def _installed_version(venv: Path) -> str:
    result = subprocess.run(
        [
            str(venv / "bin" / "python"),
            "-c",
            "import importlib.metadata as m; print(m.version('litellm'))",
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    errors = result.stderr.strip().splitlines()
    return result.stdout.strip() or f"unknown ({errors[-1] if errors else 'no output'})"


def ensure_proxy_venv(venv: Path = PROXY_VENV) -> Path:
    """The proxy venv's `litellm` script, installing `PROXY_REQUIREMENT` on first use."""
    script = venv / "bin" / "litellm"
    venv.mkdir(parents=True, exist_ok=True)
    # One installer at a time, should two test sessions start together. An install that was
    # cut short is completed: `venv` and `pip` both accept a half-made environment.
    with (venv / ".install.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not script.exists():
            _install(venv)
    version = _installed_version(venv)
    if version in COMPROMISED or version != PROXY_VERSION:
        pytest.fail(
            f"{venv} holds litellm {version}, not the pinned {PROXY_VERSION}; "
            f"remove it (rm -rf {venv}) and run the tests again to reinstall",
            pytrace=False,
        )
    return script


def _install(venv: Path) -> None:
    log = venv / "install.log"
    steps = (
        [sys.executable, "-m", "venv", str(venv)],
        [
            str(venv / "bin" / "python"),
            "-m",
            "pip",
            "install",
            "--disable-pip-version-check",
            "--constraint",
            str(CONSTRAINTS),
            PROXY_REQUIREMENT,
        ],
    )
    started = time.monotonic()
    with log.open("wb") as out:
        for step in steps:
            try:
                subprocess.run(
                    step, stdout=out, stderr=subprocess.STDOUT, timeout=INSTALL_TIMEOUT, check=True
                )
            except (subprocess.CalledProcessError, subprocess.TimeoutExpired) as exc:
                pytest.fail(
                    f"Could not prepare the LiteLLM Proxy venv {venv} ({exc}).\n"
                    f"Last lines of {log}:\n{_tail(log)}\n"
                    "Fix: check access to PyPI and rerun (a cut-short install is resumed), "
                    f"or run by hand: python -m venv {venv} && "
                    f"{venv}/bin/pip install '{PROXY_REQUIREMENT}'",
                    pytrace=False,
                )
    print(f"installed {PROXY_REQUIREMENT} into {venv} in {time.monotonic() - started:.0f} s")


@dataclass(frozen=True)
class Proxy:
    url: str
    """The proxy's root, without /v1: what `litellm_proxy/` models take as api_base."""
    key: str
    log_path: Path

    def served(self, path: str) -> int:
        """How many requests to `path` the proxy answered with 200 (its access log)."""
        text = self.log_path.read_text(encoding="utf-8", errors="replace")
        return text.count(f'"POST {path} HTTP/1.1" 200')


def _proxy_env() -> dict[str, str]:
    """This process's environment without keys, endpoints or a database URL: the proxy must
    see only its config file. `LITELLM_LOCAL_MODEL_COST_MAP` keeps its start-up offline;
    `LITELLM_MODE=PRODUCTION` stops it loading a `.env` found above its package (the repo's)."""
    env = {name: value for name, value in os.environ.items() if not _LEAKY.match(name)}
    env["LITELLM_LOCAL_MODEL_COST_MAP"] = "True"
    env["LITELLM_MODE"] = "PRODUCTION"
    return env


def _ready(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/health/readiness", timeout=2) as response:  # noqa: S310
            return bool(response.status == 200)
    except (urllib.error.URLError, OSError):
        return False


def _stop(process: subprocess.Popen[bytes], grace: float = 15.0) -> None:
    """SIGTERM to the proxy's process group, then SIGKILL; safe if it already exited."""
    for sig in (signal.SIGTERM, signal.SIGKILL):
        if process.poll() is not None:
            return
        try:
            os.killpg(process.pid, sig)
        except ProcessLookupError:
            return
        try:
            process.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            continue


@pytest.fixture(scope="module")
def proxy_script() -> Path:
    return ensure_proxy_venv()


@pytest.fixture(scope="module")
def proxy(
    proxy_script: Path, local_server: RunningServer, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Proxy]:
    """A LiteLLM Proxy whose `commit-polish-model` is the real local server, master key only
    (no database), on a free port; stopped at the end of the module."""
    work = tmp_path_factory.mktemp("litellm-proxy")
    key = f"sk-{secrets.token_hex(16)}"
    config = {
        "model_list": [
            {
                "model_name": MODEL_NAME,
                "litellm_params": {
                    "model": "llamafile/smollm2-135m-instruct",
                    "api_base": local_server.base_url,
                },
            }
        ],
        "general_settings": {"master_key": key},
    }
    (work / "config.yaml").write_text(yaml.safe_dump(config), encoding="utf-8")
    port, log = free_port(), work / "proxy.log"
    url = f"http://127.0.0.1:{port}"
    command = [str(proxy_script), "--config", "config.yaml", "--host", "127.0.0.1"]
    started = time.monotonic()
    with log.open("wb") as out:
        process = subprocess.Popen(
            [*command, "--port", str(port)],
            cwd=work,
            env=_proxy_env(),
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            process_group=0,
        )
    try:
        while not _ready(url):
            if process.poll() is not None or time.monotonic() - started > READY_TIMEOUT:
                state = (
                    f"exited with code {process.returncode}"
                    if process.poll() is not None
                    else f"was not ready after {READY_TIMEOUT:.0f} s"
                )
                pytest.fail(
                    f"The LiteLLM Proxy on port {port} {state}.\n"
                    f"Last lines of its log ({log}):\n{_tail(log)}",
                    pytrace=False,
                )
            time.sleep(0.25)
        print(f"LiteLLM Proxy ready in {time.monotonic() - started:.1f} s at {url}")
        yield Proxy(url, key, log)
    finally:
        _stop(process)


MODEL = f"litellm_proxy/{MODEL_NAME}"
MESSAGES = (
    ChatMessage("system", "You write git commit messages. Reply with the message only."),
    ChatMessage("user", "diff --git a/app.py b/app.py\n-TIMEOUT = 5\n+TIMEOUT = 30\n"),
)
# Generous: on a shared 2-core machine one 24-token answer has taken over a minute.
OPTIONS = llm.CallOptions(timeout=180, retries=1, max_tokens=8, temperature=0.0)


def usable(text: str) -> str | None:
    return None if text.strip() else "empty"


def local(server: RunningServer) -> Endpoint:
    return Endpoint("llamafile/smollm2-135m-instruct", server.base_url)


@pytest.mark.parametrize("suffix", ["", "/v1"], ids=["root", "v1"])
def test_proxy_answers_from_the_local_model(proxy: Proxy, suffix: str) -> None:
    """`litellm_proxy/` posts to `<api_base>/chat/completions`: the proxy serves both roots."""
    path = f"{suffix}/chat/completions"
    before = proxy.served(path)
    endpoint = Endpoint(MODEL, proxy.url + suffix, proxy.key)
    result = llm.complete([endpoint], MESSAGES, OPTIONS, check=usable)
    (attempt,) = result.attempts
    assert attempt.outcome == "ok" and result.model == MODEL and not result.fallback_used
    assert result.text.strip()
    assert attempt.prompt_tokens is not None and attempt.prompt_tokens > 0
    assert attempt.completion_tokens is not None and 1 <= attempt.completion_tokens <= 8
    assert proxy.served(path) == before + 1


def test_wrong_key_is_refused_and_the_chain_falls_back_to_the_local_server(
    proxy: Proxy, local_server: RunningServer
) -> None:
    """Without a database the proxy knows only its master key, and answers any other key with
    400 "No connected db." (not 401): commit-polish records `bad_request` and moves on."""
    wrong = Endpoint(MODEL, proxy.url, f"sk-{secrets.token_hex(16)}")
    result = llm.complete([wrong, local(local_server)], MESSAGES, OPTIONS, check=usable)
    assert [a.outcome for a in result.attempts] == ["bad_request", "ok"]
    refused = result.attempts[0]
    assert "No connected db" in refused.detail and refused.seconds < 10
    assert wrong.api_key and wrong.api_key not in refused.detail
    assert result.fallback_used and result.model == local(local_server).model
    assert result.text.strip()


def test_openai_route_with_v1_reaches_the_proxy(proxy: Proxy) -> None:
    before = proxy.served("/v1/chat/completions")
    endpoint = Endpoint(f"openai/{MODEL_NAME}", f"{proxy.url}/v1", proxy.key)
    result = llm.complete([endpoint], MESSAGES, OPTIONS, check=usable)
    (attempt,) = result.attempts
    assert attempt.outcome == "ok" and result.model == endpoint.model
    assert result.text.strip() and attempt.prompt_tokens and attempt.prompt_tokens > 0
    assert proxy.served("/v1/chat/completions") == before + 1


def test_settings_take_the_proxy_key_from_the_environment(
    proxy: Proxy, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("COMMIT_POLISH_API_KEY", proxy.key)
    flags = {"model": MODEL, "api_base": proxy.url}
    settings, warnings = load_settings(flags, env=os.environ, repo_root=tmp_path)
    assert endpoints(settings, os.environ) == (Endpoint(MODEL, proxy.url, proxy.key),)
    assert warnings == []
    assert proxy.key not in repr(settings) and proxy.key not in str(settings.model_dump())


def test_repository_config_with_the_proxy_as_fallback(
    proxy: Proxy, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """The documented TOML: the local model first, the proxy after it with its own key."""
    dead = f"http://127.0.0.1:{free_port()}/v1"
    (tmp_path / ".github").mkdir()
    (tmp_path / ".github" / "commit-polish.toml").write_text(
        f'model = "llamafile/qwen2.5-coder-1.5b-instruct"\n'
        f'api_base = "{dead}"\n'
        f"\n[[fallback_models]]\n"
        f'model = "{MODEL}"\n'
        f'api_base = "{proxy.url}"\n'
        f'api_key_env = "ORG_LITELLM_KEY"\n',
        encoding="utf-8",
    )
    monkeypatch.setenv("ORG_LITELLM_KEY", proxy.key)
    settings, warnings = load_settings({}, env=os.environ, repo_root=tmp_path)
    chain = endpoints(settings, os.environ)
    assert chain[1] == Endpoint(MODEL, proxy.url, proxy.key) and warnings == []
    result = llm.complete(chain, MESSAGES, OPTIONS, check=usable)
    assert [a.outcome for a in result.attempts] == ["connection", "ok"]
    assert result.fallback_used and result.model == MODEL


def test_cli_suggests_through_the_proxy_as_primary(
    proxy: Proxy,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
) -> None:
    """`commit-polish suggest` with the proxy as the primary model of a repository."""
    (tmp_path / ".github").mkdir()
    (tmp_path / ".github" / "commit-polish.toml").write_text(
        f'model = "{MODEL}"\napi_base = "{proxy.url}"\n'
        "max_prompt_tokens = 256\nmax_output_tokens = 16\ntimeout = 180\n",
        encoding="utf-8",
    )
    monkeypatch.setenv("COMMIT_POLISH_API_KEY", proxy.key)
    diff = str(FIXTURES / "sample.diff")
    code = main(["suggest", "--repo", str(tmp_path), "--diff-file", diff, "--json"])
    out = json.loads(capsys.readouterr().out)
    assert code == 0
    first = out["attempts"][0]
    # SmolLM2's answer may be judged unusable; either way the proxy answered with real tokens.
    assert first["model"] == MODEL and first["outcome"] in {"ok", "unusable"}, first
    assert first["prompt_tokens"] > 0 and first["completion_tokens"] > 0
    assert out["subject"]


def test_litellm_s_own_proxy_variables_are_enough(
    proxy: Proxy, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """A user who follows LiteLLM's proxy docs sets only LITELLM_PROXY_API_BASE and _KEY."""
    env = {
        "XDG_CONFIG_HOME": str(tmp_path / "xdg"),
        "LITELLM_PROXY_API_BASE": proxy.url,
        "LITELLM_PROXY_API_KEY": proxy.key,
        "COMMIT_POLISH_MAX_OUTPUT_TOKENS": "16",
    }
    before = proxy.served("/chat/completions")
    args = ["suggest", "--repo", str(tmp_path), "--diff-file", str(FIXTURES / "sample.diff")]
    code = main([*args, "--json", "--model", MODEL, "--max-prompt-tokens", "256"], env)
    captured = capsys.readouterr()
    # No warning about the settings; SmolLM2's answer may be judged unusable (accepted below),
    # and then the run says so, which is about the answer, not the proxy's variables.
    warnings = [w for w in captured.err.splitlines() if "warning" in w]
    assert code == 0 and all("every model failed" in w for w in warnings), captured.err
    first = json.loads(captured.out)["attempts"][0]
    assert first["model"] == MODEL and first["outcome"] in {"ok", "unusable"}, first
    assert first["prompt_tokens"] > 0 and first["completion_tokens"] > 0
    assert proxy.served("/chat/completions") > before
