"""LiteLLM's own variables for a LiteLLM Proxy, and the rule that guards the proxy's key.

LiteLLM's proxy docs have users set LITELLM_PROXY_API_BASE and LITELLM_PROXY_API_KEY for
`litellm_proxy/` models. LiteLLM reads them itself only when a call names no api_base, and
commit-polish names one on every call (so no endpoint borrows another's key): they are read
here instead, from the environment the edge handed in. The key goes only to that base, to
whichever model and from whichever setting it comes.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

from commit_polish.errors import ConfigError
from commit_polish.records import Endpoint

PREFIX = "litellm_proxy/"
BASE_ENV = "LITELLM_PROXY_API_BASE"
KEY_ENV = "LITELLM_PROXY_API_KEY"


@dataclass(frozen=True)
class ProxyVars:
    """LiteLLM's proxy variables as the edge read them; empty counts as unset."""

    base: str | None = None
    key: str | None = None

    @classmethod
    def read(cls, env: Mapping[str, str]) -> ProxyVars:
        return cls(env.get(BASE_ENV) or None, env.get(KEY_ENV) or None)

    def serves(self, api_base: str | None) -> bool:
        """Whether `api_base` is the proxy's base (its root, or the root with /v1)."""
        return bool(self.base and api_base) and _root(api_base or "") == _root(self.base or "")

    def endpoint(
        self,
        model: str,
        api_base: str | None,
        api_key: str | None,
        *,
        key_from: str | None = None,
        default: str | None = None,
    ) -> tuple[Endpoint, str | None]:
        """The model's endpoint, and a warning when its call is bound to be refused.

        `api_base` is the one the settings gave (None: none given, `default` the fallback
        value); `api_key` the model's own key, read from the variable `key_from` if any."""
        is_proxy = model.startswith(PREFIX)
        if not is_proxy or api_base:
            base = api_base or default
        elif self.base:
            base = self.base
        elif default:
            note = f"{self._no_base(model)}, so it is asked at the default {default}"
            return Endpoint(model, default, api_key), f"{note}; set {BASE_ENV} to the proxy's"
        else:
            # Without one, LiteLLM would send the call to OpenAI's address.
            raise ConfigError(
                self._no_base(model),
                fix=f"set {BASE_ENV} to the proxy's address, or give the model its api_base",
            )
        if api_key and key_from == KEY_ENV and not self.serves(base):
            return Endpoint(model, base, None), self._held_back(model, base)
        if api_key or not is_proxy:
            return Endpoint(model, base, api_key), None
        if self.key and self.serves(base):
            return Endpoint(model, base, self.key), None
        if self.key:
            return Endpoint(model, base, None), self._held_back(model, base)
        if key_from:  # its own variable is unset: `load` warns about that one already
            return Endpoint(model, base, None), None
        return Endpoint(model, base, None), (
            f"model {model!r} at {base} has no key, so the proxy will refuse it: set {KEY_ENV} "
            f"(with {BASE_ENV}={base}) or give the model its own key"
        )

    @staticmethod
    def _no_base(model: str) -> str:
        return f"model {model!r} has no api_base and {BASE_ENV} is not set"

    def _held_back(self, model: str, base: str | None) -> str:
        return (
            f"model {model!r}: {KEY_ENV} is sent only to {BASE_ENV} ({self.base or 'not set'}), "
            f"not to {base or 'the provider default'}; the call goes without it"
        )


def _root(url: str) -> str:
    parts = urlsplit(url)
    path = parts.path.rstrip("/").removesuffix("/v1")
    return f"{parts.scheme.lower()}://{parts.netloc.lower()}{path}"
