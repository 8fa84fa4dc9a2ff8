"""The `plan` and `run` commands of scripts/rehearse.py: the plan from the command line's
files, printed; and the rehearsal, step by step as the runner takes them."""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import yaml

from rehearsal import REPO
from rehearsal.containers import (
    LABEL,
    Job,
    check_ports,
    check_result,
    docker,
    logs,
    run_action,
    service_create_args,
    start_stub,
)
from rehearsal.health import wait_healthy
from rehearsal.options import Options, effective_health
from rehearsal.plan import STUB_ALIAS, Plan, make_plan
from rehearsal.report import RehearsalError, say
from rehearsal.runner import input_env_name


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
