"""The job a rehearsal runs, worked out from the workflow file without Docker: whether the
event runs it, the service the action's api-base names, and the action step's inputs and env."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from rehearsal.options import Options, parse_options
from rehearsal.report import RehearsalError
from rehearsal.runner import contexts, input_env_name, runner_variables
from rehearsal.substitutions import Substitution, key_lines, substitute_model
from tests.support.gh_expressions import ExpressionError, evaluate_if, render

STUB_ALIAS = "github-api"
# A pull_request workflow without `types:` runs for these (GitHub's docs, "Events that
# trigger workflows").
DEFAULT_PR_TYPES = ("opened", "synchronize", "reopened")


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
