"""LiteLLM's own proxy variables (LITELLM_PROXY_API_BASE / _KEY) for `litellm_proxy/` models,
and the rule that the proxy's key goes to the proxy's base and nowhere else.

The settings' rules are checked on `endpoints()`; what really goes over the wire is checked
against a local OpenAI-compatible listener that records each request's Authorization header.
`tests/test_proxy.py` runs the same variables against a real LiteLLM Proxy.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from commit_polish.cli import main
from commit_polish.errors import ConfigError
from commit_polish.records import Endpoint
from commit_polish.settings.load import endpoints, load_settings
from commit_polish.settings.model import DEFAULT_API_BASE
from tests.support.fake_model import FakeModel
from tests.support.paths import FIXTURES

MODEL = "litellm_proxy/commit-polish-model"
BASE = "https://llm.example.org"
KEY = "sk-proxy-sentinel"
PROXY_ENV = {"LITELLM_PROXY_API_BASE": BASE, "LITELLM_PROXY_API_KEY": KEY}


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    return {"XDG_CONFIG_HOME": str(tmp_path / "xdg"), **PROXY_ENV}


def chain(
    env: dict[str, str], tmp_path: Path, config: str = "", **flags: object
) -> tuple[tuple[Endpoint, ...], list[str]]:
    (tmp_path / ".github").mkdir(exist_ok=True)
    (tmp_path / ".github" / "commit-polish.toml").write_text(config)
    settings, warnings = load_settings(flags, env=env, repo_root=tmp_path)
    return endpoints(settings, env), warnings


def test_the_variables_of_litellm_s_proxy_docs_are_enough(
    env: dict[str, str], tmp_path: Path
) -> None:
    assert chain(env, tmp_path, model=MODEL) == ((Endpoint(MODEL, BASE, KEY),), [])
    # The proxy answers on its root and on /v1 alike: both are its base.
    assert chain(env, tmp_path, model=MODEL, api_base=f"{BASE}/v1/")[0][0].api_key == KEY


def test_the_proxy_key_is_held_back_from_any_other_base(
    env: dict[str, str], tmp_path: Path
) -> None:
    other = "https://elsewhere.example"
    (endpoint,), warnings = chain(env, tmp_path, f'model = "{MODEL}"\napi_base = "{other}"\n')
    assert endpoint == Endpoint(MODEL, other, None)
    assert warnings == [
        f"model {MODEL!r}: LITELLM_PROXY_API_KEY is sent only to LITELLM_PROXY_API_BASE "
        f"({BASE}), not to {other}; the call goes without it"
    ]


def test_a_fallback_that_names_the_proxy_key_gets_it_only_at_the_proxy(
    env: dict[str, str], tmp_path: Path
) -> None:
    config = (
        '[[fallback_models]]\nmodel = "openai/commit-polish-model"\n'
        f'api_base = "{BASE}/v1"\napi_key_env = "LITELLM_PROXY_API_KEY"\n'
        '[[fallback_models]]\nmodel = "openai/gpt-4o-mini"\napi_key_env = "LITELLM_PROXY_API_KEY"\n'
    )
    (_, at_proxy, elsewhere), warnings = chain(env, tmp_path, config)
    assert at_proxy == Endpoint("openai/commit-polish-model", f"{BASE}/v1", KEY)
    assert elsewhere == Endpoint("openai/gpt-4o-mini", None, None)
    assert warnings == [
        "model 'openai/gpt-4o-mini': LITELLM_PROXY_API_KEY is sent only to "
        f"LITELLM_PROXY_API_BASE ({BASE}), not to the provider default; the call goes without it"
    ]


def test_the_model_s_own_key_wins_and_other_models_never_see_the_proxy_s(
    env: dict[str, str], tmp_path: Path
) -> None:
    env["COMMIT_POLISH_API_KEY"] = "sk-own"
    assert chain(env, tmp_path, model=MODEL)[0] == (Endpoint(MODEL, BASE, "sk-own"),)
    del env["COMMIT_POLISH_API_KEY"]
    local = chain(env, tmp_path, model="llamafile/x", api_base=f"{BASE}/v1")
    assert local == ((Endpoint("llamafile/x", f"{BASE}/v1", None),), [])


def test_without_the_base_the_key_stays_home(tmp_path: Path) -> None:
    env = {"XDG_CONFIG_HOME": str(tmp_path / "xdg"), "LITELLM_PROXY_API_KEY": KEY}
    (endpoint,), warnings = chain(env, tmp_path, model=MODEL, api_base=BASE)
    assert endpoint == Endpoint(MODEL, BASE, None)
    assert "sent only to LITELLM_PROXY_API_BASE (not set), not to" in warnings[0]
    # The primary keeps the local default, and says where its request goes.
    (endpoint,), warnings = chain(env, tmp_path, model=MODEL)
    assert endpoint == Endpoint(MODEL, DEFAULT_API_BASE, None)
    assert warnings == [
        f"model {MODEL!r} has no api_base and LITELLM_PROXY_API_BASE is not set, so it is "
        f"asked at the default {DEFAULT_API_BASE}; set LITELLM_PROXY_API_BASE to the proxy's"
    ]


def test_a_proxy_fallback_with_no_address_is_a_config_error(tmp_path: Path) -> None:
    """LiteLLM would send it, and the key it found, to OpenAI's address."""
    env = {"XDG_CONFIG_HOME": str(tmp_path / "xdg"), "LITELLM_PROXY_API_KEY": KEY}
    with pytest.raises(ConfigError, match="has no api_base and LITELLM_PROXY_API_BASE") as caught:
        chain(env, tmp_path, f'fallback_models = ["{MODEL}"]\n')
    assert caught.value.fix and "set LITELLM_PROXY_API_BASE" in caught.value.fix


def test_a_proxy_model_with_no_key_at_all_is_warned_about(tmp_path: Path) -> None:
    env = {"XDG_CONFIG_HOME": str(tmp_path / "xdg"), "LITELLM_PROXY_API_BASE": BASE}
    (endpoint,), warnings = chain(env, tmp_path, model=MODEL)
    assert endpoint == Endpoint(MODEL, BASE, None)
    assert warnings == [
        f"model {MODEL!r} at {BASE} has no key, so the proxy will refuse it: set "
        f"LITELLM_PROXY_API_KEY (with LITELLM_PROXY_API_BASE={BASE}) or give the model its own key"
    ]


@pytest.mark.parametrize("at_the_proxy", [True, False], ids=["proxy-base", "other-base"])
def test_what_goes_over_the_wire(
    at_the_proxy: bool,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """`suggest` through LiteLLM to a listener: the key is sent to the proxy's base only."""
    with FakeModel() as proxy, FakeModel() as other:
        env = {
            "XDG_CONFIG_HOME": str(tmp_path / "xdg"),
            "LITELLM_PROXY_API_BASE": proxy.origin,
            "LITELLM_PROXY_API_KEY": KEY,
        }
        args = ["suggest", "--repo", str(tmp_path), "--diff-file", str(FIXTURES / "sample.diff")]
        args += ["--model", MODEL, *(() if at_the_proxy else ("--api-base", other.origin))]
        assert main(args, env) == 0
        err = capsys.readouterr().err
    assert proxy.authorizations() == ([f"Bearer {KEY}"] if at_the_proxy else [])
    assert other.authorizations() == ([] if at_the_proxy else ["Bearer no-key"])
    assert ("LITELLM_PROXY_API_KEY is sent only to" in err) is not at_the_proxy
