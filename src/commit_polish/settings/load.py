"""Where each setting's value comes from, and the Settings built from them once, at the edge.

Precedence, highest first: command-line flags (or the Action's inputs), the environment
(`COMMIT_POLISH_*`, plus `LLAMAFILE_API_BASE` as LiteLLM documents it), the repository's
`.github/commit-polish.toml`, the user's `~/.config/commit-polish/config.toml` (its `[ai]`
table), then the model's defaults. The environment is the mapping the edge hands in, never
the process's own; reading the two files is the only I/O.
"""

from __future__ import annotations

import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from pydantic_settings import EnvSettingsSource

from commit_polish.errors import ConfigError
from commit_polish.records import Endpoint
from commit_polish.settings.declared import BY_NAME, flag_spelling
from commit_polish.settings.model import Settings

REPO_CONFIG = Path(".github/commit-polish.toml")
# The user file speaks the `[ai]` dialect other commit tools use; map it onto our names.
USER_AI_KEYS = {"model": "model", "temperature": "temperature", "max_tokens": "max_output_tokens"}


@dataclass(frozen=True)
class _Layer:
    """One source's values and the name a user would recognise it by."""

    label: str
    values: dict[str, Any]


def _read_toml(path: Path, label: str) -> dict[str, Any]:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return {}
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(
            f"{label} ({path}) cannot be read: {exc}", fix=f"correct or remove {path}"
        ) from exc
    return _parse_toml(text, f"{label} ({path})", str(path))


def _parse_toml(text: str, label: str, where: str) -> dict[str, Any]:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{label} is not valid TOML: {exc}", fix=f"correct {where}") from exc


def user_config_path(env: Mapping[str, str]) -> Path:
    root = env.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(root) / "commit-polish" / "config.toml"


def _user_layer(path: Path) -> _Layer:
    label = "user config"
    data = _read_toml(path, label)
    unknown = sorted(set(data) - {"ai"}) + sorted(set(data.get("ai", {})) - set(USER_AI_KEYS))
    if unknown:
        raise ConfigError(
            f"{label} ({path}) has unknown keys: {', '.join(unknown)}",
            fix=f"only an [ai] table with {', '.join(USER_AI_KEYS)} is read from {path}",
        )
    ai = data.get("ai", {})
    return _Layer(f"{label} {path}", {USER_AI_KEYS[key]: ai[key] for key in ai})


class _EnvSource(EnvSettingsSource):
    """pydantic-settings' environment source over the mapping the edge read, so the names,
    prefix, aliases and case rules are pydantic-settings' own and the process is never read."""

    def __init__(self, env: Mapping[str, str]) -> None:
        self._edge_env = env
        super().__init__(Settings)

    def _load_env_vars(self) -> Mapping[str, str | None]:
        # As pydantic-settings reads os.environ: names fold to lower case unless case-sensitive.
        if self.case_sensitive:
            return dict(self._edge_env)
        return {name.lower(): value for name, value in self._edge_env.items()}


def load_settings(
    flags: Mapping[str, Any],
    *,
    env: Mapping[str, str],
    repo_root: Path | None = None,
    user_config: Path | None = None,
    repo_config: bool | tuple[str, str | None] = True,
    flag_label: Callable[[str], str] = flag_spelling,
) -> tuple[Settings, list[str]]:
    """Build Settings once; return them with warnings the edge should show.

    `flags` holds only what the user actually passed (None values are dropped); `env` is the
    environment the edge read. `repo_config`: True reads the repository file under
    `repo_root`; a (label, text) pair gives its text as read elsewhere (the base branch,
    through the API; None when absent); False skips it. `flag_label` spells a flag's
    setting for error messages.
    """
    files: list[_Layer] = []
    if isinstance(repo_config, tuple):
        label, text = repo_config
        files.append(_Layer(label, _parse_toml(text or "", label, label)))
    elif repo_config:
        path = (repo_root or Path.cwd()) / REPO_CONFIG
        files.append(_Layer(f"repository config {path}", _read_toml(path, "repository config")))
    files.append(_user_layer(user_config or user_config_path(env)))
    given = {key: value for key, value in flags.items() if value is not None}
    merged: dict[str, Any] = {}
    for values in (*(layer.values for layer in reversed(files)), _EnvSource(env)(), given):
        merged.update(values)
    try:
        settings = Settings(**merged)
    except ValidationError as exc:
        raise _explain(exc, given, env, files, flag_label) from None
    return settings, _warnings(settings, env)


def _explain(
    exc: ValidationError,
    flags: Mapping[str, Any],
    env: Mapping[str, str],
    layers: list[_Layer],
    flag_label: Callable[[str], str],
) -> ConfigError:
    lines, places = [], []
    for error in exc.errors():
        key = str(error["loc"][0]) if error["loc"] else "settings"
        where = flag_label(key) if key in flags else _source_of(key, env, layers)
        name = ".".join(str(part) for part in error["loc"]) or key
        message = error["msg"].removeprefix("Value error, ")
        lines.append(f"setting {name!r} (from {where}): {message}")
        places.append(where)
    fix = f"change the value in {' and '.join(dict.fromkeys(places))}"
    return ConfigError("; ".join(lines), fix=fix)


def _source_of(key: str, env: Mapping[str, str], layers: list[_Layer]) -> str:
    for name in BY_NAME[key].env if key in BY_NAME else ():
        if name in env:
            return f"environment variable {name}"
    for layer in layers:
        if key in layer.values:
            return layer.label
    return "the defaults" if key in Settings.model_fields else "the configuration"


def _warnings(settings: Settings, env: Mapping[str, str]) -> list[str]:
    notes = []
    for fallback in settings.fallback_models:
        if fallback.api_key_env and not env.get(fallback.api_key_env):
            notes.append(
                f"fallback model {fallback.model!r}: {fallback.api_key_env} is not set; "
                "it will fail if it is ever reached"
            )
    return notes


def endpoints(settings: Settings, env: Mapping[str, str]) -> tuple[Endpoint, ...]:
    """The ordered models to try, each with its own key and nothing borrowed from another;
    a fallback's `api_key_env` is looked up in `env`, the environment the edge read."""
    primary_key = settings.api_key.get_secret_value() if settings.api_key else None
    chain = [Endpoint(settings.model, settings.api_base, primary_key)]
    for fallback in settings.fallback_models:
        key = env.get(fallback.api_key_env) if fallback.api_key_env else None
        chain.append(Endpoint(fallback.model, fallback.api_base, key or None))
    return tuple(chain)
