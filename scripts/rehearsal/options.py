"""A service's `options:` as the runner hands them to `docker create` and as Docker reads
them: the runner's argument splitting, the health flags and Docker's defaults for them."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from rehearsal.report import RehearsalError

# Docker's defaults for a health option the file leaves out (docker create --help).
HEALTH_DEFAULTS = {"interval": 30.0, "timeout": 30.0, "retries": 3, "start_period": 0.0}
HEALTH_FLAGS = {
    "--health-cmd": "cmd",
    "--health-interval": "interval",
    "--health-timeout": "timeout",
    "--health-retries": "retries",
    "--health-start-period": "start_period",
}


def runner_split(text: str) -> list[str]:
    """Split `options:` into arguments as the runner's `docker create` command line is split:
    .NET's rules on Linux (Process.Unix ParseArgumentsIntoList). Only double quotes group;
    single quotes are plain characters; backslashes escape only a double quote; only spaces
    and tabs separate."""
    args: list[str] = []
    i, n = 0, len(text)
    while i < n:
        while i < n and text[i] in " \t":
            i += 1
        if i == n:
            break
        current: list[str] = []
        in_quotes = False
        while i < n:
            slashes = 0
            while i < n and text[i] == "\\":
                i += 1
                slashes += 1
            if slashes:
                if i >= n or text[i] != '"':
                    current.append("\\" * slashes)
                else:
                    current.append("\\" * (slashes // 2))
                    if slashes % 2:
                        current.append('"')
                        i += 1
                continue
            c = text[i]
            if c == '"':
                if in_quotes and i + 1 < n and text[i + 1] == '"':
                    current.append('"')
                    i += 1
                else:
                    in_quotes = not in_quotes
                i += 1
                continue
            if c in " \t" and not in_quotes:
                break
            current.append(c)
            i += 1
        if in_quotes:
            raise RehearsalError(
                f"options: a double quote is never closed in {text!r}",
                "close it: the runner would pass the rest of the line as one argument",
            )
        args.append("".join(current))
    return args


_DURATION_PART = re.compile(r"(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h)")
_UNIT_SECONDS = {"ns": 1e-9, "us": 1e-6, "µs": 1e-6, "μs": 1e-6, "ms": 1e-3, "s": 1, "m": 60}
_UNIT_SECONDS["h"] = 3600


def go_duration(text: str, option: str) -> float:
    """Seconds in a Go duration (`10s`, `1m30s`, `500ms`), the form Docker's flags take."""
    value = text.strip()
    if value == "0":
        return 0.0
    total, pos = 0.0, 0
    while pos < len(value):
        match = _DURATION_PART.match(value, pos)
        if match is None:
            break
        total += float(match.group(1)) * _UNIT_SECONDS[match.group(2)]
        pos = match.end()
    if not value or pos != len(value):
        raise RehearsalError(
            f"options: {option} {text!r} is not a duration Docker reads",
            f"write it with a unit, for example {option} 10s (or 1m30s, 500ms)",
        )
    return total


@dataclass(frozen=True)
class Health:
    """The health check `options:` declares, with Docker's defaults for what it leaves out."""

    cmd: str | None
    interval: float = HEALTH_DEFAULTS["interval"]
    timeout: float = HEALTH_DEFAULTS["timeout"]
    retries: int = int(HEALTH_DEFAULTS["retries"])
    start_period: float = HEALTH_DEFAULTS["start_period"]
    given: tuple[str, ...] = ()
    """The flags the file sets, in its order."""

    @property
    def budget(self) -> float:
        """The longest Docker can take to say `unhealthy`: failures count only after the start
        period, then one check per interval, each allowed its timeout."""
        return self.start_period + self.retries * (self.interval + self.timeout)

    def describe(self) -> str:
        unset = [flag for flag in list(HEALTH_FLAGS)[1:] if flag not in self.given]
        origin = (
            f" ({', '.join(unset)} not in options:, so the image's or Docker's)" if unset else ""
        )
        return (
            f"interval {secs(self.interval)}, timeout {secs(self.timeout)}, "
            f"retries {self.retries}, start period {secs(self.start_period)}{origin}: Docker "
            f"says unhealthy at the latest after {secs(self.start_period)} + {self.retries} x "
            f"({secs(self.interval)} + {secs(self.timeout)}) = {secs(self.budget)}"
        )


def secs(seconds: float) -> str:
    return f"{seconds:g}s"


@dataclass(frozen=True)
class Options:
    health: Health | None
    """None: `--no-healthcheck`; a Health without cmd: the image's own HEALTHCHECK command."""
    args: tuple[str, ...]
    """Every argument, health ones included, as the runner hands them to `docker create`."""


def parse_options(text: str | None) -> Options:
    """A service's `options:` string: the health flags read, every argument kept."""
    args = runner_split(text or "")
    for arg in args:
        if arg.startswith("'") or arg.endswith("'"):
            raise RehearsalError(
                f"options: {arg!r} is cut at its spaces: the runner's command line groups words "
                "only with double quotes, never single ones",
                'write the value in double quotes, e.g. --health-cmd "curl -fsS '
                'http://localhost:8080/health || exit 1"',
            )
    values: dict[str, Any] = {}
    given: list[str] = []
    disabled = False
    i = 0
    while i < len(args):
        flag, eq, value = args[i].partition("=")
        i += 1
        if flag == "--no-healthcheck":
            disabled = True
            continue
        if flag not in HEALTH_FLAGS:
            continue
        if not eq:
            if i >= len(args) or args[i].startswith("--"):
                raise RehearsalError(f"options: {flag} has no value", f"write {flag} VALUE")
            value = args[i]
            i += 1
        key = HEALTH_FLAGS[flag]
        if key == "cmd":
            values[key] = value
        elif key == "retries":
            if not value.isdigit():
                raise RehearsalError(
                    f"options: {flag} {value!r} is not a whole number", f"write {flag} 12"
                )
            values[key] = int(value)
        else:
            values[key] = go_duration(value, flag)
        given.append(flag)
    if disabled:
        return Options(None, tuple(args))
    return Options(Health(cmd=values.pop("cmd", None), given=tuple(given), **values), tuple(args))


def effective_health(health: Health, config: Mapping[str, Any]) -> Health:
    """The check Docker will run, from `docker inspect .Config.Healthcheck`: each flag the
    options set must read as this script read it; a flag they leave out takes the image's own
    HEALTHCHECK value, else Docker's default (moby merges the two field by field)."""
    seen: dict[str, Any] = {
        "interval": config.get("Interval", 0) / 1e9 or HEALTH_DEFAULTS["interval"],
        "timeout": config.get("Timeout", 0) / 1e9 or HEALTH_DEFAULTS["timeout"],
        "retries": config.get("Retries", 0) or int(HEALTH_DEFAULTS["retries"]),
        "start_period": config.get("StartPeriod", 0) / 1e9,
    }
    test = list(config.get("Test") or [])
    for flag in health.given:
        key = HEALTH_FLAGS[flag]
        ours = getattr(health, key)
        theirs = (test[1] if test[:1] == ["CMD-SHELL"] else test) if key == "cmd" else seen[key]
        if ours != theirs:
            raise RehearsalError(
                f"Docker read {flag} as {theirs!r}, this script as {ours!r}",
                "fix parse_options in scripts/rehearsal/options.py",
            )
    cmd = test[1] if test[:1] == ["CMD-SHELL"] else " ".join(test[1:]) or None
    return Health(cmd=cmd, given=health.given, **seen)
