"""Settings and environment faults of the fault matrix: what the runner hands the Action is
wrong or missing. A wrong configuration fails the step (exit 2) with the fix; what is merely
unusual goes on with a warning or a notice."""

from __future__ import annotations

from pathlib import Path

from tests.support.fault_harness import (
    CLOUD,
    CLOUD_KEY_ENV,
    LOCAL,
    LOCAL_SUBJECT,
    Done,
    Job,
    dead_base,
)


def fails_with_the_fix(done: Done, says: str) -> None:
    assert done.code == 2, done.log
    (error,) = done.annotations("error")
    assert says in error and "Fix:" in error, error
    assert says in done.summary and "**Fix:**" in done.summary
    assert done.job.stub.writes == []


def missing_event_file(job: Job) -> None:
    job.env["GITHUB_EVENT_PATH"] = str(job.tmp / "no-such-event.json")
    done = job.go()
    fails_with_the_fix(done, "no-such-event.json (GITHUB_EVENT_PATH) does not exist")
    assert job.stub.requests == []


def malformed_event(job: Job) -> None:
    Path(job.env["GITHUB_EVENT_PATH"]).write_text('{"action": "opened", "pull_request": {')
    done = job.go()
    fails_with_the_fix(done, "is not valid JSON")
    assert job.stub.requests == []


def unknown_event(job: Job) -> None:
    job.event("merge_group", {"action": "checks_requested", "merge_group": {"head_sha": "abc"}})
    done = job.go()
    assert done.code == 0 and done.annotations("warning") == [], done.log
    (notice,) = done.annotations("notice")
    assert "'merge_group' is not handled" in notice
    assert job.stub.requests == [] and done.outputs == {}


def unknown_input(job: Job) -> None:
    job.local()
    job.env["INPUT_MODLE"] = "openai/gpt-4o"
    done = job.go()
    assert done.code == 0, done.log
    assert done.annotations("warning") == ["commit-polish input: unknown input 'modle' is ignored"]
    assert LOCAL_SUBJECT in done.comment() and done.outputs["model"] == LOCAL


def invalid_model(job: Job) -> None:
    job.local()
    done = job.go(model="qwen2.5-coder")
    fails_with_the_fix(done, "input 'model'")
    assert "'llamafile/qwen2.5-coder'" in done.annotations("error")[0]
    assert done.comments() == [] and done.outputs == {}


def key_missing_never_needed(job: Job) -> None:
    job.local()
    job.drop_cloud_key()
    done = job.go()
    assert done.code == 0, done.log
    assert LOCAL_SUBJECT in done.comment() and done.outputs["model"] == LOCAL
    (warning,) = done.annotations("warning")  # said once, up front; the run is not cut short
    assert f"{CLOUD_KEY_ENV} is not set; it will fail if it is ever reached" in warning
    assert "missing API key" not in done.log
    assert job.cloud.seen == []


def key_missing_when_needed(job: Job) -> None:
    job.env["INPUT_API-BASE"] = dead_base()
    job.drop_cloud_key()
    done = job.go()
    assert done.code == 0, done.log
    missing = [w for w in done.annotations("warning") if w.startswith("commit-polish: missing")]
    (warning,) = missing
    assert f"fallback model '{CLOUD}' was asked and refused" in warning
    assert f"{CLOUD_KEY_ENV}: ${{{{ secrets.{CLOUD_KEY_ENV} }}}}" in warning
    assert job.cloud.authorizations() == ["Bearer no-key"]  # no other key was borrowed
    assert "Not written by a model" in done.comment()
