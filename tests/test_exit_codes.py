"""The exit-code table is written once, in `errors.ExitCode`: the CLI's help is generated from
it, and the README's table must say the same."""

from __future__ import annotations

import re

import pytest

from commit_polish.cli import EVAL_EXIT_CODES, main
from commit_polish.errors import (
    AllModelsFailedError,
    ConfigError,
    ExitCode,
    GitHubError,
    InputError,
)
from tests.support.paths import ROOT


def _readme_table() -> dict[int, str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("### Exit codes", 1)[1].split("\n#", 1)[0]
    rows = re.findall(r"^\| (\d+) \| (.+?) \|$", section, flags=re.MULTILINE)
    return {int(code): meaning for code, meaning in rows}


def test_the_readme_table_is_the_exit_code_table() -> None:
    assert _readme_table() == {code.value: code.meaning for code in ExitCode}


@pytest.mark.parametrize(
    ("command", "codes"),
    [([], list(ExitCode)), (["suggest"], list(ExitCode)), (["eval"], list(EVAL_EXIT_CODES))],
)
def test_help_lists_every_exit_code(
    command: list[str], codes: list[ExitCode], capsys: pytest.CaptureFixture[str]
) -> None:
    """`eval` lists only the codes it can return: 4 and 5 belong to `suggest` and the Action."""
    with pytest.raises(SystemExit):
        main([*command, "--help"])
    epilog = capsys.readouterr().out.split("exit codes:\n", 1)[1]
    listed = [int(m) for m in re.findall(r"^  (\d+) ", epilog, flags=re.MULTILINE)]
    assert listed == [code.value for code in codes]


def test_errors_carry_the_codes_of_the_table() -> None:
    carried = [ConfigError, InputError, AllModelsFailedError, GitHubError]
    assert [int(error.exit_code) for error in carried] == [2, 3, 4, 5]
