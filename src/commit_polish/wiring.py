"""The composition root: settings -> the pipeline's options and its completer (LiteLLM behind
the pipeline's seam). `suggest`, `eval` and the Action build what they run here, so each
measures and runs the same thing; the environment they read is handed in."""

from __future__ import annotations

import sys
from collections.abc import Mapping
from functools import partial
from pathlib import Path
from typing import Any

from commit_polish import pipeline
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


def make_completer(settings: Settings, env: Mapping[str, str]) -> pipeline.Completer:
    """LiteLLM behind the pipeline's seam, with the settings' endpoints (their keys from
    `env`) and call options."""
    from commit_polish import llm  # LiteLLM: imported only once a model may be asked

    call = llm.CallOptions(
        timeout=settings.timeout,
        retries=settings.retries,
        max_tokens=settings.max_output_tokens,
        temperature=settings.temperature,
    )
    return partial(llm.complete, endpoints(settings, env), options=call)
