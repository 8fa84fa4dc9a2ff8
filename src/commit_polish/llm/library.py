"""LiteLLM itself: imported once, quiet and offline, and what it tells about a model
without calling it (how it counts tokens, which key variables it reads)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import cache
from types import ModuleType


@cache
def load() -> ModuleType:
    # The edge has already set LiteLLM's offline switches (`cli.keep_litellm_offline`), which
    # it reads on import: no price list is fetched and no tokenizer downloaded.
    import litellm

    litellm.disable_hf_tokenizer_download = True
    litellm.suppress_debug_info = True
    # Debug logging would print whole prompts (the PR's diff): keep LiteLLM quiet.
    for name in ("LiteLLM", "LiteLLM Router", "LiteLLM Proxy", "litellm", "openai", "httpx"):
        logging.getLogger(name).setLevel(logging.WARNING)
    return litellm


def token_counter(model: str) -> Callable[[str], int]:
    """LiteLLM's counter for `model`; for local models an approximation (cl100k)."""
    litellm = load()

    def count(text: str) -> int:
        return int(litellm.token_counter(model=model, text=text)) if text else 0

    return count


def missing_keys(model: str) -> tuple[str, ...]:
    """The environment variables LiteLLM reads `model`'s key from, when none of them is set."""
    found = load().validate_environment(model=model)
    return tuple(str(name) for name in found.get("missing_keys") or ())
