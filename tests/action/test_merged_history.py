"""`commit-polish eval --repo PATH --kept OWNER/NAME`: the merged check over a repository's past.

A real git repository is built here with one squash commit per case, and the GitHub stand-in
holds each pull request (merged as that commit) and its comments, ours written as the Action
writes them (marker line, then the stored message's field). No model is configured: the
command must not need one.
"""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from commit_polish.action import stored
from commit_polish.action.marker import DEFAULT, Marker
from commit_polish.cli import main
from tests.support.github_stub import GitHubStub, StubCommit, StubPR
from tests.support.github_world import TOKEN

REPO = "octo-org/widgets"
BOT = "github-actions[bot]"
HEAD = "0123456789abcdef0123456789abcdef01234567"


class Clone:
    """A throwaway repository; every commit a minute after the last."""

    def __init__(self, path: Path) -> None:
        self.path, self.minute = path, 0
        path.mkdir()
        self.git("init", "-q", "-b", "main")

    def git(self, *args: str) -> str:
        date = f"2026-01-02T03:{self.minute:02d}:00+00:00"
        env = {
            **os.environ,
            "GIT_AUTHOR_DATE": date,
            "GIT_COMMITTER_DATE": date,
            "GIT_CONFIG_GLOBAL": os.devnull,
            "GIT_CONFIG_NOSYSTEM": "1",
        }
        ident = ["-c", "user.name=Ada", "-c", "user.email=ada@example.com"]
        done = subprocess.run(
            ["git", "-C", str(self.path), *ident, *args], check=True, capture_output=True, env=env
        )
        return done.stdout.decode()

    def commit(self, message: str) -> str:
        self.minute += 1
        (self.path / "log.txt").write_text(f"{self.minute}\n")
        self.git("add", "-A")
        self.git("commit", "-q", "-m", message)
        return self.git("rev-parse", "HEAD").strip()


def posted(headline: str, body: str, mark: Marker = DEFAULT) -> str:
    """Our comment as the Action writes it: the marker line, the stored message's field, the
    visible part (which is never read back)."""
    field = stored.field(mark, stored.Written(headline, body, HEAD))
    return f"{mark.line(HEAD)}\n{field}\n\n### Suggested squash commit\n\n{headline}\n"


def merged_pr(number: int, title: str, sha: str, commits: tuple[str, ...] = ()) -> StubPR:
    return StubPR(
        REPO,
        number,
        title,
        "alice",
        commits=[StubCommit(m, "Alice", "alice@example.org", "alice") for m in commits or (title,)],
        state="closed",
        merged=True,
        merge_commit_sha=sha,
    )


@pytest.fixture
def world(tmp_path: Path) -> Iterator[tuple[Clone, GitHubStub]]:
    """One pull request per outcome, oldest first:

    #11 merged with the suggestion (an imitation posted later by someone else is ignored);
    #12 merged after an edit of the subject; #13 merged with GitHub's default (title over
    the commit list); #14 no comment at all; #15 only an imitation of ours, by another user;
    #16 GitHub refuses (a rate limit); #17 GitHub does not know it (404); #18 merged with
    another message; #19 ours, but GitHub merged it as another commit."""
    clone = Clone(tmp_path / "widgets")
    clone.commit("Start")
    shas = {
        11: clone.commit(
            "Retry uploads on reset (#11)\n\nThe uploader gave up on the first reset."
        ),
        12: clone.commit("Retry uploads when a connection resets (#12)\n\nThe uploader gave up."),
        13: clone.commit("Cap the backoff (#13)\n\n* Cap the backoff\n\n* Fix a typo"),
        14: clone.commit("Add the parser (#14)"),
        15: clone.commit("Document the parser (#15)\n\nHow to call it."),
        16: clone.commit("Fix the footer (#16)"),
        17: clone.commit("Tidy the imports (#17)"),
        18: clone.commit("Bump lodash (#18)\n\nSecurity release."),
        19: clone.commit("Speed up the cache (#19)"),
    }
    clone.commit("Tidy up without a pull request")
    prs = [
        merged_pr(11, "Retry uploads", shas[11]),
        merged_pr(12, "Retry uploads on reset", shas[12]),
        merged_pr(13, "Cap the backoff", shas[13], ("Cap the backoff", "Fix a typo")),
        merged_pr(14, "Add the parser", shas[14]),
        merged_pr(15, "Document the parser", shas[15]),
        merged_pr(16, "Fix the footer", shas[16]),
        merged_pr(18, "Update the dependencies", shas[18]),
        merged_pr(19, "Speed up the cache", "f" * 40),
    ]
    with GitHubStub(prs=prs, port=0, token=TOKEN) as stub:
        stub.add_comment(REPO, 11, "Thanks!", "bob")
        stub.add_comment(
            REPO,
            11,
            posted("Retry uploads on reset (#11)", "The uploader gave up on the first reset."),
            BOT,
        )
        # Someone copies our comment with a message of their own: it must not count.
        stub.add_comment(REPO, 11, posted("Something else entirely", "Made up."), "mallory")
        stub.add_comment(
            REPO,
            12,
            posted("Retry uploads when the connection resets", "The uploader gave up."),
            BOT,
        )
        stub.add_comment(
            REPO, 13, posted("Limit the retry backoff to 30 s", "Waits grew without bound."), BOT
        )
        # Exactly the merged message, so it would score 100 if it counted.
        stub.add_comment(
            REPO, 15, posted("Document the parser (#15)", "How to call it."), "mallory"
        )
        stub.add_comment(REPO, 16, posted("Fix the footer", ""), BOT)
        stub.add_comment(REPO, 18, posted("Retry uploads on reset", "Why."), BOT)
        stub.add_comment(REPO, 19, posted("Speed up the cache", ""), BOT)
        stub.primary_rate_limit("GET", f"/repos/{REPO}/issues/16/comments")
        yield clone, stub


def kept(
    clone: Clone, stub: GitHubStub, capsys: pytest.CaptureFixture[str], *more: str
) -> tuple[int, str, str]:
    env = {"GITHUB_TOKEN": TOKEN, "GITHUB_API_URL": stub.url}
    args = ["eval", "--repo", str(clone.path), "--last", "20", "--kept", REPO, *more]
    code = main(args, env)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_each_outcome_is_counted_and_no_model_is_needed(
    world: tuple[Clone, GitHubStub], capsys: pytest.CaptureFixture[str]
) -> None:
    clone, stub = world
    code, out, err = kept(clone, stub, capsys, "--json")
    assert code == 0, err
    report = json.loads(out)
    found = {row["pr"]: (row["found"], row.get("kept")) for row in report["prs"]}
    assert found[11] == ("suggestion", 100)
    assert found[12][0] == "edited" and 0 < found[12][1] < 100
    assert found[13][0] == "default"
    assert found[14] == found[15] == ("none", None)
    assert found[16] == found[17] == ("unreadable", None)
    assert found[18] == ("other", 0)
    assert found[19] == ("other_commit", None)
    assert [row["pr"] for row in report["prs"]] == list(range(19, 10, -1))  # newest first
    assert {key: report[key] for key in report if key not in {"prs", "merged_with"}} == {
        "repo": REPO,
        "looked_at": 9,
        "unreadable": 2,
        "no_suggestion": 2,
        "other_commit": 1,
        "with_suggestion": 4,
        "kept_mean": round((100 + found[12][1] + found[13][1] + 0) / 4, 1),
        "edited_kept_mean": float(found[12][1]),
    }
    assert report["merged_with"] == {"suggestion": 1, "default": 1, "edited": 1, "other": 1}
    # The refusals say why, per PR; the other PRs went on.
    rows = {row["pr"]: row for row in report["prs"]}
    assert "rate limit" in rows[16]["error"] and "404" in rows[17]["error"]
    assert "9/9 #11" in err and "#16" in err and "unreadable" in err
    # Read only: no write, no `GET /user`, and no pull request read where no suggestion is.
    assert stub.writes == []
    paths = [path.split("?")[0] for _, path, _ in stub.requests]
    assert f"/repos/{REPO}/pulls/14" not in paths and f"/repos/{REPO}/pulls/15" not in paths
    assert "/user" not in paths


def test_the_summary_reads_as_a_table(
    world: tuple[Clone, GitHubStub], capsys: pytest.CaptureFixture[str]
) -> None:
    clone, stub = world
    code, out, _ = kept(clone, stub, capsys)
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == (
        f"What the squash commits kept of the suggestions on {REPO}, over the last 9 "
        f"squash-merged PR(s) in {clone.path}:"
    )
    table = {line[:32].strip(): line[32:].strip() for line in lines[1:]}
    assert table["PRs looked at"] == "9"
    assert table["unreadable (GitHub refused)"] == "2"
    assert table["with no suggestion of ours"] == "2"
    assert table["not merged as this commit"] == "1  (not compared)"
    assert table["with a suggestion"] == "4"
    assert table["merged with it exactly"] == "1"
    assert table["with GitHub's default"] == "1"
    assert table["after edits"].startswith("1  (") and table["after edits"].endswith(
        "% kept, mean)"
    )
    assert table["with another message"] == "1"
    assert table["kept, mean of the 4"].endswith("%")


def test_another_installations_marker_and_login_are_named_with_flags(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    clone = Clone(tmp_path / "docs")
    clone.commit("Start")
    sha = clone.commit("Explain the setup (#3)")
    mark = Marker("commit-polish-docs")
    with GitHubStub(prs=[merged_pr(3, "Explain the setup", sha)], port=0, token=TOKEN) as stub:
        stub.add_comment(REPO, 3, posted("Explain the setup (#3)", "", mark), "docs-app[bot]")
        code, out, _ = kept(clone, stub, capsys, "--json")
        assert code == 0 and json.loads(out)["no_suggestion"] == 1
        more = ("--json", "--marker", mark.name, "--bot-login", "Docs-App[bot]")
        code, out, _ = kept(clone, stub, capsys, *more)
        assert code == 0 and json.loads(out)["merged_with"]["suggestion"] == 1


def test_no_token_is_a_configuration_error_naming_the_variable(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    clone = Clone(tmp_path / "widgets")
    clone.commit("Explain the setup (#3)")
    code = main(["eval", "--repo", str(clone.path), "--kept", REPO], {})
    err = capsys.readouterr().err
    assert code == 2
    assert "GITHUB_TOKEN is not set" in err and "Fix: export GITHUB_TOKEN" in err


def test_a_rejected_token_stops_at_the_first_request(
    world: tuple[Clone, GitHubStub], capsys: pytest.CaptureFixture[str]
) -> None:
    clone, stub = world
    env = {"GITHUB_TOKEN": "ghs_" + "x" * 36, "GITHUB_API_URL": stub.url}
    code = main(["eval", "--repo", str(clone.path), "--kept", REPO], env)
    err = capsys.readouterr().err
    assert code == 2 and "GITHUB_TOKEN: GitHub rejected the token (401)" in err
    assert len(stub.requests) == 1


@pytest.mark.parametrize(
    ("argv", "says"),
    [
        (["--kept", REPO, "--dataset", "x.jsonl"], "--kept needs --repo"),
        (["--repo", ".", "--kept", REPO, "--out", "x.jsonl"], "--out does not apply"),
        (["--repo", ".", "--kept", REPO, "--api-base", "http://x/v1"], "--api-base does not apply"),
        (["--repo", ".", "--kept", REPO, "--every-commit"], "--every-commit does not apply"),
        (["--repo", ".", "--kept", "widgets"], "is not a GitHub repository's OWNER/NAME"),
        (["--repo", ".", "--kept", REPO, "--marker", "no spaces"], "--marker: "),
        (["--repo", ".", "--marker", "docs", "--out", "x.jsonl"], "--marker needs --kept"),
    ],
)
def test_flags_that_do_not_go_with_kept_are_refused(
    argv: list[str], says: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["eval", *argv], {"GITHUB_TOKEN": TOKEN})
    assert code == 2 and says in capsys.readouterr().err
