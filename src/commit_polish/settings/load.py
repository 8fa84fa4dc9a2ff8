"""Where each setting's value comes from, and the Settings built from them once, at the edge.

Precedence, highest first: command-line flags (or the Action's inputs), the environment
(`COMMIT_POLISH_*`, plus `LLAMAFILE_API_BASE` as LiteLLM documents it), the repository's
`.github/commit-polish.toml`, the user's `~/.config/commit-polish/config.toml` (its `[ai]`
table), then the model's defaults; a `litellm_proxy/` model given no api_base takes
LiteLLM's `LITELLM_PROXY_API_BASE` (`settings.proxy`). Keys and tables of the files that
are no settings are ignored, each with a warning. The environment is the mapping the edge
hands in, never the process's own; reading the two files is the only I/O.
"""

from __future__ import annotations

import difflib
import tomllib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from pydantic_settings import EnvSettingsSource

from commit_polish.errors import ConfigError
from commit_polish.records import Endpoint
from commit_polish.settings.declared import BY_NAME, flag_spelling
from commit_polish.settings.model import Settings
from commit_polish.settings.proxy import ProxyVars

REPO_CONFIG = Path(".github/commit-polish.toml")
# The user file speaks the `[ai]` dialect other commit tools use; map it onto our names.
USER_AI_KEYS = {"model": "model", "temperature": "temperature", "max_tokens": "max_output_tokens"}
_MAX_UNKNOWN = 10
"""Unknown keys named one by one; past this, only counted."""
_MAX_KEY = 60
"""A key is as long as its file lets it be: cut to this before it is matched or shown."""


@dataclass(frozen=True)
class _Layer:
    """One source's values and the name a user would recognise it by."""

    label: str
    values: dict[str, Any]
    warnings: tuple[str, ...] = ()
    """One per key or table the file holds that is not ours."""


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
    label = f"user config {path}"
    data = _read_toml(path, "user config")
    # Near misses are offered as dotted keys, which TOML also reads: `ai.model = "..."`.
    owned = _owned(data, {"ai": "ai"}, label, hints=[f"ai.{key}" for key in USER_AI_KEYS])
    ai = owned.values.get("ai", {})
    if not isinstance(ai, dict):
        return _Layer(label, {}, (*owned.warnings, f"{label}: `ai` is not a table; ignored"))
    mapped = _owned(ai, USER_AI_KEYS, f"{label} [ai]")
    return _Layer(label, mapped.values, owned.warnings + mapped.warnings)


def _repo_layer(data: dict[str, Any], label: str) -> _Layer:
    return _owned(data, {name: name for name in Settings.model_fields}, label)


def _owned(
    data: Mapping[str, Any], names: Mapping[str, str], label: str, hints: Sequence[str] = ()
) -> _Layer:
    """The keys of `data` we own, renamed by `names`, and one warning per other key or table:
    a shared file may hold another tool's sections, and a typo must not stop a run."""
    values = {names[key]: value for key, value in data.items() if key in names}
    others = [key for key in data if key not in names]
    notes = [_unknown(key, data[key], label, [*names, *hints]) for key in others[:_MAX_UNKNOWN]]
    if len(others) > _MAX_UNKNOWN:
        notes.append(f"{label}: {len(others) - _MAX_UNKNOWN} more unknown keys ignored")
    return _Layer(label, values, tuple(notes))


def _unknown(key: str, value: Any, label: str, known: Sequence[str]) -> str:
    shown = key[:_MAX_KEY]
    what = f"section [{shown}]" if isinstance(value, dict) else f"key `{shown}`"
    near = difflib.get_close_matches(shown, known, n=1)
    return f"{label}: {what} is not a commit-polish setting and is ignored" + (
        f"; did you mean `{near[0]}`?" if near else ""
    )


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
    adjust: Callable[[Settings], Settings] | None = None,
) -> tuple[Settings, list[str]]:
    """Build Settings once; return them with warnings the edge should show.

    `flags` holds only what the user actually passed (None values are dropped); `env` is the
    environment the edge read. `repo_config`: True reads the repository file under
    `repo_root`; a (label, text) pair gives its text as read elsewhere (the base branch,
    through the API; None when absent); False skips it. `flag_label` spells a flag's
    setting for error messages. `adjust` changes the settings once read and checked, before
    the model chain's endpoints are resolved (the Action's fork policy drops models there).
    """
    files: list[_Layer] = []
    if isinstance(repo_config, tuple):
        label, text = repo_config
        files.append(_repo_layer(_parse_toml(text or "", label, label), label))
    elif repo_config:
        path = (repo_root or Path.cwd()) / REPO_CONFIG
        data = _read_toml(path, "repository config")
        files.append(_repo_layer(data, f"repository config {path}"))
    files.append(_user_layer(user_config or user_config_path(env)))
    given = {key: value for key, value in flags.items() if value is not None}
    merged: dict[str, Any] = {}
    for values in (*(layer.values for layer in reversed(files)), _EnvSource(env)(), given):
        merged.update(values)
    try:
        settings = Settings(**merged)
    except ValidationError as exc:
        raise _explain(exc, given, env, files, flag_label) from None
    if adjust is not None:
        settings = adjust(settings)
    notes = [note for layer in files for note in layer.warnings]
    return settings, notes + _warnings(settings, env)


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
    return notes + [note for _, note in _chain(settings, env) if note]


def endpoints(settings: Settings, env: Mapping[str, str]) -> tuple[Endpoint, ...]:
    """The ordered models to try, each with its own key and nothing borrowed from another;
    a fallback's `api_key_env`, and LiteLLM's proxy variables (`settings.proxy`), are looked
    up in `env`, the environment the edge read."""
    return tuple(endpoint for endpoint, _ in _chain(settings, env))


def _chain(settings: Settings, env: Mapping[str, str]) -> list[tuple[Endpoint, str | None]]:
    proxy = ProxyVars.read(env)
    primary_key = settings.api_key.get_secret_value() if settings.api_key else None
    # The default api_base is the local server's: a proxy model given none takes the proxy's.
    given = settings.api_base if "api_base" in settings.model_fields_set else None
    chain = [proxy.endpoint(settings.model, given, primary_key, default=settings.api_base)]
    for fallback in settings.fallback_models:
        named = fallback.api_key_env
        key = (env.get(named) or None) if named else None
        chain.append(proxy.endpoint(fallback.model, fallback.api_base, key, key_from=named))
    return chain
