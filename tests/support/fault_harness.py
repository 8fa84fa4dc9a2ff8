"""What every fault-matrix case runs: one Action job (`action.main`, as the runner calls it)
against the GitHub stand-in, a local model endpoint the case chooses, and an OpenAI-compatible
fallback on 127.0.0.1 that answers well unless the case says otherwise.

A case is a function of a `Job`: it sets up its fault, runs the job with `job.go()` and asserts
its stated outcome on what the runner would see (`Done`): exit code, annotations, outputs, job
summary, and what the stand-in holds.
"""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from commit_polish.action import comment
from commit_polish.github import client
from commit_polish.serve.server import free_port
from tests.support.action_runner import REPO, Runner, pr_event
from tests.support.fake_model import Answer, FakeModel, completion
from tests.support.github_stub import ACTIONS_BOT, GitHubStub
from tests.support.github_world import MANY_FILES, SMALL, TOKEN

if TYPE_CHECKING:
    from commit_polish.serve.server import RunningServer

LOCAL = "llamafile/smollm2-135m-instruct"
CLOUD = "openai/gpt-4o-mini"
CLOUD_KEY_ENV = "OPENAI_API_KEY"
CLOUD_KEY = "sk-proj-faultMatrix" + "x" * 24  # noqa: S105 - what the fake cloud accepts
LOCAL_SUBJECT = "Retry uploads when the connection resets"
LOCAL_ANSWER = (
    f"{LOCAL_SUBJECT}\n\nThe uploader gave up on the first reset. It now tries three times\n"
    "with a growing pause before it reports the failure."
)
CLOUD_SUBJECT = "Retry uploads on reset connections with a capped backoff"
CLOUD_ANSWER = (
    f"{CLOUD_SUBJECT}\n\nA reset connection aborted the upload at once. Retry it a few times\n"
    "before giving up, and cover the retry with a test."
)
COMMENTS = f"/repos/{REPO}/issues/{SMALL.number}/comments"
PULL = f"/repos/{REPO}/pulls/{SMALL.number}"
_TRIED = re.compile(r"`([^`]+)` → `([^`]+)`")


@dataclass(frozen=True)
class Case:
    """One row of the fault matrix: what goes wrong, and what the user gets."""

    id: str
    side: str
    """`model`, `github` or `settings`."""
    case: str
    outcome: str
    check: Callable[[Job], None]
    needs: tuple[str, ...] = ()
    """Real-server fixtures the case runs against (`local_server`, `spare_server`)."""


def dead_base() -> str:
    return f"http://127.0.0.1:{free_port()}/v1"


class Job(Runner):
    """An Action job whose primary is `LOCAL` and whose one fallback is `CLOUD`."""

    def __init__(
        self, tmp: Path, stub: GitHubStub, monkeypatch: pytest.MonkeyPatch, stack: ExitStack
    ) -> None:
        self.stack, self.monkeypatch = stack, monkeypatch
        self.cloud = stack.enter_context(
            FakeModel(default=Answer(200, completion(CLOUD_ANSWER)), key=CLOUD_KEY)
        )
        super().__init__(tmp, stub, dead_base())
        fallback = {"model": CLOUD, "api_base": self.cloud.base, "api_key_env": CLOUD_KEY_ENV}
        self.env.update(
            {
                "INPUT_MODEL": LOCAL,
                "INPUT_FALLBACK-MODELS": json.dumps([fallback]),
                # The PR's title fits, so by default no model would be asked: the matrix is
                # about models, so they write the body under it.
                "INPUT_BODY": "model",
                CLOUD_KEY_ENV: CLOUD_KEY,
            }
        )
        # Settings read provider keys from the process, as they do on a runner.
        monkeypatch.setenv(CLOUD_KEY_ENV, CLOUD_KEY)
        self.event("pull_request", pr_event("synchronize"))
        self.github_waits: list[float] = []
        """Every pause the GitHub client asked for (none is slept)."""
        self.servers: dict[str, RunningServer] = {}

    def local(self, *script: Answer, default: Answer | None = None) -> FakeModel:
        """A scripted local endpoint, playing `script` and then `default` (a good answer)."""
        model = FakeModel(*script, default=default or Answer(200, completion(LOCAL_ANSWER)))
        self.stack.enter_context(model)
        self.env["INPUT_API-BASE"] = model.base
        return model

    def drop_cloud_key(self) -> None:
        self.env.pop(CLOUD_KEY_ENV, None)
        self.monkeypatch.delenv(CLOUD_KEY_ENV, raising=False)

    def go(self, **inputs: str) -> Done:
        for name, value in inputs.items():
            self.env[f"INPUT_{name.upper().replace('_', '-')}"] = value
        code, log = self.run()
        return Done(code, log, self)


@dataclass
class Done:
    """What one finished job left behind."""

    code: int
    log: str
    job: Job
    outputs: dict[str, str] = field(init=False)

    def __post_init__(self) -> None:
        self.outputs = self.job.outputs()

    def annotations(self, kind: str) -> list[str]:
        """The decoded `title: message` of each `::kind` command, in order."""
        found = []
        for line in self.log.splitlines():
            command = re.match(rf"::{kind}(?: title=([^:]*))?::(.*)$", line)
            if command:
                title, message = (_unescape(part or "") for part in command.groups())
                found.append(f"{title}: {message}" if title else message)
        return found

    @property
    def summary(self) -> str:
        path = self.job.summary
        return path.read_text() if path.exists() else ""

    def comments(self, number: int = SMALL.number) -> list[str]:
        """Bodies of the bot's comments on the pull request."""
        return [c.body for c in self.job.stub.comments(REPO, number) if c.login == ACTIONS_BOT]

    def comment(self, number: int = SMALL.number) -> str:
        (body,) = self.comments(number)
        assert comment.parse_marker(body) is not None
        return body

    def tried(self, text: str | None = None) -> list[tuple[str, str]]:
        """(model, outcome) of each attempt, as the comment (or `text`) lists them."""
        text = self.comment() if text is None else text
        line = next(ln for ln in text.splitlines() if "**Models tried:**" in ln)
        return _TRIED.findall(line)

    def writes(self) -> list[str]:
        return [method for method, _, _ in self.job.stub.writes]

    def answered_by(self, model: str, answer: str) -> str:
        """The common good ending: `model`'s message is posted, quietly, exit 0.

        The PR's title already fits the repository's form, so it stays the subject whoever
        answers (`message.anchor`); the body is `answer`'s, told apart by its first sentence.
        """
        assert self.code == 0, self.log
        assert self.annotations("warning") == [] and self.annotations("error") == [], self.log
        assert (self.outputs["model"], self.outputs["subject"]) == (model, SMALL.title)
        first = answer.partition("\n\n")[2].partition(". ")[0]
        body = self.comment()
        assert SMALL.title in body and SMALL.title in self.summary
        assert first in " ".join(body.split()) and first in " ".join(self.summary.split())
        return body

    def kept_without_comment(self, subject: str = LOCAL_SUBJECT) -> None:
        """Nothing is lost when the comment cannot be written: summary and outputs keep it."""
        assert self.comments() == []
        assert self.outputs["subject"] == subject and self.outputs["comment-url"] == ""
        assert subject in self.summary


def _unescape(text: str) -> str:
    return text.replace("%0A", "\n").replace("%0D", "\r").replace("%3A", ":").replace("%2C", ",")


@contextmanager
def job_for(tmp: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Job]:
    """A job against a fresh stand-in whose token is `TOKEN`, with GitHub's waits recorded."""
    with ExitStack() as stack:
        prs = [dataclasses.replace(SMALL), MANY_FILES]  # a case may move the head
        stub = stack.enter_context(GitHubStub(prs=prs, port=0, token=TOKEN))
        job = Job(tmp, stub, monkeypatch, stack)

        class RecordingClient(client.GitHubClient):
            def __init__(self, token: str, **kwargs: Any) -> None:
                kwargs.update(sleep=job.github_waits.append, write_interval=0)
                super().__init__(token, **kwargs)

        monkeypatch.setattr(client, "GitHubClient", RecordingClient)
        yield job
