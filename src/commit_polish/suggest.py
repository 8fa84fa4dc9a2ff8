"""`commit-polish suggest`: wire settings, the local source and LiteLLM into the pipeline."""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
from functools import partial
from pathlib import Path
from typing import Any

from . import localgit, pipeline
from .errors import AllModelsFailedError, InputError
from .records import ChangeContext, Suggestion
from .settings import Settings, endpoints, load_settings


def setting_flags(args: argparse.Namespace) -> dict[str, Any]:
    """The model and prompt flags `suggest` and `eval` share; only those the user gave."""
    flags = {
        "model": args.model,
        "api_base": args.api_base,
        "fallback_models": args.fallback_model,
        "max_prompt_tokens": args.max_prompt_tokens,
        "timeout": args.timeout,
        "style": args.style,
        "language": args.language,
        "instructions": args.instructions,
    }
    return {key: value for key, value in flags.items() if value is not None}


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


def pipeline_options(settings: Settings) -> pipeline.Options:
    return pipeline.Options(
        max_prompt_tokens=settings.max_prompt_tokens,
        style=settings.style,
        language=settings.language,
        instructions=settings.instructions,
        ignore=settings.ignore,
    )


def load_with_warnings(flags: dict[str, Any], repo_root: Path) -> Settings:
    settings, warnings = load_settings(flags, repo_root=repo_root)
    for warning in warnings:
        print(f"commit-polish: warning: {warning}", file=sys.stderr)
    return settings


def make_completer(settings: Settings) -> pipeline.Completer:
    """LiteLLM behind the pipeline's seam, with the settings' endpoints and call options."""
    from . import llm

    call = llm.CallOptions(
        timeout=settings.timeout,
        retries=settings.retries,
        max_tokens=settings.max_output_tokens,
        temperature=settings.temperature,
    )
    return partial(llm.complete, endpoints(settings), options=call)


def run_suggest(args: argparse.Namespace) -> int:
    settings = load_with_warnings(setting_flags(args), Path(args.repo))
    diff_bytes, context = _read_source(args)
    from . import llm  # LiteLLM: only on the paths that count tokens or call a model

    count = llm.token_counter(settings.model)
    options = pipeline_options(settings)
    if args.dry_run:
        ready = pipeline.prepare(diff_bytes, context, options, count)
        _print_dry_run(ready, settings, as_json=args.json)
        return 0
    completer = make_completer(settings)
    suggestion = pipeline.run(diff_bytes, context, options, count=count, completer=completer)
    _print_suggestion(suggestion, as_json=args.json)
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
        "model": suggestion.model,
        "fallback_used": suggestion.fallback_used,
        "attempts": [dataclasses.asdict(a) for a in suggestion.attempts],
        "prompt_tokens": suggestion.prompt_tokens,
        "completion_tokens": suggestion.completion_tokens,
        "cost_usd": suggestion.cost_usd,
        "seconds": suggestion.seconds,
        "files": _files(suggestion.digest),
    }


def _print_suggestion(suggestion: Suggestion, *, as_json: bool) -> None:
    if as_json:
        print(json.dumps(suggestion_json(suggestion), indent=2))
    else:
        print(suggestion.message.text)
    if not suggestion.message.from_model:
        tried = ", ".join(f"{a.model} ({a.outcome})" for a in suggestion.attempts)
        print(
            f"commit-polish: warning: every model failed ({tried}); this message was written "
            "from the diff without a model",
            file=sys.stderr,
        )
    elif not as_json:
        note = " after a fallback" if suggestion.fallback_used else ""
        print(
            f"commit-polish: written by {suggestion.model}{note} in {suggestion.seconds:.1f} s "
            f"({suggestion.prompt_tokens} prompt tokens)",
            file=sys.stderr,
        )
