"""Rehearse one job of a workflow file with Docker, as GitHub's runner runs it.

Everything comes from the file users copy: the service container's `env`, `ports`, `volumes`
and `options` (its health check among them) and its name as the host name on the job's own
network; the job's `on:` and `if:` for the event; the action step's `with:` (as INPUT_*
variables, action.yml's defaults for the rest) and `env:`. Substituted, and printed as such
with their line numbers: the service's image (no registry is reachable here: a local image with
the same program), its model source (LLAMA_ARG_MODEL_URL or LLAMA_ARG_HF_* -> LLAMA_ARG_MODEL,
a local GGUF mounted read-only), the step's `uses:` (the image built from this checkout) and
GitHub's API (scripts/smoke_stub.py, in a container on the same network).

  plan  WORKFLOW ...  print what `run` would do; needs no Docker
  standin-dockerfile  the stand-in for the llamafile image, from docker/llamafile/Dockerfile
  run   WORKFLOW ...  do it: network, GitHub stand-in, service, health wait (docker inspect
                      .State.Health.Status, with the runner's back-off), the action's container,
                      then check exactly one comment with the marker and a message

An error prints one paragraph saying what went wrong and the fix, and exits 1.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import yaml

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from tests.support.gh_expressions import ExpressionError, evaluate_if, render  # noqa: E402

TOKEN = "smoke-token"  # noqa: S105 - what the GitHub stand-in accepts, nothing real
LABEL = "commit-polish-rehearsal"
STUB_ALIAS = "github-api"
# What picks llama-server's model; the rehearsal replaces all of them by one local file.
MODEL_SOURCE = (
    "LLAMA_ARG_MODEL",
    "LLAMA_ARG_MODEL_URL",
    "LLAMA_ARG_HF_REPO",
    "LLAMA_ARG_HF_FILE",
    "HF_TOKEN",
)
MODEL_DIR = "/models"
# Docker's defaults for a health option the file leaves out (docker create --help).
HEALTH_DEFAULTS = {"interval": 30.0, "timeout": 30.0, "retries": 3, "start_period": 0.0}
HEALTH_FLAGS = {
    "--health-cmd": "cmd",
    "--health-interval": "interval",
    "--health-timeout": "timeout",
    "--health-retries": "retries",
    "--health-start-period": "start_period",
}
# A pull_request workflow without `types:` runs for these (GitHub's docs, "Events that
# trigger workflows").
DEFAULT_PR_TYPES = ("opened", "synchronize", "reopened")


class RehearsalError(Exception):
    """What went wrong, and the fix."""

    def __init__(self, what: str, fix: str) -> None:
        super().__init__(what)
        self.what, self.fix = what, fix

    def __str__(self) -> str:
        return f"{self.what}\n  fix: {self.fix}"


# -- pure parts: names, options, substitutions ---------------------------------------------


def input_env_name(name: str) -> str:
    """The variable the runner sets for an input: `INPUT_` + the name with spaces made `_`,
    upper-cased (.NET's ToUpperInvariant: a letter with no one-letter capital, like `ß`,
    stays); dashes are kept (actions/runner, Handler.AddInputsToEnvironment)."""
    upper = "".join(c.upper() if len(c.upper()) == 1 else c for c in name.replace(" ", "_"))
    return f"INPUT_{upper}"


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
            f"interval {_secs(self.interval)}, timeout {_secs(self.timeout)}, "
            f"retries {self.retries}, start period {_secs(self.start_period)}{origin}: Docker "
            f"says unhealthy at the latest after {_secs(self.start_period)} + {self.retries} x "
            f"({_secs(self.interval)} + {_secs(self.timeout)}) = {_secs(self.budget)}"
        )


def _secs(seconds: float) -> str:
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


@dataclass(frozen=True)
class Substitution:
    """One line of the file the rehearsal does not run as written."""

    where: str
    """The YAML path, e.g. `jobs.suggest.services.llama-server.image`."""
    line: int | None
    was: str
    now: str
    why: str

    def describe(self) -> str:
        at = f"line {self.line:>3}" if self.line else "runner  "
        return f"{at}  {self.where}: {_short(self.was)} -> {self.now} ({self.why})"


def _short(text: str, limit: int = 72) -> str:
    return text if len(text) <= limit else text[: limit - 3] + "..."


def key_lines(text: str) -> dict[tuple[str, ...], int]:
    """The 1-based line of every mapping key in a YAML document, by its path of keys
    (a sequence item's index is written as a string)."""
    found: dict[tuple[str, ...], int] = {}

    def walk(node: yaml.Node, path: tuple[str, ...]) -> None:
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                sub = (*path, str(key.value))
                found[sub] = key.start_mark.line + 1
                walk(value, sub)
        elif isinstance(node, yaml.SequenceNode):
            for index, item in enumerate(node.value):
                sub = (*path, str(index))
                found[sub] = item.start_mark.line + 1
                walk(item, sub)

    root = yaml.compose(text)
    if root is not None:
        walk(root, ())
    return found


def substitute_model(
    env: Mapping[str, str],
    model_file: Path,
    lines: Mapping[tuple[str, ...], int],
    base: tuple[str, ...],
) -> tuple[dict[str, str], list[Substitution], str]:
    """The service's env with its model source replaced by LLAMA_ARG_MODEL at the mounted
    file. Returns the new env, what was substituted and the path inside the container."""
    sources = [name for name in env if name in MODEL_SOURCE]
    if not sources:
        raise RehearsalError(
            f"{'.'.join(base)} names no model (none of {', '.join(MODEL_SOURCE[:4])}): "
            "llama-server would start without one and never be healthy",
            "set LLAMA_ARG_MODEL_URL to a Hugging Face resolve/<commit>/<file>.gguf URL",
        )
    inside = f"{MODEL_DIR}/{model_file.name}"
    new = {name: value for name, value in env.items() if name not in MODEL_SOURCE}
    new["LLAMA_ARG_MODEL"] = inside
    subs = [
        Substitution(
            ".".join((*base, name)),
            lines.get((*base, name)),
            env[name],
            f"LLAMA_ARG_MODEL={inside}" if i == 0 else "(dropped)",
            f"the local {model_file.name}, mounted read-only; nothing is downloaded here",
        )
        for i, name in enumerate(sources)
    ]
    return new, subs, inside


# llamafile's own flags, which llama-server does not take: `--server` and `--gpu MODE`.
_LLAMAFILE_ONLY = {"--server": 0, "--gpu": 1}


def llamafile_standin(dockerfile: str, base: str) -> tuple[str, list[str]]:
    """A stand-in for the image docker/llamafile/Dockerfile builds, from that file: its USER,
    WORKDIR, EXPOSE, HEALTHCHECK, ENTRYPOINT and CMD on `base` (the llama-server stand-in),
    with two changes, both returned as lines to print: llamafile (cannot be fetched here)
    becomes /app/llama-server, and the model its RUN downloads is a local file (`model.gguf`
    in the build context) copied to the path its `-m` names."""
    text = re.sub(r"\\\n", " ", dockerfile)
    kept: list[str] = []
    entrypoint: list[str] = []
    for line in text.splitlines():
        word = line.split(None, 1)[0].upper() if line.strip() else ""
        if word == "ENTRYPOINT":
            entrypoint = json.loads(line.split(None, 1)[1])
        elif word in ("USER", "WORKDIR", "EXPOSE", "HEALTHCHECK", "CMD"):
            kept.append(" ".join(line.split()))
    program = next((i for i, arg in enumerate(entrypoint) if arg.endswith("/llamafile")), None)
    if program is None or "-m" not in entrypoint:
        raise RehearsalError(
            "docker/llamafile/Dockerfile: no exec-form ENTRYPOINT running llamafile -m MODEL",
            'keep ENTRYPOINT ["/bin/sh", "/usr/local/bin/llamafile", "--server", ..., "-m", PATH]',
        )
    args: list[str] = []
    skip = 0
    for arg in entrypoint[program + 1 :]:
        if skip:
            skip -= 1
        elif arg in _LLAMAFILE_ONLY:
            skip = _LLAMAFILE_ONLY[arg]
        else:
            args.append(arg)
    model = entrypoint[entrypoint.index("-m") + 1]
    dropped = [a for a in entrypoint[program + 1 :] if a not in args]
    lines = [f"FROM {base}", f"COPY model.gguf {model}", *kept]
    lines.append(f"ENTRYPOINT {json.dumps(['/app/llama-server', *args])}")
    changes = [
        f"ENTRYPOINT {' '.join(entrypoint[: program + 1])} {' '.join(dropped)} -> "
        "/app/llama-server (llamafile cannot be fetched here; those flags are its own)",
        f"RUN curl -o {model} $MODEL_URL -> COPY of the local GGUF (nothing is downloaded here)",
    ]
    return "\n".join(lines) + "\n", changes


def triggered(on: Any, event_name: str, action: str | None) -> bool:
    """Whether a workflow's `on:` runs for this event and activity type."""
    if isinstance(on, str):
        return on == event_name
    if isinstance(on, list):
        return event_name in on
    if not isinstance(on, Mapping) or event_name not in on:
        return False
    spec = on[event_name] or {}
    types = spec.get("types") if isinstance(spec, Mapping) else None
    if types is None:
        types = list(DEFAULT_PR_TYPES) if event_name.startswith("pull_request") else None
    return types is None or action is None or action in types


def is_this_action(uses: str) -> bool:
    """`uses: ./` (this checkout) or `<owner>/commit-polish@<ref>` (a release)."""
    if uses == "./":
        return True
    repo = uses.split("@", 1)[0].split("/")
    return len(repo) == 2 and repo[1] == "commit-polish"


def service_of(api_base: str, services: Mapping[str, Any]) -> str:
    """The service the action's `api-base` names by host name, as on the job's network."""
    match = re.match(r"https?://([^/:]+)", api_base)
    host = match.group(1) if match else ""
    if host not in services:
        raise RehearsalError(
            f"the action's api-base {api_base!r} names host {host!r}, but the job's services "
            f"are {sorted(services) or 'none'}: the action would find no model",
            f"set `api-base: http://{next(iter(services), 'SERVICE')}:PORT/v1` in the step's "
            "with:, or name the service after the host",
        )
    return host


# -- the job, read from the file ------------------------------------------------------------


@dataclass
class Plan:
    """What the rehearsal runs, all derived from the workflow file."""

    workflow: Path
    job_id: str
    step_label: str
    service: str
    service_image: str
    service_env: dict[str, str]
    ports: list[str]
    volumes: list[str]
    options: Options
    entrypoint: str | None
    command: str | None
    inputs: dict[str, str]
    step_env: dict[str, str]
    runner_env: dict[str, str]
    marker: str
    timeout_minutes: float
    substitutions: list[Substitution] = field(default_factory=list)
    not_run: list[str] = field(default_factory=list)

    def action_env(self) -> dict[str, str]:
        """The step's env, then its inputs, then the runner's own variables, which win
        (ContainerActionHandler: inputs first, then HOME and the github context's)."""
        env = dict(self.step_env)
        env.update({input_env_name(name): value for name, value in self.inputs.items()})
        env["HOME"] = "/github/home"
        env.update(self.runner_env)
        return env


def load_workflow(path: Path) -> tuple[dict[str, Any], str]:
    text = path.read_text(encoding="utf-8")
    data = yaml.safe_load(text)
    if not isinstance(data, dict):
        raise RehearsalError(f"{path} is not a workflow (no mapping)", "check the file")
    if True in data:  # YAML 1.1 reads the key `on` as the boolean true
        data["on"] = data.pop(True)
    return data, text


def contexts(
    event_name: str, event: Mapping[str, Any], workflow: Mapping[str, Any], job_id: str
) -> dict[str, Any]:
    """The expression contexts a job sees for this event (no secrets or variables here)."""
    repo = event.get("repository") or {}
    return {
        "github": {
            "event_name": event_name,
            "event": event,
            "repository": repo.get("full_name", ""),
            "repository_owner": (repo.get("owner") or {}).get("login", ""),
            "token": TOKEN,
            "workflow": workflow.get("name", ""),
            "job": job_id,
            "run_id": "1",
            "actor": (event.get("sender") or {}).get("login", ""),
            "server_url": "https://github.com",
        },
        "inputs": dict(event.get("inputs") or {}) if event_name == "workflow_dispatch" else {},
        "secrets": {},
        "vars": {},
        "env": {},
        "job": {},
        "runner": {"os": "Linux", "arch": "X64"},
        "steps": {},
        "matrix": {},
        "needs": {},
        "strategy": {},
    }


def runner_variables(
    event_name: str,
    event: Mapping[str, Any],
    workflow_name: str,
    workflow_file: str,
    job_id: str,
    step_id: str,
    api_url: str,
) -> dict[str, str]:
    """The variables the runner sets in an action's container for this event, with the paths
    it mounts (/github/...) and GITHUB_API_URL at the stand-in."""
    repo = event.get("repository") or {}
    owner = repo.get("owner") or {}
    sender = event.get("sender") or {}
    pr = event.get("pull_request") or {}
    number = event.get("number") or pr.get("number")
    ref = f"refs/pull/{number}/merge" if pr else f"refs/heads/{repo.get('default_branch', 'main')}"
    sha = str(pr.get("merge_commit_sha") or (pr.get("head") or {}).get("sha") or "0" * 40)
    full_name = str(repo.get("full_name", ""))
    files = "/github/file_commands"
    return {
        "CI": "true",
        "GITHUB_ACTIONS": "true",
        "GITHUB_ACTION": step_id,
        "GITHUB_ACTOR": str(sender.get("login", "")),
        "GITHUB_ACTOR_ID": str(sender.get("id", "")),
        "GITHUB_TRIGGERING_ACTOR": str(sender.get("login", "")),
        "GITHUB_API_URL": api_url,
        "GITHUB_GRAPHQL_URL": f"{api_url}/graphql",
        "GITHUB_SERVER_URL": "https://github.com",
        "GITHUB_EVENT_NAME": event_name,
        "GITHUB_EVENT_PATH": "/github/workflow/event.json",
        "GITHUB_REPOSITORY": full_name,
        "GITHUB_REPOSITORY_ID": str(repo.get("id", "")),
        "GITHUB_REPOSITORY_OWNER": str(owner.get("login", "")),
        "GITHUB_REPOSITORY_OWNER_ID": str(owner.get("id", "")),
        "GITHUB_REF": ref,
        "GITHUB_REF_NAME": ref.removeprefix("refs/pull/").removeprefix("refs/heads/"),
        "GITHUB_REF_TYPE": "branch",
        "GITHUB_REF_PROTECTED": "false",
        "GITHUB_HEAD_REF": str((pr.get("head") or {}).get("ref", "")),
        "GITHUB_BASE_REF": str((pr.get("base") or {}).get("ref", "")),
        "GITHUB_SHA": sha,
        "GITHUB_WORKFLOW": workflow_name,
        "GITHUB_WORKFLOW_REF": f"{full_name}/{workflow_file}@{ref}",
        "GITHUB_WORKFLOW_SHA": sha,
        "GITHUB_JOB": job_id,
        "GITHUB_RUN_ID": "1",
        "GITHUB_RUN_NUMBER": "1",
        "GITHUB_RUN_ATTEMPT": "1",
        "GITHUB_RETENTION_DAYS": "90",
        "GITHUB_WORKSPACE": "/github/workspace",
        "GITHUB_OUTPUT": f"{files}/set_output",
        "GITHUB_STEP_SUMMARY": f"{files}/step_summary",
        "GITHUB_ENV": f"{files}/set_env",
        "GITHUB_PATH": f"{files}/add_path",
        "GITHUB_STATE": f"{files}/save_state",
        "RUNNER_OS": "Linux",
        "RUNNER_ARCH": "X64",
        "RUNNER_NAME": "GitHub Actions 1",
        "RUNNER_ENVIRONMENT": "github-hosted",
        "RUNNER_TEMP": "/home/runner/work/_temp",
        "RUNNER_TOOL_CACHE": "/opt/hostedtoolcache",
    }


def _render_map(values: Any, ctx: Mapping[str, Any], where: str) -> dict[str, str]:
    if values is None:
        return {}
    if not isinstance(values, Mapping):
        raise RehearsalError(f"{where} is not a mapping", f"write {where} as NAME: value lines")
    try:
        return {str(k): render(v, ctx) for k, v in values.items()}
    except ExpressionError as error:
        raise RehearsalError(f"{where}: {error}", "fix the ${{ }} expression") from error


def make_plan(
    workflow_path: Path,
    *,
    event_name: str,
    event: Mapping[str, Any],
    action_yml: Mapping[str, Any],
    action_image: str,
    service_image: str | Mapping[str, str],
    model_file: Path | None,
    job_id: str | None = None,
    api_url: str = f"http://{STUB_ALIAS}:PORT",
) -> Plan:
    """Read the workflow and work out everything the rehearsal runs; no Docker."""
    data, text = load_workflow(workflow_path)
    lines = key_lines(text)
    jobs = data.get("jobs") or {}
    if job_id is None:
        with_services = [name for name, job in jobs.items() if (job or {}).get("services")]
        if len(with_services) != 1:
            raise RehearsalError(
                f"{workflow_path}: {len(with_services)} jobs have services: {with_services}",
                "name the job to rehearse with --job",
            )
        job_id = with_services[0]
    job = jobs.get(job_id)
    if not isinstance(job, Mapping):
        raise RehearsalError(f"{workflow_path} has no job {job_id!r}", f"pick one of {list(jobs)}")

    action = event.get("action")
    if not triggered(data.get("on"), event_name, action):
        raise RehearsalError(
            f"{workflow_path}: `on:` does not run for {event_name} ({action})",
            f"add {event_name} (and the type {action}) under `on:`, or rehearse another event",
        )
    ctx = contexts(event_name, event, data, job_id)
    try:
        runs = evaluate_if(job.get("if", True), ctx)
    except ExpressionError as error:
        raise RehearsalError(f"jobs.{job_id}.if: {error}", "fix the expression") from error
    if not runs:
        raise RehearsalError(
            f"jobs.{job_id}.if is false for this {event_name} ({action}) event: GitHub would "
            "skip the job",
            "rehearse with an event the job accepts (an open, non-draft PR by a person)",
        )

    services = job.get("services") or {}
    steps = [s for s in job.get("steps") or [] if isinstance(s, Mapping)]
    ours = [(i, s) for i, s in enumerate(steps) if is_this_action(str(s.get("uses", "")))]
    if len(ours) != 1:
        raise RehearsalError(
            f"jobs.{job_id} has {len(ours)} steps that use this action",
            "keep exactly one step with `uses: ./` or `uses: commit-polish/commit-polish@REF`",
        )
    index, step = ours[0]
    step_id = str(step.get("id") or f"__{index}")
    step_path = ("jobs", job_id, "steps", str(index))
    step_where = f"jobs.{job_id}.steps[{index}]"
    not_run = [
        f"steps[{i}] {s.get('uses') or s.get('run', '').splitlines()[0]}: not run here"
        for i, s in enumerate(steps)
        if i != index
    ]

    # Inputs: action.yml's defaults (evaluated like the runner does), then the step's with:.
    declared = action_yml.get("inputs") or {}
    given = _render_map(step.get("with"), ctx, f"{step_where}.with")
    unknown = sorted(set(given) - set(declared))
    if unknown:
        raise RehearsalError(
            f"the step's with: sets {unknown}, which action.yml does not declare (the runner "
            "would only warn, and the action would never read it)",
            f"use one of: {', '.join(declared)}",
        )
    inputs = {name: render((spec or {}).get("default", ""), ctx) for name, spec in declared.items()}
    inputs.update(given)
    step_env = _render_map(data.get("env"), ctx, "env")
    step_env |= _render_map(job.get("env"), ctx, f"jobs.{job_id}.env")
    step_env |= _render_map(step.get("env"), ctx, f"{step_where}.env")

    service = service_of(inputs.get("api-base", ""), services)
    spec = services[service]
    if not isinstance(spec, Mapping) or "image" not in spec:
        raise RehearsalError(f"service {service!r} has no image", "give it `image:`")
    base = ("jobs", job_id, "services", service)
    image = service_image if isinstance(service_image, str) else service_image.get(service)
    if not image:
        raise RehearsalError(
            f"no local stand-in for service {service}'s image {spec['image']} (no registry here)",
            f"pass --service-image {service}=IMAGE",
        )
    not_run += [f"services.{name}: not started" for name in services if name != service]
    subs = [
        Substitution(
            ".".join((*base, "image")),
            lines.get((*base, "image")),
            str(spec["image"]),
            image,
            "built here: no registry can be reached",
        )
    ]
    env = _render_map(spec.get("env"), ctx, ".".join((*base, "env")))
    volumes = [render(v, ctx) for v in spec.get("volumes") or []]
    if any(name.startswith("LLAMA_ARG_") for name in env):
        if model_file is None:
            raise RehearsalError(f"{service} is a llama.cpp server", "pass --model-file GGUF")
        env, model_subs, inside = substitute_model(env, model_file, lines, (*base, "env"))
        subs += model_subs
        volumes.append(f"{model_file}:{inside}:ro")
    uses = str(step["uses"])
    subs.append(
        Substitution(
            f"{step_where}.uses",
            lines.get((*step_path, "uses")),
            uses,
            action_image,
            "the image built from this checkout by docker-smoke's step 4",
        )
    )
    subs.append(
        Substitution(
            "GITHUB_API_URL",
            None,
            "https://api.github.com",
            api_url,
            "the GitHub stand-in, scripts/smoke_stub.py, on the job's network",
        )
    )
    workflow_file = f".github/workflows/{workflow_path.name}"
    return Plan(
        workflow=workflow_path,
        job_id=job_id,
        step_label=f"steps[{index}] ({step_id})",
        service=service,
        service_image=image,
        service_env=env,
        ports=[str(render(p, ctx)) for p in spec.get("ports") or []],
        volumes=volumes,
        options=parse_options(render(spec.get("options", ""), ctx)),
        entrypoint=spec.get("entrypoint"),
        command=spec.get("command"),
        inputs=inputs,
        step_env=step_env,
        runner_env=runner_variables(
            event_name, event, str(data.get("name", "")), workflow_file, job_id, step_id, api_url
        ),
        marker=inputs.get("marker") or "commit-polish",
        timeout_minutes=float(job.get("timeout-minutes", 360)),
        substitutions=subs,
        not_run=not_run,
    )


def service_create_args(plan: Plan, network: str, name: str) -> list[str]:
    """`docker create` as the runner writes it for a service (DockerCommandManager.DockerCreate):
    name, label, network and alias, ports, the options verbatim, env, the watermark and CI."""
    args = ["create", "--name", name, "--label", LABEL, "--network", network]
    args += ["--network-alias", plan.service]
    for port in plan.ports:
        args += ["-p", port]
    args += list(plan.options.args)
    for key, value in plan.service_env.items():
        # An empty value is passed as `-e KEY`: Docker then reads the runner's own env, where it
        # is not set, so the service does not get it; same here by leaving it out.
        if value:
            args += ["-e", f"{key}={value}"]
    args += ["-e", "GITHUB_ACTIONS=true"]
    if "CI" not in plan.service_env:
        args += ["-e", "CI=true"]
    for volume in plan.volumes:
        args += ["-v", volume]
    if plan.entrypoint:
        args += ["--entrypoint", plan.entrypoint]
    args.append(plan.service_image)
    if plan.command:
        args += runner_split(plan.command)
    return args


def first_pass_seconds(started_at: str, health_log: Sequence[Mapping[str, Any]]) -> float | None:
    """Seconds from the container's start to the end of its first passing health check still
    in Docker's log (it keeps the last five), or None."""
    start = _docker_time(started_at)
    for entry in health_log:
        if entry.get("ExitCode") == 0 and entry.get("End"):
            return round((_docker_time(str(entry["End"])) - start), 1)
    return None


def _docker_time(text: str) -> float:
    """An RFC 3339 time with nanoseconds, as `docker inspect` writes it, in epoch seconds."""
    match = re.match(r"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d+))?(Z|[+-]\d\d:\d\d)", text)
    if match is None:
        raise ValueError(f"not a Docker time: {text!r}")
    whole = datetime.fromisoformat(match.group(1) + match.group(3).replace("Z", "+00:00"))
    return whole.timestamp() + float("0." + (match.group(2) or "0"))


def runner_backoff(attempt: int) -> float:
    """The runner's pause before it asks Docker again while a service is `starting`: 2 s, then
    doubling up to 32 s (BackoffTimerHelper.GetExponentialBackoff(attempt, 2 s, 32 s, 2 s)
    without its +-20% jitter)."""
    return min(2.0 + (2.0**attempt - 1.0) * 2.0, 32.0)


def unhealthy_error(
    plan: Plan, health: Health, status: str, waited: float, log: str, last_check: str
) -> RehearsalError:
    """The one message for a service that never became healthy: what Docker decided, the last
    check's output, the log's last lines, and the option (or line) to change."""
    service, port = plan.service, plan.service_env.get("LLAMA_ARG_PORT", "8080")
    if status.startswith("exited"):
        what = f"service {service} {status} after {waited:.0f} s, before it was healthy"
        fix = "correct what its log names (a LLAMA_ARG_* value in the service's env:, the model)"
    else:
        what = (
            f"service {service} is {status or 'not healthy'} after {waited:.0f} s: Docker counted "
            f"{health.retries} failed checks (--health-retries), one every "
            f"{_secs(health.interval)} (--health-interval), after the "
            f"{_secs(health.start_period)} --health-start-period"
        )
        if re.search(r"listening on|server is listening", log):
            fix = (
                "the server is up (its log says it is listening), so --health-cmd cannot reach "
                f"it: make the command's port the one LLAMA_ARG_PORT sets ({port})"
            )
        else:
            fix = (
                "the server was still starting (downloading or loading the model): raise "
                f"--health-start-period (now {_secs(health.start_period)}) in the service's "
                f"options:, and timeout-minutes ({plan.timeout_minutes:g}) with it"
            )
    check = f"\n  last health check: {last_check.strip()[:300]}" if last_check.strip() else ""
    lines = [line for line in log.splitlines() if line.strip()][-15:]
    tail = "\n".join(f"    | {line}" for line in lines)
    return RehearsalError(f"{what}{check}\n  its last log lines:\n{tail}", fix)


# -- Docker ---------------------------------------------------------------------------------

DOCKER = shutil.which("docker") or "docker"


def docker(*args: str, check: bool = True, timeout: float = 120) -> str:
    """Docker's stdout; on failure (with check) an error carrying Docker's own message."""
    result = subprocess.run(  # noqa: S603 - docker, with arguments built here
        [DOCKER, *args], capture_output=True, text=True, timeout=timeout, check=False
    )
    if check and result.returncode != 0:
        raise RehearsalError(
            f"docker {' '.join(args[:2])} failed (exit {result.returncode}): "
            f"{result.stderr.strip()[-600:]}",
            "read Docker's message above; a service's options: go to `docker create` verbatim",
        )
    return result.stdout


def logs(container: str, tail: int | None = None) -> str:
    """A container's output, stdout and stderr, as one text."""
    args = ["logs", *(["--tail", str(tail)] if tail else []), container]
    result = subprocess.run(  # noqa: S603 - docker, with arguments built here
        [DOCKER, *args], capture_output=True, text=True, timeout=60, check=False
    )
    return result.stdout + result.stderr


def say(text: str) -> None:
    print(f"    {text}", file=sys.stderr, flush=True)


def wait_healthy(plan: Plan, container: str, started: float) -> tuple[float, float | None]:
    """Wait as the runner does (ContainerHealthcheck): while Docker says `starting`, ask again
    after the runner's back-off. Returns the seconds until the runner saw `healthy` and until
    Docker's first passing check."""
    fmt = "--format={{if .Config.Healthcheck}}{{print .State.Health.Status}}{{end}}"
    health = plan.options.health or Health(cmd=None)
    # Docker decides by itself; this guard only stops a wait that would outlast the job.
    deadline = started + min(plan.timeout_minutes * 60, health.budget + health.interval + 60)
    status = docker("inspect", fmt, container).strip()
    if not status:
        raise RehearsalError(
            f"service {plan.service} has no health check: the runner would start the step at "
            "once, before the model is loaded",
            'add --health-cmd "curl -fsS http://localhost:PORT/health || exit 1" to its options:',
        )
    attempt = 0
    while status == "starting":
        running = docker("inspect", "--format={{.State.Running}}", container).strip()
        if running != "true" or time.monotonic() > deadline:
            break
        pause = runner_backoff(attempt)
        say(f"{plan.service} service is starting, waiting {pause:g} seconds before checking again.")
        time.sleep(pause)
        attempt += 1
        status = docker("inspect", fmt, container).strip()
    waited = time.monotonic() - started
    state = json.loads(docker("inspect", "--format={{json .State}}", container))
    checks = (state.get("Health") or {}).get("Log") or []
    if not state.get("Running"):
        # Docker may call a stopped container `unhealthy`: say what really happened.
        status = f"exited with code {state.get('ExitCode')}"
    if status != "healthy":
        last = str(checks[-1].get("Output", "")) if checks else ""
        raise unhealthy_error(plan, health, status, waited, logs(container), last)
    say(f"{plan.service} service is healthy.")
    return round(waited, 1), first_pass_seconds(state["StartedAt"], checks)


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
                "fix parse_options in scripts/rehearse.py",
            )
    cmd = test[1] if test[:1] == ["CMD-SHELL"] else " ".join(test[1:]) or None
    return Health(cmd=cmd, given=health.given, **seen)


def check_ports(container: str) -> str:
    """Every port the service publishes (`ports:`) accepts a connection on the host, where a
    `run:` step would reach it."""
    published = [line for line in docker("port", container).splitlines() if "->" in line]
    for line in published:
        host, _, port = line.split("->")[1].strip().rpartition(":")
        address = "127.0.0.1" if host in ("0.0.0.0", "[::]", "::") else host.strip("[]")  # noqa: S104
        try:
            socket.create_connection((address, int(port)), timeout=5).close()
        except OSError as error:
            raise RehearsalError(
                f"the service's published port {line.strip()} does not answer on the host: {error}",
                "free that host port, or change the host side of `ports:`",
            ) from error
    return "; ".join(line.strip() for line in published) + " (each answers on the host)"


@dataclass
class Job:
    """What one rehearsal starts on the engine (all labelled, all removed at the end)."""

    work: Path
    network: str = field(default_factory=lambda: f"github_network_{uuid.uuid4().hex}")
    stub: str = ""
    service: str = ""

    def cleanup(self) -> None:
        for name in (self.service, self.stub):
            if name:
                docker("rm", "-f", name, check=False)
        docker("network", "rm", self.network, check=False)


def start_stub(job: Job, image: str, repo_name: str) -> str:
    """The GitHub stand-in in a container of the action's image on the job's network, bound to
    its own host name, so the URLs in its answers are the ones the action asks. Returns its URL."""
    job.stub = f"{STUB_ALIAS}_{job.network[-6:]}"
    port_file = job.work / "stub.port"
    port_file.unlink(missing_ok=True)
    serve = "serve --event /work/event.json --diff /work/pr.diff --port-file /work/stub.port"
    docker(
        *f"run -d --name {job.stub} --label {LABEL} --network {job.network}".split(),
        *f"--network-alias {STUB_ALIAS} --hostname {STUB_ALIAS}".split(),
        *["-e", "PYTHONDONTWRITEBYTECODE=1", "-v", f"{REPO}:/rehearsal:ro"],
        *["-v", f"{job.work}:/work", "--entrypoint", "/opt/venv/bin/python", image],
        *["/rehearsal/scripts/smoke_stub.py", *serve.split(), "--host", STUB_ALIAS],
    )
    for _ in range(150):
        if port_file.exists() and port_file.read_text().strip():
            port = port_file.read_text().strip()
            say(f"GitHub stand-in at http://{STUB_ALIAS}:{port} serving {repo_name}")
            return f"http://{STUB_ALIAS}:{port}"
        if docker("inspect", "--format={{.State.Running}}", job.stub).strip() != "true":
            break
        time.sleep(0.1)
    raise RehearsalError(
        f"the GitHub stand-in did not start:\n{logs(job.stub)}",
        "run `python scripts/smoke_stub.py serve` by hand to see why",
    )


def run_action(job: Job, plan: Plan, image: str, docker_sock: str | None, limit: float) -> int:
    """The action's container as ContainerActionHandler runs it: the /github mounts, the
    workspace as working directory, the Docker socket, the job's network, every variable."""
    work = job.work
    for sub in ("home", "workflow", "file_commands", "workspace"):
        (work / sub).mkdir(exist_ok=True)
    (work / "workflow" / "event.json").write_bytes((work / "event.json").read_bytes())
    for name in ("set_output", "step_summary", "set_env", "add_path", "save_state"):
        (work / "file_commands" / name).write_text("")
    name = f"polish_{job.network[-6:]}"
    argv = [DOCKER, "run", "--rm", "--name", name, "--label", LABEL, "--network", job.network]
    argv += ["--workdir", "/github/workspace"]
    for key, value in plan.action_env().items():
        argv += ["-e", f"{key}={value}"]
    if docker_sock:
        argv += ["-v", f"{docker_sock}:/var/run/docker.sock"]
    for sub in ("home", "workflow", "file_commands", "workspace"):
        argv += ["-v", f"{work / sub}:/github/{sub}"]
    argv.append(image)
    start = time.monotonic()
    with (
        (work / "action.log").open("w", encoding="utf-8") as log,
        subprocess.Popen(  # noqa: S603 - docker, with arguments built here
            argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
        ) as proc,
    ):
        for line in proc.stdout or ():
            log.write(line)
            print(f"    | {line.rstrip()}", file=sys.stderr, flush=True)
            if time.monotonic() - start > limit:
                docker("rm", "-f", name, check=False)
                raise RehearsalError(
                    f"the action ran past the job's timeout-minutes {plan.timeout_minutes:g}",
                    "raise timeout-minutes, or lower the action's `timeout` input",
                )
        return proc.wait()


def check_result(job: Job, plan: Plan, api: str, event: Mapping[str, Any]) -> str:
    """Exactly one comment on the PR, ours (the marker), holding the message's subject; and the
    service answered at least one chat request. Returns a one-line result."""
    work, script = job.work, REPO / "scripts" / "smoke_stub.py"
    outputs = subprocess.run(  # noqa: S603 - our own script
        [sys.executable, str(script), "outputs", str(work / "file_commands" / "set_output")],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    if outputs.returncode != 0:
        raise RehearsalError(f"the step's outputs: {outputs.stdout.strip()}", "see action.log")
    subject = str(json.loads(outputs.stdout)["subject"])
    number = str(event.get("number") or event["pull_request"]["number"])
    repo = str(event["repository"]["full_name"])
    query = f"--api {api} --repo {repo} --number {number} --save /work/comment.md".split()
    listed = subprocess.run(  # noqa: S603 - docker, with arguments built here
        [DOCKER, "exec", job.stub, "/opt/venv/bin/python", "/rehearsal/scripts/smoke_stub.py",
         "comments", *query, "--marker", plan.marker],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    if listed.returncode != 0:
        raise RehearsalError(
            f"want exactly one comment, ours (<!-- {plan.marker}:sticky ...), got: "
            f"{listed.stdout.strip() or listed.stderr.strip()}",
            "see action.log: the action creates one comment and later edits it",
        )
    body = (work / "comment.md").read_text(encoding="utf-8")
    if not subject or subject not in body:
        raise RehearsalError(
            f"our comment does not hold the message's subject {subject!r}", "see comment.md"
        )
    asked = len(re.findall(r"launch_slot_|POST /v1/chat/completions", logs(job.service)))
    if not asked:
        raise RehearsalError(
            f"service {plan.service} logged no chat request: the action never reached it",
            "check the step's api-base against the service's name and LLAMA_ARG_PORT",
        )
    return f"1 comment, ours, with the subject {subject!r}; {plan.service} took {asked} request(s)"


def command_plan(args: argparse.Namespace, api_url: str = f"http://{STUB_ALIAS}:PORT") -> Plan:
    """The plan from the command line's files; `api_url` once the stand-in's port is known."""
    event = json.loads(Path(args.event).read_text(encoding="utf-8"))
    action_yml = yaml.safe_load((REPO / "action.yml").read_text(encoding="utf-8"))
    return make_plan(
        Path(args.workflow),
        event_name=args.event_name,
        event=event,
        action_yml=action_yml,
        action_image=args.action_image,
        service_image=dict(pair.split("=", 1) for pair in args.service_image),
        model_file=Path(args.model_file) if args.model_file else None,
        job_id=args.job,
        api_url=api_url,
    )


def show(plan: Plan) -> None:
    say(f"job {plan.job_id}: service {plan.service}, then {plan.step_label} in the action's image")
    say("substituted (every other line is the file's):")
    for sub in plan.substitutions:
        say(f"  {sub.describe()}")
    for line in plan.not_run:
        say(f"  {line}")
    health = plan.options.health
    if health is None:
        say("health: --no-healthcheck")
    else:
        say(
            f"health from options: {health.cmd or '(the image HEALTHCHECK)'!r}; {health.describe()}"
        )
    inputs = {input_env_name(k): v for k, v in plan.inputs.items() if v}
    say(f"inputs: {' '.join(f'{k}={v}' for k, v in inputs.items())}")
    empty = [k for k, v in plan.step_env.items() if not v]
    if empty:
        say(f"step env left empty (no secrets here, as in a repository without them): {empty}")


def run(args: argparse.Namespace) -> list[str]:
    """The rehearsal; returns `label<TAB>seconds` lines for docker-smoke's summary."""
    event = json.loads(Path(args.event).read_text(encoding="utf-8"))
    job = Job(Path(args.work).resolve())
    job.work.mkdir(parents=True, exist_ok=True)
    (job.work / "event.json").write_text(json.dumps(event), encoding="utf-8")
    (job.work / "pr.diff").write_bytes(Path(args.diff).read_bytes())
    plan = command_plan(args)
    say(f"event: {args.event_name} ({event.get('action')}), {args.event}")
    show(plan)
    label = plan.service
    timings: list[str] = []
    try:
        docker("network", "create", "--label", LABEL, job.network)
        say(f"network {job.network}: a user-defined bridge, as the runner creates")
        api = start_stub(job, args.action_image, str(event["repository"]["full_name"]))
        plan = command_plan(args, api)
        job.service = f"{plan.service}_{job.network[-6:]}"
        docker(*service_create_args(plan, job.network, job.service))
        if plan.options.health is not None:
            inspected = docker("inspect", "--format={{json .Config.Healthcheck}}", job.service)
            health = effective_health(plan.options.health, json.loads(inspected))
            plan.options = Options(health, plan.options.args)
            say(f"health as Docker will run it: {health.describe()}")
        start = time.monotonic()
        docker("start", job.service)
        seen, first = wait_healthy(plan, job.service, start)
        say(f"healthy: Docker's first passing check at {first} s, seen by the runner at {seen} s")
        if plan.ports:
            say(f"ports: {check_ports(job.service)}")
        timings += [f"{label} healthy (Docker)\t{first}", f"{label} healthy (runner)\t{seen}"]
        start = time.monotonic()
        rc = run_action(
            job, plan, args.action_image, args.docker_sock, plan.timeout_minutes * 60 - seen
        )
        took = round(time.monotonic() - start, 1)
        timings.append(f"{label} job: action step\t{took}")
        say(f"the action exited {rc} after {took} s")
        if rc != 0:
            raise RehearsalError(
                f"the action's step failed (exit {rc})", f"see {job.work}/action.log"
            )
        say(check_result(job, plan, api, event))
    finally:
        if job.service:
            (job.work / "service.log").write_text(logs(job.service), encoding="utf-8")
        if job.stub:
            docker("stop", "--time", "5", job.stub, check=False)  # it lists its requests then
            (job.work / "stub.log").write_text(logs(job.stub), encoding="utf-8")
        job.cleanup()
    return timings


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    for name in ("plan", "run"):
        p = commands.add_parser(name)
        p.add_argument("workflow")
        p.add_argument("--job", help="the job to rehearse (default: the one with services)")
        p.add_argument("--event", required=True, help="webhook payload of the event")
        p.add_argument("--event-name", default="pull_request")
        p.add_argument("--action-image", default="commit-polish:smoke")
        p.add_argument(
            "--service-image",
            action="append",
            default=[],
            metavar="SERVICE=IMAGE",
            help="the local image that stands in for a service's (repeatable)",
        )
        p.add_argument("--model-file", help="the GGUF that replaces the service's model source")
        if name == "run":
            p.add_argument("--diff", required=True, help="the PR's diff, for the stand-in")
            p.add_argument("--work", required=True, help="folder for the mounts and the logs")
            p.add_argument("--docker-sock", help="mounted at /var/run/docker.sock, as the runner")
            p.add_argument("--timings", help="write `label<TAB>seconds` lines there")
    p = commands.add_parser("standin-dockerfile", help="print the llamafile image's stand-in")
    p.add_argument("dockerfile", help="docker/llamafile/Dockerfile")
    p.add_argument("--base", required=True, help="the llama-server stand-in image")
    args = parser.parse_args(argv)
    try:
        if args.command == "standin-dockerfile":
            text, changes = llamafile_standin(Path(args.dockerfile).read_text("utf-8"), args.base)
            print(text, end="")
            for change in changes:
                say(f"substituted: {change}")
            return 0
        if args.command == "plan":
            show(command_plan(args))
            return 0
        timings = run(args)
    except RehearsalError as error:
        print(f"\nrehearsal of {args.workflow} FAILED: {error}", file=sys.stderr)
        return 1
    if args.timings:
        Path(args.timings).write_text("".join(f"{t}\n" for t in timings), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
