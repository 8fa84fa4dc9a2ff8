"""`commit-polish eval`: the `suggest` pipeline over a data set of PRs, scored and resumable."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import IO, Any

from . import evalreport, pipeline
from .errors import InputError
from .evalcases import Case, load_cases, read_ids, read_results
from .records import ChangeContext
from .suggest import load_with_warnings, make_completer, pipeline_options, setting_flags

# One case's work: the line to write for it.
Worker = Callable[[Case], dict[str, Any]]


def answer_worker(
    options: pipeline.Options, count: pipeline.Counter, completer: pipeline.Completer
) -> Worker:
    """Ask the models for one case, exactly as `suggest` would for its diff and history."""

    def work(case: Case) -> dict[str, Any]:
        context = ChangeContext(history=case.history)
        try:
            done = pipeline.run(case.diff, context, options, count=count, completer=completer)
        except InputError as exc:
            # A diff the pipeline cannot describe (empty, all ignored) is a result, not a crash.
            return {**_empty(case), "error": str(exc)}
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


def prompt_worker(options: pipeline.Options, count: pipeline.Counter) -> Worker:
    """What `--dry-run` writes: the exact messages that would be sent, and their size."""

    def work(case: Case) -> dict[str, Any]:
        context = ChangeContext(history=case.history)
        try:
            ready = pipeline.prepare(case.diff, context, options, count)
        except InputError as exc:
            return {"id": case.id, "messages": [], "prompt_tokens": 0, "error": str(exc)}
        return {
            "id": case.id,
            "messages": [m.as_dict() for m in ready.messages],
            "prompt_tokens": ready.prompt_tokens,
        }

    return work


def run_cases(
    cases: Iterable[Case],
    work: Worker,
    sink: IO[str],
    *,
    done: Mapping[str, object],
    progress: IO[str] | None = None,
) -> int:
    """Run `work` on each case not in `done`; each line is flushed so a kill loses one case."""
    todo = [case for case in cases if case.id not in done]
    for number, case in enumerate(todo, start=1):
        row = work(case)
        sink.write(json.dumps(row, ensure_ascii=False) + "\n")
        sink.flush()
        if progress is not None:
            print(_progress_line(number, len(todo), row), file=progress, flush=True)
    return len(todo)


def _progress_line(number: int, total: int, row: Mapping[str, Any]) -> str:
    where = f"[{number}/{total}] {row['id']}"
    if "messages" in row:
        return f"{where}: {row['prompt_tokens']} prompt tokens"
    subject = str(row["message"]).partition("\n")[0]
    source = row["model"] or "no model (fallback message)"
    return f"{where}: {row['seconds']:.1f} s, {source}: {subject[:60]}"


def open_out(path: Path | None) -> IO[str]:
    if path is None:
        return sys.stdout
    # A run killed mid-line leaves no newline: start on a fresh line so the next one parses.
    cut = path.exists() and path.stat().st_size > 0 and not path.read_bytes().endswith(b"\n")
    handle = path.open("a", encoding="utf-8")
    if cut:
        handle.write("\n")
    return handle


def run_eval(args: argparse.Namespace) -> int:
    settings = load_with_warnings(setting_flags(args), Path.cwd())
    ids = read_ids(Path(args.ids)) if args.ids else None
    cases = load_cases(Path(args.dataset), ids=ids, limit=args.limit)
    out = Path(args.out) if args.out else None
    if out is None and not args.dry_run:
        raise InputError("eval needs --out FILE.jsonl", fix="add --out results.jsonl")
    from . import llm  # LiteLLM: only once the inputs are known to be readable

    count = llm.token_counter(settings.model)
    options = pipeline_options(settings)
    if args.dry_run:
        work = prompt_worker(options, count)
    else:
        work = answer_worker(options, count, make_completer(settings))
    done = read_results(out, "messages" if args.dry_run else "message")
    sink = open_out(out)
    try:
        ran = run_cases(cases, work, sink, done=done, progress=sys.stderr)
    finally:
        if sink is not sys.stdout:
            sink.close()
    print(f"commit-polish: {ran} cases run, {len(cases) - ran} already in --out", file=sys.stderr)
    if not args.dry_run:
        _report(cases, read_results(out, "message"), by=args.by, as_json=args.json)
    return 0


def _report(
    cases: Iterable[Case],
    results: Mapping[str, Mapping[str, Any]],
    *,
    by: str | None,
    as_json: bool,
) -> None:
    scores = [evalreport.score(case, results[case.id]) for case in cases if case.id in results]
    table = evalreport.grouped(scores, by)
    if as_json:
        print(json.dumps({"by": by, "groups": table}, indent=2))
    else:
        print(evalreport.format_table(table))
