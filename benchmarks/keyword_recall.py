"""Keyword recall of the budgeter against head truncation, at several token budgets.

Run from the repository root (the data set is ../shared/eval/dev.jsonl.gz by default):

    .venv/bin/python benchmarks/keyword_recall.py
    .venv/bin/python benchmarks/keyword_recall.py --budgets 1000 2000 4000 --plot docs/recall.png

For every case, the keywords are the identifier-like words of the real message that also
occur in the diff (src/commit_polish/evaluation/recall.py). Each budget gives the diff part of
the prompt that many tokens, once as the budgeter's digest and once as the diff's first lines;
recall counts only lines that quote the diff. Rows split the cases whose diff is larger than the
budget (where choosing matters) from those that fit whole (where nothing may be lost).

`--pipeline` adds what the pipeline itself gives the diff at the default settings (a
768-token prompt): the room left once the instructions, history and the PR's commits are in,
with the commits (the Action's input) and without them (`eval --diff-only`). Head truncation
gets the same room, case by case.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from commit_polish import llm, pipeline
from commit_polish.cli import keep_litellm_offline
from commit_polish.digest import fit, parse
from commit_polish.errors import CommitPolishError
from commit_polish.evaluation import recall
from commit_polish.evaluation.cases import Case, load_cases
from commit_polish.evaluation.command import change_context
from commit_polish.settings.model import Settings

Counter = Callable[[str], int]

MODEL = "llamafile/qwen2.5-coder-1.5b-instruct"
DEFAULT_DATASET = Path(__file__).resolve().parents[2] / "shared" / "eval" / "dev.jsonl.gz"


@dataclass
class Row:
    budget: int
    larger: bool
    ours: float
    head: float
    within: bool
    seconds: float
    room: int = 0
    """The tokens the diff was given: the budget, or what the pipeline left it."""


def measure(case: Case, budgets: list[int], count: Counter) -> list[Row]:
    wanted = recall.keywords(case.reference, case.diff)
    if not wanted:
        return []
    files = parse.parse_diff(case.diff)
    size = count(case.diff)
    rows = []
    for limit in budgets:
        started = time.perf_counter()
        digest = fit.fit(files, limit, count)
        seconds = time.perf_counter() - started
        ours = recall.recall(recall.quoted_words(digest.text, case.diff), wanted)
        cut = recall.head(case.diff, limit, count)
        theirs = recall.recall(recall.quoted_words(cut, case.diff), wanted)
        within = count(digest.text) <= limit
        rows.append(Row(limit, size > limit, ours, theirs, within, seconds))
    return rows


def measure_pipeline(
    case: Case, options: pipeline.Options, count: Counter, *, diff_only: bool
) -> Row | None:
    """The digest `pipeline.prepare` builds for the case, and head truncation given the same
    room; `budget` is the prompt's cap, not the diff's room. None without keywords, or for a
    diff the pipeline refuses."""
    wanted = recall.keywords(case.reference, case.diff)
    if not wanted:
        return None
    context = change_context(case, diff_only=diff_only)
    started = time.perf_counter()
    try:
        ready = pipeline.prepare(case.diff, context, options, count)
    except CommitPolishError:
        return None
    seconds = time.perf_counter() - started
    room = ready.digest.budget
    ours = recall.recall(recall.quoted_words(ready.digest.text, case.diff), wanted)
    cut = recall.head(case.diff, room, count)
    theirs = recall.recall(recall.quoted_words(cut, case.diff), wanted)
    larger = count(case.diff) > room
    within = ready.digest.tokens <= room
    return Row(options.max_prompt_tokens, larger, ours, theirs, within, seconds, room)


def pipeline_table(cases: list[Case], count: Counter) -> list[dict[str, object]]:
    """`table`'s rows for the pipeline at the default prompt cap, with and without the
    commits, each with the median room the diff got."""
    cap = int(Settings.model_fields["max_prompt_tokens"].default)
    options = pipeline.Options(max_prompt_tokens=cap)
    out: list[dict[str, object]] = []
    for diff_only in (False, True):
        rows = [
            row
            for case in cases
            if (row := measure_pipeline(case, options, count, diff_only=diff_only)) is not None
        ]
        for summary in table(rows, [cap]):
            larger = summary["cases"] == "diff larger than budget"
            rooms = [r.room for r in rows if r.larger == larger]
            summary["budget"] = f"{cap} prompt, {'diff only' if diff_only else 'with commits'}"
            summary["median_diff_room"] = statistics.median(rooms)
            out.append(summary)
    return out


def table(rows: list[Row], budgets: list[int]) -> list[dict[str, object]]:
    out: list[dict[str, object]] = []
    for limit in budgets:
        for larger in (True, False):
            chosen = [r for r in rows if r.budget == limit and r.larger == larger]
            if not chosen:
                continue
            out.append(
                {
                    "budget": limit,
                    "cases": "diff larger than budget" if larger else "diff fits",
                    "n": len(chosen),
                    "budgeter": round(statistics.fmean(r.ours for r in chosen), 3),
                    "head": round(statistics.fmean(r.head for r in chosen), 3),
                    "worse_than_head": sum(r.ours < r.head - 1e-9 for r in chosen),
                    "over_budget": sum(not r.within for r in chosen),
                    "max_fit_s": round(max(r.seconds for r in chosen), 3),
                }
            )
    return out


def plot(summary: list[dict[str, object]], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    larger = [row for row in summary if row["cases"] == "diff larger than budget"]
    xs = [int(str(row["budget"])) for row in larger]
    fig, ax = plt.subplots(figsize=(6, 3.6), dpi=120)
    for key, label in (("budgeter", "commit-polish budgeter"), ("head", "head truncation")):
        ax.plot(xs, [float(str(row[key])) for row in larger], marker="o", label=label)
    ax.set_xscale("log", base=2)
    ax.set_xticks(xs, [f"{x:,}" for x in xs])
    ax.set_xlabel("diff budget (tokens)")
    ax.set_ylabel("keyword recall")
    ax.set_ylim(0.5, 1.0)
    ax.set_title("Dev-set diffs larger than the budget")
    ax.grid(alpha=0.3)
    ax.legend(loc="lower right")
    fig.tight_layout()
    fig.savefig(path)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.partition("\n")[0])
    parser.add_argument("--dataset", type=Path, default=DEFAULT_DATASET)
    parser.add_argument("--budgets", type=int, nargs="+", default=[1000, 2000, 4000])
    parser.add_argument("--plot", type=Path, help="write a PNG of recall against budget")
    parser.add_argument("--json", action="store_true", help="print the table as JSON")
    parser.add_argument(
        "--pipeline",
        action="store_true",
        help="add the digest the pipeline builds at the default prompt cap (768 tokens)",
    )
    args = parser.parse_args()
    keep_litellm_offline()  # before LiteLLM is imported: no price list, no tokenizer download
    count = llm.token_counter(MODEL)
    rows: list[Row] = []
    cases = load_cases(args.dataset)
    for case in cases:
        rows.extend(measure(case, args.budgets, count))
    summary = table(rows, args.budgets)
    if args.pipeline:
        summary += pipeline_table(cases, count)
    if args.json:
        json.dump(summary, sys.stdout, indent=1)
        print()
    else:
        print(f"{len(cases)} cases from {args.dataset.name}; cases without keywords skipped")
        keys = list(dict.fromkeys(key for row in summary for key in row))
        print(" | ".join(keys))
        for row in summary:
            print(" | ".join(str(row.get(k, "-")) for k in keys))
    if args.plot:
        plot([row for row in summary if isinstance(row["budget"], int)], args.plot)
        print(f"wrote {args.plot}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
