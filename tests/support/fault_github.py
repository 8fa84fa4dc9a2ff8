"""GitHub-side faults of the fault matrix, injected into the GitHub stand-in with GitHub's own
error bodies and headers. The model is a scripted local endpoint that answers well, so each
case shows what GitHub's answer alone does to the run."""

from __future__ import annotations

import time

from commit_polish.action import comment
from commit_polish.action.comment import COMMENT_LIMIT, TRIMMED
from commit_polish.github.errors import CONCURRENCY_YAML, PERMISSIONS_YAML
from tests.support.action_runner import REPO, pr_event
from tests.support.fake_model import Answer, completion
from tests.support.fault_harness import COMMENTS, LOCAL_SUBJECT, PULL, Done, Job, dead_base
from tests.support.github_http import secondary_limit_body
from tests.support.github_payloads import error
from tests.support.github_stub import ACTIONS_BOT
from tests.support.github_world import MANY_FILES, SMALL

TOO_LONG = error(
    422,
    "Validation Failed",
    "/issues/comments#create-an-issue-comment",
    errors=[
        {
            "resource": "IssueComment",
            "code": "custom",
            "field": "body",
            "message": "body is too long (maximum is 65536 characters)",
        }
    ],
)


def refused(done: Done, *, says: str, fix: str) -> str:
    """A GitHub refusal that stops the run: a warning and a summary note, exit 0 (5 when the
    workflow asked to fail on errors)."""
    assert done.code == 0, done.log
    (warning,) = done.annotations("warning")
    assert says in warning and fix in warning, warning
    assert says in done.summary and done.comments() == []
    return warning


def bad_credentials(job: Job) -> None:
    job.local()
    token = job.env["INPUT_GITHUB-TOKEN"] = "ghs_" + "expired0" * 4
    done = job.go()
    refused(done, says="GitHub rejected the token (401)", fix="github.token")
    assert job.go(fail_on_error="true").code == 5
    assert f"::add-mask::{token}" in done.log
    shown = [line for line in done.log.splitlines() if not line.startswith("::add-mask::")]
    assert token not in "\n".join(shown) + done.summary


def read_only_token(job: Job) -> None:
    job.local()
    job.stub.read_only = True
    done = job.go()
    assert done.code == 0, done.log
    (warning,) = done.annotations("warning")
    assert "Resource not accessible by integration" in warning and PERMISSIONS_YAML in warning
    done.kept_without_comment()
    assert job.go(fail_on_error="true").code == 5


def fork_pull_request(job: Job) -> None:
    event = pr_event("synchronize")
    event["pull_request"]["head"]["repo"].update(full_name="mallory/widgets", fork=True)
    event["pull_request"]["base"]["repo"]["full_name"] = REPO
    job.event("pull_request", event)
    job.local()
    job.stub.read_only = True
    done = job.go()
    assert done.code == 0
    (warning,) = done.annotations("warning")
    assert "fork" in warning and "pull_request_target" in warning and "workflow_run" in warning
    done.kept_without_comment()


def pull_request_gone(job: Job) -> None:
    job.local()
    job.event("workflow_dispatch", {"inputs": {"pr-number": "404"}})
    done = job.go()
    refused(done, says="not found (404) while reading pull request #404", fix="pr-number")
    assert job.go(fail_on_error="true").code == 5


def gone_while_writing(job: Job) -> None:
    job.local()
    job.stub.fail_next("POST", COMMENTS, 404)
    done = job.go()
    assert done.code == 0
    (warning,) = done.annotations("warning")
    assert "not found (404) while writing the commit-polish comment" in warning
    done.kept_without_comment()


def diff_too_large(job: Job) -> None:
    job.event("pull_request", pr_event("synchronize", number=MANY_FILES.number))
    job.local()
    done = job.go()
    assert done.code == 0 and done.annotations("warning") == [], done.log
    body = done.comment(MANY_FILES.number)
    assert LOCAL_SUBJECT in body and "**Based on:**" in body and "of 305 files" in body
    files_pages = [t for m, t, _ in job.stub.requests if "/pulls/8/files" in t]
    assert len(files_pages) == 4  # 305 files, 100 a page: GitHub's 406 was answered


def comment_too_long(job: Job) -> None:
    job.local()
    job.stub.fail_next("POST", COMMENTS, 422, body=TOO_LONG)
    done = job.go()
    assert done.code == 0
    (warning,) = done.annotations("warning")
    assert "body is too long (maximum is 65536 characters)" in warning
    done.kept_without_comment()
    assert job.go(fail_on_error="true").code == 0  # the fault was injected once: now posted


def huge_message(job: Job) -> None:
    lines = [f"Line {n}: the retry loop now covers case {n} of the upload." for n in range(1600)]
    job.local(default=Answer(200, completion(LOCAL_SUBJECT + "\n\n" + "\n".join(lines))))
    done = job.go()
    assert done.code == 0 and done.annotations("warning") == [], done.log
    body = done.comment()
    assert len(body.encode("utf-16-le")) // 2 <= COMMENT_LIMIT and TRIMMED in body
    assert "Line 1599" in done.outputs["message"] and len(done.outputs["message"]) > COMMENT_LIMIT


def bad_gateway_once(job: Job) -> None:
    job.local()
    job.stub.fail_next("GET", PULL, 502)
    done = job.go()
    assert done.code == 0 and LOCAL_SUBJECT in done.comment(), done.log
    assert job.github_waits == [1.0]


def unavailable_on_write(job: Job) -> None:
    job.local()
    job.stub.fail_next("POST", COMMENTS, 503, times=4)
    done = job.go()
    assert done.code == 0
    (warning,) = done.annotations("warning")
    assert "GitHub failed (503)" in warning
    done.kept_without_comment()
    assert job.github_waits == [1.0, 2.0, 4.0]
    assert done.writes() == ["POST"] * 4
    listings = [t for m, t, _ in job.stub.requests if m == "GET" and t.startswith(COMMENTS)]
    # The cloud-call count's read before the model (a cloud fallback is in the chain), then
    # one before every write attempt: a 5xx may hide a comment.
    assert len(listings) == 1 + 4


def head_unreadable_before_write(job: Job) -> None:
    local = job.local()
    # Planted once the model is asked, so only the head check right before the write meets it.
    local.on_request = lambda seen: job.stub.fail_next("GET", PULL, 502, times=4)
    done = job.go()
    assert done.code == 0
    (warning,) = done.annotations("warning")
    assert "GitHub failed (502) while reading the head of pull request #7" in warning
    done.kept_without_comment()
    assert job.github_waits == [1.0, 2.0, 4.0]


def primary_rate_limit(job: Job) -> None:
    job.local()
    job.stub.primary_rate_limit("GET", PULL)
    done = job.go()
    warning = refused(done, says="rate limit", fix="2100-01-01 00:00:00 UTC")
    assert CONCURRENCY_YAML.splitlines()[0] in warning
    assert job.github_waits == []  # a reset hours away is not waited for
    assert job.go(fail_on_error="true").code == 0  # the limit has passed: it posts


def primary_rate_limit_soon(job: Job) -> None:
    job.local()
    job.stub.primary_rate_limit("GET", PULL, reset=int(time.time()) + 5)
    done = job.go()
    assert done.code == 0 and LOCAL_SUBJECT in done.comment(), done.log
    (waited,) = job.github_waits
    assert 4 <= waited <= 7, waited


def secondary_rate_limit(job: Job) -> None:
    job.local()
    job.stub.fail_next(
        "POST",
        COMMENTS,
        403,
        body=secondary_limit_body(),
        headers={"retry-after": "30", "x-ratelimit-remaining": "4990"},
    )
    done = job.go()
    assert done.code == 0 and done.annotations("warning") == [], done.log
    assert LOCAL_SUBJECT in done.comment()
    assert job.github_waits == [30.0] and done.writes() == ["POST", "POST"]
    after_wait = [m + " " + t.split("?")[0] for m, t, _ in job.stub.requests]
    after_wait = after_wait[after_wait.index(f"POST {COMMENTS}") + 1 :]
    assert after_wait[:3] == [f"GET {COMMENTS}", f"GET {PULL}", f"POST {COMMENTS}"]


def deleted_between_runs(job: Job) -> None:
    job.local()
    first = job.go()
    (posted,) = job.stub.comments(REPO, SMALL.number)
    job.stub.remove_comment(posted.id)
    second = job.go()
    assert (first.code, second.code) == (0, 0)
    assert LOCAL_SUBJECT in second.comment() and second.writes() == ["POST", "POST"]


def past_the_first_page(job: Job) -> None:
    job.local()
    for n in range(150):
        job.stub.add_comment(REPO, SMALL.number, f"review note {n}", f"reviewer{n % 4}")
    mine = job.stub.add_comment(
        REPO, SMALL.number, comment.marker("0" * 40) + "\nolder message", ACTIONS_BOT
    )
    job.stub.add_comment(REPO, SMALL.number, "thanks!", "alice")
    done = job.go()
    assert done.code == 0, done.log
    assert LOCAL_SUBJECT in done.comment() and done.writes() == ["PATCH"]
    assert job.stub.writes[0][1] == f"/repos/{REPO}/issues/comments/{mine.id}"
    assert any("page=2" in t for m, t, _ in job.stub.requests if t.startswith(COMMENTS))
    assert len(job.stub.comments(REPO, SMALL.number)) == 152


def unreachable(job: Job) -> None:
    job.local()
    dead = dead_base().removesuffix("/v1")
    job.env["GITHUB_API_URL"] = dead
    done = job.go()
    refused(done, says=f"could not reach GitHub at {dead}", fix="GITHUB_API_URL")
    assert job.go(fail_on_error="true").code == 5
