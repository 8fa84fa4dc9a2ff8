"""The job's containers on the Docker engine, started as the runner starts them (labelled,
and removed at the end): the GitHub stand-in, the service and the action; and the checks of
what the action did."""

from __future__ import annotations

import json
import re
import shutil
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rehearsal import REPO
from rehearsal.options import runner_split
from rehearsal.plan import STUB_ALIAS, Plan
from rehearsal.report import RehearsalError, say

LABEL = "commit-polish-rehearsal"
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
