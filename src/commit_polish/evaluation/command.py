"""`commit-polish eval`: the `suggest` pipeline over real squash-merged PRs, scored."""

from __future__ import annotations

import argparse
import json
import sys
import traceback
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from commit_polish import pipeline
from commit_polish.errors import CommitPolishError, ConfigError, InputError
from commit_polish.evaluation import report
from commit_polish.evaluation.cases import (
    Case,
    case_from_record,
    load_cases,
    pick_cases,
    read_ids,
    read_results,
)
from commit_polish.evaluation.run import Worker, open_out, run_cases
from commit_polish.records import ChangeContext
from commit_polish.settings.declared import given_flags
from commit_polish.wiring import load_with_warnings, make_completer, pipeline_options

DEFAULT_LAST = 20


def answer_worker(
    options: pipeline.Options, count: pipeline.Counter, completer: pipeline.Completer
) -> Worker:
    """Ask the models for one case, exactly as `suggest` would for its diff and history."""

    def work(case: Case) -> dict[str, Any]:
        context = ChangeContext(history=case.history)
        try:
            done = pipeline.run(case.diff, context, options, count=count, completer=completer)
        except CommitPolishError as exc:
            # A diff the pipeline cannot describe (empty, all ignored) is a result, not a crash.
            return {**_empty(case), "error": str(exc)}
        except Exception as exc:
            return {**_empty(case), **crash(exc)}
        return {
            "id": case.id,
            "message": done.message.text,
            "model": done.model,
            "seconds": done.seconds,
            "prompt_tokens": done.prompt_tokens,
            "fallback_used": done.fallback_used,
            "from_model": done.message.from_model,
            # Why a case fell back (timeout, unusable answer, ...) is the first thing to ask.
            "attempts": [[a.model, a.outcome, a.detail[:200]] for a in done.attempts],
        }

    return work


def _empty(case: Case) -> dict[str, Any]:
    return {
        "id": case.id,
        "message": "",
        "model": None,
        "seconds": 0.0,
        "prompt_tokens": 0,
        "fallback_used": True,
        "from_model": False,
    }


def crash(exc: Exception) -> dict[str, Any]:
    """A bug met in one case: recorded so the other cases still run, and retried by a rerun."""
    where = traceback.extract_tb(exc.__traceback__)[-1:]
    at = f" at {Path(where[0].filename).name}:{where[0].lineno}" if where else ""
    return {"error": f"{type(exc).__name__}: {exc}{at}", "crashed": True}


def prompt_worker(options: pipeline.Options, count: pipeline.Counter) -> Worker:
    """What `--dry-run` writes: the exact messages that would be sent, and their size."""

    def work(case: Case) -> dict[str, Any]:
        context = ChangeContext(history=case.history)
        failed = {"id": case.id, "messages": [], "prompt_tokens": 0}
        try:
            ready = pipeline.prepare(case.diff, context, options, count)
        except CommitPolishError as exc:
            return {**failed, "error": str(exc)}
        except Exception as exc:
            return {**failed, **crash(exc)}
        return {
            "id": case.id,
            "messages": [m.as_dict() for m in ready.messages],
            "prompt_tokens": ready.prompt_tokens,
        }

    return work


def load_eval_cases(args: argparse.Namespace) -> list[Case]:
    """The cases of `--dataset`, or those built from `--repo`'s history; `--ids`, `--limit`."""
    ids = read_ids(Path(args.ids)) if args.ids else None
    if args.repo is None:
        if args.last is not None:
            raise ConfigError("--last needs --repo", fix="drop --last, or use --repo PATH")
        return load_cases(Path(args.dataset), ids=ids, limit=args.limit)
    from commit_polish.evaluation import repo

    built = repo.records(Path(args.repo), last=args.last or DEFAULT_LAST)
    cases = [case_from_record(record) for record in built]
    return pick_cases(cases, ids=ids, limit=args.limit, source=f"--repo {args.repo}")


def run_eval(args: argparse.Namespace, env: Mapping[str, str]) -> int:
    """`env` is the environment the CLI read: the settings' variables and the models' keys."""
    root = Path(args.repo) if args.repo else Path.cwd()
    settings = load_with_warnings(given_flags(vars(args)), root, env)
    cases = load_eval_cases(args)
    out = Path(args.out) if args.out else None
    if out is None and not args.dry_run:
        raise InputError("eval needs --out FILE.jsonl", fix="add --out results.jsonl")
    from commit_polish import llm  # LiteLLM: only once the inputs are known to be readable

    count = llm.token_counter(settings.model)
    options = pipeline_options(settings)
    if args.dry_run:
        work = prompt_worker(options, count)
    else:
        work = answer_worker(options, count, make_completer(settings, env))
    key = "messages" if args.dry_run else "message"
    # A crashed case is run again: the bug behind it may be fixed by now.
    done = {k: row for k, row in read_results(out, key).items() if not row.get("crashed")}
    sink = open_out(out)
    try:
        ran = run_cases(cases, work, sink, done=done, progress=sys.stderr, jobs=args.jobs)
    finally:
        if sink is not sys.stdout:
            sink.close()
    print(
        f"commit-polish: {ran.cases} cases run, {len(cases) - ran.cases} already in --out",
        file=sys.stderr,
    )
    if not args.dry_run:
        _report(cases, read_results(out, "message"), by=args.by, as_json=args.json)
    return _crash_exit(ran.crashed)


def _crash_exit(crashed: Sequence[str]) -> int:
    if not crashed:
        return 0
    print(
        f"commit-polish: error: {len(crashed)} case(s) met an internal error (a bug: please "
        f"report it); each is in --out with its `error`, and a rerun tries it again. "
        f"First: {crashed[0]}",
        file=sys.stderr,
    )
    return 1


def _report(
    cases: Iterable[Case],
    results: Mapping[str, Mapping[str, Any]],
    *,
    by: str | None,
    as_json: bool,
) -> None:
    scores = [report.score(case, results[case.id]) for case in cases if case.id in results]
    table = report.grouped(scores, by)
    if as_json:
        print(json.dumps({"by": by, "groups": table}, indent=2))
    else:
        print(report.format_table(table))
