"""Settings: where each value comes from, the errors that name their source, and the one
declaration every spelling of a setting is generated from."""

from __future__ import annotations

import types
from pathlib import Path
from typing import Any, Literal, get_args, get_origin

import pytest

from commit_polish.errors import ConfigError
from commit_polish.records import Endpoint
from commit_polish.settings.declared import (
    INPUTS,
    SETTINGS,
    flag_spelling,
    given_flags,
    input_spelling,
)
from commit_polish.settings.load import endpoints, load_settings
from commit_polish.settings.model import DEFAULT_API_BASE, DEFAULT_MODEL, Settings
from tests.support.settings_files import env_fixture, repo_fixture, write  # noqa: F401 - fixtures


def test_defaults_point_at_the_local_llamafile(repo: Path, env: dict[str, str]) -> None:
    settings, warnings = load_settings({}, env=env, repo_root=repo)
    assert settings.model == DEFAULT_MODEL
    assert settings.api_base == DEFAULT_API_BASE == "http://127.0.0.1:8080/v1"
    assert settings.fallback_models == ()
    assert warnings == []


def test_precedence_flags_env_repo_user(repo: Path, tmp_path: Path, env: dict[str, str]) -> None:
    user = write(
        tmp_path / "user.toml", '[ai]\nmodel = "openai/user"\ntemperature = 0.9\nmax_tokens = 99\n'
    )
    write(
        repo / ".github/commit-polish.toml",
        'model = "openai/repo"\ntemperature = 0.5\nlanguage = "French"\n',
    )
    env.update(COMMIT_POLISH_TEMPERATURE="0.3", COMMIT_POLISH_LANGUAGE="German")
    settings, _ = load_settings({"language": "Dutch"}, env=env, repo_root=repo, user_config=user)
    assert settings.language == "Dutch"  # flag beats env
    assert settings.temperature == 0.3  # env beats repo file
    assert settings.model == "openai/repo"  # repo file beats user file
    assert settings.max_output_tokens == 99  # user file's [ai] max_tokens beats the default


def test_llamafile_api_base_is_honoured(repo: Path, env: dict[str, str]) -> None:
    env["LLAMAFILE_API_BASE"] = "http://llamafile:8080/v1"
    settings, _ = load_settings({}, env=env, repo_root=repo)
    assert settings.api_base == "http://llamafile:8080/v1"
    env["COMMIT_POLISH_API_BASE"] = "http://10.0.0.1:9000/v1"
    settings, _ = load_settings({}, env=env, repo_root=repo)
    assert settings.api_base == "http://10.0.0.1:9000/v1"


def test_fallbacks_from_env_as_list_or_json(repo: Path, env: dict[str, str]) -> None:
    env["COMMIT_POLISH_FALLBACK_MODELS"] = "openai/gpt-4o-mini, anthropic/claude-x"
    settings, _ = load_settings({}, env=env, repo_root=repo)
    assert [f.model for f in settings.fallback_models] == [
        "openai/gpt-4o-mini",
        "anthropic/claude-x",
    ]
    env["COMMIT_POLISH_FALLBACK_MODELS"] = (
        '[{"model": "openai/m", "api_base": "https://gw.example/v1", "api_key_env": "GW_KEY"}]'
    )
    settings, warnings = load_settings({}, env=env, repo_root=repo)
    assert settings.fallback_models[0].api_base == "https://gw.example/v1"
    assert warnings == [
        "fallback model 'openai/m': GW_KEY is not set; it will fail if it is ever reached"
    ]


def test_each_endpoint_gets_only_its_own_key(repo: Path, env: dict[str, str]) -> None:
    write(
        repo / ".github/commit-polish.toml",
        'fallback_models = [{model = "openai/gpt-4o-mini", api_key_env = "MY_OPENAI"}, '
        '"anthropic/claude-x"]\n',
    )
    env["MY_OPENAI"] = "sk-sentinel"
    settings, _ = load_settings({}, env=env, repo_root=repo)
    chain = endpoints(settings, env)
    assert chain == (
        Endpoint(DEFAULT_MODEL, DEFAULT_API_BASE, None),
        Endpoint("openai/gpt-4o-mini", None, "sk-sentinel"),
        Endpoint("anthropic/claude-x", None, None),
    )
    assert "sk-sentinel" not in repr(chain)


RUNNER_CREDENTIALS = [
    "GITHUB_TOKEN",
    "github_token",
    "GH_TOKEN",
    "INPUT_GITHUB-TOKEN",
    "input_api-key",
    "ACTIONS_RUNTIME_TOKEN",
    "ACTIONS_ID_TOKEN_REQUEST_TOKEN",
    "RUNNER_TEMP",
]


@pytest.mark.parametrize("name", RUNNER_CREDENTIALS)
def test_a_config_file_cannot_name_the_runners_credentials_as_a_key(
    repo: Path, env: dict[str, str], name: str
) -> None:
    """A file that could pick the runner's token as a fallback's key would have it sent to a
    host the file also picks."""
    config = write(
        repo / ".github/commit-polish.toml",
        f'[[fallback_models]]\nmodel = "openai/m"\napi_base = "https://evil.example/v1"\n'
        f'api_key_env = "{name}"\n',
    )
    env[name] = "ghs_" + "t" * 36
    with pytest.raises(ConfigError) as caught:
        load_settings({}, env=env, repo_root=repo)
    text = str(caught.value)
    assert caught.value.exit_code == 2
    assert f"'fallback_models.0.api_key_env' (from repository config {config})" in text
    assert f"api_key_env {name!r} names one of the runner's own credentials" in text
    assert "name the variable that holds this model's own key" in text  # the fix
    assert "GITHUB_API_KEY" in text and "ghs_" not in text


def test_the_rule_holds_for_every_source_of_fallbacks(repo: Path, env: dict[str, str]) -> None:
    fallback = '[{"model": "openai/m", "api_key_env": "GITHUB_TOKEN"}]'
    with pytest.raises(ConfigError, match="from environment variable COMMIT_POLISH_FALLBACK"):
        load_settings({}, env={**env, "COMMIT_POLISH_FALLBACK_MODELS": fallback}, repo_root=repo)
    with pytest.raises(ConfigError, match=r"from input 'fallback-models'\)"):
        load_settings(
            {"fallback_models": fallback},
            env=env,
            repo_root=repo,
            flag_label=input_spelling,
        )


@pytest.mark.parametrize("name", ["GITHUB_API_KEY", "OPENAI_API_KEY", "MY_GITHUB_TOKEN"])
def test_provider_key_names_stay_allowed(repo: Path, env: dict[str, str], name: str) -> None:
    """GITHUB_API_KEY is LiteLLM's name for a GitHub Models key: a workflow sets it on purpose."""
    write(
        repo / ".github/commit-polish.toml",
        f'fallback_models = [{{model = "github/gpt-4o-mini", api_key_env = "{name}"}}]\n',
    )
    env[name] = "sk-" + "k" * 32
    settings, _ = load_settings({}, env=env, repo_root=repo)
    assert endpoints(settings, env)[1] == Endpoint("github/gpt-4o-mini", None, env[name])


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
    repo: Path, env: dict[str, str], flags: dict[str, object], expected: str
) -> None:
    with pytest.raises(ConfigError) as caught:
        load_settings(flags, env=env, repo_root=repo)
    text = str(caught.value)
    key = next(iter(flags))
    assert f"'{key}" in text
    assert "from --" in text
    assert expected in text
    assert caught.value.exit_code == 2


def test_bad_value_in_repo_file_names_the_file(repo: Path, env: dict[str, str]) -> None:
    config = write(repo / ".github/commit-polish.toml", "timeout = -5\n")
    with pytest.raises(ConfigError) as caught:
        load_settings({}, env=env, repo_root=repo)
    assert "'timeout'" in str(caught.value) and str(config) in str(caught.value)


def test_bad_env_value_names_the_variable(repo: Path, env: dict[str, str]) -> None:
    env["COMMIT_POLISH_MAX_PROMPT_TOKENS"] = "lots"
    with pytest.raises(ConfigError, match="environment variable COMMIT_POLISH_MAX_PROMPT_TOKENS"):
        load_settings({}, env=env, repo_root=repo)


def test_unreadable_toml_is_a_config_error(repo: Path, env: dict[str, str]) -> None:
    write(repo / ".github/commit-polish.toml", "model = [unclosed\n")
    with pytest.raises(ConfigError, match="repository config"):
        load_settings({}, env=env, repo_root=repo)


def test_repo_config_can_be_skipped(repo: Path, env: dict[str, str]) -> None:
    """Under pull_request_target the PR head's file must not steer requests."""
    write(repo / ".github/commit-polish.toml", 'api_base = "http://evil.example/v1"\n')
    settings, _ = load_settings({}, env=env, repo_root=repo, repo_config=False)
    assert settings.api_base == DEFAULT_API_BASE


def test_user_config_default_path_follows_xdg(tmp_path: Path) -> None:
    write(tmp_path / "commit-polish/config.toml", "[ai]\ntemperature = 0.7\n")
    env = {"XDG_CONFIG_HOME": str(tmp_path)}
    settings, _ = load_settings({}, env=env, repo_root=tmp_path / "none")
    assert settings.temperature == 0.7


def test_only_the_given_environment_is_read(
    repo: Path, env: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The process's own variables reach Settings only through the mapping the edge hands in."""
    monkeypatch.setenv("COMMIT_POLISH_MODEL", "openai/from-the-process")
    monkeypatch.setenv("MY_KEY", "sk-process")
    fallback = '[{"model": "openai/m", "api_key_env": "MY_KEY"}]'
    given = {**env, "COMMIT_POLISH_FALLBACK_MODELS": fallback}
    settings, _ = load_settings({}, env=given, repo_root=repo)
    assert settings.model == DEFAULT_MODEL
    assert endpoints(settings, env)[1] == Endpoint("openai/m", None, None)
    assert endpoints(settings, {"MY_KEY": "sk-given"})[1].api_key == "sk-given"


def test_environment_names_match_in_any_case(repo: Path, env: dict[str, str]) -> None:
    env["commit_polish_language"] = "Dutch"
    settings, _ = load_settings({}, env=env, repo_root=repo)
    assert settings.language == "Dutch"


# --- the one declaration ------------------------------------------------------------------


def test_every_field_is_declared_once_in_the_same_order() -> None:
    assert [s.name for s in SETTINGS] == list(Settings.model_fields)
    spellings = [s.flag for s in SETTINGS if s.flag] + [s.input for s in SETTINGS if s.input]
    spellings += [name for s in SETTINGS for name in s.env]
    assert len(spellings) == len(set(spellings))


def _parts(annotation: Any) -> tuple[Any, ...]:
    """`X | None` -> (X,); anything else -> (itself,)."""
    if isinstance(annotation, types.UnionType):
        return tuple(a for a in get_args(annotation) if a is not type(None))
    return (annotation,)


@pytest.mark.parametrize("setting", [s for s in SETTINGS if s.flag], ids=lambda s: s.name)
def test_each_flag_parses_to_its_fields_type(setting: Any) -> None:
    (annotation,) = _parts(Settings.model_fields[setting.name].annotation)
    if get_origin(annotation) is tuple:
        assert setting.repeatable, "a tuple setting is a repeatable flag"
        return
    assert not setting.repeatable
    if get_origin(annotation) is Literal:
        assert setting.choices == get_args(annotation)
        return
    assert not setting.choices
    assert setting.parse is annotation


def test_the_dict_of_given_flags_holds_only_what_was_passed() -> None:
    values = {name: None for name in INPUTS.values()} | {
        "model": "openai/x",
        "fallback_models": ["openai/y"],
        "ignore": ["docs/**"],
        "repo": ".",  # not a setting
    }
    assert given_flags(values) == {
        "model": "openai/x",
        "fallback_models": ["openai/y"],
        "ignore": ["docs/**"],
    }


def test_errors_spell_the_setting_as_the_user_did(repo: Path, env: dict[str, str]) -> None:
    assert flag_spelling("fallback_models") == "--fallback-model"
    assert input_spelling("fallback_models") == "input 'fallback-models'"
    assert flag_spelling("temperature") == "temperature"  # no flag: the setting's own name
    with pytest.raises(ConfigError, match=r"from input 'api-base'\)"):
        load_settings(
            {"api_base": "http://x:1"}, env=env, repo_root=repo, flag_label=input_spelling
        )


def test_write_title_needs_the_description_block(repo: Path, env: dict[str, str]) -> None:
    write(repo / ".github/commit-polish.toml", "write_title = true\n")
    with pytest.raises(ConfigError) as caught:
        load_settings({}, env=env, repo_root=repo)
    text = str(caught.value)
    assert "'write_title' (from repository config" in text and "write-to: pr-body" in text
    flags = {"write_to": "pr-body"}
    assert load_settings(flags, env=env, repo_root=repo)[0].write_title is True
