"""Keys and tables a config file holds that are not settings: a warning each, naming the
near miss, and never a failure (a shared file may hold another tool's sections)."""

from __future__ import annotations

from pathlib import Path

from commit_polish.settings.load import load_settings
from commit_polish.settings.model import DEFAULT_MODEL
from tests.support.settings_files import env_fixture, repo_fixture, write  # noqa: F401 - fixtures


def test_keys_and_tables_that_are_not_ours_are_warned_about_never_fatal(
    repo: Path, env: dict[str, str]
) -> None:
    config = write(
        repo / ".github/commit-polish.toml",
        'modle = "openai/typo"\nlanguage = "French"\nfallback_model = ["openai/m"]\n'
        'colour = "blue"\n[tool.commitizen]\nname = "cz_conventional_commits"\n',
    )
    settings, warnings = load_settings({}, env=env, repo_root=repo)
    assert settings.language == "French" and settings.model == DEFAULT_MODEL
    said = f"repository config {config}: "
    assert warnings == [
        f"{said}key `modle` is not a commit-polish setting and is ignored; did you mean `model`?",
        f"{said}key `fallback_model` is not a commit-polish setting and is ignored; "
        "did you mean `fallback_models`?",
        f"{said}key `colour` is not a commit-polish setting and is ignored",
        f"{said}section [tool] is not a commit-polish setting and is ignored",
    ]


def test_a_config_given_as_text_warns_under_its_own_label(env: dict[str, str]) -> None:
    """The Action reads the base branch's file through the API and names it so."""
    label = "repository config .github/commit-polish.toml on main"
    _, warnings = load_settings({}, env=env, repo_config=(label, "stlye = 'plain'\n"))
    assert warnings == [
        f"{label}: key `stlye` is not a commit-polish setting and is ignored; did you mean `style`?"
    ]


def test_many_unknown_keys_are_counted_past_ten(repo: Path, env: dict[str, str]) -> None:
    write(repo / ".github/commit-polish.toml", "".join(f"k{n} = 1\n" for n in range(25)))
    _, warnings = load_settings({}, env=env, repo_root=repo)
    assert len(warnings) == 11 and warnings[-1].endswith(": 15 more unknown keys ignored")


def test_unknown_user_keys_are_warned_about(
    repo: Path, tmp_path: Path, env: dict[str, str]
) -> None:
    user = write(
        tmp_path / "user.toml",
        "temperature = 0.9\n[ai]\nmodel = 'openai/x'\nprovider = 'y'\nmax_token = 50\n"
        "[other-tool]\nx = 1\n",
    )
    settings, warnings = load_settings({}, env=env, repo_root=repo, user_config=user)
    assert settings.model == "openai/x" and settings.max_output_tokens == 96
    label = f"user config {user}"
    assert warnings == [
        f"{label}: key `temperature` is not a commit-polish setting and is ignored; "
        "did you mean `ai.temperature`?",
        f"{label}: section [other-tool] is not a commit-polish setting and is ignored",
        f"{label} [ai]: key `provider` is not a commit-polish setting and is ignored",
        f"{label} [ai]: key `max_token` is not a commit-polish setting and is ignored; "
        "did you mean `max_tokens`?",
    ]


def test_an_ai_key_that_is_not_a_table_is_ignored(tmp_path: Path, env: dict[str, str]) -> None:
    user = write(tmp_path / "user.toml", 'ai = "openai/x"\n')
    settings, warnings = load_settings({}, env=env, repo_root=tmp_path, user_config=user)
    assert settings.model == DEFAULT_MODEL
    assert warnings == [f"user config {user}: `ai` is not a table; ignored"]
