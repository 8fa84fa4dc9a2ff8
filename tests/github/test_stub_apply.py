"""The stand-in's auto-merge (GraphQL), merge, edit and commit endpoints, driven through
PyGithub itself, each success and each of GitHub's refusals.

Every stand-in started here is checked when its test ends: each REST answer against GitHub's
REST description (test_schema's `check`), each GraphQL document against GitHub's schema.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from github import Auth, Github, GithubException
from github.PullRequest import PullRequest

from tests.github.test_schema import answered, check, graphql_problems
from tests.support import github_graphql as graphql
from tests.support import github_routes as routes
from tests.support.github_stub import GitHubStub, StubPR
from tests.support.github_world import REPO, SMALL, TOKEN, world

HEADLINE = "Retry uploads when the connection resets (#7)"
BODY = "The uploader gave up on the first reset."
QUERY = """
query State($owner: String!, $name: String!, $number: Int!, $branch: String!) {
  repository(owner: $owner, name: $name) {
    autoMergeAllowed squashMergeAllowed viewerPermission
    mergeQueue(branch: $branch) { url }
    pullRequest(number: $number) {
      id headRefOid mergeStateStatus isInMergeQueue merged
      autoMergeRequest { commitHeadline commitBody mergeMethod enabledBy { __typename login } }
      mergeCommit { oid message }
    }
  }
}
"""


@pytest.fixture
def stub() -> Iterator[GitHubStub]:
    with world(port=0) as running:
        yield running
    for exchange in answered(running):
        check(exchange)
    for document in running.graphql_documents:
        assert graphql_problems(document) == [], document


def client(stub: GitHubStub) -> Github:
    return Github(
        auth=Auth.Token(TOKEN),
        base_url=stub.url,
        retry=None,
        seconds_between_requests=0,
        seconds_between_writes=0,
    )


def pull(stub: GitHubStub, number: int = 7) -> PullRequest:
    return client(stub).get_repo(REPO).get_pull(number)


def state(stub: GitHubStub, number: int = 7, branch: str = "main") -> dict[str, Any]:
    variables = {"owner": "octo-org", "name": "widgets", "number": number, "branch": branch}
    _, data = client(stub).requester.graphql_query(QUERY, variables)
    repository: dict[str, Any] = data["data"]["repository"]
    return repository


def enable(pr: PullRequest) -> dict[str, Any]:
    """Auto-merge pinned to the head `pr` was read at."""
    return pr.enable_automerge(
        merge_method="SQUASH",
        commit_headline=HEADLINE,
        commit_body=BODY,
        expected_head_oid=pr.head.sha,
    )


def refusal(kind: str, message: str, mutation: str) -> tuple[Any, list[str]]:
    """What to compare GitHub's refusal of `mutation` with (its locations aside)."""
    return {mutation: None}, [kind, message]


def refused(error: GithubException, mutation: str) -> tuple[Any, list[str]]:
    (only,) = error.data["errors"]
    assert only["path"] == [mutation]
    assert [set(at) for at in only["locations"]] == [{"line", "column"}]
    return error.data["data"], [only["type"], only["message"]]


def forget_the_pr(stub: GitHubStub) -> None:
    del stub.prs[(REPO, 7)]


# -- enablePullRequestAutoMerge -----------------------------------------------------------------


def test_auto_merge_stores_the_message_for_the_actions_bot(stub: GitHubStub) -> None:
    pr = pull(stub)
    assert enable(pr)["actor"]["login"] == "github-actions"  # GraphQL drops "[bot]"
    auto = pull(stub).auto_merge  # PyGithub hands the REST object over as it came
    assert (auto["enabled_by"]["login"], auto["merge_method"]) == ("github-actions[bot]", "squash")
    assert (auto["commit_title"], auto["commit_message"]) == (HEADLINE, BODY)
    request = state(stub)["pullRequest"]["autoMergeRequest"]
    assert request == {
        "commitHeadline": HEADLINE,
        "commitBody": BODY,
        "mergeMethod": "SQUASH",
        "enabledBy": {"__typename": "Bot", "login": "github-actions"},
    }
    assert [(m, p) for m, p, _ in stub.writes] == [("POST", "/graphql")]


def test_a_users_token_enables_auto_merge_as_that_user(stub: GitHubStub) -> None:
    stub.user = "alice"
    assert enable(pull(stub))["actor"]["login"] == "alice"
    enabled_by = state(stub)["pullRequest"]["autoMergeRequest"]["enabledBy"]
    assert enabled_by == {"__typename": "User", "login": "alice"}


def _clean(stub: GitHubStub) -> None:
    stub.prs[(REPO, 7)].mergeable_state = "clean"


def _unstable(stub: GitHubStub) -> None:
    stub.prs[(REPO, 7)].mergeable_state = "unstable"


def _not_allowed(stub: GitHubStub) -> None:
    stub.repo(REPO).allow_auto_merge = False


def _read_only(stub: GitHubStub) -> None:
    stub.read_only = True


def _pushed(stub: GitHubStub) -> None:
    stub.push(REPO, 7)


def _closed(stub: GitHubStub) -> None:
    stub.prs[(REPO, 7)].state = "closed"


def _draft(stub: GitHubStub) -> None:
    stub.prs[(REPO, 7)].draft = True


ENABLE_REFUSALS = [
    (_clean, "UNPROCESSABLE", "Pull request Pull request is in clean status"),
    (_unstable, "UNPROCESSABLE", "Pull request Pull request is in unstable status"),
    (_not_allowed, "UNPROCESSABLE", "Auto merge is not allowed for this repository"),
    (_read_only, "FORBIDDEN", "Resource not accessible by integration"),
    (_pushed, "UNPROCESSABLE", "Head branch was modified. Review and try the merge again."),
    (_closed, "UNPROCESSABLE", graphql.WRONG_STATE),
    (_draft, "UNPROCESSABLE", graphql.WRONG_STATE),
    (forget_the_pr, "NOT_FOUND", "Could not resolve to a node with the global id of '{id}'"),
]


@pytest.mark.parametrize(("prepare", "kind", "message"), ENABLE_REFUSALS)
def test_enabling_auto_merge_is_refused_as_github_refuses_it(
    stub: GitHubStub, prepare: Any, kind: str, message: str
) -> None:
    pr = pull(stub)
    prepare(stub)
    with pytest.raises(GithubException) as raised:
        enable(pr)
    wanted = refusal(kind, message.format(id=pr.node_id), "enablePullRequestAutoMerge")
    assert refused(raised.value, "enablePullRequestAutoMerge") == wanted
    assert raised.value.status == (404 if kind == "NOT_FOUND" else 400)  # PyGithub's mapping


# -- disablePullRequestAutoMerge, pushes and GitHub merging -------------------------------------


def test_disabling_auto_merge_clears_it(stub: GitHubStub) -> None:
    pr = pull(stub)
    enable(pr)
    pr.disable_automerge()
    assert pull(stub).auto_merge is None
    assert state(stub)["pullRequest"]["autoMergeRequest"] is None


@pytest.mark.parametrize(
    ("prepare", "kind", "message"), [row for row in ENABLE_REFUSALS if row[1] != "UNPROCESSABLE"]
)
def test_disabling_auto_merge_is_refused_as_github_refuses_it(
    stub: GitHubStub, prepare: Any, kind: str, message: str
) -> None:
    pr = pull(stub)
    prepare(stub)
    with pytest.raises(GithubException) as raised:
        pr.disable_automerge()
    wanted = refusal(kind, message.format(id=pr.node_id), "disablePullRequestAutoMerge")
    assert refused(raised.value, "disablePullRequestAutoMerge") == wanted


def test_a_writers_push_keeps_auto_merge_and_github_merges_with_its_message(
    stub: GitHubStub,
) -> None:
    enable(pull(stub))
    head = stub.push(REPO, 7)
    assert pull(stub).head.sha == head and pull(stub).auto_merge is not None
    sha = stub.complete_auto_merge(REPO, 7)
    merged = pull(stub)
    assert (merged.merged, merged.state, merged.merge_commit_sha) == (True, "closed", sha)
    assert merged.merged_by.login == "github-actions[bot]"
    message = client(stub).get_repo(REPO).get_commit(sha).commit.message
    assert message == f"{HEADLINE}\n\n{BODY}"
    assert state(stub)["pullRequest"]["mergeCommit"] == {"oid": sha, "message": message}


def test_someone_elses_push_drops_auto_merge(stub: GitHubStub) -> None:
    enable(pull(stub))
    stub.push(REPO, 7, "f" * 40, writer=False)
    assert pull(stub).auto_merge is None
    with pytest.raises(ValueError, match="no auto-merge request"):
        stub.complete_auto_merge(REPO, 7)


# -- merging now, editing, reading commits (REST) -----------------------------------------------


def test_merging_now_stores_the_squash_commit(stub: GitHubStub) -> None:
    pr = pull(stub)
    status = pr.merge(
        commit_title=HEADLINE, commit_message=BODY, merge_method="squash", sha=pr.head.sha
    )
    assert (status.merged, status.message) == (True, "Pull Request successfully merged")
    assert pull(stub).merge_commit_sha == status.sha and pull(stub).merged
    assert client(stub).get_repo(REPO).get_commit(status.sha).commit.message == (
        f"{HEADLINE}\n\n{BODY}"
    )
    assert [(m, p) for m, p, _ in stub.writes] == [("PUT", f"/repos/{REPO}/pulls/7/merge")]


def test_a_title_alone_gets_githubs_default_message(stub: GitHubStub) -> None:
    status = pull(stub).merge(commit_title=HEADLINE, merge_method="squash")
    commits = "\n\n".join(f"* {c.message}" for c in SMALL.commits)
    assert client(stub).get_repo(REPO).get_commit(status.sha).commit.message == (
        f"{HEADLINE}\n\n{commits}"
    )


def _conflicting(stub: GitHubStub) -> None:
    stub.prs[(REPO, 7)].mergeable = False


MERGE_REFUSALS = [
    (_conflicting, 405, routes.NOT_MERGEABLE),
    (_closed, 405, routes.NOT_MERGEABLE),
    (_pushed, 409, "Head branch was modified. Review and try the merge again."),
    (_read_only, 403, "Resource not accessible by integration"),
]


@pytest.mark.parametrize(("prepare", "status", "message"), MERGE_REFUSALS)
def test_merging_now_is_refused_as_github_refuses_it(
    stub: GitHubStub, prepare: Any, status: int, message: str
) -> None:
    pr = pull(stub)
    prepare(stub)
    with pytest.raises(GithubException) as raised:
        pr.merge(commit_title=HEADLINE, merge_method="squash", sha=pr.head.sha)
    assert (raised.value.status, raised.value.data["message"]) == (status, message)
    doc = "https://docs.github.com/rest/pulls/pulls#merge-a-pull-request"
    assert raised.value.data["documentation_url"] == doc


def test_editing_the_body_changes_the_pull_request(stub: GitHubStub) -> None:
    pull(stub).edit(body="Retries three times.")
    assert pull(stub).body == "Retries three times."
    stub.read_only = True
    with pytest.raises(GithubException) as raised:
        pull(stub).edit(title="Nope")
    assert raised.value.status == 403 and pull(stub).title == SMALL.title


def test_a_commit_is_read_by_sha_and_an_unknown_one_is_refused(stub: GitHubStub) -> None:
    repo = client(stub).get_repo(REPO)
    assert repo.get_commit(SMALL.commits[1].sha).commit.message == SMALL.commits[1].message
    with pytest.raises(GithubException) as raised:
        repo.get_commit("0" * 40)
    assert raised.value.status == 422
    assert raised.value.data["message"] == f"No commit found for SHA: {'0' * 40}"


# -- what a pull request and its repository say -------------------------------------------------


def test_each_pull_request_carries_its_own_merge_state(stub: GitHubStub) -> None:
    stub.prs[(REPO, 8)].mergeable, stub.prs[(REPO, 8)].mergeable_state = False, "dirty"
    seven, eight = pull(stub), pull(stub, 8)
    assert seven.node_id != eight.node_id and seven.node_id.startswith("PR_kwDO")
    assert (seven.mergeable, seven.mergeable_state) == (True, "blocked")
    assert seven.auto_merge is None
    assert (eight.mergeable, eight.mergeable_state, eight.merged) == (False, "dirty", False)


def test_graphql_reports_the_repositorys_settings_and_the_pull_request(stub: GitHubStub) -> None:
    stub.repo(REPO).merge_queue_branches = ("main",)
    repository = state(stub)
    assert repository == {
        "autoMergeAllowed": True,
        "squashMergeAllowed": True,
        "viewerPermission": "WRITE",
        "mergeQueue": {"url": f"https://github.com/{REPO}/queue/main"},
        "pullRequest": {
            "id": pull(stub).node_id,
            "headRefOid": SMALL.head_sha,
            "mergeStateStatus": "BLOCKED",
            "isInMergeQueue": False,
            "merged": False,
            "autoMergeRequest": None,
            "mergeCommit": None,
        },
    }
    assert state(stub, branch="release")["mergeQueue"] is None
    assert stub.writes == []  # GraphQL queries are reads


def test_an_unknown_pull_request_is_not_found(stub: GitHubStub) -> None:
    with pytest.raises(GithubException) as raised:
        state(stub, number=404)
    assert raised.value.status == 404  # PyGithub's mapping of NOT_FOUND
    assert raised.value.data["errors"][0]["message"] == (
        "Could not resolve to a PullRequest with the number of 404."
    )


def test_graphql_follows_a_ghes_base_url() -> None:
    pr = StubPR(REPO, 7, "Retry uploads", "alice")
    with GitHubStub(prs=[pr], port=0, prefix="/api/v3", token=TOKEN) as stub:
        enable(client(stub).get_repo(REPO).get_pull(7))
    assert [(m, p) for m, p, _ in stub.writes] == [("POST", "/api/graphql")]
    assert pr.auto_merge is not None and pr.auto_merge.commit_title == HEADLINE
