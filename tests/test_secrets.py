"""Secrets never leak: the whole Action runs as a process with sentinel secrets at the most
verbose log level, and every byte it writes is searched.

The cloud fallback is a tiny OpenAI-compatible server on 127.0.0.1 (vcrpy cannot reach into a
subprocess); the local model is a second one that answers 503, so a request is really made and
its headers can be checked.
"""

from __future__ import annotations

import base64
import json
import secrets
import subprocess
import sys
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import pytest

from commit_polish import llm
from commit_polish.errors import AllModelsFailedError
from commit_polish.records import ChatMessage, Endpoint
from tests.support.action_runner import REPO, Runner, pr_event
from tests.support.github_stub import GitHubStub
from tests.support.github_world import SMALL
from tests.support.local_http import LocalServer, Request, Response
from tests.support.paths import TESTS

MESSAGE = (
    "fix(uploader): retry uploads when the connection resets\n\n"
    "A reset connection aborted the upload at once. Retry it a few times\n"
    "before giving up, and cover the retry with a test."
)
# Python logging at DEBUG for every logger and LiteLLM's own debug switch, before the Action
# configures anything: the most verbose run a user could ask for.
WRAPPER = """
import logging, sys
logging.basicConfig(level=logging.DEBUG, stream=sys.stderr)
import litellm
if hasattr(litellm, "_turn_on_debug"):
    litellm._turn_on_debug()
from commit_polish.cli import main
sys.exit(main(["action"]))
"""


class FakeModel(LocalServer):
    """An OpenAI-compatible `/v1/chat/completions` that records what it receives. With
    `echo_key` it puts the key it was sent into its error message, as OpenAI's 401 does (in
    part)."""

    methods = ("POST",)

    def __init__(self, status: int, reply: dict[str, Any], *, echo_key: bool = False) -> None:
        super().__init__()
        self.status, self.reply, self.echo_key = status, reply, echo_key
        self.seen: list[Request] = []

    @property
    def base(self) -> str:
        return f"{self.origin}/v1"

    def authorizations(self) -> list[str]:
        return [s.headers.get("authorization", "") for s in self.seen]

    def respond(self, request: Request) -> Response:
        self.seen.append(request)
        reply = self.reply
        if self.echo_key:
            key = request.headers.get("authorization", "").removeprefix("Bearer ")
            text = f"Incorrect API key provided: {key}. Check it at {key[:8]}****{key[-4:]}"
            reply = _error(text, "invalid_request_error", "invalid_api_key")
        data = json.dumps(reply).encode()
        return Response(self.status, [("Content-Type", "application/json")], data)


def _completion(content: str) -> dict[str, Any]:
    return {
        "id": "chatcmpl-AbC123secretsTest",
        "object": "chat.completion",
        "created": 1764000000,
        "model": "gpt-4o-mini-2024-07-18",
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": content, "refusal": None},
                "logprobs": None,
                "finish_reason": "stop",
            }
        ],
        "usage": {"prompt_tokens": 612, "completion_tokens": 58, "total_tokens": 670},
        "system_fingerprint": "fp_0ba0d124f1",
    }


def _error(message: str, kind: str, code: str | None) -> dict[str, Any]:
    return {"error": {"message": message, "type": kind, "param": None, "code": code}}


@pytest.fixture
def serve() -> Iterator[Any]:
    """Starts a FakeModel for the test, and stops it after."""
    with ExitStack() as stack:
        yield stack.enter_context


class RecordingStub(GitHubStub):
    """The GitHub stand-in, also keeping every request body it received."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.bodies: list[bytes] = []

    def handle(self, method: str, target: str, headers: Any, body: bytes) -> Any:
        self.bodies.append(body)
        return super().handle(method, target, headers, body)


def _sentinel(tag: str) -> str:
    return f"{tag}-{secrets.token_hex(20)}"


def _derived(secret: str) -> set[str]:
    """What a log line could carry of a secret: itself, its base64 form, and the ends a
    provider's "Incorrect API key provided: sk-abcd****wxyz" message keeps."""
    return {secret, base64.b64encode(secret.encode()).decode(), secret[:12], secret[-8:]}


def _mentions(text: str, secret: str) -> bool:
    return any(part in text for part in _derived(secret))


def test_whole_action_at_debug_level_leaks_no_secret(
    tmp_path: Path, serve: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    keys = {
        "INPUT_GITHUB-TOKEN": _sentinel("ghs_sentinelGH"),
        "OPENAI_API_KEY": _sentinel("sk-sentinelOA"),
        "ANTHROPIC_API_KEY": _sentinel("sk-ant-sentinelAN"),
        "COMMIT_POLISH_API_KEY": _sentinel("cp-sentinelCP"),
    }
    token, openai_key = keys["INPUT_GITHUB-TOKEN"], keys["OPENAI_API_KEY"]
    cloud = {keys["OPENAI_API_KEY"], keys["ANTHROPIC_API_KEY"]}
    local = serve(FakeModel(503, _error("loading model", "server_error", None)))
    fallback = serve(FakeModel(200, _completion(MESSAGE)))
    github = RecordingStub(prs=[SMALL], port=0, token=token)
    with github:
        runner = Runner(tmp_path, github, local.base)
        runner.event("pull_request", pr_event())
        runner.env.update(keys)
        runner.env.update(
            {
                "INPUT_BODY": "model",  # the PR's title fits: a model is asked only for this
                "INPUT_FALLBACK-MODELS": json.dumps(
                    [
                        {
                            "model": "openai/gpt-4o-mini",
                            "api_base": fallback.base,
                            "api_key_env": "OPENAI_API_KEY",
                        }
                    ]
                ),
                "LITELLM_LOG": "DEBUG",
                "LITELLM_LOCAL_MODEL_COST_MAP": "True",
                "LITELLM_OFFLINE_MODE": "true",
                "PYTHONUNBUFFERED": "1",
                "XDG_CONFIG_HOME": str(tmp_path / "xdg"),
                "HOME": str(tmp_path),
            }
        )
        done = subprocess.run(
            [sys.executable, "-c", WRAPPER],
            env=runner.env,
            cwd=runner.tmp,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,  # one job log, in order, as the runner shows it
            check=False,
            timeout=120,
        )
        lines = done.stdout.decode("utf-8", "replace").splitlines()
        log = "\n".join(lines)
        assert done.returncode == 0, log[-4000:]
        # The run really went local (refused with 503) -> fallback (answered) -> comment.
        assert local.seen and fallback.seen
        assert runner.outputs()["model"] == "openai/gpt-4o-mini", log[-4000:]
        (body,) = runner.ours()
        assert "retry uploads" in body.lower()
        # Debug logging really was on, so the search below means something.
        assert sum("DEBUG" in line for line in lines) > 5, log[-4000:]

        # 1. Every byte written, outside the masking commands, holds no secret at all.
        written = {
            "stdout and stderr": "\n".join(x for x in lines if not x.startswith("::add-mask::")),
            "GITHUB_OUTPUT": runner.output.read_text(),
            "GITHUB_STEP_SUMMARY": runner.summary.read_text(),
            "comments": "\n".join(c.body for c in github.comments(REPO, SMALL.number)),
            "github request bodies": b"\n".join(github.bodies).decode("utf-8", "replace"),
            "local model requests": b"\n".join(s.body for s in local.seen).decode(),
            "fallback requests": b"\n".join(s.body for s in fallback.seen).decode(),
            **{
                str(path.relative_to(TESTS)): path.read_bytes().decode("utf-8", "replace")
                for path in sorted(TESTS.glob("**/cassettes/**/*"))
                if path.is_file()
            },
        }
        for place, text in written.items():
            for name, secret in keys.items():
                assert secret not in text, f"{name} leaked into {place}"
                assert base64.b64encode(secret.encode()).decode() not in text, (name, place)

        # 2. Headers: the fallback gets its own key only; the local endpoint no cloud key.
        assert set(fallback.authorizations()) == {f"Bearer {openai_key}"}
        for seen in local.seen:
            for secret in cloud:
                assert secret not in json.dumps(seen.headers), "a cloud key went to the local model"
        assert set(local.authorizations()) == {f"Bearer {keys['COMMIT_POLISH_API_KEY']}"}
        # GitHub sees only the GitHub token.
        for _, _, headers in github.requests:
            for secret in set(keys.values()) - {token}:
                assert secret not in json.dumps(headers)

    # 3. Each secret is masked before any line of the log carries it or any part of it.
    for name, secret in keys.items():
        masks = [i for i, line in enumerate(lines) if line == f"::add-mask::{secret}"]
        assert masks, f"{name} was never masked"
        mentions = [
            i
            for i, line in enumerate(lines)
            if not line.startswith("::add-mask::") and _mentions(line, secret)
        ]
        assert not mentions or masks[0] < mentions[0], (name, lines[mentions[0]])


def test_attempt_details_and_the_final_error_never_hold_an_endpoint_key(serve: Any) -> None:
    """A real 401 whose message repeats the whole key: it must not reach an Attempt's detail
    or AllModelsFailedError's message (both end up in logs, the summary and the comment)."""
    first_key, second_key = _sentinel("sk-first"), _sentinel("sk-second")
    first = serve(FakeModel(401, {}, echo_key=True))
    second = serve(FakeModel(401, {}, echo_key=True))
    chain = [
        Endpoint("openai/gpt-4o-mini", first.base, first_key),
        Endpoint("openai/gpt-4o", second.base, second_key),
    ]
    messages = [ChatMessage("user", "diff --git a/a.py b/a.py\n+x = 1")]
    options = llm.CallOptions(timeout=10, retries=1, max_tokens=32, temperature=0)
    with pytest.raises(AllModelsFailedError) as failed:
        llm.complete(chain, messages, options, check=lambda text: None)
    assert first.authorizations() == [f"Bearer {first_key}"]
    assert second.authorizations() == [f"Bearer {second_key}"]
    attempts = failed.value.attempts
    assert [a.outcome for a in attempts] == ["auth", "auth"]  # no retry on a 401
    assert "Incorrect API key provided" in attempts[0].detail  # the server's text is kept
    text = "\n".join([str(failed.value), failed.value.fix or "", *map(repr, attempts)])
    for key in (first_key, second_key):
        assert key not in text
