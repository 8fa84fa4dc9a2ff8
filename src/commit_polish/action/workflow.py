"""The only writer of GitHub workflow commands, step outputs and the job summary.

The runner reads every stdout line that starts with `::` as a command, so untrusted text must
never start a line of its own: command data and properties are escaped here, outputs go to
`$GITHUB_OUTPUT` in the heredoc form, and text echoed to stdout is fenced by
`::stop-commands::`. Text is made valid UTF-8 here too (a lone surrogate, which a model's answer
or a JSON `\\ud800` escape can carry, becomes `?`), so no encoding error can lose what a run
has already written. Each function takes `out` (default: `sys.stdout` at call time) so tests
can capture what the runner would read. The Action writes through a `Step`, which passes every
text through the run's one `Scrubber` first.
"""

from __future__ import annotations

import re
import secrets
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import TextIO

from commit_polish.action.scrub import Scrubber

_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*")


def mask(secret: str, *, out: TextIO | None = None) -> None:
    """Ask the runner to hide `secret` in every later log line.

    The runner masks line by line, so a multi-line secret (a PEM key) is masked per line.
    Blank lines are skipped: masking whitespace would blank out the whole log.
    """
    for line in secret.splitlines():
        if line.strip():
            _command("add-mask", line, {}, out)


def error(message: str, *, title: str, out: TextIO | None = None) -> None:
    _command("error", message, {"title": title}, out)


def warning(message: str, *, title: str, out: TextIO | None = None) -> None:
    _command("warning", message, {"title": title}, out)


def notice(message: str, *, title: str | None = None, out: TextIO | None = None) -> None:
    _command("notice", message, {"title": title} if title else {}, out)


def set_outputs(values: Mapping[str, str], path: Path | None, *, out: TextIO | None = None) -> None:
    """Write step outputs to `path` ($GITHUB_OUTPUT); print them when not in a runner."""
    for name in values:
        if not _NAME.fullmatch(name):
            raise ValueError(f"not a valid output name: {name!r}")
    if path is None:
        _echo("Outputs (GITHUB_OUTPUT is not set)", _readable(values), out)
        return
    with path.open("a", encoding="utf-8", newline="") as file:
        for name, value in values.items():
            file.write(heredoc(name, valid_text(value)))


def append_summary(markdown: str, path: Path | None, *, out: TextIO | None = None) -> None:
    """Append to the job summary ($GITHUB_STEP_SUMMARY); print it when not in a runner."""
    if path is None:
        _echo("Job summary (GITHUB_STEP_SUMMARY is not set)", markdown, out)
        return
    markdown = valid_text(markdown)
    with path.open("a", encoding="utf-8", newline="") as file:
        file.write(markdown if markdown.endswith("\n") else markdown + "\n")


def valid_text(text: str) -> str:
    """`text` as valid Unicode: lone surrogates become `?`; everything else is kept."""
    return text.encode("utf-8", "replace").decode("utf-8")


def heredoc(name: str, value: str) -> str:
    """`name<<DELIM`, the value, `DELIM`: the runner's multi-line form of `name=value`.

    The delimiter is random and checked against the value, so no value can end the block
    early and set other outputs.
    """
    delimiter = _fresh_delimiter(value)
    return f"{name}<<{delimiter}\n{value}\n{delimiter}\n"


def escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def _fresh_delimiter(value: str) -> str:
    while True:
        delimiter = f"ghadelimiter_{secrets.token_hex(16)}"
        if delimiter not in value:
            return delimiter


def _command(name: str, data: str, properties: Mapping[str, str], out: TextIO | None) -> None:
    props = ",".join(
        f"{key}={escape_property(valid_text(value))}" for key, value in properties.items()
    )
    head = f"{name} {props}" if props else name
    print(f"::{head}::{escape_data(valid_text(data))}", file=out or sys.stdout, flush=True)


def _readable(values: Mapping[str, str]) -> str:
    lines: list[str] = []
    for name, value in values.items():
        if "\n" in value:
            lines.append(f"{name}:")
            lines.extend(f"  | {line}" for line in value.split("\n"))
        else:
            lines.append(f"{name}: {value}")
    return "\n".join(lines)


def _echo(heading: str, text: str, out: TextIO | None) -> None:
    """Print untrusted text; `::stop-commands::` keeps a runner from reading any of it as a
    command (a line of a PR's text could start with `::`)."""
    token = secrets.token_hex(16)
    stream = out or sys.stdout
    print(f"{heading}:", file=stream)
    print(f"::stop-commands::{token}", file=stream)
    print(valid_text(text).rstrip("\n"), file=stream)
    print(f"::{token}::", file=stream, flush=True)


class Step:
    """What one step writes for the runner (log lines, outputs, job summary), every text
    through the run's one `scrub` so that no known secret reaches any of them.

    `mask` is the one place a secret becomes known, to the runner's log masking and to the
    scrubber at once, so the two never disagree about what is secret.
    """

    def __init__(self, out: TextIO, *, outputs: Path | None, summary: Path | None) -> None:
        self.out = out
        self.outputs, self.summary = outputs, summary
        self.scrub = Scrubber()

    def mask(self, secret: str) -> None:
        self.scrub.add(secret)
        mask(secret, out=self.out)

    def error(self, message: str, *, title: str) -> None:
        error(self.scrub(message), title=self.scrub(title), out=self.out)

    def warning(self, message: str, *, title: str) -> None:
        warning(self.scrub(message), title=self.scrub(title), out=self.out)

    def notice(self, message: str, *, title: str | None = None) -> None:
        notice(self.scrub(message), title=title and self.scrub(title), out=self.out)

    def set_outputs(self, values: Mapping[str, str]) -> None:
        scrubbed = {name: self.scrub(value) for name, value in values.items()}
        set_outputs(scrubbed, self.outputs, out=self.out)

    def append_summary(self, markdown: str) -> None:
        append_summary(self.scrub(markdown), self.summary, out=self.out)
