from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from commit_polish import localgit
from commit_polish.errors import InputError


def git(repo: Path, *args: str, author: str = "Ada <ada@example.com>") -> None:
    name, email = author[:-1].split(" <")
    subprocess.run(
        ["git", "-C", str(repo), "-c", f"user.name={name}", "-c", f"user.email={email}", *args],
        check=True,
        capture_output=True,
        env={
            "GIT_AUTHOR_DATE": "2026-01-01T00:00:00",
            "GIT_COMMITTER_DATE": "2026-01-01T00:00:00",
            "HOME": str(repo),
        },
    )


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    # The machine's own git identity must not decide who counts as a co-author.
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(tmp_path / "gitconfig"))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    repo = tmp_path / "repo"
    repo.mkdir()
    git(repo, "init", "-q", "-b", "main")
    for n in range(3):
        (repo / "app.py").write_text(f"VALUE = {n}\n")
        git(repo, "add", ".")
        git(repo, "commit", "-q", "-m", f"fix: step {n} (#{n + 1})")
    git(repo, "checkout", "-q", "-b", "feature")
    (repo / "app.py").write_text("VALUE = 42\n")
    git(repo, "commit", "-q", "-am", "Use the answer\n\nBecause it is 42.")
    (repo / "new.py").write_text("print('hi')\n")
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", "Add greeting", author="Grace <grace@example.com>")
    return repo


def test_range_reads_diff_commits_coauthors_and_base_history(repo: Path) -> None:
    diff = localgit.range_diff(repo, "main..feature").decode()
    assert "+VALUE = 42" in diff and "new file mode" in diff
    context = localgit.range_context(repo, "main..feature")
    assert context.commit_messages == ("Use the answer\n\nBecause it is 42.", "Add greeting")
    # The first commit's author is the squash author, as the PR author is on GitHub.
    assert context.co_authors == ("Grace <grace@example.com>",)
    assert context.history == ("fix: step 2 (#3)", "fix: step 1 (#2)", "fix: step 0 (#1)")


def test_who_runs_git_does_not_change_the_coauthors(repo: Path) -> None:
    git(repo, "config", "user.email", "grace@example.com")
    context = localgit.range_context(repo, "main..feature")
    assert context.co_authors == ("Grace <grace@example.com>",)


@pytest.mark.parametrize("spec", ["main", "..HEAD", "main.."])
def test_bad_range_spec(spec: str, repo: Path) -> None:
    with pytest.raises(InputError, match="BASE..HEAD"):
        localgit.range_diff(repo, spec)


def test_unknown_ref_says_what_git_said(repo: Path) -> None:
    with pytest.raises(InputError, match="git diff"):
        localgit.range_diff(repo, "nope..feature")


def test_history_outside_a_repo_is_empty(tmp_path: Path) -> None:
    assert localgit.history(tmp_path) == ()


def test_suggest_keeps_a_commit_that_fits_without_a_model(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`suggest --range` on one commit whose message already fits the branch's style: its
    words are the suggestion, no model is asked (the endpoint is dead), and stderr says so."""
    from commit_polish.cli import main
    from commit_polish.serve.server import free_port

    dead = f"http://127.0.0.1:{free_port()}/v1"
    args = ["suggest", "--range", "feature~2..feature~1", "--repo", str(repo), "--api-base", dead]
    assert main(args, {}) == 0
    out, err = capsys.readouterr()
    # The history writes `fix: ...`: the commit's plain subject takes the type it lacks.
    assert out.strip() == "fix: use the answer\n\nBecause it is 42."
    assert "own words kept (author, reformatted); no model asked" in err


def test_range_reads_the_history_of_the_changed_files(repo: Path) -> None:
    git(repo, "checkout", "-q", "main")
    (repo / "other.py").write_text("OTHER = 1\n")
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", "docs: touch another file")
    context = localgit.range_context(repo, "main..feature")
    assert [(c.subject, c.files) for c in context.path_history] == [
        (f"fix: step {n} (#{n + 1})", ("app.py",)) for n in (2, 1, 0)
    ]
    assert localgit.changed_paths(repo, "main", "feature") == ("app.py", "new.py")
    assert localgit.path_history(repo, "main", ("new.py",)) == ()  # only added: no history
    assert localgit.path_history(repo, "no-such-ref", ("app.py",)) == ()


def test_pull_heads_are_the_fetched_pr_heads_by_number(repo: Path, tmp_path: Path) -> None:
    assert localgit.pull_heads(repo) == {}
    git(repo, "update-ref", "refs/pull/12/head", "feature")
    git(repo, "update-ref", "refs/pull/12/merge", "main")  # GitHub's test merge: not a head
    git(repo, "update-ref", "refs/pull/old/head", "main")  # not a PR number
    feature = (
        subprocess.run(
            ["git", "-C", str(repo), "rev-parse", "feature"], capture_output=True, check=True
        )
        .stdout.decode()
        .strip()
    )
    assert localgit.pull_heads(repo) == {12: feature}
    assert localgit.pull_heads(tmp_path / "nowhere") == {}


def test_range_messages_are_whole_oldest_first_without_merges(repo: Path) -> None:
    git(repo, "checkout", "-q", "main")
    git(repo, "commit", "-q", "--allow-empty", "-m", "docs: on main meanwhile")
    git(repo, "checkout", "-q", "feature")
    git(repo, "merge", "-q", "--no-ff", "-m", "Merge branch 'main' into feature", "main")
    git(repo, "commit", "-q", "--allow-empty", "-m", "Tidy\n\nOne paragraph.\n\nAnother.\n")
    assert localgit.range_messages(repo, "main", "feature") == (
        "Use the answer\n\nBecause it is 42.",
        "Add greeting",
        "Tidy\n\nOne paragraph.\n\nAnother.",
    )
    assert localgit.range_messages(repo, "feature", "main") == ()
    with pytest.raises(InputError, match="git log"):
        localgit.range_messages(repo, "main", "nope")
