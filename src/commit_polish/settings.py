"""The Settings model and where each value comes from.

Precedence, highest first: command-line flags (or the Action's inputs), the environment
(`COMMIT_POLISH_*`, plus `LLAMAFILE_API_BASE` as LiteLLM documents it), the repository's
`.github/commit-polish.toml`, the user's `~/.config/commit-polish/config.toml` (its `[ai]`
table), then the defaults below. Loading is the only I/O here, and it happens once, at the edge.
"""

from __future__ import annotations

import json
import os
import tomllib
from collections.abc import Callable, Mapping
from contextvars import ContextVar
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit

from pydantic import (
    AliasChoices,
    BaseModel,
    ConfigDict,
    Field,
    SecretStr,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_settings import BaseSettings, NoDecode, PydanticBaseSettingsSource, SettingsConfigDict

from .errors import ConfigError
from .records import Endpoint

DEFAULT_MODEL = "llamafile/qwen2.5-coder-1.5b-instruct"
DEFAULT_API_BASE = "http://127.0.0.1:8080/v1"
REPO_CONFIG = Path(".github/commit-polish.toml")
# The user file speaks the `[ai]` dialect other commit tools use; map it onto our names.
USER_AI_KEYS = {"model": "model", "temperature": "temperature", "max_tokens": "max_output_tokens"}
# Providers whose api_base is an OpenAI-style root that must end in /v1.
V1_PROVIDERS = ("llamafile/", "openai/")
# How the CLI spells each setting, for error messages; the Action passes its input names.
CLI_FLAGS = {
    "fallback_models": "--fallback-model",
    **{
        key: "--" + key.replace("_", "-")
        for key in ("model", "api_base", "max_prompt_tokens", "timeout", "style", "language")
    },
}


class FallbackModel(BaseModel):
    """A model tried after the primary, with its own endpoint and key."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    model: str
    api_base: str | None = None
    api_key_env: str | None = None
    """The environment variable holding this model's key; unset means LiteLLM's default
    variable for the provider (OPENAI_API_KEY, ANTHROPIC_API_KEY, ...)."""

    @model_validator(mode="after")
    def _check(self) -> FallbackModel:
        _check_api_base(_check_model(self.model), self.api_base)
        return self


def _listish(value: Any) -> Any:
    """Accept a JSON list, a comma-separated string, or a real list."""
    if isinstance(value, str):
        text = value.strip()
        if text.startswith("["):
            return json.loads(text)
        return [part.strip() for part in text.split(",") if part.strip()]
    return value


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="COMMIT_POLISH_", frozen=True, extra="forbid", populate_by_name=True
    )

    model: str = DEFAULT_MODEL
    api_base: str | None = Field(
        default=DEFAULT_API_BASE,
        validation_alias=AliasChoices("COMMIT_POLISH_API_BASE", "LLAMAFILE_API_BASE"),
    )
    api_key: SecretStr | None = None
    fallback_models: Annotated[tuple[FallbackModel, ...], NoDecode] = ()
    timeout: float = Field(default=120.0, gt=0, le=3600)
    retries: int = Field(default=1, ge=0, le=5)
    max_prompt_tokens: int = Field(default=768, ge=256, le=1_000_000)
    max_output_tokens: int = Field(default=96, ge=16, le=8192)
    temperature: float = Field(default=0.2, ge=0, le=2)
    style: Literal["auto", "conventional", "plain"] = "auto"
    language: str = "English"
    instructions: str = ""
    ignore: Annotated[tuple[str, ...], NoDecode] = ()

    @field_validator("fallback_models", mode="before")
    @classmethod
    def _parse_fallbacks(cls, value: Any) -> Any:
        items = _listish(value)
        if isinstance(items, list | tuple):
            return [{"model": item} if isinstance(item, str) else item for item in items]
        return items

    @field_validator("ignore", mode="before")
    @classmethod
    def _parse_ignore(cls, value: Any) -> Any:
        return _listish(value)

    @field_validator("model")
    @classmethod
    def _check_model(cls, value: str) -> str:
        return _check_model(value)

    @field_validator("api_base")
    @classmethod
    def _check_api_base(cls, value: str | None, info: ValidationInfo) -> str | None:
        return _check_api_base(str(info.data.get("model", "")), value)

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        files = _FILE_LAYERS.get()
        return (
            init_settings,
            env_settings,
            *(_DictSource(settings_cls, layer.values) for layer in files),
        )


def _check_model(model: str) -> str:
    if "/" not in model:
        raise ValueError(
            f"model {model!r} has no provider prefix, so LiteLLM cannot tell where to send it; "
            f"for a llamafile or llama.cpp server write 'llamafile/{model}' "
            f"(or 'openai/{model}', 'anthropic/...', 'litellm_proxy/...')"
        )
    return model


def _check_api_base(model: str, api_base: str | None) -> str | None:
    """Turn LiteLLM's silent endpoint pitfalls into errors that say the fix."""
    if not api_base:
        return api_base
    parts = urlsplit(api_base)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError(f"{api_base!r} is not an http(s) URL; write e.g. {DEFAULT_API_BASE}")
    path = parts.path.rstrip("/")
    for suffix in ("/chat/completions", "/completions"):
        if path.endswith(suffix):
            fixed = f"{parts.scheme}://{parts.netloc}{path.removesuffix(suffix)}"
            raise ValueError(
                f"{api_base!r} ends in the endpoint path, which LiteLLM appends itself: "
                f"use {fixed!r}"
            )
    if model.startswith(V1_PROVIDERS) and not path.endswith("/v1"):
        raise ValueError(
            f"{api_base!r} must end in /v1 for {model!r} (the OpenAI-compatible root): "
            f"use {api_base.rstrip('/') + '/v1'!r}"
        )
    return api_base


@dataclass(frozen=True)
class _Layer:
    """One file's values and the name a user would recognise it by."""

    label: str
    values: dict[str, Any]


_FILE_LAYERS: ContextVar[tuple[_Layer, ...]] = ContextVar("file_layers", default=())


class _DictSource(PydanticBaseSettingsSource):
    def __init__(self, settings_cls: type[BaseSettings], values: dict[str, Any]) -> None:
        super().__init__(settings_cls)
        self._values = values

    def get_field_value(self, field: Any, field_name: str) -> tuple[Any, str, bool]:
        return self._values.get(field_name), field_name, False

    def __call__(self) -> dict[str, Any]:
        return dict(self._values)


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


def load_settings(
    flags: Mapping[str, Any],
    *,
    repo_root: Path | None = None,
    user_config: Path | None = None,
    repo_config: bool | tuple[str, str | None] = True,
    flag_label: Callable[[str], str] = lambda key: CLI_FLAGS.get(key, key),
) -> tuple[Settings, list[str]]:
    """Build Settings once; return them with warnings the edge should show.

    `flags` holds only what the user actually passed (None values are dropped).
    `repo_config`: True reads the repository file under `repo_root`; a (label, text) pair
    gives its text as read elsewhere (the base branch, through the API; None when absent);
    False skips it.
    """
    env = os.environ
    layers: list[_Layer] = []
    if isinstance(repo_config, tuple):
        label, text = repo_config
        layers.append(_Layer(label, _parse_toml(text or "", label, label)))
    elif repo_config:
        path = (repo_root or Path.cwd()) / REPO_CONFIG
        layers.append(_Layer(f"repository config {path}", _read_toml(path, "repository config")))
    layers.append(_user_layer(user_config or user_config_path(env)))
    given = {key: value for key, value in flags.items() if value is not None}
    token = _FILE_LAYERS.set(tuple(layers))
    try:
        settings = Settings(**given)
    except ValidationError as exc:
        raise _explain(exc, given, env, layers, flag_label) from None
    finally:
        _FILE_LAYERS.reset(token)
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
    names = [f"COMMIT_POLISH_{key.upper()}"] + (["LLAMAFILE_API_BASE"] if key == "api_base" else [])
    for name in names:
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


def endpoints(settings: Settings) -> tuple[Endpoint, ...]:
    """The ordered models to try, each with its own key and nothing borrowed from another."""
    env = os.environ
    primary_key = settings.api_key.get_secret_value() if settings.api_key else None
    chain = [Endpoint(settings.model, settings.api_base, primary_key)]
    for fallback in settings.fallback_models:
        key = env.get(fallback.api_key_env) if fallback.api_key_env else None
        chain.append(Endpoint(fallback.model, fallback.api_base, key or None))
    return tuple(chain)
