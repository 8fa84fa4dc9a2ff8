"""Write docs/fault-matrix.md from the fault matrix in tests/action/test_fault_matrix.py.

    .venv/bin/python scripts/fault_matrix_doc.py           # rewrite the page
    .venv/bin/python scripts/fault_matrix_doc.py --check   # exit 1 when it is out of date

The page is generated so that it can only say what a test asserts; tests/action/test_fault_matrix.py
fails when the page and the table disagree.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "fault-matrix.md"
SIDES = {"model": "Model", "github": "GitHub", "settings": "Settings"}
HEADER = """\
# Fault matrix

What commit-polish does when the model, GitHub or the job's settings fail. Every row is a test
in `tests/action/test_fault_matrix.py` that runs the Action's entry point against the GitHub
stand-in and a model endpoint (the real llama.cpp server where the fault can be made for
real, a scripted endpoint with llama-server's own error bodies otherwise) and asserts the
outcome written here. This page is generated from that table by
`scripts/fault_matrix_doc.py`; a test fails when they disagree.

The model chain in every row is the local model first and one OpenAI-compatible fallback.
Unless a row says otherwise, the step exits 0 (`fail-on-error` is off).
"""


def _cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


def render(cases: Sequence[Any]) -> str:
    """The page for `cases` (rows with `id`, `side`, `case`, `outcome`, `needs`)."""
    lines = [HEADER]
    counts = ", ".join(
        f"{sum(c.side == side for c in cases)} {label.lower()}" for side, label in SIDES.items()
    )
    lines.append(f"{len(cases)} cases: {counts}. _Real server_ marks the rows run against")
    lines.append("the real llama.cpp server with SmolLM2.\n")
    lines.append("| side | case | outcome | test id |")
    lines.append("| --- | --- | --- | --- |")
    for case in cases:
        real = " _(real server)_" if case.needs else ""
        lines.append(
            f"| {SIDES[case.side]} | {_cell(case.case)}{real} | {_cell(case.outcome)} "
            f"| `{case.id}` |"
        )
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--check", action="store_true", help="only compare, write nothing")
    args = parser.parse_args(argv)
    sys.path.insert(0, str(ROOT))
    from tests.action.test_fault_matrix import CASES

    text = render(CASES)
    if args.check:
        if DOC.read_text(encoding="utf-8") != text:
            print(f"{DOC.relative_to(ROOT)} is out of date: run {Path(__file__).name}")
            return 1
        return 0
    DOC.write_text(text, encoding="utf-8")
    print(f"wrote {DOC.relative_to(ROOT)} ({len(CASES)} cases)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
