"""Run `commit-polish eval`'s cases: one or several at a time, each line written at once."""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Callable, Generator, Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor, as_completed
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from commit_polish.evaluation.cases import Case
from commit_polish.evaluation.progress import Progress

# One case's work: the line to write for it. It never raises: a failure is a line too.
Worker = Callable[[Case], dict[str, Any]]


@dataclass(frozen=True, slots=True)
class Ran:
    """What one run did: how many cases, and which crashed (`id: error`)."""

    cases: int
    crashed: tuple[str, ...]


def run_cases(
    cases: Iterable[Case],
    work: Worker,
    sink: IO[str],
    *,
    done: Mapping[str, object],
    progress: IO[str] | None = None,
    jobs: int = 1,
) -> Ran:
    """Run `work` on each case not in `done`, `jobs` at a time, in the order they finish.

    Each line is flushed at once, so a kill loses only the cases in flight; the order of the
    lines does not matter, since both resuming and scoring go by id.
    """
    todo = [case for case in cases if case.id not in done]
    bar = Progress(len(todo), progress) if progress is not None else None
    crashed: list[str] = []
    try:
        # Closed at once even on Ctrl-C, so queued cases are dropped then, not run at exit.
        with closing(_finished(todo, work, jobs)) as finished:
            for row, seconds in finished:
                sink.write(json.dumps(row, ensure_ascii=False) + "\n")
                sink.flush()
                if row.get("crashed"):
                    crashed.append(f"{row['id']}: {row['error']}")
                if bar is not None:
                    bar.step(str(row["id"]), seconds, _note(row))
    finally:
        if bar is not None:
            bar.close()
    return Ran(len(todo), tuple(crashed))


def _timed(work: Worker, case: Case) -> tuple[dict[str, Any], float]:
    started = time.monotonic()
    row = work(case)
    return row, time.monotonic() - started


def _finished(
    todo: Sequence[Case], work: Worker, jobs: int
) -> Generator[tuple[dict[str, Any], float]]:
    if jobs <= 1:
        yield from (_timed(work, case) for case in todo)
        return
    pool = ThreadPoolExecutor(max_workers=jobs, thread_name_prefix="commit-polish-eval")
    try:
        futures = [pool.submit(_timed, work, case) for case in todo]
        for future in as_completed(futures):
            yield future.result()
    finally:
        # On Ctrl-C only the requests in flight are waited for, not every queued case.
        pool.shutdown(wait=False, cancel_futures=True)


def _note(row: Mapping[str, Any]) -> str:
    if row.get("error"):
        return f"error: {str(row['error']).splitlines()[0][:100]}"
    if "messages" in row:
        return f"{row['prompt_tokens']} prompt tokens"
    return "" if row.get("from_model", True) else "fallback message (no model answered)"


def open_out(path: Path | None) -> IO[str]:
    if path is None:
        return sys.stdout
    # A run killed mid-line leaves no newline: start on a fresh line so the next one parses.
    cut = path.exists() and path.stat().st_size > 0 and not path.read_bytes().endswith(b"\n")
    handle = path.open("a", encoding="utf-8")
    if cut:
        handle.write("\n")
    return handle
