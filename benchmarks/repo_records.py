"""Write the cases `eval --repo` builds as a data set file, for tools that read one.

`raw_model_baseline.py` (the plain prompt, ../shared/eval) takes a data set, not a clone; this
gives it the very records `eval --repo PATH [--every-commit] --last N` measures, so both are
asked about the same commits:

    .venv/bin/python benchmarks/repo_records.py PATH --last 40 --every-commit \\
        --out /tmp/own40.jsonl.gz
"""

from __future__ import annotations

import argparse
import gzip
import json
from pathlib import Path

from commit_polish.evaluation.repo import records


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("repo", type=Path, help="a git clone")
    parser.add_argument("--last", type=int, default=20)
    parser.add_argument("--every-commit", action="store_true")
    parser.add_argument("--out", type=Path, required=True, help="FILE.jsonl.gz")
    args = parser.parse_args()
    built = records(args.repo, args.last, every_commit=args.every_commit)
    with gzip.open(args.out, "wt", encoding="utf-8") as out:
        out.writelines(json.dumps(record) + "\n" for record in built)
    print(f"{len(built)} records from {args.repo} written to {args.out}")


if __name__ == "__main__":
    main()
