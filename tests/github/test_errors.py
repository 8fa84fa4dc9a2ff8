"""The one table that turns GitHub's refusals into errors: a kind, the cause and the fix."""

from __future__ import annotations

from typing import Any

import pytest

from commit_polish.errors import GitHubError
from commit_polish.github.errors import (
    CONCURRENCY_YAML,
    PERMISSIONS_YAML,
    READ_PERMISSIONS_YAML,
    CommentError,
    CommentForbidden,
    GitHubRequestError,
    error_body,
    is_too_large,
    retry_wait,
    translate,
    unreachable,
)

DOING = "reading pull request #7 of octo-org/widgets"
SECONDARY = "You have exceeded a secondary rate limit. Please wait a few minutes."
TOO_LARGE = {
    "message": "Sorry, the diff exceeded the maximum number of files (300).",
    "errors": [{"resource": "PullRequest", "field": "diff", "code": "too_large"}],
}
CASES: list[tuple[int, Any, dict[str, str], str]] = [
    (401, {"message": "Bad credentials"}, {}, "auth"),
    (403, {"message": "Resource not accessible by integration"}, {}, "forbidden"),
    (403, {"message": SECONDARY}, {"retry-after": "60"}, "rate_limit"),
    (403, {"message": "API rate limit exceeded"}, {"x-ratelimit-remaining": "0"}, "rate_limit"),
    (404, {"message": "Not Found"}, {}, "not_found"),
    (406, TOO_LARGE, {}, "too_large"),
    (422, {"message": "Validation Failed"}, {}, "invalid"),
    (429, {"message": SECONDARY}, {}, "rate_limit"),
    (500, {"message": "Server Error"}, {}, "server"),
    (502, None, {}, "server"),
    (503, {"message": "Service Unavailable"}, {}, "server"),
    (409, {"message": "Git Repository is empty."}, {}, "unexpected"),
    (400, "not json", {}, "unexpected"),
]


@pytest.mark.parametrize(("status", "data", "headers", "kind"), CASES)
def test_each_status_has_its_kind_the_cause_and_a_fix(
    status: int, data: Any, headers: dict[str, str], kind: str
) -> None:
    error = translate(status, data, headers, doing=DOING)
    assert type(error) is GitHubRequestError
    assert isinstance(error, GitHubError) and error.exit_code == 5
    assert (error.kind, error.status) == (kind, status)
    assert f"while {DOING}" in error.message
    assert error.fix


def test_githubs_own_words_and_422_details_are_quoted() -> None:
    data = {
        "message": "Validation Failed",
        "errors": [{"code": "custom", "message": "body is too long (maximum is 65536 characters)"}],
    }
    error = translate(422, data, {}, doing="writing the comment", write=True)
    assert "Validation Failed (body is too long (maximum is 65536 characters))" in error.message


def test_a_refused_comment_write_is_comment_forbidden_with_the_yaml_to_paste() -> None:
    data = {"message": "Resource not accessible by integration"}
    error = translate(403, data, {}, doing="writing the comment", write=True)
    assert isinstance(error, CommentForbidden)
    assert PERMISSIONS_YAML in (error.fix or "")
    assert "pull_request_target" in (error.fix or "")
    assert "workflow_run" in (error.fix or "")


def test_a_refused_read_asks_for_read_access() -> None:
    data = {"message": "Resource not accessible by integration"}
    error = translate(403, data, {}, doing=DOING)
    assert not isinstance(error, CommentError)
    assert READ_PERMISSIONS_YAML in (error.fix or "")


def test_other_write_failures_are_comment_errors_but_not_forbidden() -> None:
    error = translate(422, {"message": "Validation Failed"}, {}, doing="x", write=True)
    assert isinstance(error, CommentError) and not isinstance(error, CommentForbidden)


def test_saml_enforcement_gets_its_own_fix() -> None:
    data = {"message": "Resource protected by organization SAML enforcement."}
    assert "single sign-on" in (translate(403, data, {}, doing=DOING).fix or "")


def test_rate_limits_say_how_long_and_how_to_avoid_them() -> None:
    waited = translate(429, {}, {"Retry-After": "3600"}, doing=DOING)
    assert "3600 s" in waited.message
    assert CONCURRENCY_YAML in (waited.fix or "")
    # The block the example workflows use (tests/test_workflows.py): on the job, so that a
    # comment's skipped run never cancels a suggestion.
    assert "on the job (not the workflow" in (waited.fix or "")
    reset = {"x-ratelimit-remaining": "0", "x-ratelimit-reset": "4102444800"}
    assert "2100-01-01 00:00:00 UTC" in translate(403, {}, reset, doing=DOING).message


def test_no_token_survives_in_message_or_fix() -> None:
    secret = "ghs_" + "S" * 36
    other = "ghp_" + "o" * 36
    data = {"message": f"token {secret} and {other} rejected"}
    error = translate(401, data, {}, doing=f"using {secret}", secret=secret)
    assert secret not in str(error) and other not in str(error)
    far = unreachable("http://h", "reading", f"refused for {secret}", write=False, secret=secret)
    assert secret not in str(far) and far.kind == "connection"


def test_an_unreachable_github_during_a_write_is_a_comment_error() -> None:
    error = unreachable("http://h", "writing", "refused", write=True, secret="")
    assert isinstance(error, CommentError) and "GITHUB_API_URL" in (error.fix or "")


def test_error_bodies_are_read_leniently() -> None:
    assert error_body('{"message": "x"}') == {"message": "x"}
    assert error_body("<html>bad gateway</html>") == {}
    assert error_body("[1]") == {}
    assert is_too_large(TOO_LARGE)
    assert not is_too_large({"message": "Not Acceptable"})


def test_retry_wait_says_how_long_github_asks_to_wait() -> None:
    now = 4102444700.0
    assert retry_wait(403, {"message": SECONDARY}, {"Retry-After": "30"}, now=now) == 30.0
    reset = {"x-ratelimit-remaining": "0", "x-ratelimit-reset": "4102444800"}
    assert retry_wait(403, {"message": "API rate limit exceeded"}, reset, now=now) == 101.0
    assert retry_wait(429, {}, {}, now=now) == 60.0  # GitHub's advice: a minute
    refused = {"message": "Resource not accessible by integration"}
    assert retry_wait(403, refused, {}, now=now) is None
    assert retry_wait(502, None, {}, now=now) is None


def test_every_merge_refusal_names_its_own_fix() -> None:
    from commit_polish.github import merge

    kinds = {kind for _, kind in merge._REFUSALS} | {"not_found"}
    assert kinds <= set(merge._FIXES), kinds - set(merge._FIXES)
