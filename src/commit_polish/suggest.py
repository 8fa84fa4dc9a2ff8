"""`commit-polish suggest`: read the diff and its context, run the pipeline, print the message.

The settings, the options and the completer come from the composition root (`wiring`).
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from commit_polish import localgit, pipeline
from commit_polish.errors import AllModelsFailedError, InputError
from commit_polish.records import ChangeContext, Suggestion, tried_models
from commit_polish.settings.declared import given_flags
from commit_polish.settings.model import Settings
from commit_polish.wiring import (
    load_with_warnings,
    make_completer,
    on_loopback,
    pipeline_options,
    refused_server,
)


def _read_source(args: argparse.Namespace) -> tuple[bytes, ChangeContext]:
    repo = Path(args.repo)
    if args.range:
        context = localgit.range_context(repo, args.range)
        diff_bytes = localgit.range_diff(repo, args.range)
    else:
        diff_bytes = _read_diff(args.diff_file)
        context = ChangeContext(history=localgit.history(repo))
    return diff_bytes, dataclasses.replace(context, title=args.title, description=args.description)


def _read_diff(path: str | None) -> bytes:
    if path is None and sys.stdin.isatty():
        raise InputError(
            "no diff given", fix="pass --diff-file PATH, --range BASE..HEAD, or pipe a diff in"
        )
    if path is None or path == "-":
        return sys.stdin.buffer.read()
    try:
        return Path(path).read_bytes()
    except OSError as exc:
        raise InputError(
            f"cannot read --diff-file {path}: {exc.strerror}", fix="give a readable diff file"
        ) from None


def run_suggest(args: argparse.Namespace, env: Mapping[str, str]) -> int:
    """`env` is the environment the CLI read: the settings' variables and the models' keys."""
    settings = load_with_warnings(given_flags(vars(args)), Path(args.repo), env)
    diff_bytes, context = _read_source(args)
    from commit_polish import llm  # LiteLLM: only on the paths that count tokens or call a model

    count = llm.token_counter(settings.model)
    options = pipeline_options(settings)
    if args.dry_run:
        ready = pipeline.prepare(diff_bytes, context, options, count)
        _print_dry_run(ready, settings, as_json=args.json)
        return 0
    completer = make_completer(settings, env)
    suggestion = pipeline.run(diff_bytes, context, options, count=count, completer=completer)
    _print_suggestion(suggestion, as_json=args.json)
    down = refused_server(settings, env, suggestion, on_loopback)
    if down:
        print(
            f"commit-polish: nothing answers at {down}. Fix: start the local model with "
            f"`commit-polish serve --port {urlsplit(down).port or 80}` in another terminal, "
            "or add a --fallback-model",
            file=sys.stderr,
        )
    if not suggestion.message.from_model and args.fail_on_error:
        return AllModelsFailedError.exit_code
    return 0


def _files(digest: Any) -> dict[str, list[str]]:
    return {
        "included": list(digest.included),
        "condensed": list(digest.condensed),
        "omitted": list(digest.omitted),
    }


def _print_dry_run(ready: pipeline.Prepared, settings: Settings, *, as_json: bool) -> None:
    if as_json:
        print(
            json.dumps(
                {
                    "messages": [m.as_dict() for m in ready.messages],
                    "prompt_tokens": ready.prompt_tokens,
                    "budget": settings.max_prompt_tokens,
                    "files": _files(ready.digest),
                    "secrets_masked": ready.digest.masked,
                    "ignored": list(ready.ignored),
                },
                indent=2,
            )
        )
        return
    for chat in ready.messages:
        print(f"===== {chat.role} =====\n{chat.content}\n")
    print(
        f"commit-polish: {ready.prompt_tokens} of {settings.max_prompt_tokens} prompt tokens; "
        f"no model called (--dry-run)",
        file=sys.stderr,
    )


def suggestion_json(suggestion: Suggestion) -> dict[str, Any]:
    message = suggestion.message
    return {
        "subject": message.subject,
        "body": message.body,
        "message": message.text,
        "from_model": message.from_model,
        "subject_source": suggestion.subject_source.value,
        "model": suggestion.model,
        "fallback_used": suggestion.fallback_used,
        "attempts": [dataclasses.asdict(a) for a in suggestion.attempts],
        "prompt_tokens": suggestion.prompt_tokens,
        "completion_tokens": suggestion.completion_tokens,
        "cost_usd": suggestion.cost_usd,
        "seconds": suggestion.seconds,
        "files": _files(suggestion.digest),
        "secrets_masked": suggestion.digest.masked,
    }


def _print_suggestion(suggestion: Suggestion, *, as_json: bool) -> None:
    if as_json:
        print(json.dumps(suggestion_json(suggestion), indent=2))
    else:
        print(suggestion.message.text)
    if not suggestion.message.from_model:
        tried = tried_models(suggestion.attempts)
        print(
            f"commit-polish: warning: every model failed ({tried}); this message was written "
            "from the diff without a model",
            file=sys.stderr,
        )
    elif suggestion.model is None:
        print(
            f"commit-polish: the change's own words kept ({suggestion.subject_source.value}); "
            "no model asked (--body model has one write the body)",
            file=sys.stderr,
        )
    elif not as_json:
        note = " after a fallback" if suggestion.fallback_used else ""
        print(
            f"commit-polish: written by {suggestion.model}{note} in {suggestion.seconds:.1f} s "
            f"({suggestion.prompt_tokens} prompt tokens)",
            file=sys.stderr,
        )
