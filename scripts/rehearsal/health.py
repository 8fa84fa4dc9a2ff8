"""The wait for the service to be healthy, as the runner waits, and the one message when it
never is: what Docker decided, and the option to change."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from rehearsal.containers import docker, logs
from rehearsal.options import Health, secs
from rehearsal.plan import Plan
from rehearsal.report import RehearsalError, say


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
            f"{secs(health.interval)} (--health-interval), after the "
            f"{secs(health.start_period)} --health-start-period"
        )
        if re.search(r"listening on|server is listening", log):
            fix = (
                "the server is up (its log says it is listening), so --health-cmd cannot reach "
                f"it: make the command's port the one LLAMA_ARG_PORT sets ({port})"
            )
        else:
            fix = (
                "the server was still starting (downloading or loading the model): raise "
                f"--health-start-period (now {secs(health.start_period)}) in the service's "
                f"options:, and timeout-minutes ({plan.timeout_minutes:g}) with it"
            )
    check = f"\n  last health check: {last_check.strip()[:300]}" if last_check.strip() else ""
    lines = [line for line in log.splitlines() if line.strip()][-15:]
    tail = "\n".join(f"    | {line}" for line in lines)
    return RehearsalError(f"{what}{check}\n  its last log lines:\n{tail}", fix)


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
