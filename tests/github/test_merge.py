"""`GitHubClient(...).merges` against recorded answers of the local GitHub stand-in
(tests/support/github_stub.py): one full apply (auto-merge), one merge, and GitHub's refusals.

Replays by default (`record_mode` none, as in CI): nothing is started and nothing is sent.
The stand-in starts only when recording, on its fixed port (18765). Re-record with:

    .venv/bin/pytest tests/github/test_merge.py -p no:randomly --record-mode=rewrite

then run tests/github/test_schema.py, which checks every recorded exchange (REST against
GitHub's REST description, `POST /graphql` against GitHub's GraphQL schema) and that no
token reached a cassette.

Each test checks which requests were made, and on replay that every recorded one was played.
Requests match on their body too, so a replay fails if the client would send another
headline, body or head than it did when recorded. merge.py never repeats a write: each
refusal is one request and no pause.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from commit_polish.github.errors import APPLY_PERMISSIONS_YAML
from commit_polish.github.merge import MergeRefused
from commit_polish.github.records import AutoMerge
from tests.support.github_vcr import Setup, sent
from tests.support.github_world import BOT, REPO, SMALL

PULL = f"/repos/{REPO}/pulls/7"
MERGE = f"{PULL}/merge"
GRAPHQL = "POST /graphql"
READ = [
    f"GET {PULL}",
    f"GET {PULL} (diff)",
    f"GET {PULL}/commits?per_page=100",
    f"GET /repos/{REPO}/commits?per_page=20&sha=main",
]
"""What `read_pull_request` sends, with its default history of 20 subjects."""
HEADLINE = "Retry uploads when the connection resets (#7)"
BODY = "The uploader gave up on the first reset; it now retries three times."
HEAD = SMALL.head_sha


def bodies(cassette: Any, line: str) -> list[Any]:
    """The JSON bodies of the requests made that `sent` shows as `line`, in order."""
    made = [
        r
        for i, r in enumerate(cassette.requests)
        if cassette.play_counts[i] or not cassette.rewound
    ]
    return [
        json.loads(r.body) for r, shown in zip(made, sent(cassette), strict=True) if shown == line
    ]


def refused(call: Callable[[], object]) -> MergeRefused:
    with pytest.raises(MergeRefused) as caught:
        call()
    return caught.value


# -- one full apply: auto-merge pinned to the head ---------------------------------------------


@pytest.mark.vcr
def test_one_full_apply_turns_on_auto_merge_pinned_to_the_head(
    github: Callable[..., Setup], vcr: Any
) -> None:
    setup = github()
    client = setup.client
    pr = client.read_pull_request(REPO, 7)
    assert (pr.head_sha, pr.auto_merge, pr.mergeable_state) == (HEAD, None, "blocked")
    assert pr.node_id.startswith("PR_kwDO")

    assert client.merges.merge_queue(REPO, pr.base_ref) is False
    client.merges.enable_auto_merge(pr.node_id, HEADLINE, BODY, pr.head_sha)

    again = client.read_pull_request(REPO, 7)
    assert again.head_sha == HEAD
    assert again.auto_merge == AutoMerge(
        enabled_by=BOT, method="squash", title=HEADLINE, message=BODY
    )
    assert sent(vcr) == [*READ, GRAPHQL, GRAPHQL, *READ]
    queue, enable = bodies(vcr, GRAPHQL)
    assert "mergeQueue(branch: $branch)" in queue["query"]
    assert queue["variables"] == {"owner": "octo-org", "name": "widgets", "branch": "main"}
    assert "enablePullRequestAutoMerge(input: $input)" in enable["query"]
    assert enable["variables"] == {
        "input": {
            "pullRequestId": pr.node_id,
            "mergeMethod": "SQUASH",
            "commitHeadline": HEADLINE,
            "commitBody": BODY,
            "expectedHeadOid": HEAD,
        }
    }
    assert setup.waits == []


# -- one merge: squash now, then read the squash commit ----------------------------------------


@pytest.mark.vcr
def test_one_merge_squashes_with_the_message_and_reads_the_commit_back(
    github: Callable[..., Setup], vcr: Any
) -> None:
    setup = github()
    sha = setup.client.merges.merge(REPO, 7, HEADLINE, BODY, HEAD)
    assert len(sha) == 40 and sha != HEAD
    assert setup.client.merges.commit_message(REPO, sha) == f"{HEADLINE}\n\n{BODY}"
    assert sent(vcr) == [f"PUT {MERGE}", f"GET /repos/{REPO}/commits/{sha}?page=1&per_page=100"]
    (asked,) = bodies(vcr, f"PUT {MERGE}")
    assert asked == {
        "merge_method": "squash",
        "commit_title": HEADLINE,
        "commit_message": BODY,
        "sha": HEAD,
    }
    assert setup.waits == []


# -- refusals: one request each, never repeated ------------------------------------------------


@pytest.mark.vcr
def test_a_moved_head_refuses_the_merge_and_it_is_not_retried(
    github: Callable[..., Setup], vcr: Any
) -> None:
    setup = github()
    setup.stub.push(REPO, 7)  # someone pushed after the message was written for HEAD
    error = refused(lambda: setup.client.merges.merge(REPO, 7, HEADLINE, BODY, HEAD))
    assert (error.kind, error.status) == ("head_moved", 409)
    assert "Head branch was modified" in error.message
    assert sent(vcr) == [f"PUT {MERGE}"]
    assert setup.waits == []


@pytest.mark.vcr
def test_auto_merge_of_a_clean_pull_request_is_refused_and_not_retried(
    github: Callable[..., Setup], vcr: Any
) -> None:
    """GitHub could merge it now: auto-merge has nothing to wait for (GraphQL UNPROCESSABLE,
    which PyGithub raises as a 400)."""
    setup = github()
    pr = setup.stub.prs[(REPO, 7)]
    pr.mergeable_state = "clean"
    node_id = pr.node_id
    error = refused(lambda: setup.client.merges.enable_auto_merge(node_id, HEADLINE, BODY, HEAD))
    assert (error.kind, error.status) == ("mergeable", 400)
    assert "Pull request is in clean status" in error.message
    assert sent(vcr) == [GRAPHQL]
    assert setup.waits == []


@pytest.mark.vcr
def test_a_read_only_token_may_not_turn_on_auto_merge(
    github: Callable[..., Setup], vcr: Any
) -> None:
    """GraphQL's FORBIDDEN, as for a fork's token."""
    setup = github(read_only=True)
    node_id = setup.stub.prs[(REPO, 7)].node_id
    error = refused(lambda: setup.client.merges.enable_auto_merge(node_id, HEADLINE, BODY, HEAD))
    assert error.kind == "forbidden"
    assert "Resource not accessible by integration" in error.message
    assert APPLY_PERMISSIONS_YAML in (error.fix or "")
    assert sent(vcr) == [GRAPHQL]
    assert setup.waits == []


@pytest.mark.vcr
def test_a_read_only_token_may_not_merge(github: Callable[..., Setup], vcr: Any) -> None:
    """REST's 403 for a token without `contents: write`."""
    setup = github(read_only=True)
    error = refused(lambda: setup.client.merges.merge(REPO, 7, HEADLINE, BODY, HEAD))
    assert (error.kind, error.status) == ("forbidden", 403)
    assert "Resource not accessible by integration" in error.message
    assert APPLY_PERMISSIONS_YAML in (error.fix or "")
    assert sent(vcr) == [f"PUT {MERGE}"]
    assert setup.waits == []
