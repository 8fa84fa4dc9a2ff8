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


def change_context(case: Case, *, diff_only: bool = False) -> ChangeContext:
    """What the pipeline knows besides the diff, as the Action would know it.

    The Action passes the PR's whole commit messages, oldest first, as GitHub's commits
    endpoint lists them (`github.client`, `action.run._context`). Title and description are
    not in the data sets (the subject usually *is* the title: it would score a copy), nor are
    the commits' authors. `diff_only` is what `eval` measured before it read the commits.
    """
    commits = () if diff_only else case.commit_messages
    return ChangeContext(
        commit_messages=commits, history=case.history, path_history=case.path_history
    )


def _input(case: Case, diff_only: bool) -> dict[str, Any]:
    # Diff-only lines stay as they always were (the dry run's prompt hashes compare them);
    # the others say how many commits the pipeline saw, so one --out never mixes the two.
    return {} if diff_only else {"commits": len(case.commit_messages)}


def answer_worker(
    options: pipeline.Options,
    count: pipeline.Counter,
    completer: pipeline.Completer,
    *,
    diff_only: bool = False,
) -> Worker:
    """Ask the models for one case, exactly as the Action would for its diff, commits and
    history (without the commits when `diff_only`)."""

    def work(case: Case) -> dict[str, Any]:
        context = change_context(case, diff_only=diff_only)
        try:
            done = pipeline.run(case.diff, context, options, count=count, completer=completer)
        except CommitPolishError as exc:
            # A diff the pipeline cannot describe (empty, all ignored) is a result, not a crash.
            return {**_empty(case), **_input(case, diff_only), "error": str(exc)}
        except Exception as exc:
            return {**_empty(case), **_input(case, diff_only), **crash(exc)}
        return {
            "id": case.id,
            **_input(case, diff_only),
            "message": done.message.text,
            "model": done.model,
            "seconds": done.seconds,
            "prompt_tokens": done.prompt_tokens,
            "fallback_used": done.fallback_used,
            "from_model": done.message.from_model,
            "subject_source": done.subject_source.value,
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


def prompt_worker(
    options: pipeline.Options, count: pipeline.Counter, *, diff_only: bool = False
) -> Worker:
    """What `--dry-run` writes: the exact messages that would be sent, and their size."""

    def work(case: Case) -> dict[str, Any]:
        context = change_context(case, diff_only=diff_only)
        failed = {"id": case.id, **_input(case, diff_only), "messages": [], "prompt_tokens": 0}
        try:
            ready = pipeline.prepare(case.diff, context, options, count)
        except CommitPolishError as exc:
            return {**failed, "error": str(exc)}
        except Exception as exc:
            return {**failed, **crash(exc)}
        return {
            "id": case.id,
            **_input(case, diff_only),
            "messages": [m.as_dict() for m in ready.messages],
            "prompt_tokens": ready.prompt_tokens,
        }

    return work


def load_eval_cases(args: argparse.Namespace) -> list[Case]:
    """The cases of `--dataset`, or those built from `--repo`'s history; `--ids`, `--limit`."""
    ids = read_ids(Path(args.ids)) if args.ids else None
    if args.repo is None:
        for flag, given in (
            ("--last", args.last is not None),
            ("--every-commit", args.every_commit),
        ):
            if given:
                raise ConfigError(f"{flag} needs --repo", fix=f"drop {flag}, or use --repo PATH")
        return load_cases(Path(args.dataset), ids=ids, limit=args.limit)
    from commit_polish.evaluation import repo

    last = args.last or DEFAULT_LAST
    built = repo.records(Path(args.repo), last=last, every_commit=args.every_commit)
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
        work = prompt_worker(options, count, diff_only=args.diff_only)
    else:
        work = answer_worker(
            options, count, make_completer(settings, env), diff_only=args.diff_only
        )
    key = "messages" if args.dry_run else "message"
    # A crashed case is run again: the bug behind it may be fixed by now.
    done = {k: row for k, row in read_results(out, key).items() if not row.get("crashed")}
    _same_input(done, out, diff_only=args.diff_only)
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
    note = " ".join(filter(None, (_commits_note(args, cases), _paths_note(cases)))) or None
    if not args.dry_run:
        results = read_results(out, "message")
        _report(cases, results, by=args.by, as_json=args.json, note=note)
    elif note:
        print(f"commit-polish: {note}", file=sys.stderr)
    return _crash_exit(ran.crashed)


def _commits_note(args: argparse.Namespace, cases: Sequence[Case]) -> str | None:
    """For `--repo`: how many PRs the pipeline saw without their own commits, and how to
    give it them (`refs/pull/N/head`, `repo.pr_commits`). None where all had them."""
    if args.repo is None or args.diff_only:
        return None
    prs = [case for case in cases if case.pr]  # a commit no PR made has no PR's commits
    missing = sum(not case.commit_messages for case in prs)
    if not missing:
        return None
    from commit_polish.evaluation.repo import FETCH_PULL_HEADS

    return (
        f"{missing} of {len(prs)} PR(s) have no refs/pull/N/head in --repo {args.repo} (or "
        f"its range is not the PR's own): they were described from the diff alone, and "
        f"GitHub's default is n/a for them. To read every PR's own commits, run "
        f"`{FETCH_PULL_HEADS}` in the clone first."
    )


def _paths_note(cases: Sequence[Case]) -> str | None:
    """How many cases had no history of their files (`path_history`): a model's subject on
    them got no usual scope (`message.scope`). None where every case had one."""
    missing = sum(not case.path_history for case in cases)
    if not missing:
        return None
    return (
        f"{missing} of {len(cases)} case(s) have no history of their files (no `path_history` "
        "in the record, or no earlier commit to them): a model's subject got no scope from it."
    )


def _same_input(
    done: Mapping[str, Mapping[str, Any]], out: Path | None, *, diff_only: bool
) -> None:
    """Refuse to resume an --out written with the other input: its scores would mix both."""
    other = [key for key, row in done.items() if ("commits" in row) == diff_only]
    if other:
        written = "with the PR's commits" if diff_only else "from the diff alone (--diff-only)"
        raise InputError(
            f"--out {out} has {len(other)} answer(s) written {written}, e.g. {other[0]}",
            fix="give --out a new file, or rerun with the same --diff-only choice",
        )


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
    note: str | None = None,
) -> None:
    scores = [report.score(case, results[case.id]) for case in cases if case.id in results]
    table = report.grouped(scores, by)
    sources = report.by_source(scores, by)
    if as_json:
        summary = {"by": by, "groups": table, "sources": sources}
        print(json.dumps(summary | ({"note": note} if note else {}), indent=2))
        return
    print(report.format_table(table))
    without = sum(s.github is None for s in scores)
    if without == len(scores):
        # `eval --repo` and older data sets have no commits: say so rather than print dashes.
        print("\nGitHub's default squash message: n/a (no case has pr_commits)")
    else:
        print(
            "\nGitHub's default squash message (one commit: its message; several: the first "
            "commit's subject over the commit list), and commit-polish (ours) on the same PRs"
            + (f"; n/a for {without} PR(s) without pr_commits" if without else "")
            + ":"
        )
        print(report.format_table(table, report.GITHUB_COLUMNS))
    print(
        "\nBy where the subject came from (the author's as written, reformatted, the "
        "model's, the diff-built fallback): B-Norm subject over its PRs, then ours and "
        "GitHub's default on those with commits (GH n), ours minus GitHub's per PR with its "
        "bootstrap 95% interval:"
    )
    print(report.format_sources(sources))
    if note:
        print(f"\nNote: {note}")
