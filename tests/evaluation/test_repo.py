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
from commit_polish.evaluation.cases import Case, load_cases, read_results
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
    return "shop@" + next(line[:12] for line in log if line[41:] == subject)


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
    reads = [a for a in logs if "--first-parent" in a]
    assert [a[-4] for a in reads] == ["-n26", "-n104"] and len(logs) == 3


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
    bare = Repo(tmp_path / "bare")
    bare.commit("Start", {"a": "a\n"})
    code, _, err = run_eval(capsys, "--repo", str(bare.path), "--dry-run")
    assert code == 3 and "no squash-merged PR commit" in err
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
