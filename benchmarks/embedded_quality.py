"""The embedded model raw against the same model inside commit-polish, side by side.

Run from the repository root with a server running the embedded model
(`.venv/bin/commit-polish serve --port 8931 &`):

    .venv/bin/python benchmarks/embedded_quality.py --api-base http://127.0.0.1:8931/v1 \
        --budgets 768 1024 1536 --workdir /tmp/quality

runs `commit-polish eval` on ../shared/eval/dev_sample18.ids once per prompt budget (resumable:
answers already in --workdir are kept), then prints one row per predictor. "conventional
form" and "prefix on plain" go by the repository's style as the data set's README labels it
(a record's own subject may differ from its repository's habit). The raw model's
answers are ../shared/eval/raw_qwen15_dev18.preds.jsonl, written by the data set's own
raw_model_baseline.py on the same machine kind. `--ours FILE ...` scores answer files that
already exist instead (`--ids ''` for the whole dev set, `--raw FILE` for another raw run,
`--raw ''` for none). `--by repo` (or `style`, `size`) adds one table per group.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from style_detection import LABELS  # the data set's labels, beside this script

from commit_polish.evaluation import metrics
from commit_polish.evaluation.cases import Case, load_cases, read_ids
from commit_polish.evaluation.report import GROUPS

EVAL = Path(__file__).resolve().parents[2] / "shared" / "eval"
WRAPPED = re.compile(r"^([`'\"]).*\1$")


def row(cases: Sequence[Case], answers: Mapping[str, Mapping[str, Any]]) -> dict[str, str]:
    """The table's cells for one predictor; a case it has no answer for counts as empty."""
    subjects, bnorm_s, bnorm_m, rouge_s, seconds, tokens = [], [], [], [], [], []
    conventional_ok = conventional_n = plain_prefixed = plain_n = repeats = fallbacks = 0
    for case in cases:
        answer = answers.get(case.id, {})
        text = str(answer.get("message") or "")
        subject, body = metrics.split_message(text)
        predicted = f"{subject}\n\n{body}" if body else subject
        subjects.append(subject)
        bnorm_s.append(metrics.bnorm(case.subject, subject))
        bnorm_m.append(metrics.bnorm(case.reference, predicted))
        rouge_s.append(metrics.rouge_l(case.subject, subject))
        seconds.append(float(answer.get("seconds") or 0.0))
        if answer.get("prompt_tokens"):
            tokens.append(int(answer["prompt_tokens"]))
        prefixed = metrics.commit_type(subject.strip("`'\"")) is not None
        if repo_style(case) == "conventional":
            conventional_n += 1
            conventional_ok += prefixed
        else:
            plain_n += 1
            plain_prefixed += prefixed
        shown = {metrics.strip_pr_number(h).casefold() for h in case.history}
        repeats += subject.casefold() in shown
        fallbacks += answer.get("from_model") is False
    n = len(cases)
    return {
        "B-Norm subject": f"{statistics.fmean(bnorm_s):.2f}",
        "B-Norm message": f"{statistics.fmean(bnorm_m):.2f}",
        "ROUGE-L subject": f"{statistics.fmean(rouge_s):.2f}",
        "subjects 1-72": f"{100 * sum(map(metrics.subject_fits, subjects)) / n:.0f}%",
        "wrapped in quotes": str(sum(bool(WRAPPED.match(s)) for s in subjects)),
        "trailing period": str(sum(s.endswith(".") for s in subjects)),
        "conventional form": f"{conventional_ok}/{conventional_n}",
        "prefix on plain": f"{plain_prefixed}/{plain_n}",
        "repeats history": str(repeats),
        "fallback": str(fallbacks),
        "median s": f"{statistics.median(seconds):.1f}",
        "mean prompt tokens": f"{statistics.fmean(tokens):.0f}" if tokens else "-",
    }


def repo_style(case: Case) -> str:
    """The repository's style as the data set's README labels it, else the record's own."""
    label = LABELS.get(case.repo)
    return label[0].value if label else case.style


def read_answers(path: Path) -> dict[str, dict[str, Any]]:
    answers = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            record = json.loads(line)
            answers[str(record["id"])] = record
    return answers


def run_budget(args: argparse.Namespace, budget: int) -> Path:
    out: Path = args.workdir / f"budget{budget}.jsonl"
    command = [
        str(Path(sys.executable).parent / "commit-polish"), "eval", "--dataset", str(args.dataset),
        "--api-base", args.api_base, "--max-prompt-tokens", str(budget), "--out", str(out),
    ]  # fmt: skip
    if args.ids:
        command += ["--ids", str(args.ids)]
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, env=os.environ.copy())
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.partition("\n")[0])
    parser.add_argument("--dataset", type=Path, default=EVAL / "dev.jsonl.gz")
    parser.add_argument("--ids", type=str, default=str(EVAL / "dev_sample18.ids"))
    parser.add_argument("--raw", type=str, default=str(EVAL / "raw_qwen15_dev18.preds.jsonl"))
    parser.add_argument("--ours", type=Path, nargs="*", default=[], help="eval --out files")
    parser.add_argument("--api-base", help="run eval against this server first")
    parser.add_argument("--budgets", type=int, nargs="*", default=[1024])
    parser.add_argument("--workdir", type=Path, default=Path("quality-runs"))
    parser.add_argument("--by", choices=sorted(GROUPS), help="also one table per group")
    args = parser.parse_args()
    ids = read_ids(Path(args.ids)) if args.ids else None
    cases = load_cases(args.dataset, ids=ids)
    predictors: dict[str, dict[str, dict[str, Any]]] = {}
    if args.raw:
        predictors["raw Qwen2.5-Coder-1.5B"] = read_answers(Path(args.raw))
    if args.api_base:
        args.workdir.mkdir(parents=True, exist_ok=True)
        for budget in args.budgets:
            path = run_budget(args, budget)
            predictors[f"commit-polish, {budget}-token prompt"] = read_answers(path)
    for path in args.ours:
        predictors[f"commit-polish ({path.name})"] = read_answers(path)
    if not predictors:
        parser.error("nothing to score: give --api-base, --ours or --raw")
    print_table(f"{len(cases)} cases", cases, predictors)
    if args.by:
        for group in sorted({GROUPS[args.by](case) for case in cases}):
            chosen = [case for case in cases if GROUPS[args.by](case) == group]
            print_table(f"\n{group}: {len(chosen)} cases", chosen, predictors)
    return 0


def print_table(
    title: str, cases: Sequence[Case], predictors: Mapping[str, Mapping[str, Mapping[str, Any]]]
) -> None:
    rows = {name: row(cases, answers) for name, answers in predictors.items()}
    columns = list(next(iter(rows.values())))
    print(title)
    print("| predictor | " + " | ".join(columns) + " |")
    print("|" + " --- |" * (len(columns) + 1))
    for name, cells in rows.items():
        print(f"| {name} | " + " | ".join(cells[c] for c in columns) + " |")


if __name__ == "__main__":
    sys.exit(main())
