"""Print one SHA-256 per data set and prompt budget over every prompt `eval --dry-run` builds.

A refactor that must not change behaviour keeps these hashes: run this before and after it.

    .venv/bin/python benchmarks/prompt_hashes.py ../shared/eval/dev.jsonl.gz \
        ../shared/eval/dev2.jsonl.gz

`eval` gives the pipeline the PR's commits (`pr_commits`) as the Action would; `--diff-only`
passes the same flag on, for the prompts `eval` built before it read them.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import io
import json
import tempfile
from pathlib import Path

from commit_polish.cli import main as commit_polish


def prompt_hash(dataset: Path, budget: int, *, diff_only: bool = False) -> tuple[str, int]:
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "prompts.jsonl"
        args = ["eval", "--dataset", str(dataset), "--dry-run", "--out", str(out)]
        if diff_only:
            args.append("--diff-only")
        with contextlib.redirect_stderr(io.StringIO()):
            code = commit_polish([*args, "--max-prompt-tokens", str(budget)])
        if code != 0:
            raise SystemExit(f"eval --dry-run exited {code} on {dataset}")
        rows = sorted((json.loads(line) for line in out.open()), key=lambda row: row["id"])
    canonical = json.dumps(rows, sort_keys=True, ensure_ascii=False).encode()
    return hashlib.sha256(canonical).hexdigest(), len(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("datasets", nargs="+", type=Path)
    parser.add_argument("--budgets", default="768,2000", help="comma-separated prompt budgets")
    parser.add_argument(
        "--diff-only", action="store_true", help="pass --diff-only on: no commit messages"
    )
    args = parser.parse_args()
    label = "diff-only" if args.diff_only else "with commits"
    for dataset in args.datasets:
        for budget in (int(b) for b in args.budgets.split(",")):
            digest, cases = prompt_hash(dataset, budget, diff_only=args.diff_only)
            print(f"{dataset.name}\t{budget}\t{cases} prompts\t{label}\t{digest}")


if __name__ == "__main__":
    main()
