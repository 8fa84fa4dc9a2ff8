"""How well the repository's conventions are read from the 20 subjects before each PR.

Run from the repository root (the data set is ../shared/eval/dev.jsonl.gz by default):

    .venv/bin/python benchmarks/style_detection.py

The labels are the data set's (its README): bubbletea, python-storage and svelte are
conventional; httpx and cobra plain; typer plain with gitmoji. "detected" is the strict
reading (conventional at 70% or more, plain at 30% or less, else mixed); "used" is the style
`style = "auto"` writes in, where a mixed history follows its majority.
"""

from __future__ import annotations

import argparse
import gzip
import json
import sys
from collections import defaultdict
from pathlib import Path

from commit_polish.message.style import Style, analyse_history, detect_style

DEFAULT_DATASET = Path(__file__).resolve().parents[2] / "shared" / "eval" / "dev.jsonl.gz"
LABELS = {
    "charmbracelet/bubbletea": (Style.CONVENTIONAL, False),
    "googleapis/python-storage": (Style.CONVENTIONAL, False),
    "sveltejs/svelte": (Style.CONVENTIONAL, False),
    "encode/httpx": (Style.PLAIN, False),
    "spf13/cobra": (Style.PLAIN, False),
    "fastapi/typer": (Style.PLAIN, True),
}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.partition("\n")[0])
    parser.add_argument("--dataset", type=Path, default=DEFAULT_DATASET)
    args = parser.parse_args()
    tally: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0, 0])
    with gzip.open(args.dataset, "rt", encoding="utf-8") as handle:
        for line in handle:
            record = json.loads(line)
            label = LABELS.get(record["repo"])
            if label is None:
                continue
            repo = analyse_history(record["history"])
            row = tally[record["repo"]]
            row[0] += 1
            row[1] += repo.style is label[0]
            row[2] += repo.style is None
            row[3] += detect_style(record["history"]) is label[0]
            row[4] += repo.gitmoji is label[1]
    print("repository | records | style detected | mixed | style used | gitmoji")
    total = [0, 0, 0, 0, 0]
    for name, row in sorted(tally.items()):
        total = [a + b for a, b in zip(total, row, strict=True)]
        print(" | ".join([name, *_cells(row)]))
    print(" | ".join(["all", *_cells(total)]))
    return 0


def _cells(row: list[int]) -> list[str]:
    n = row[0]
    return [str(n), *(f"{value}/{n} ({100 * value / n:.0f}%)" for value in row[1:])]


if __name__ == "__main__":
    sys.exit(main())
