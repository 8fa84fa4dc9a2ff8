"""Running `commit-polish eval` in-process and reading what it wrote, for the eval tests."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from commit_polish.cli import main


def run_eval(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    """Exit code, stdout and stderr of `commit-polish eval ARGS`."""
    code = main(["eval", *args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def out_rows(path: Path) -> list[dict[str, Any]]:
    """The lines of an `eval --out` file."""
    return [json.loads(line) for line in path.read_text().splitlines()]
