"""The fault matrix: every way the model, GitHub or the job's settings can fail, and what the
user then gets. Each row runs the Action's real entry point (`action.main`) against the
GitHub stand-in and a real or scripted model, and asserts its stated outcome.

docs/fault-matrix.md is generated from this table (`scripts/fault_matrix_doc.py`), and the
last test here fails when it is not.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest

from tests.support import fault_github as gh
from tests.support import fault_model as model
from tests.support import fault_settings as settings
from tests.support.fault_harness import Case, Job, job_for
from tests.support.paths import ROOT

FALLBACK = "the fallback answers and its message is posted; exit 0, no warning"

CASES = [
    # -- the model ------------------------------------------------------------------------------
    Case(
        "model-refused", "model", "Connection refused: nothing listens on the local port",
        f"Not retried; {FALLBACK}",
        model.refused,
    ),
    Case(
        "model-killed", "model", "The local server is killed (SIGKILL) while it answers",
        f"The dropped connection is retried once and finds nothing listening; {FALLBACK}",
        model.killed_mid_answer, ("spare_server",),
    ),
    Case(
        "model-slow", "model", "The local server answers slower than `timeout` (1 s; its one "
        "slot is busy)",
        f"Abandoned after the timeout (under 5 s) and not retried; {FALLBACK}",
        model.slower_than_the_timeout, ("spare_server",),
    ),
    Case(
        "model-400", "model", "HTTP 400 `invalid_request_error`",
        f"Not retried (it would fail again); {FALLBACK}",
        model.bad_request,
    ),
    Case(
        "model-401", "model", "HTTP 401 `authentication_error`",
        f"Not retried; {FALLBACK}",
        model.unauthorized,
    ),
    Case(
        "model-404", "model", "HTTP 404 `not_found_error` (wrong path or model)",
        f"Not retried; {FALLBACK}",
        model.not_found,
    ),
    Case(
        "model-429-retry-after", "model", "HTTP 429 with `Retry-After: 2`",
        "The same model is asked again after the 2 s it asked for, answers, and its message "
        "is posted; the fallback is not asked",
        model.rate_limited_with_retry_after,
    ),
    Case(
        "model-429", "model", "HTTP 429 without `Retry-After`",
        "The same model is asked again after a 1 s backoff and its message is posted",
        model.rate_limited_without_retry_after,
    ),
    Case(
        "model-429-long", "model", "HTTP 429 with `Retry-After: 3600`",
        f"Not waited for (more than 20 s); {FALLBACK}",
        model.rate_limited_for_an_hour,
    ),
    Case(
        "model-500", "model", "HTTP 500 once",
        "Retried once after 1 s on the same model, whose message is posted",
        model.server_error_once,
    ),
    Case(
        "model-503", "model", "HTTP 503 `Loading model`, every time",
        f"Retried once, then {FALLBACK}",
        model.unavailable,
    ),
    Case(
        "model-truncated", "model", "The body is cut short and the connection closed",
        "Treated as a dropped connection: retried once on the same model, whose message is "
        "posted",
        model.truncated_body,
    ),
    Case(
        "model-not-json", "model", "HTTP 200 with an HTML page instead of JSON (a proxy's page)",
        f"Treated as a server error: retried once, then {FALLBACK}",
        model.not_json,
    ),
    Case(
        "model-stream-stops", "model", "The answer starts, then the server goes silent",
        f"Abandoned at the timeout (1 s), not retried; {FALLBACK}",
        model.stream_stops,
    ),
    Case(
        "model-empty", "model", "An empty answer (HTTP 200, `content: \"\"`)",
        f"Judged unusable (asked again at most once, with the reason); {FALLBACK}",
        model.empty_answer,
    ),
    Case(
        "model-context-window", "model", "Context window exceeded (llama-server's "
        "`exceed_context_size_error`)",
        "The diff's share of the prompt is halved once and the same model answers with the "
        "smaller prompt; its message is posted",
        model.context_window,
    ),
    Case(
        "model-junk-code", "model", "The answer is a code dump",
        f"Judged unusable (asked again at most once, with the reason); {FALLBACK}",
        model.code_dump,
    ),
    Case(
        "model-junk-loop", "model", "The answer repeats one line",
        f"Judged unusable (asked again at most once, with the reason); {FALLBACK}",
        model.repeated_line,
    ),
    Case(
        "model-junk-language", "model", "The answer's subject is in another script than the "
        "language asked (Chinese for English)",
        f"Judged unusable (asked again at most once, with the reason); {FALLBACK}",
        model.other_language,
    ),
    Case(
        "model-all-fail", "model", "Every model fails (503 locally, an empty cloud answer)",
        "The comment carries the message built from the diff under a warning that no model "
        "wrote it; `::warning` names each model and outcome; exit 0, or 4 with "
        "`fail-on-error: true`",
        model.every_model_fails,
    ),
    # -- GitHub ---------------------------------------------------------------------------------
    Case(
        "github-401", "github", "401 Bad credentials (a wrong or expired token)",
        "`::warning` and a job-summary note say GitHub rejected the token, with the fix; the "
        "token is not printed; exit 0, or 5 with `fail-on-error`",
        gh.bad_credentials,
    ),
    Case(
        "github-403-read-only", "github", "403 on the comment write: a token without "
        "`pull-requests: write`",
        "`::warning` with the `permissions:` block to paste; the message still reaches the job "
        "summary and the step outputs; exit 0, or 5 with `fail-on-error`",
        gh.read_only_token,
    ),
    Case(
        "github-403-fork", "github", "403 on the comment write of a fork's pull request "
        "(read-only token)",
        "`::warning` explains the fork's token and names `pull_request_target` and the "
        "`workflow_run` pattern; summary and outputs keep the message",
        gh.fork_pull_request,
    ),
    Case(
        "github-404", "github", "404 for the pull request (a manual run naming a PR that does "
        "not exist)",
        "`::warning` and a summary note name the PR number and the `pr-number` input; exit 0, "
        "or 5 with `fail-on-error`",
        gh.pull_request_gone,
    ),
    Case(
        "github-404-write", "github", "404 on the comment write (the PR went away meanwhile)",
        "`::warning` names the failed write; summary and outputs keep the message",
        gh.gone_while_writing,
    ),
    Case(
        "github-406", "github", "406 `too_large` for the diff (305 files, past GitHub's 300)",
        "The diff is rebuilt from the paged files API; the comment is posted and says how many "
        "files it is based on",
        gh.diff_too_large,
    ),
    Case(
        "github-422", "github", "422 Validation Failed on the comment write (`body is too long`)",
        "`::warning` quotes GitHub's words; summary and outputs keep the message",
        gh.comment_too_long,
    ),
    Case(
        "github-comment-limit", "github", "A message longer than a comment may be (100,000 "
        "characters)",
        "The comment is trimmed under 65,536 characters with a note and GitHub accepts it; the "
        "`message` output keeps it whole",
        gh.huge_message,
    ),
    Case(
        "github-502", "github", "502 once on reading the pull request",
        "Retried after a 1 s backoff; the comment is posted",
        gh.bad_gateway_once,
    ),
    Case(
        "github-503-write", "github", "503 on the comment write, every time",
        "The thread is read again before each of 3 retries (1, 2, 4 s), so a write that did "
        "land is never doubled; then `::warning`, and summary and outputs keep the message",
        gh.unavailable_on_write,
    ),
    Case(
        "github-head-unreadable", "github", "The head cannot be read right before the write "
        "(502, every time)",
        "Nothing is written; `::warning` says what failed; summary and outputs keep the message",
        gh.head_unreadable_before_write,
    ),
    Case(
        "github-primary-limit", "github", "Primary rate limit: 403, `x-ratelimit-remaining: 0`, "
        "reset hours away",
        "Not waited for: `::warning` names the reset time and the `concurrency:` block that "
        "avoids piling runs up; exit 0, or 5 with `fail-on-error`",
        gh.primary_rate_limit,
    ),
    Case(
        "github-primary-limit-soon", "github", "Primary rate limit whose reset is 5 s away",
        "Waits until the reset, then goes on; the comment is posted",
        gh.primary_rate_limit_soon,
    ),
    Case(
        "github-secondary-limit", "github", "Secondary rate limit on the comment write: 403, "
        "`retry-after: 30`",
        "Waits the 30 s asked, reads the thread and the head again, then posts once; no warning",
        gh.secondary_rate_limit,
    ),
    Case(
        "github-comment-deleted", "github", "Our comment is deleted by a user between two runs",
        "The next run posts a new one; the thread holds exactly one comment of ours",
        gh.deleted_between_runs,
    ),
    Case(
        "github-pagination", "github", "Our comment is on the second page (150 comments before "
        "it)",
        "Found on page 2 and edited in place; no second comment",
        gh.past_the_first_page,
    ),
    Case(
        "github-unreachable", "github", "GitHub unreachable (connection refused)",
        "`::warning` names the API URL and `GITHUB_API_URL`; exit 0, or 5 with `fail-on-error`",
        gh.unreachable,
    ),
    # -- settings and environment ---------------------------------------------------------------
    Case(
        "settings-no-event-file", "settings", "The event file (`GITHUB_EVENT_PATH`) is missing",
        "`::error` and a summary note name the path and the fix; exit 2; nothing is requested",
        settings.missing_event_file,
    ),
    Case(
        "settings-bad-event-json", "settings", "The event file is not valid JSON",
        "`::error` and a summary note with the fix; exit 2; nothing is requested",
        settings.malformed_event,
    ),
    Case(
        "settings-unknown-event", "settings", "An event the Action does not handle "
        "(`merge_group`)",
        "One `::notice` says it is not handled; nothing is requested; exit 0",
        settings.unknown_event,
    ),
    Case(
        "settings-unknown-input", "settings", "An unknown input (`modle`, a typo)",
        "`::warning` that it is ignored; the run goes on and posts; exit 0",
        settings.unknown_input,
    ),
    Case(
        "settings-invalid-model", "settings", "An invalid model string (`qwen2.5-coder`, no "
        "provider)",
        "`::error` names the input and the fix (`llamafile/qwen2.5-coder`); exit 2; nothing is "
        "posted",
        settings.invalid_model,
    ),
    Case(
        "settings-key-unused", "settings", "A fallback's key variable is unset, and the local "
        "model answers",
        "Does not fail: the local model's message is posted, exit 0; one `::warning` up front "
        "that the key matters if the fallback is reached",
        settings.key_missing_never_needed,
    ),
    Case(
        "settings-key-needed", "settings", "A fallback's key variable is unset, and the local "
        "model is down",
        "The fallback gets no borrowed key and refuses; `::warning` names the unset variable "
        "and the `env:` line that fixes it; the diff-built message is posted; exit 0",
        settings.key_missing_when_needed,
    ),
]  # fmt: skip


@pytest.fixture
def job(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Job]:
    with job_for(tmp_path, monkeypatch) as made:
        yield made


@pytest.mark.parametrize(
    "case",
    [pytest.param(c, id=c.id, marks=[pytest.mark.realmodel] if c.needs else []) for c in CASES],
)
def test_fault(case: Case, job: Job, request: pytest.FixtureRequest) -> None:
    job.servers = {name: request.getfixturevalue(name) for name in case.needs}
    case.check(job)


def test_the_table_covers_every_side_once_per_id() -> None:
    assert len({c.id for c in CASES}) == len(CASES)
    assert {c.side for c in CASES} == {"model", "github", "settings"}
    assert all(c.case and c.outcome for c in CASES)


def _doc_script() -> ModuleType:
    path = ROOT / "scripts" / "fault_matrix_doc.py"
    spec = importlib.util.spec_from_file_location("fault_matrix_doc", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_published_matrix_is_generated_from_this_table() -> None:
    script = _doc_script()
    published = (ROOT / "docs" / "fault-matrix.md").read_text(encoding="utf-8")
    assert published == script.render(CASES), (
        "docs/fault-matrix.md is out of date: run .venv/bin/python scripts/fault_matrix_doc.py"
    )
