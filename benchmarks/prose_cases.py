"""The ids of the PRs whose prompt quotes their prose changelog entry, diff only; no model.

Where no subject is decided before the model (no author's subject in the diff-only case, no
one-sentence changelog entry), the pipeline gives the model the change's only new changelog
entry as its author wrote it (`digest.notes.changelog_prose`). Only these PRs' prompts
differ from before, so only they need running to measure it. One ids file per data set,
for `eval --ids`:

    .venv/bin/python benchmarks/prose_cases.py ../shared/eval/dev.jsonl.gz > /tmp/prose_dev.ids

`--with-commits` gives the pipeline the PRs' own commits, as `eval` does without
`--diff-only`: then only a weak author subject leaves the model to write one.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from commit_polish.digest.notes import changelog_prose
from commit_polish.digest.parse import parse_diff
from commit_polish.evaluation.cases import load_cases
from commit_polish.records import ChangeContext
from commit_polish.subject_rules import own_subject


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("dataset", type=Path)
    parser.add_argument("--with-commits", action="store_true")
    args = parser.parse_args()
    for case in load_cases(args.dataset):
        files = parse_diff(case.diff)
        commits = case.commit_messages if args.with_commits else ()
        context = ChangeContext(commit_messages=commits, history=case.history)
        decided = own_subject(context, "auto", files, files)
        if decided is None and changelog_prose(files):
            print(case.id)


if __name__ == "__main__":
    main()
