"""The runner's side of an Action job, for tests that drive `commit_polish.action.run.main` the way
GitHub's runner does: an event file, `INPUT_*` variables, output and summary files."""

from __future__ import annotations

import copy
import io
import json
from pathlib import Path
from typing import Any

from commit_polish.action import stored
from commit_polish.action.marker import Marker
from commit_polish.action.run import main
from commit_polish.serve.server import free_port
from tests.support.github_stub import GitHubStub
from tests.support.github_world import SMALL, TOKEN
from tests.support.paths import FIXTURES

PAYLOADS = FIXTURES / "github" / "payloads"
REPO = SMALL.repo


def payload_file(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((PAYLOADS / name).read_text())
    return data


def pr_event(action: str = "opened", number: int = SMALL.number, **pr: Any) -> dict[str, Any]:
    """A real `pull_request` payload pointed at the stand-in's pull request (derived)."""
    payload = copy.deepcopy(payload_file("pull_request.opened.payload.json"))
    payload["action"] = action
    payload["number"] = number
    payload["pull_request"].update({"number": number, "draft": False, "state": "open", **pr})
    payload["repository"]["full_name"] = REPO
    return payload


def comment_event(login: str, association: str, body: str) -> dict[str, Any]:
    """Derived: the real issue_comment payload, moved onto the stand-in's pull request."""
    payload = copy.deepcopy(payload_file("issue_comment.created.payload.json"))
    payload["issue"].update(number=SMALL.number, pull_request={"url": "x"}, state="open")
    payload["issue"]["user"]["login"] = SMALL.author
    payload["comment"].update(body=body, author_association=association)
    payload["comment"]["user"].update(login=login, type="User")
    payload["repository"]["full_name"] = REPO
    return payload


class Runner:
    """The runner's side of one job: event file, output and summary files, environment."""

    def __init__(self, tmp: Path, stub: GitHubStub, api_base: str) -> None:
        self.tmp, self.stub = tmp, stub
        self.output, self.summary = tmp / "output", tmp / "summary.md"
        self.env: dict[str, str] = {
            "GITHUB_EVENT_NAME": "pull_request",
            "GITHUB_EVENT_PATH": str(tmp / "event.json"),
            "GITHUB_REPOSITORY": REPO,
            "GITHUB_API_URL": stub.url,
            "GITHUB_OUTPUT": str(self.output),
            "GITHUB_STEP_SUMMARY": str(self.summary),
            "GITHUB_WORKSPACE": str(tmp),
            "INPUT_GITHUB-TOKEN": TOKEN,
            "INPUT_API-BASE": api_base,
            "INPUT_FAIL-ON-ERROR": "false",
            "INPUT_DRY-RUN": "false",
            "PATH": "/usr/bin:/bin",
            # The developer's own ~/.config/commit-polish must never reach a test's settings.
            "XDG_CONFIG_HOME": str(tmp / "xdg"),
        }

    def event(self, name: str, payload: dict[str, Any]) -> None:
        self.env["GITHUB_EVENT_NAME"] = name
        Path(self.env["GITHUB_EVENT_PATH"]).write_text(json.dumps(payload))

    def run(self) -> tuple[int, str]:
        out = io.StringIO()
        code = main(self.env, out)
        return code, out.getvalue()

    def outputs(self) -> dict[str, str]:
        text = self.output.read_text() if self.output.exists() else ""
        values, lines = {}, iter(text.splitlines())
        for line in lines:
            name, _, delimiter = line.partition("<<")
            values[name] = "\n".join(iter(lambda: next(lines), delimiter))
        return values

    def ours(self) -> list[str]:
        return [c.body for c in self.stub.comments(REPO, SMALL.number)]


# --- runs that need no model: apply, merge, the merged check ---------------------------------

ADMIN = SMALL.author
"""A login the stand-ins of these tests give `admin` (the pull request's author too)."""


def offline(tmp: Path, stub: GitHubStub) -> Runner:
    """A runner whose model address answers nothing: a run that asked a model would show it."""
    runner = Runner(tmp, stub, f"http://127.0.0.1:{free_port()}/v1")
    runner.env["COMMIT_POLISH_RETRIES"] = "0"
    return runner


def run_ok(run: Runner, event: str, payload: dict[str, Any]) -> str:
    """One run of `event` that must end well; its log."""
    run.event(event, payload)
    code, log = run.run()
    assert code == 0 and "::error" not in log, log
    return log


def suggest(run: Runner, action: str = "opened") -> str:
    return run_ok(run, "pull_request", pr_event(action))


def command(run: Runner, text: str, login: str = ADMIN, association: str = "MEMBER") -> str:
    return run_ok(run, "issue_comment", comment_event(login, association, text))


def shown(run: Runner) -> stored.Written:
    """The message our one comment offers, as `apply` reads it back."""
    (body,) = run.ours()
    message = stored.latest(Marker(), [body])
    assert message is not None
    return message
