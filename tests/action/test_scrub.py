"""The one scrubber: no known secret reaches anything the Action writes, even when a model
endpoint echoes the key it was sent or an error quotes one.

The end-to-end cases run the Action's entry point (`action.run.main`) against the GitHub
stand-in and an OpenAI-compatible endpoint on 127.0.0.1 that puts the Authorization header it
received (and whatever else the test plants) into its answer.
"""

from __future__ import annotations

import io
import json
import secrets
from collections.abc import Iterator
from pathlib import Path

import pytest

from commit_polish.action import workflow as gha
from commit_polish.action.scrub import MIN_SECRET, REDACTED, Scrubber
from commit_polish.serve.server import free_port
from tests.action.test_workflow import parse_commands, parse_output_file
from tests.support.action_runner import REPO, Runner, pr_event
from tests.support.fake_model import completion
from tests.support.github_stub import GitHubStub
from tests.support.github_world import SMALL, TOKEN
from tests.support.local_http import LocalServer, Request, Response

SUBJECT = "Retry uploads when the connection resets"


def _sentinel(tag: str) -> str:
    return f"{tag}-{secrets.token_hex(16)}"


# --- the scrubber -----------------------------------------------------------------------------


def test_every_known_secret_is_replaced_wherever_it_appears() -> None:
    scrub = Scrubber()
    key, token = _sentinel("sk-proj"), _sentinel("ghs")
    scrub.add(key)
    scrub.add(token)
    text = f"Bearer {key}\n{token}{key} and {key[:-1]}"
    assert scrub(text) == f"Bearer {REDACTED}\n{REDACTED}{REDACTED} and {key[:-1]}"


def test_a_secret_that_holds_another_is_replaced_whole() -> None:
    scrub = Scrubber()
    inner = _sentinel("inner")
    outer = f"outer-{inner}-tail"
    scrub.add(inner)
    scrub.add(outer)
    assert scrub(f"<{outer}> <{inner}>") == f"<{REDACTED}> <{REDACTED}>"


def test_short_and_blank_values_never_mangle_text() -> None:
    """A local server's placeholder key ("dummy") must not cut words out of a message."""
    scrub = Scrubber()
    for value in ("", "  \n ", "none", "dummy", "x" * (MIN_SECRET - 1)):
        scrub.add(value)
    text = "fix: use a dummy key when none is set\n" + "x" * 20
    assert scrub(text) == text and len(scrub) == 0
    scrub.add("y" * MIN_SECRET)
    assert scrub("a" + "y" * MIN_SECRET + "b") == f"a{REDACTED}b"


def test_each_line_of_a_multiline_key_is_a_secret_of_its_own() -> None:
    body = [secrets.token_hex(24), secrets.token_hex(24)]
    pem = "-----BEGIN PRIVATE KEY-----\n" + "\n".join(body) + "\n-----END PRIVATE KEY-----\n"
    scrub = Scrubber()
    scrub.add(pem)
    assert scrub(pem) == REDACTED + "\n"
    assert scrub(f"quoted: {body[1]}") == f"quoted: {REDACTED}"


def test_the_step_scrubs_every_writer_but_still_masks_the_log(tmp_path: Path) -> None:
    out = io.StringIO()
    outputs, summary = tmp_path / "output", tmp_path / "summary.md"
    step = gha.Step(out, outputs=outputs, summary=summary)
    key = _sentinel("sk-live")
    step.mask(key)
    step.error(f"error {key}", title=f"t {key}")
    step.warning(f"warning {key}", title="w")
    step.notice(f"notice {key}")
    step.set_outputs({"message": f"fix: x\n\nkey {key}"})
    step.append_summary(f"### {key}")
    commands = parse_commands(out.getvalue())
    assert commands[0] == ("add-mask", {}, key)  # the runner still learns it for its log
    assert [data for _, _, data in commands[1:]] == [
        f"error {REDACTED}",
        f"warning {REDACTED}",
        f"notice {REDACTED}",
    ]
    assert commands[1][1] == {"title": f"t {REDACTED}"}
    assert parse_output_file(outputs.read_text()) == {"message": f"fix: x\n\nkey {REDACTED}"}
    assert summary.read_text() == f"### {REDACTED}\n"


def test_outside_a_runner_the_echoed_outputs_and_summary_are_scrubbed() -> None:
    out = io.StringIO()
    step = gha.Step(out, outputs=None, summary=None)
    key = _sentinel("sk-live")
    step.mask(key)
    step.set_outputs({"subject": f"fix: {key}"})
    step.append_summary(f"summary {key}")
    shown = out.getvalue().split("\n", 1)[1]  # past the add-mask line
    assert key not in shown and f"subject: fix: {REDACTED}" in shown
    assert f"summary {REDACTED}" in shown


# --- the whole Action against an endpoint that echoes its key ---------------------------------


class EchoModel(LocalServer):
    """An OpenAI-compatible chat endpoint whose answer quotes the Authorization header it was
    sent, and the `planted` text: a hostile or merely chatty proxy, as a model's answer is."""

    methods = ("POST",)

    def __init__(self, planted: str = "") -> None:
        super().__init__()
        self.planted = planted
        self.seen: list[Request] = []

    @property
    def base(self) -> str:
        return f"{self.origin}/v1"

    def respond(self, request: Request) -> Response:
        self.seen.append(request)
        sent = request.headers.get("authorization", "")
        answer = f"{SUBJECT}\n\nThis request came with {sent}\nand it mentions {self.planted}"
        data = json.dumps(completion(answer)).encode()
        return Response(200, [("Content-Type", "application/json")], data)


@pytest.fixture
def stub() -> Iterator[GitHubStub]:
    with GitHubStub(prs=[SMALL], port=0, token=TOKEN) as github:
        yield github


def _dead() -> str:
    return f"http://127.0.0.1:{free_port()}/v1"


def _written(runner: Runner, stub: GitHubStub, log: str) -> dict[str, str]:
    """Everything the job left for people to read, the log without its masking commands."""
    return {
        "comment": "\n".join(c.body for c in stub.comments(REPO, SMALL.number)),
        "summary": runner.summary.read_text() if runner.summary.exists() else "",
        "outputs": runner.output.read_text() if runner.output.exists() else "",
        "log": "\n".join(x for x in log.splitlines() if not x.startswith("::add-mask::")),
    }


def _assert_scrubbed(written: dict[str, str], keys: dict[str, str]) -> None:
    for place, text in written.items():
        for name, secret in keys.items():
            assert secret not in text, f"{name} reached the {place}"


@pytest.mark.parametrize("who_answers", ["primary", "fallback"])
def test_an_echoing_endpoint_cannot_put_a_key_into_anything_written(
    tmp_path: Path, stub: GitHubStub, who_answers: str
) -> None:
    keys = {
        "COMMIT_POLISH_API_KEY": _sentinel("sk-primary"),
        "GATEWAY_KEY": _sentinel("sk-gateway"),
        "OPENAI_API_KEY": _sentinel("sk-proj"),
        "INPUT_GITHUB-TOKEN": TOKEN,
    }
    # It also quotes keys it was never sent, as a proxy that logged other traffic could.
    planted = f"{keys['OPENAI_API_KEY']} {TOKEN}"
    with EchoModel(planted) as echo:
        runner = Runner(tmp_path, stub, echo.base if who_answers == "primary" else _dead())
        runner.event("pull_request", pr_event())
        fallback = {"model": "openai/gpt-4o-mini", "api_base": echo.base}
        runner.env.update(
            {
                **keys,
                "INPUT_FALLBACK-MODELS": json.dumps([{**fallback, "api_key_env": "GATEWAY_KEY"}]),
                "INPUT_BODY": "model",  # the PR's title fits: a model is asked only for this
            }
        )
        code, log = runner.run()
    assert code == 0, log
    sent = keys["COMMIT_POLISH_API_KEY"] if who_answers == "primary" else keys["GATEWAY_KEY"]
    assert [s.headers["authorization"] for s in echo.seen] == [f"Bearer {sent}"]
    outputs = runner.outputs()
    # The echo really reached the message: the secrets' places are there, scrubbed.
    assert outputs["subject"] == SUBJECT
    body = " ".join(outputs["body"].split())  # the message's lines are rewrapped
    assert f"came with Bearer {REDACTED} and it mentions {REDACTED} {REDACTED}" in body
    written = _written(runner, stub, log)
    assert f"Bearer {REDACTED}" in " ".join(written["comment"].split())
    _assert_scrubbed(written, keys)
    for name, secret in keys.items():
        assert f"::add-mask::{secret}" in log, f"{name} was not masked in the log"


def test_a_proxy_that_echoes_litellm_s_proxy_key_cannot_put_it_into_anything_written(
    tmp_path: Path, stub: GitHubStub
) -> None:
    """LITELLM_PROXY_API_KEY goes to LITELLM_PROXY_API_BASE (settings.proxy): a key the
    settings never hold, masked from the start like the other provider keys."""
    key = _sentinel("sk-litellm")
    with EchoModel() as proxy:
        runner = Runner(tmp_path, stub, proxy.base)
        runner.event("pull_request", pr_event())
        runner.env.update(
            {
                "INPUT_MODEL": "litellm_proxy/commit-polish-model",
                "LITELLM_PROXY_API_BASE": proxy.origin,
                "LITELLM_PROXY_API_KEY": key,
                "INPUT_BODY": "model",  # the PR's title fits: a model is asked only for this
            }
        )
        code, log = runner.run()
    assert code == 0, log
    assert [s.headers["authorization"] for s in proxy.seen] == [f"Bearer {key}"]
    assert runner.outputs()["subject"] == SUBJECT  # the echo reached the message
    assert f"::add-mask::{key}" in log
    _assert_scrubbed(_written(runner, stub, log), {"LITELLM_PROXY_API_KEY": key})


@pytest.mark.parametrize(
    "holder", ["OPENAI_API_KEY", "COMMIT_POLISH_API_KEY", "LITELLM_PROXY_API_KEY"]
)
def test_an_error_that_quotes_a_key_is_scrubbed_in_the_annotation_and_summary(
    tmp_path: Path, stub: GitHubStub, holder: str
) -> None:
    """A key pasted into the wrong input: the configuration error quotes the value it got."""
    key = _sentinel("sk-proj")
    runner = Runner(tmp_path, stub, _dead())
    runner.event("pull_request", pr_event())
    runner.env.update({holder: key, "INPUT_API-BASE": key})
    code, log = runner.run()
    assert code == 2
    errors = [line for line in log.splitlines() if line.startswith("::error")]
    assert len(errors) == 1 and f"{REDACTED!r} is not an http(s) URL" in errors[0]
    assert f"{REDACTED!r} is not an http(s) URL" in runner.summary.read_text()
    _assert_scrubbed(_written(runner, stub, log), {holder: key})


def test_github_error_text_quoting_a_model_key_is_scrubbed(
    tmp_path: Path, stub: GitHubStub
) -> None:
    """Whatever an error carries is scrubbed at the edge, not only what its own module knew:
    GitHub's error body here quotes a provider key, which only the Action knows is secret."""
    key = _sentinel("sk-ant")
    stub.fail_next(
        "GET", f"/repos/{REPO}/pulls/{SMALL.number}", 422, body={"message": f"bad {key}"}
    )
    runner = Runner(tmp_path, stub, _dead())
    runner.event("pull_request", pr_event())
    runner.env.update({"ANTHROPIC_API_KEY": key, "INPUT_FAIL-ON-ERROR": "true"})
    code, log = runner.run()
    assert code == 5, log
    (error,) = [line for line in log.splitlines() if line.startswith("::error")]
    assert f"bad {REDACTED}" in error
    assert f"bad {REDACTED}" in runner.summary.read_text()
    _assert_scrubbed(_written(runner, stub, log), {"ANTHROPIC_API_KEY": key})
