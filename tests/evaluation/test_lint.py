"""What a maintainer would check in `eval`'s summary: type and scope agreement, and the share
of messages (ours and the maintainers') that pass commitlint and gitlint, "n/a" without them."""

from __future__ import annotations

import importlib.util
import json
import shutil
import sys
from pathlib import Path

import pytest

from commit_polish.evaluation import lint, metrics, report
from commit_polish.evaluation.cases import Case, load_cases
from tests.support.evalcli import run_eval
from tests.support.paths import FIXTURES

SAMPLE = FIXTURES / "eval_sample.jsonl"
HAS_GITLINT = importlib.util.find_spec("gitlint") is not None
HAS_COMMITLINT = shutil.which("node") is not None and lint.node_modules_root() is not None
needs_gitlint = pytest.mark.skipif(
    not HAS_GITLINT, reason="gitlint is not installed: pip install 'gitlint-core==0.19.1'"
)
needs_commitlint = pytest.mark.skipif(
    not HAS_COMMITLINT,
    reason="commitlint is not installed: node and `npm ci` (package.json's @commitlint/*)",
)
LINTER_KEYS = ("commitlint_ours", "commitlint_maintainers", "gitlint_ours", "gitlint_maintainers")


def _case(id: str, subject: str, body: str = "") -> Case:
    style = "conventional" if metrics.commit_type(subject) else "plain"
    return Case(id, "o/r", style, "small", "", (), subject, body)


def _absent(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No node on PATH, no node_modules where eval runs or above it, and gitlint not importable."""
    monkeypatch.setenv("PATH", str(tmp_path))
    for name in ("gitlint", "gitlint.config", "gitlint.git", "gitlint.lint"):
        monkeypatch.setitem(sys.modules, name, None)


def test_scope_is_read_from_a_conventional_subject_only() -> None:
    assert metrics.scope("fix(api): handle empty input") == "api"
    assert metrics.scope("feat(cli)!: drop --old") == "cli"
    assert metrics.scope("fix(a): b (c): d") == "a"
    assert metrics.scope("fix: no scope") is None
    assert metrics.scope("fix(): empty scope") is None
    assert metrics.scope("Update (docs): not a type") is None


def test_scope_agreement_counts_only_cases_whose_maintainers_wrote_a_scope() -> None:
    answers = {
        "same": ("fix(api): handle empty input", "fix(api): return [] on empty input"),
        "other": ("feat(cli): add --json", "feat(output): add --json"),
        "dropped": ("docs(readme): fix a link", "docs: fix a link"),
        "theirs-none": ("fix: typo", "refactor(core): typo"),
        "plain": ("Fix a typo", "fix(core): typo"),
    }
    scores = [report.score(_case(k, ref), {"message": ours}) for k, (ref, ours) in answers.items()]
    assert [s.scope_agrees for s in scores] == [True, False, False, None, None]
    row = report.summarise(scores)
    assert row["n_scope"] == 3 and row["scope_agree"] == pytest.approx(100 / 3, abs=0.01)
    # Type agreement is the existing column, over the conventional cases only.
    assert row["n_conventional"] == 4 and row["conv_type_agree"] == 75.0


@needs_gitlint
def test_gitlint_passes_and_fails_messages_in_one_batch() -> None:
    messages = [
        "Fix the parser on empty input\n\nThe parser now returns an empty list for no input.",
        "Fix the parser on empty input",  # no body: B6 is off
        "WIP: fix the parser.",  # T3 trailing punctuation, T5 "WIP"
        "Fix the parser\n\n" + "a long line of prose " * 5,  # B1: a body line over 80
        "Fix the parser\nno blank line before the body",  # B4
        "",
    ]
    assert lint.gitlint(messages) == [True, True, False, False, False, False]


@needs_commitlint
def test_commitlint_passes_and_fails_messages_in_one_batch() -> None:
    messages = [
        "fix(parser): return an empty list on empty input",
        "Fix the parser",  # no type
        "feat!: drop Python 3.8\n\nBREAKING CHANGE: 3.9 is the oldest supported.",
        "feat: Add a flag",  # subject-case: sentence case
        "fix: parse empty input.",  # subject-full-stop
        "",  # the API would call it valid; there is nothing to merge
        "fix: wrap\n\n" + "x" * 101,  # body-max-line-length 100
    ]
    assert lint.commitlint(messages) == [True, False, True, False, False, False, False]


def test_a_missing_linter_is_none_not_a_failure(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    assert lint.commitlint(["fix: x"], node="no-such-node-here") is None
    assert lint.commitlint(["fix: x"], root=tmp_path) is None
    _absent(monkeypatch, tmp_path)
    assert lint.gitlint(["Fix the parser"]) is None
    verdicts = lint.check([lint.Pair("a", "fix: x", "fix: y", conventional=True)])
    assert verdicts == lint.ABSENT


def test_absent_linters_show_n_a_in_the_table_never_zero() -> None:
    scores = [report.score(_case("a", "fix(api): x"), {"message": "Fix x"})]
    table = report.grouped(scores, None, lint.ABSENT)
    assert [table["all"][key] for key in LINTER_KEYS] == ["n/a"] * 4
    _, row = report.format_table(table).splitlines()
    cells = dict(zip([h for _, h, _ in report.COLUMNS], row.split()[1:], strict=True))
    assert [cells[h] for h in ("commitlint %", "maint cl %", "gitlint %", "maint gl %")] == [
        "n/a"
    ] * 4
    assert cells["scope %"] == "0.00" and cells["n scope"] == "1"


def test_linter_shares_are_ours_and_the_maintainers_over_the_cases_linted() -> None:
    scores = [
        report.score(_case("c1", "fix(api): x"), {"message": "fix(api): x"}),
        report.score(_case("c2", "feat: y"), {"message": "Add y"}),
        report.score(_case("p1", "Fix z"), {"message": "Fix z."}),
    ]
    verdicts = lint.Verdicts(
        commitlint={"c1": (True, True), "c2": (False, True)},
        gitlint={"c1": (True, False), "c2": (True, True), "p1": (False, True)},
    )
    row = report.grouped(scores, "style", verdicts)
    assert row["all"]["commitlint_ours"] == 50.0 and row["all"]["commitlint_maintainers"] == 100.0
    assert row["all"]["gitlint_ours"] == pytest.approx(200 / 3, abs=0.01)
    assert row["all"]["gitlint_maintainers"] == pytest.approx(200 / 3, abs=0.01)
    # commitlint is for conventional repositories: none linted in the plain group.
    assert row["plain"]["commitlint_ours"] is None and row["plain"]["gitlint_ours"] == 0.0


@needs_gitlint
@needs_commitlint
def test_check_lints_each_side_with_real_linters() -> None:
    pairs = [
        lint.Pair("c", "fix(api): handle empty input", "Fix empty input.", conventional=True),
        lint.Pair("p", "WIP: fix it.", "Fix the parser on empty input", conventional=False),
    ]
    verdicts = lint.check(pairs)
    assert verdicts.commitlint == {"c": (True, False)}
    assert verdicts.gitlint == {"c": (True, False), "p": (False, True)}


def _stored(tmp_path: Path) -> Path:
    """Answers already in --out for the three sample cases: eval scores them, asks no model."""
    cases = load_cases(SAMPLE)
    ours = ["Fix failing system test", cases[1].reference, "WIP: fix the upload example."]
    out = tmp_path / "out.jsonl"
    out.write_text(
        "".join(
            json.dumps({"id": c.id, "commits": 0, "message": m, "from_model": True}) + "\n"
            for c, m in zip(cases, ours, strict=True)
        )
    )
    return out


def _eval_json(capsys: pytest.CaptureFixture[str], out: Path) -> dict[str, object]:
    args = ("--dataset", str(SAMPLE), "--out", str(out), "--api-base", "http://127.0.0.1:9/v1")
    code, stdout, err = run_eval(capsys, *args, "--json")
    assert code == 0, err
    groups = json.loads(stdout)["groups"]
    assert isinstance(groups, dict)
    return dict(groups["all"])


@needs_gitlint
@needs_commitlint
def test_eval_json_reports_the_linters(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    row = _eval_json(capsys, _stored(tmp_path))
    # One conventional case (python-storage): ours has no type, the maintainers' passes.
    assert (row["commitlint_ours"], row["commitlint_maintainers"]) == (0.0, 100.0)
    # All three maintainers' messages pass gitlint; ours fails on the "WIP" one.
    assert row["gitlint_ours"] == pytest.approx(200 / 3, abs=0.01)
    assert row["gitlint_maintainers"] == 100.0
    assert (row["n_scope"], row["scope_agree"]) == (0, None)


def test_eval_without_linters_prints_n_a(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    out = _stored(tmp_path)
    _absent(monkeypatch, tmp_path)
    row = _eval_json(capsys, out)
    assert [row[key] for key in LINTER_KEYS] == ["n/a"] * 4
    args = ("--dataset", str(SAMPLE), "--out", str(out), "--api-base", "http://127.0.0.1:9/v1")
    code, stdout, err = run_eval(capsys, *args)
    assert code == 0, err
    header, overall = stdout.splitlines()[:2]
    assert "commitlint %" in header and overall.split().count("n/a") == 4
