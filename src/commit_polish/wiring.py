"""The composition root: settings -> the pipeline's options and its completer (LiteLLM behind
the pipeline's seam). `suggest`, `eval` and the Action build what they run here, so each
measures and runs the same thing; the environment they read is handed in."""

from __future__ import annotations

import ipaddress
import sys
from collections.abc import Callable, Mapping
from functools import partial
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from commit_polish import pipeline
from commit_polish.records import Endpoint, Suggestion
from commit_polish.settings.load import endpoints, load_settings
from commit_polish.settings.model import Settings


def pipeline_options(settings: Settings) -> pipeline.Options:
    return pipeline.Options(
        max_prompt_tokens=settings.max_prompt_tokens,
        style=settings.style,
        body=settings.body,
        language=settings.language,
        instructions=settings.instructions,
        ignore=settings.ignore,
    )


def load_with_warnings(
    flags: Mapping[str, Any], repo_root: Path, env: Mapping[str, str]
) -> Settings:
    """The command line's settings; each warning goes to standard error."""
    settings, warnings = load_settings(flags, env=env, repo_root=repo_root)
    for warning in warnings:
        print(f"commit-polish: warning: {warning}", file=sys.stderr)
    return settings


def make_completer(
    settings: Settings, env: Mapping[str, str], *, keep: Callable[[str], bool] | None = None
) -> pipeline.Completer:
    """LiteLLM behind the pipeline's seam, with the settings' endpoints (their keys from
    `env`) and call options; with `keep`, only the models it keeps (by model string)."""
    from commit_polish import llm  # LiteLLM: imported only once a model may be asked

    call = llm.CallOptions(
        timeout=settings.timeout,
        retries=settings.retries,
        max_tokens=settings.max_output_tokens,
        temperature=settings.temperature,
    )
    chain = tuple(e for e in endpoints(settings, env) if keep is None or keep(e.model))
    return partial(llm.complete, chain, options=call)


def refused_server(
    settings: Settings,
    env: Mapping[str, str],
    suggestion: Suggestion,
    local: Callable[[Endpoint], bool],
) -> str | None:
    """The api_base of a `local` endpoint that refused the connection (or whose name did not
    resolve) when no model answered: a model server that is not running, which each edge
    tells how to start (the CLI: `commit-polish serve`; the Action: its service container)."""
    if suggestion.message.from_model:
        return None
    refused = {attempt.model for attempt in suggestion.attempts if attempt.outcome == "connection"}
    for endpoint in endpoints(settings, env):
        if endpoint.model in refused and endpoint.api_base and local(endpoint):
            return endpoint.api_base
    return None


def on_loopback(endpoint: Endpoint) -> bool:
    """The CLI's local server: an api_base on this machine."""
    return bool(endpoint.api_base) and _loopback(endpoint.api_base or "")


def _loopback(url: str) -> bool:
    host = urlsplit(url).hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
