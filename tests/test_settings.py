from __future__ import annotations

from pathlib import Path

import pytest

from commit_polish.errors import ConfigError
from commit_polish.records import Endpoint
from commit_polish.settings import DEFAULT_API_BASE, DEFAULT_MODEL, endpoints, load_settings


def _write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    return tmp_path / "repo"


def test_defaults_point_at_the_local_llamafile(repo: Path) -> None:
    settings, warnings = load_settings({}, repo_root=repo)
    assert settings.model == DEFAULT_MODEL
    assert settings.api_base == DEFAULT_API_BASE == "http://127.0.0.1:8080/v1"
    assert settings.fallback_models == ()
    assert warnings == []


def test_precedence_flags_env_repo_user(
    repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    user = _write(
        tmp_path / "user.toml", '[ai]\nmodel = "openai/user"\ntemperature = 0.9\nmax_tokens = 99\n'
    )
    _write(
        repo / ".github/commit-polish.toml",
        'model = "openai/repo"\ntemperature = 0.5\nlanguage = "French"\n',
    )
    monkeypatch.setenv("COMMIT_POLISH_TEMPERATURE", "0.3")
    monkeypatch.setenv("COMMIT_POLISH_LANGUAGE", "German")
    settings, _ = load_settings({"language": "Dutch"}, repo_root=repo, user_config=user)
    assert settings.language == "Dutch"  # flag beats env
    assert settings.temperature == 0.3  # env beats repo file
    assert settings.model == "openai/repo"  # repo file beats user file
    assert settings.max_output_tokens == 99  # user file's [ai] max_tokens beats the default


def test_llamafile_api_base_is_honoured(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LLAMAFILE_API_BASE", "http://llamafile:8080/v1")
    settings, _ = load_settings({}, repo_root=repo)
    assert settings.api_base == "http://llamafile:8080/v1"
    monkeypatch.setenv("COMMIT_POLISH_API_BASE", "http://10.0.0.1:9000/v1")
    settings, _ = load_settings({}, repo_root=repo)
    assert settings.api_base == "http://10.0.0.1:9000/v1"


def test_fallbacks_from_env_as_list_or_json(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COMMIT_POLISH_FALLBACK_MODELS", "openai/gpt-4o-mini, anthropic/claude-x")
    settings, _ = load_settings({}, repo_root=repo)
    assert [f.model for f in settings.fallback_models] == [
        "openai/gpt-4o-mini",
        "anthropic/claude-x",
    ]
    monkeypatch.setenv(
        "COMMIT_POLISH_FALLBACK_MODELS",
        '[{"model": "openai/m", "api_base": "https://gw.example/v1", "api_key_env": "GW_KEY"}]',
    )
    settings, warnings = load_settings({}, repo_root=repo)
    assert settings.fallback_models[0].api_base == "https://gw.example/v1"
    assert warnings == [
        "fallback model 'openai/m': GW_KEY is not set; it will fail if it is ever reached"
    ]


def test_each_endpoint_gets_only_its_own_key(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _write(
        repo / ".github/commit-polish.toml",
        'fallback_models = [{model = "openai/gpt-4o-mini", api_key_env = "MY_OPENAI"}, '
        '"anthropic/claude-x"]\n',
    )
    monkeypatch.setenv("MY_OPENAI", "sk-sentinel")
    settings, _ = load_settings({}, repo_root=repo)
    chain = endpoints(settings)
    assert chain == (
        Endpoint(DEFAULT_MODEL, DEFAULT_API_BASE, None),
        Endpoint("openai/gpt-4o-mini", None, "sk-sentinel"),
        Endpoint("anthropic/claude-x", None, None),
    )
    assert "sk-sentinel" not in repr(chain)


@pytest.mark.parametrize(
    ("flags", "expected"),
    [
        ({"model": "qwen2.5"}, "'llamafile/qwen2.5'"),
        ({"api_base": "http://127.0.0.1:8080"}, "use 'http://127.0.0.1:8080/v1'"),
        (
            {"api_base": "http://127.0.0.1:8080/v1/chat/completions"},
            "use 'http://127.0.0.1:8080/v1'",
        ),
        ({"api_base": "localhost:8080/v1"}, "not an http(s) URL"),
        ({"fallback_models": ["gpt-4o-mini"]}, "'openai/gpt-4o-mini'"),
        ({"style": "fancy"}, "'auto', 'conventional' or 'plain'"),
    ],
)
def test_pitfalls_name_the_setting_source_and_fix(
    repo: Path, flags: dict[str, object], expected: str
) -> None:
    with pytest.raises(ConfigError) as caught:
        load_settings(flags, repo_root=repo)
    text = str(caught.value)
    key = next(iter(flags))
    assert f"'{key}" in text
    assert "from --" in text
    assert expected in text
    assert caught.value.exit_code == 2


def test_bad_value_in_repo_file_names_the_file(repo: Path) -> None:
    config = _write(repo / ".github/commit-polish.toml", "timeout = -5\nmodle = 'x'\n")
    with pytest.raises(ConfigError) as caught:
        load_settings({}, repo_root=repo)
    text = str(caught.value)
    assert "'timeout'" in text and "'modle'" in text
    assert str(config) in text


def test_bad_env_value_names_the_variable(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COMMIT_POLISH_MAX_PROMPT_TOKENS", "lots")
    with pytest.raises(ConfigError, match="environment variable COMMIT_POLISH_MAX_PROMPT_TOKENS"):
        load_settings({}, repo_root=repo)


def test_unreadable_toml_is_a_config_error(repo: Path) -> None:
    _write(repo / ".github/commit-polish.toml", "model = [unclosed\n")
    with pytest.raises(ConfigError, match="repository config"):
        load_settings({}, repo_root=repo)


def test_unknown_user_keys_are_refused(repo: Path, tmp_path: Path) -> None:
    user = _write(tmp_path / "user.toml", "[ai]\nmodel = 'openai/x'\nprovider = 'y'\n")
    with pytest.raises(ConfigError, match="provider"):
        load_settings({}, repo_root=repo, user_config=user)


def test_repo_config_can_be_skipped(repo: Path) -> None:
    """Under pull_request_target the PR head's file must not steer requests."""
    _write(repo / ".github/commit-polish.toml", 'api_base = "http://evil.example/v1"\n')
    settings, _ = load_settings({}, repo_root=repo, repo_config=False)
    assert settings.api_base == DEFAULT_API_BASE


def test_user_config_default_path_follows_xdg(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    _write(tmp_path / "commit-polish/config.toml", "[ai]\ntemperature = 0.7\n")
    settings, _ = load_settings({}, repo_root=tmp_path / "none")
    assert settings.temperature == 0.7
