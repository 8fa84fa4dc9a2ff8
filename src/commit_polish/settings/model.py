"""The Settings model: each setting's type, default and checks, frozen, keys as `SecretStr`.

A field's names (flag, Action input, environment variables) are declared once, in
`settings.declared`; the checks here turn LiteLLM's silent endpoint pitfalls into errors that
say the fix. No I/O: `settings.load` gathers the values and validates them here.
"""

from __future__ import annotations

import json
from typing import Annotated, Any
from urllib.parse import urlsplit

from pydantic import (
    AliasChoices,
    BaseModel,
    ConfigDict,
    Field,
    SecretStr,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_settings import BaseSettings, NoDecode, PydanticBaseSettingsSource, SettingsConfigDict

from commit_polish.settings.declared import BY_NAME, ENV_PREFIX, Apply, Body, Style, WriteTo

DEFAULT_MODEL = "llamafile/qwen2.5-coder-1.5b-instruct"
DEFAULT_API_BASE = "http://127.0.0.1:8080/v1"
# Providers whose api_base is an OpenAI-style root that must end in /v1.
V1_PROVIDERS = ("llamafile/", "openai/")
# A local model server (llamafile, llama.cpp): the only fallbacks a fork's pull request gets
# unless `cloud_on_forks` is on, and the only models `cloud_calls_per_pr` does not count.
# Any other provider counts as a cloud model, whatever its api_base: it may carry a key and
# cost money.
LOCAL_PROVIDERS = ("llamafile/",)
# The runner's own credentials, by name (any case): a config file could otherwise have them
# sent to a host it chose. LiteLLM's provider key names (GITHUB_API_KEY for GitHub Models)
# are a workflow's deliberate choice and stay allowed.
RUNNER_CREDENTIALS = frozenset({"GITHUB_TOKEN", "GH_TOKEN"})
RUNNER_PREFIXES = ("INPUT_", "ACTIONS_", "RUNNER_")


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

    @field_validator("api_key_env")
    @classmethod
    def _check_key_env(cls, name: str | None) -> str | None:
        if name is not None and _is_runner_credential(name):
            raise ValueError(
                f"api_key_env {name!r} names one of the runner's own credentials "
                f"({', '.join(sorted(RUNNER_CREDENTIALS))}, {'*, '.join(RUNNER_PREFIXES)}*), "
                "which would then be sent to this model's endpoint; name the variable that "
                "holds this model's own key instead (set it from a secret under the step's "
                "`env:`), and for GitHub Models pass a token as GITHUB_API_KEY"
            )
        return name


def is_local_model(model: str) -> bool:
    """Whether `model` names a local model server (see `LOCAL_PROVIDERS`)."""
    return model.strip().lower().startswith(LOCAL_PROVIDERS)


def _is_runner_credential(name: str) -> bool:
    """Whether the environment variable `name` holds one of the runner's own credentials."""
    upper = name.strip().upper()
    return upper in RUNNER_CREDENTIALS or upper.startswith(RUNNER_PREFIXES)


def _listish(value: Any) -> Any:
    """Accept a JSON list, a comma-separated string, or a real list."""
    if isinstance(value, str):
        text = value.strip()
        if text.startswith("["):
            return json.loads(text)
        return [part.strip() for part in text.split(",") if part.strip()]
    return value


class Settings(BaseSettings):
    """Every setting, validated; the fields are those of `settings.declared.SETTINGS`.

    pydantic-settings reads the environment for it, but only the mapping an edge hands to
    `settings.load`: constructing Settings reads nothing but its keyword arguments."""

    # Defaults are checked too: the default api_base must suit the model a file names.
    model_config = SettingsConfigDict(
        env_prefix=ENV_PREFIX,
        frozen=True,
        extra="forbid",
        populate_by_name=True,
        validate_default=True,
    )

    model: str = DEFAULT_MODEL
    api_base: str | None = Field(
        default=DEFAULT_API_BASE, validation_alias=AliasChoices(*BY_NAME["api_base"].env)
    )
    api_key: SecretStr | None = None
    fallback_models: Annotated[tuple[FallbackModel, ...], NoDecode] = ()
    cloud_on_forks: bool = False
    cloud_calls_per_pr: int = Field(default=10, ge=0, le=100_000)
    timeout: float = Field(default=120.0, gt=0, le=3600)
    retries: int = Field(default=1, ge=0, le=5)
    max_prompt_tokens: int = Field(default=512, ge=256, le=1_000_000)
    max_output_tokens: int = Field(default=96, ge=16, le=8192)
    temperature: float = Field(default=0.2, ge=0, le=2)
    style: Style = "auto"
    body: Body = "author"
    language: str = "English"
    instructions: str = ""
    ignore: Annotated[tuple[str, ...], NoDecode] = ()
    apply: Apply = "off"
    write_to: WriteTo = "comment"
    write_title: bool = False

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        """Only the values passed in: the process's environment and dotenv files are the
        edge's to read, and `settings.load` hands them over."""
        return (init_settings,)

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

    @field_validator("write_title")
    @classmethod
    def _check_write_title(cls, value: bool, info: ValidationInfo) -> bool:
        # A write_to that failed its own check is not in `data`: that error says enough.
        if value and info.data.get("write_to", "pr-body") != "pr-body":
            raise ValueError(
                "write_title needs write_to = 'pr-body' (input `write-to: pr-body`): the "
                "title is written beside the message block of the description, for the merge "
                "queues and bots that commit both; set write_to to 'pr-body', or turn "
                "write_title off"
            )
        return value


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
