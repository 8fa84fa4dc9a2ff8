"""Workflow commands, step outputs and the job summary, read back the way the runner reads them."""

from __future__ import annotations

import io
import re
import secrets
from pathlib import Path

import pytest

from commit_polish.action import workflow as gha


def parse_commands(text: str) -> list[tuple[str, dict[str, str], str]]:
    """(command, properties, data) per line, unescaped as actions/runner's ActionCommand does."""

    def unescape(value: str, *, prop: bool) -> str:
        value = value.replace("%0D", "\r").replace("%0A", "\n")
        if prop:
            value = value.replace("%3A", ":").replace("%2C", ",")
        return value.replace("%25", "%")

    commands = []
    for line in text.splitlines():
        found = re.fullmatch(r"::([a-z-]+)(?: ([^:]*))?::(.*)", line)
        assert found, f"not a workflow command: {line!r}"
        name, props, data = found.groups()
        properties = {}
        for pair in (props or "").split(","):
            if pair:
                key, _, value = pair.partition("=")
                properties[key] = unescape(value, prop=True)
        commands.append((name, properties, unescape(data, prop=False)))
    return commands


def parse_output_file(text: str) -> dict[str, str]:
    """The runner's reading of $GITHUB_OUTPUT: `name=value` lines and `name<<DELIM` blocks."""
    values: dict[str, str] = {}
    lines = text.split("\n")
    assert lines.pop() == "", "the file ends with a newline"
    while lines:
        line = lines.pop(0)
        if "<<" in line:
            name, delimiter = line.split("<<", 1)
            end = lines.index(delimiter)  # ValueError here means an unterminated block
            values[name] = "\n".join(lines[:end])
            del lines[: end + 1]
        else:
            name, _, value = line.partition("=")
            values[name] = value
    return values


# --- workflow commands -----------------------------------------------------------------------


def test_error_warning_notice_escape_data_and_properties() -> None:
    out = io.StringIO()
    message = "100% broken\r\nline two: a, b\n::add-mask::nothing"
    title = "bad: value, 50%\nsecond"
    gha.error(message, title=title, out=out)
    gha.warning(message, title=title, out=out)
    gha.notice(message, out=out)
    text = out.getvalue()
    assert text.count("\n") == 3  # one line each: no injected line can start a command
    assert text.splitlines()[0] == (
        "::error title=bad%3A value%2C 50%25%0Asecond::100%25 broken%0D%0Aline two: a, b%0A"
        "::add-mask::nothing"
    )
    assert parse_commands(text) == [
        ("error", {"title": title}, message),
        ("warning", {"title": title}, message),
        ("notice", {}, message),
    ]


def test_notice_with_a_title() -> None:
    out = io.StringIO()
    gha.notice("skipped", title="commit-polish", out=out)
    assert out.getvalue() == "::notice title=commit-polish::skipped\n"


def test_commands_go_to_the_current_stdout_by_default(capsys: pytest.CaptureFixture[str]) -> None:
    gha.warning("w", title="t")
    assert capsys.readouterr().out == "::warning title=t::w\n"


# --- masking ---------------------------------------------------------------------------------


def test_mask_each_line_of_a_secret_and_skip_blanks() -> None:
    out = io.StringIO()
    gha.mask("")
    gha.mask("sk-live-123%abc", out=out)
    gha.mask("-----BEGIN KEY-----\r\nMIIB\n\n   \nAQAB\n", out=out)
    assert out.getvalue().splitlines() == [
        "::add-mask::sk-live-123%25abc",
        "::add-mask::-----BEGIN KEY-----",
        "::add-mask::MIIB",
        "::add-mask::AQAB",
    ]


def test_empty_secret_prints_nothing(capsys: pytest.CaptureFixture[str]) -> None:
    gha.mask("")
    gha.mask("\n \n")
    assert capsys.readouterr().out == ""


# --- outputs ---------------------------------------------------------------------------------


VALUES = {
    "message": "fix: a\n\nbody line\r\nwith CRLF kept\n\nname=value\nx<<EOF\nEOF\n",
    "subject": "fix: a",
    "body": "",
    "comment-url": "https://github.com/o/r/pull/1#issuecomment-1",
}


def test_outputs_parse_back_exactly(tmp_path: Path) -> None:
    path = tmp_path / "output"
    path.write_text("earlier=kept\n", encoding="utf-8")  # the runner's file may hold others
    gha.set_outputs(VALUES, path)
    parsed = parse_output_file(path.read_bytes().decode("utf-8"))
    assert parsed == {"earlier": "kept", **VALUES}


def test_a_value_cannot_end_its_block_early(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Even when the random delimiter happens to occur in the value, a fresh one is drawn."""
    drawn = iter(["0" * 32, "1" * 32])
    monkeypatch.setattr(secrets, "token_hex", lambda _n: next(drawn))
    value = f"x\nghadelimiter_{'0' * 32}\nsubject=pwned"
    path = tmp_path / "output"
    gha.set_outputs({"message": value}, path)
    text = path.read_bytes().decode("utf-8")
    assert text.startswith(f"message<<ghadelimiter_{'1' * 32}\n")
    assert parse_output_file(text) == {"message": value}


def test_delimiters_are_random() -> None:
    first, second = gha.heredoc("a", "v"), gha.heredoc("a", "v")
    assert first != second


@pytest.mark.parametrize("name", ["", "a<<b", "a=b", "two\nlines", "1st"])
def test_invalid_output_names_are_refused(name: str, tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="output name"):
        gha.set_outputs({name: "v"}, tmp_path / "output")


def test_outside_a_runner_outputs_are_printed_and_fenced_from_commands() -> None:
    out = io.StringIO()
    gha.set_outputs({"subject": "fix: a", "message": "fix: a\n\n::error::pwned"}, None, out=out)
    lines = out.getvalue().splitlines()
    token = lines[1].removeprefix("::stop-commands::")
    assert len(token) == 32
    assert lines[2:] == [
        "subject: fix: a",
        "message:",
        "  | fix: a",
        "  | ",
        "  | ::error::pwned",
        f"::{token}::",
    ]


# --- job summary -----------------------------------------------------------------------------


def test_summary_is_appended(tmp_path: Path) -> None:
    path = tmp_path / "summary.md"
    gha.append_summary("### one", path)
    gha.append_summary("two\n", path)
    assert path.read_text(encoding="utf-8") == "### one\ntwo\n"


def test_outside_a_runner_the_summary_is_printed_and_fenced() -> None:
    out = io.StringIO()
    gha.append_summary("::warning::not a command\n", None, out=out)
    lines = out.getvalue().splitlines()
    assert lines[1].startswith("::stop-commands::")
    assert lines[2] == "::warning::not a command"
    assert lines[3] == f"::{lines[1].removeprefix('::stop-commands::')}::"


def test_a_lone_surrogate_loses_no_output_summary_or_annotation(tmp_path: Path) -> None:
    """A model's answer or a JSON `\\ud800` escape can carry one; the run's record stays."""
    broken = "fix: handle \ud800 input"
    output, summary, out = tmp_path / "output", tmp_path / "summary.md", io.StringIO()
    gha.set_outputs({"subject": broken}, output)
    gha.append_summary(f"### {broken}", summary)
    gha.warning(broken, title=broken, out=out)
    assert parse_output_file(output.read_text(encoding="utf-8")) == {
        "subject": "fix: handle ? input"
    }
    assert summary.read_text(encoding="utf-8") == "### fix: handle ? input\n"
    ((name, properties, data),) = parse_commands(out.getvalue())
    assert (name, properties["title"], data) == (
        "warning",
        "fix: handle ? input",
        "fix: handle ? input",
    )
