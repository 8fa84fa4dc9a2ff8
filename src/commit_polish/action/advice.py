"""What the Action tells a user whose models did not answer: the service to check, the key to
set. Moved out of run.py, which only calls it."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

if TYPE_CHECKING:
    from commit_polish.action.workflow import Step
    from commit_polish.records import Suggestion
    from commit_polish.settings.model import Settings


def service_fix(api_base: str) -> str:
    """What to check when nothing answers at the local model's `api_base` in a job."""
    parts = urlsplit(api_base)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    return (
        f"Nothing answers at {api_base}, the local model's address. Fix: check the job's "
        f"`services:` block (the model's image, port {port}, and the `--health-cmd` options "
        "that hold the job until the model has loaded) and that the input `api-base` names "
        f"that service, as `http://<service name>:{port}/v1` (here: `{parts.hostname}`)"
    )


def missing_key_warnings(
    settings: Settings, suggestion: Suggestion, env: Mapping[str, str], step: Step
) -> None:
    """A fallback that was asked and refused for want of a key names the variable to set.

    One that was never reached stays quiet here: its key may be missing on purpose (a fork's
    run gets no secrets) and the run did not need it."""
    from commit_polish import llm

    refused = {a.model for a in suggestion.attempts if a.outcome == "auth"}
    for fallback in settings.fallback_models:
        if fallback.model not in refused:
            continue
        # The step's environment, where `settings.load.endpoints` took the keys from.
        names: tuple[str, ...]
        if fallback.api_key_env:
            names = () if env.get(fallback.api_key_env) else (fallback.api_key_env,)
        else:
            names = () if fallback.api_base else llm.missing_keys(fallback.model)
        if names:
            step.warning(
                f"fallback model {fallback.model!r} was asked and refused: its key "
                f"{' or '.join(names)} is not set in the step's environment. Fix: add "
                f"`{names[0]}: ${{{{ secrets.{names[0]} }}}}` under the step's `env:`",
                title="commit-polish: missing API key",
            )
