"""`commit-polish eval --repo --last N`, `--jobs N` and the progress output, on real git repos."""

from __future__ import annotations

import io
import json
import os
import subprocess
import threading
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest

from commit_polish import localgit
from commit_polish.cli import main
from commit_polish.evaluation import repo as evalrepo
from commit_polish.evaluation import report as evalreport
from commit_polish.evaluation.cases import Case, case_from_record, load_cases, read_results
from commit_polish.evaluation.progress import Progress
from commit_polish.evaluation.run import open_out, run_cases
from commit_polish.records import Attempt, ChatMessage, Completion
from commit_polish.serve.server import free_port
from tests.support.evalcli import out_rows, run_eval
from tests.support.paths import FIXTURES

ADA = "Ada <ada@example.com>"
DEPENDABOT = "dependabot[bot] <49699333+dependabot[bot]@users.noreply.github.com>"
FIX_BODY = """\
* handle an empty file

Signed-off-by: Ada <ada@example.com>

* test it

---------

Co-authored-by: Bob <bob@example.com>
Co-authored-by: Cy <cy@example.com>
"""


class Repo:
    """A throwaway repository; every commit a minute after the last, at UTC+02:00."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.minute = 0
        path.mkdir()
        self.git("init", "-q", "-b", "main")

    def git(self, *args: str, author: str = ADA) -> str:
        name, email = author[:-1].split(" <")
        date = f"2026-01-02T03:{self.minute:02d}:00+02:00"
        done = subprocess.run(
            ["git", "-C", str(self.path), "-c", f"user.name={name}", "-c", f"user.email={email}"]
            + list(args),
            check=True,
            capture_output=True,
            env={**os.environ, "GIT_AUTHOR_DATE": date, "GIT_COMMITTER_DATE": date},
        )
        return done.stdout.decode()

    def commit(self, message: str, files: dict[str, str] | None = None, author: str = ADA) -> None:
        self.minute += 1
        for name, text in (files or {}).items():
            (self.path / name).write_text(text)
        self.git("add", "-A")
        self.git("commit", "-q", "--allow-empty", "-m", message, author=author)


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Repo]:
    # A user's diff settings must not change the diffs: the cases are `git diff -M` as is.
    config = tmp_path / "gitconfig"
    config.write_text("[diff]\n\tnoprefix = true\n\tcontext = 8\n[color]\n\tui = always\n")
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(config))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    made = Repo(tmp_path / "shop")
    for n in range(22):
        made.commit(f"Start {n}", {"notes.txt": f"step {n}\n"})
    made.commit("Add the parser (#1)\n\nParse orders from text.\n", {"parser.py": "A = 1\n"})
    lines = "".join(f"line {n}\n" for n in range(12))
    made.commit(
        f"fix: handle empty input (#2)\n\n{FIX_BODY}",
        {"parser.py": "A = 2\n", "orders.txt": lines},
    )
    made.commit("Bump lodash from 1.0.0 to 1.0.1 (#3)", {"deps.txt": "1.0.1\n"}, DEPENDABOT)
    made.commit("Release 1.2.3 (#4)", {"VERSION": "1.2.3\n"})
    made.git("checkout", "-q", "-b", "side")
    made.commit("Side work", {"side.txt": "side\n"})
    made.git("checkout", "-q", "main")
    made.minute += 1
    made.git("merge", "-q", "--no-ff", "-m", "Merge the side branch (#5)", "side")
    made.commit("Tidy up the readme", {"README": "shop\n"})
    made.commit("chore(release): 1.3.0 (#6)", {"VERSION": "1.3.0\n"})
    made.commit("Record nothing (#8)")
    (made.path / "orders.txt").unlink()
    made.commit(
        "feat(cli): add --verbose (#9)",
        {"parser.py": "A = 3\n", "inventory.txt": lines + "line 12\n"},
    )
    yield made


def _subjects(repo: Repo, ref: str) -> list[str]:
    log = repo.git("log", "--first-parent", "--no-merges", "--format=%s", ref)
    return log.splitlines()


def _id(repo: Repo, subject: str) -> str:
    log = repo.git("log", "--format=%H %s").splitlines()
    return f"{repo.path.name}@" + next(line[:12] for line in log if line[41:] == subject)


def _plain_diff(repo: Repo, parent: str, sha: str) -> str:
    # What the data set's README promises, under a clean configuration.
    done = subprocess.run(
        ["git", "-C", str(repo.path), "diff", "-M", parent, sha],
        check=True,
        capture_output=True,
        env={**os.environ, "GIT_CONFIG_GLOBAL": os.devnull},
    )
    return done.stdout.decode()


def test_repo_cases_are_the_squashed_prs_a_person_wrote(repo: Repo) -> None:
    built = evalrepo.records(repo.path, last=10)
    assert [r["subject_raw"] for r in built] == [
        "feat(cli): add --verbose (#9)",
        "Record nothing (#8)",
        "fix: handle empty input (#2)",
        "Add the parser (#1)",
    ]
    shas = repo.git("log", "--first-parent", "--format=%H").split()
    for record in built:
        assert record["id"] == f"shop@{record['sha'][:12]}" and record["repo"] == "shop"
        assert record["parent"] == shas[shas.index(record["sha"]) + 1]
        assert record["diff"] == _plain_diff(repo, record["parent"], record["sha"])
        assert record["diff_bytes"] == len(record["diff"].encode())
        assert record["date"].endswith("+02:00") and record["date"].startswith("2026-01-02T03:")
        # The subjects before it on the main line, merges and side branches left out.
        assert record["history"] == _subjects(repo, f"{record['sha']}~1")[:20]

    feat, empty, fix, first = built
    assert feat["subject"] == "feat(cli): add --verbose" and feat["pr"] == 9
    assert (feat["style"], feat["body_kind"], feat["body"], feat["trailers"]) == (
        "conventional",
        "empty",
        "",
        [],
    )
    # A rename with one line added: git's -M pairs the deleted and the new file.
    assert "rename from orders.txt\nrename to inventory.txt" in feat["diff"]
    assert (feat["files_changed"], feat["additions"], feat["deletions"]) == (2, 2, 1)
    assert feat["history"][:4] == [
        "Record nothing (#8)",
        "chore(release): 1.3.0 (#6)",
        "Tidy up the readme",
        "Release 1.2.3 (#4)",
    ]
    assert (
        "Side work" not in feat["history"] and "Merge the side branch (#5)" not in feat["history"]
    )

    assert empty["diff"] == "" and empty["files_changed"] == 0 and empty["size_bucket"] == "small"

    assert fix["subject"] == "fix: handle empty input" and fix["pr"] == 2
    assert fix["body"] == "* handle an empty file\n\n* test it"
    assert fix["body_kind"] == "commit_list" and fix["style"] == "conventional"
    assert fix["trailers"] == [
        "Signed-off-by: Ada <ada@example.com>",
        "Co-authored-by: Bob <bob@example.com>",
        "Co-authored-by: Cy <cy@example.com>",
    ]
    assert (fix["files_changed"], fix["additions"], fix["deletions"]) == (2, 13, 1)

    assert first["style"] == "plain" and first["body"] == "Parse orders from text."
    assert first["body_kind"] == "prose"
    # Twenty subjects at most, newest first, though 22 commits came before it.
    assert first["history"] == [f"Start {n}" for n in range(21, 1, -1)]

    # The files' own history: the first-parent commits before it that touched its paths,
    # the renamed file's old name too; none for a PR that only adds files or changes none.
    assert feat["path_history"] == [
        {"subject": "fix: handle empty input (#2)", "files": ["orders.txt", "parser.py"]},
        {"subject": "Add the parser (#1)", "files": ["parser.py"]},
    ]
    assert empty["path_history"] == [] and first["path_history"] == []
    assert fix["path_history"] == [{"subject": "Add the parser (#1)", "files": ["parser.py"]}]
    # No `refs/pull/N/head` in this clone: no PR's own commits.
    assert all(record["pr_commits"] is None for record in built)


def test_last_counts_only_picked_commits_and_a_longer_read_finds_the_same(
    repo: Repo, monkeypatch: pytest.MonkeyPatch
) -> None:
    expected = evalrepo.records(repo.path, last=3)
    assert [r["pr"] for r in expected] == [9, 8, 2]
    logs: list[tuple[str, ...]] = []
    real_git = localgit.git

    def counting(path: Path, *args: str, fix: str = "") -> bytes:
        if args[0] == "log":
            logs.append(args)
        return real_git(path, *args, fix=fix)

    # Too short a first read for the oldest pick's 20 history subjects: the log is read again.
    monkeypatch.setattr(evalrepo, "READ_AHEAD", 1)
    monkeypatch.setattr(localgit, "git", counting)
    assert evalrepo.records(repo.path, last=3) == expected
    reads = [a for a in logs if "--first-parent" in a and "--no-merges" in a]
    assert [a[-4] for a in reads] == ["-n26", "-n104"]
    # Then one `log -p` for the diffs, and one read of its files' history per PR that
    # changes a file (#8 changes none); no PR head is fetched here, so no commits are read.
    others = [a for a in logs if a not in reads]
    assert len(others) == 3 and sum("--name-only" in a for a in others) == 2


def test_every_commit_makes_a_case_of_each_commit_a_person_wrote(
    repo: Repo, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    built = evalrepo.records(repo.path, last=7, every_commit=True)
    # Direct commits join the squash-merged PRs; merges, bots and releases stay out.
    assert [(r["subject_raw"], r["pr"]) for r in built] == [
        ("feat(cli): add --verbose (#9)", 9),
        ("Record nothing (#8)", 8),
        ("Tidy up the readme", 0),
        ("fix: handle empty input (#2)", 2),
        ("Add the parser (#1)", 1),
        ("Start 21", 0),
        ("Start 20", 0),
    ]
    tidy = built[2]
    assert tidy["subject"] == "Tidy up the readme" and tidy["style"] == "plain"
    assert tidy["diff"] == _plain_diff(repo, tidy["parent"], tidy["sha"])
    assert tidy["history"][:2] == ["Release 1.2.3 (#4)", "Bump lodash from 1.0.0 to 1.0.1 (#3)"]
    assert tidy["pr_commits"] is None
    # A PR's case is the same record either way.
    squashed = {r["sha"]: r for r in evalrepo.records(repo.path, last=10)}
    assert all(r == squashed[r["sha"]] for r in built if r["pr"])

    # Through the CLI: the note about missing PR heads counts the PRs, not the commits made
    # directly, which have no PR's commits to miss.
    out = tmp_path / "every.jsonl"
    args = ("--repo", str(repo.path), "--every-commit", "--last", "4", "--dry-run")
    code, _, err = run_eval(capsys, *args, "--out", str(out))
    assert code == 0, err
    assert [row["id"] for row in out_rows(out)] == [r["id"] for r in built[:4]]
    assert "3 of 3 PR(s) have no refs/pull/N/head" in err
    dead = ("--api-base", f"http://127.0.0.1:{free_port()}/v1")
    code, text, err = run_eval(capsys, *args[:-1], *dead, "--out", str(tmp_path / "real.jsonl"))
    assert code == 0, err
    assert "3 of 3 PR(s) have no refs/pull/N/head" in text and text.startswith("group")


@pytest.fixture
def pulls(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Repo:
    """Three squash-merged PRs: #2's head fetched, #1's not, #3's pointing before its base."""
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(tmp_path / "gitconfig"))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    made = Repo(tmp_path / "app")
    made.commit("Start", {"app.py": "A = 0\n"})
    made.commit("Add the app (#1)", {"app.py": "A = 1\n", "README": "app\n"})
    made.git("checkout", "-q", "-b", "pr2")
    made.commit("wip", {"app.py": "A = 2\n"})
    made.git("checkout", "-q", "main")
    made.commit("Document the app", {"README": "app, documented\n"})
    made.git("checkout", "-q", "pr2")
    made.git("merge", "-q", "--no-ff", "-m", "Merge branch 'main' into pr2", "main")
    made.commit(
        "Handle a zero\n\nA zero crashed the app.\n\nCo-authored-by: Bob <bob@example.com>\n",
        {"app.py": "A = 2 or 3\n"},
    )
    made.git("checkout", "-q", "main")
    made.git("merge", "-q", "--squash", "pr2")
    made.commit("Handle a zero in the app (#2)")
    made.git("update-ref", "refs/pull/2/head", "pr2")
    made.git("update-ref", "refs/pull/2/merge", "main")
    made.commit("Tidy the app (#3)", {"app.py": "A = 3\n"})
    # A head rewritten after the merge, back onto the base: its range is empty.
    made.git("update-ref", "refs/pull/3/head", "HEAD~1")
    return made


def test_repo_cases_read_a_prs_own_commits_from_its_fetched_head(pulls: Repo) -> None:
    third, second, first = evalrepo.records(pulls.path, last=5)
    assert [r["pr"] for r in (third, second, first)] == [3, 2, 1]
    # Oldest first, each whole, the merge of main left out: what GitHub lists for the PR.
    assert second["pr_commits"] == [
        {"subject": "wip", "body": ""},
        {
            "subject": "Handle a zero",
            "body": "A zero crashed the app.\n\nCo-authored-by: Bob <bob@example.com>",
        },
    ]
    assert second["path_history"] == [
        {"subject": "Add the app (#1)", "files": ["app.py"]},
        {"subject": "Start", "files": ["app.py"]},
    ]
    # No head fetched (#1), or one whose range is not the PR's own (#3): the diff alone.
    assert first["pr_commits"] is None and third["pr_commits"] is None
    assert [e["subject"] for e in third["path_history"]][:1] == ["Handle a zero in the app (#2)"]
    case = case_from_record(second)
    assert case.commit_messages == (
        "wip",
        "Handle a zero\n\nA zero crashed the app.\n\nCo-authored-by: Bob <bob@example.com>",
    )
    assert case.path_history[0].subject == "Add the app (#1)"


def test_pr_commits_keep_the_data_sets_limits(pulls: Repo, monkeypatch: pytest.MonkeyPatch) -> None:
    parent = pulls.git("rev-parse", "main~2").strip()
    monkeypatch.setattr(evalrepo, "PR_COMMITS", 1)
    monkeypatch.setattr(evalrepo, "COMMIT_BODY", 6)
    assert evalrepo.pr_commits(pulls.path, parent, "pr2") == [{"subject": "wip", "body": ""}]
    monkeypatch.setattr(evalrepo, "PR_COMMITS", 2)
    kept = evalrepo.pr_commits(pulls.path, parent, "pr2")
    assert kept is not None and kept[1]["body"] == "A zero"
    # More commits than GitHub lists for one PR: not the PR's own.
    monkeypatch.setattr(evalrepo, "GITHUB_PR_COMMITS", 1)
    assert evalrepo.pr_commits(pulls.path, parent, "pr2") is None
    assert evalrepo.pr_commits(pulls.path, parent, "no-such-ref") is None
    assert evalrepo.pr_commits(pulls.path, parent, None) is None


def test_eval_repo_gives_the_pipeline_the_prs_commits_and_says_which_had_none(
    pulls: Repo, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "prompts.jsonl"
    args = ("--repo", str(pulls.path), "--dry-run", "--out", str(out))
    code, _, err = run_eval(capsys, *args)
    assert code == 0, err
    rows = {row["id"]: row for row in out_rows(out)}
    second = rows[_id(pulls, "Handle a zero in the app (#2)")]
    assert second["commits"] == 2
    assert "Handle a zero" in second["messages"][-1]["content"]
    assert [row["commits"] for row in rows.values()].count(0) == 2
    fetch = "git fetch origin '+refs/pull/*/head:refs/pull/*/head'"
    assert "2 of 3 PR(s) have no refs/pull/N/head" in err and fetch in err
    # A real run says it once, at the end of the summary, and in --json.
    dead = f"http://127.0.0.1:{free_port()}/v1"
    real = ("--repo", str(pulls.path), "--api-base", dead, "--by", "commits")
    code, text, err = run_eval(capsys, *real, "--out", str(tmp_path / "out.jsonl"))
    assert code == 0, err
    assert text.count("refs/pull/N/head") == 1 and text.rstrip().endswith(
        f"`{fetch}` in the clone first."
    )
    code, as_json, err = run_eval(capsys, *real, "--out", str(tmp_path / "out.jsonl"), "--json")
    assert code == 0, err
    summary = json.loads(as_json)
    assert summary["note"].startswith("2 of 3 PR(s)")
    assert summary["groups"]["all"]["github_n"] == 1
    assert summary["groups"]["2+ commits"]["n"] == 1
    # Measured on the diff alone (--diff-only), the commits were not missed.
    code, _, err = run_eval(capsys, *args[:-1], str(tmp_path / "d.jsonl"), "--diff-only")
    assert code == 0 and "refs/pull" not in err


@pytest.mark.parametrize(
    ("subject", "author", "picked"),
    [
        ("Add a cart (#12)", ADA, True),
        ("Add a cart (#12) (#12)", ADA, True),
        ("Add a cart (#12)", "renovate[bot] <bot@renovateapp.com>", False),
        ("Add a cart (#12)", "Dependabot <support@dependabot.com>", False),
        ("Add a cart", ADA, False),
        ("Add a cart (#12) now", ADA, False),
        ("v1.2.3 (#12)", ADA, False),
        ("Version 0.7.7 (#12)", ADA, False),
        ("Bump version to 2.0 (#12)", ADA, False),
        ("chore(release): 2.0.0 (#12)", ADA, False),
        ("chore(main): release 2.0.0 (#12)", ADA, False),
        ("chore(deps): bump x from 1 to 2 (#12)", ADA, False),
        ("Release notes for the cart (#12)", ADA, True),
    ],
)
def test_which_commits_are_cases(subject: str, author: str, picked: bool) -> None:
    commit = evalrepo.Commit("f" * 40, ("e" * 40,), author, "2026-01-01T00:00:00+00:00", subject)
    assert (evalrepo.squash_pr(commit) is not None) is picked
    merge = evalrepo.Commit("f" * 40, ("e" * 40, "d" * 40), ADA, "", "Add a cart (#12)")
    assert evalrepo.squash_pr(merge) is None
    assert evalrepo.written_commit(merge) is None


@pytest.mark.parametrize(
    ("subject", "author", "written"),
    [
        ("Add a cart (#12)", ADA, ("Add a cart", 12)),
        ("Add a cart", ADA, ("Add a cart", 0)),
        ("Add a cart (#12) now", ADA, ("Add a cart (#12) now", 0)),
        ("fix(cart): round prices", ADA, ("fix(cart): round prices", 0)),
        ("Add a cart", "renovate[bot] <bot@renovateapp.com>", None),
        ("v1.2.3", ADA, None),
        ("Release 2.0.1", ADA, None),
        ("chore(deps): bump x from 1 to 2", ADA, None),
        ("   ", ADA, None),
    ],
)
def test_which_commits_every_commit_takes(
    subject: str, author: str, written: tuple[str, int] | None
) -> None:
    commit = evalrepo.Commit("f" * 40, ("e" * 40,), author, "2026-01-01T00:00:00+00:00", subject)
    assert evalrepo.written_commit(commit) == written


def test_eval_repo_dry_run_in_parallel_writes_the_same_prompts_and_one_line_per_case(
    repo: Repo, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    outs = {jobs: tmp_path / f"jobs{jobs}.jsonl" for jobs in (1, 2)}
    errs = {}
    for jobs, out in outs.items():
        args = ("--repo", str(repo.path), "--last", "3", "--dry-run", "--out", str(out))
        code, _, errs[jobs] = run_eval(capsys, *args, "--jobs", str(jobs))
        assert code == 0, errs[jobs]
    sequential, parallel = (out_rows(out) for out in outs.values())
    ids = [
        _id(repo, f"{subject} (#{pr})")
        for subject, pr in (
            ("feat(cli): add --verbose", 9),
            ("Record nothing", 8),
            ("fix: handle empty input", 2),
        )
    ]
    assert [row["id"] for row in sequential] == ids
    assert sorted(parallel, key=lambda r: r["id"]) == sorted(sequential, key=lambda r: r["id"])
    feat = sequential[0]
    assert "inventory.txt" in feat["messages"][1]["content"] and feat["prompt_tokens"] > 0
    # The empty commit cannot be described: recorded with why, the run goes on.
    assert sequential[1]["messages"] == [] and "empty" in sequential[1]["error"].lower()
    assert "crashed" not in sequential[1]
    # Not a terminal here: one plain line per case, `n/N id seconds`, then the summary.
    lines = errs[1].splitlines()
    assert [line.split()[:2] for line in lines[:3]] == [
        ["1/3", ids[0]],
        ["2/3", ids[1]],
        ["3/3", ids[2]],
    ]
    assert lines[0].split()[3:] == ["s", str(feat["prompt_tokens"]), "prompt", "tokens"]
    assert lines[1].split()[3] == "s" and "error:" in lines[1]
    assert lines[3] == "commit-polish: 3 cases run, 0 already in --out"
    assert sorted(line.split()[1] for line in errs[2].splitlines()[:3]) == sorted(ids)


def test_eval_repo_with_no_model_answering_records_fallbacks_and_the_same_table_in_parallel(
    repo: Repo, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    dead = f"http://127.0.0.1:{free_port()}/v1"
    tables = {}
    for jobs in (1, 2):
        out = tmp_path / f"jobs{jobs}.jsonl"
        args = ("--repo", str(repo.path), "--api-base", dead, "--json", "--by", "style")
        code, stdout, err = run_eval(capsys, *args, "--out", str(out), "--jobs", str(jobs))
        assert code == 0, err
        rows = {row["id"]: row for row in out_rows(out)}
        assert len(rows) == 4
        for row in rows.values():
            assert row["fallback_used"] is True and row["from_model"] is False
            if row.get("error") is None:
                assert row["message"] and row["attempts"][-1][1] == "connection"
        assert sum("error" in row for row in rows.values()) == 1
        groups = json.loads(stdout)["groups"]
        for group in groups.values():
            group.pop("median_seconds")
        tables[jobs] = groups
    assert tables[1] == tables[2]
    assert tables[1]["all"]["n"] == 4 and tables[1]["all"]["fallback"] == 4
    assert tables[1]["conventional"]["n"] == 2 and tables[1]["plain"]["n"] == 2


def test_last_without_repo_and_a_repo_without_prs_are_errors(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], repo: Repo
) -> None:
    sample = str(FIXTURES / "eval_sample.jsonl")
    code, _, err = run_eval(capsys, "--dataset", sample, "--last", "2", "--dry-run")
    assert code == 2 and "--last needs --repo" in err
    code, _, err = run_eval(capsys, "--dataset", sample, "--every-commit", "--dry-run")
    assert code == 2 and "--every-commit needs --repo" in err
    bare = Repo(tmp_path / "bare")
    bare.commit("Start", {"a": "a\n"})
    code, _, err = run_eval(capsys, "--repo", str(bare.path), "--dry-run")
    assert code == 3 and "no squash-merged PR commit" in err
    bot_only = Repo(tmp_path / "bots")
    bot_only.commit("Bump a from 1 to 2", {"a": "2\n"}, DEPENDABOT)
    code, _, err = run_eval(capsys, "--repo", str(bot_only.path), "--every-commit", "--dry-run")
    assert code == 3 and "no commit a person wrote" in err
    code, _, err = run_eval(capsys, "--repo", str(tmp_path / "nowhere"), "--dry-run")
    assert code == 3 and "git rev-parse" in err
    with pytest.raises(SystemExit):
        main(["eval", "--repo", str(repo.path), "--jobs", "0"])
    assert "at least 1" in capsys.readouterr().err


SAMPLE = load_cases(FIXTURES / "eval_sample.jsonl")


def _answer(case: Case, seconds: float) -> dict[str, Any]:
    text = case.reference if case.id == SAMPLE[0].id else f"Update {case.repo}"
    return {"id": case.id, "message": text, "seconds": seconds, "from_model": True}


def _first_file(case: Case) -> str:
    return next(line[6:] for line in case.diff.splitlines() if line.startswith("+++ b/"))


def _table(path: Path) -> str:
    results = read_results(path, "message")
    scores = [evalreport.score(case, results[case.id]) for case in SAMPLE]
    return evalreport.format_table(evalreport.grouped(scores, "repo"))


def test_parallel_cases_finish_out_of_order_and_score_like_sequential_ones(
    tmp_path: Path,
) -> None:
    first_may_finish = threading.Event()

    def parallel(case: Case) -> dict[str, Any]:
        # The first case ends only once the last has: possible only if they run at once.
        if case.id == SAMPLE[0].id:
            assert first_may_finish.wait(10)
        if case.id == SAMPLE[-1].id:
            first_may_finish.set()
        return _answer(case, 1.5)

    outs = {jobs: tmp_path / f"{jobs}.jsonl" for jobs in (1, 3)}
    with open_out(outs[1]) as sink:
        run_cases(SAMPLE, lambda case: _answer(case, 1.5), sink, done={})
    with open_out(outs[3]) as sink:
        ran = run_cases(SAMPLE, parallel, sink, done={}, jobs=3)
    assert ran.cases == 3
    order = [row["id"] for row in out_rows(outs[3])]
    assert sorted(order) == sorted(c.id for c in SAMPLE) and order[-1] == SAMPLE[0].id
    assert _table(outs[3]) == _table(outs[1])


def test_a_case_that_crashes_is_recorded_the_run_goes_on_and_a_rerun_retries_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    broken = SAMPLE[1]
    asked: list[str] = []

    def completer_factory(fail: bool) -> Any:
        def complete(messages: Sequence[ChatMessage], **_: object) -> Completion:
            user = messages[-1].content
            case = next(c for c in SAMPLE if _first_file(c) in user)
            asked.append(case.id)
            if fail and case is broken:
                raise RuntimeError("a bug in one case")
            return Completion("Fix the thing", "fake/model", (Attempt("fake/model", "ok", "", 0),))

        return complete

    out = tmp_path / "out.jsonl"
    args = ("--dataset", str(FIXTURES / "eval_sample.jsonl"), "--out", str(out), "--json")
    monkeypatch.setattr(
        "commit_polish.evaluation.command.make_completer", lambda _s, _env: completer_factory(True)
    )
    code, stdout, err = run_eval(capsys, *args, "--jobs", "2")
    assert code == 1 and "1 case(s) met an internal error" in err
    rows = {row["id"]: row for row in out_rows(out)}
    assert set(rows) == {c.id for c in SAMPLE}
    assert rows[broken.id]["crashed"] is True and rows[broken.id]["fallback_used"] is True
    assert rows[broken.id]["error"].startswith("RuntimeError: a bug in one case at test_repo.py:")
    answered = [rows[c.id] for c in SAMPLE if c is not broken]
    assert [(r["model"], r["from_model"], "error" in r) for r in answered] == [
        ("fake/model", True, False)
    ] * 2
    assert json.loads(stdout)["groups"]["all"]["n"] == 3

    asked.clear()
    monkeypatch.setattr(
        "commit_polish.evaluation.command.make_completer", lambda _s, _env: completer_factory(False)
    )
    code, _, err = run_eval(capsys, *args)
    assert code == 0 and "1 cases run, 2 already in --out" in err
    assert asked == [broken.id]
    retried = read_results(out, "message")[broken.id]
    assert retried["model"] == "fake/model" and "crashed" not in retried
    assert "the thing" in retried["message"].lower()


class _Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_progress_redraws_one_bar_on_a_terminal_and_writes_lines_elsewhere() -> None:
    clock, screen = _Clock(), io.StringIO()
    bar = Progress(4, screen, bar=True, clock=clock)
    clock.now = 110.0
    bar.step("shop@aaaa", 10.0)
    bar.close()
    frames = screen.getvalue().split("\r")[1:]
    assert frames[0] == "[" + "." * 24 + "] 0/4 0 s\x1b[K"
    assert frames[1] == "[" + "#" * 6 + "." * 18 + "] 1/4 10 s, ~30 s left shop@aaaa\x1b[K\n"

    log = io.StringIO()
    lines = Progress(2, log, clock=clock)
    assert lines.bar is False
    lines.step("shop@aaaa", 1.25, "fallback message (no model answered)")
    lines.step("shop@bbbb", 0.04)
    lines.close()
    assert log.getvalue() == (
        "1/2 shop@aaaa 1.2 s fallback message (no model answered)\n2/2 shop@bbbb 0.0 s\n"
    )
