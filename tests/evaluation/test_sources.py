"""`eval` per subject source: whose words the subject is, against GitHub's default."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from commit_polish.evaluation import report
from commit_polish.evaluation.cases import Case, load_cases
from commit_polish.serve.server import free_port
from tests.evaluation.test_baseline import COMMITS, ONE, THREE, TWO, TWO_SUBJECT, WITHOUT
from tests.evaluation.test_baseline import THREE_SUBJECT as THREE_GH
from tests.support.evalcli import run_eval


def _cases() -> list[Case]:
    # Three PRs with commits (GitHub's default known), two without (WITHOUT's first is THREE).
    return [*load_cases(COMMITS), *load_cases(WITHOUT)[1:3]]


def _answers(cases: list[Case]) -> dict[str, dict[str, object]]:
    one, two, three, old, refused = cases
    return {
        # The author's subject as written: GitHub's default itself, so no difference.
        ONE: {"message": one.commit_messages[0], "subject_source": "author"},
        # The model's: nothing on TWO (below GitHub's), the maintainers' words on THREE.
        TWO: {"message": "", "subject_source": "model"},
        THREE: {"message": three.reference, "subject_source": "model"},
        # Reformatted, on a PR whose commits are not known: no GitHub default to pair with.
        old.id: {"message": old.reference, "subject_source": "author, reformatted"},
        # A diff the pipeline refused: no subject, whoever's.
        refused.id: {"message": "", "error": "the diff is empty"},
    }


def _scores() -> list[report.Score]:
    cases = _cases()
    answers = _answers(cases)
    return [report.score(case, answers[case.id]) for case in cases]


def test_an_answer_says_whose_subject_it_is_and_old_ones_are_unknown() -> None:
    assert report.answer_source({"message": "x", "subject_source": "model"}) == "model"
    assert report.answer_source({"message": "", "error": "empty"}) == "error"
    # Written before `eval` saved the field: not counted as the model's.
    assert report.answer_source({"message": "x"}) == "unknown"
    assert [s.source for s in _scores()] == [
        "author",
        "model",
        "model",
        "author, reformatted",
        "error",
    ]


def test_each_source_is_scored_against_githubs_default_on_its_own_prs() -> None:
    table = report.by_source(_scores())
    assert list(table) == ["all"]
    rows = table["all"]
    # The pipeline's order, whatever the cases' order.
    assert list(rows) == ["author", "author, reformatted", "model", "error"]
    author, reformatted, model, error = rows.values()
    assert (author["n"], author["github_n"]) == (1, 1)
    assert author["ours_bnorm_subject"] == author["github_bnorm_subject"]
    assert (author["subject_vs_github"], author["below_github_subject"]) == (0.0, 0.0)
    # One PR: an interval of a point, and no difference it could tell apart from none.
    assert author["subject_vs_github_low"] == author["subject_vs_github_high"] == 0.0
    assert author["subject_visible"] is None
    assert (model["n"], model["github_n"]) == (2, 2)
    assert model["bnorm_subject"] == model["ours_bnorm_subject"] == 50.0
    assert model["github_bnorm_subject"] == pytest.approx((TWO_SUBJECT + THREE_GH) / 2, abs=0.005)
    difference = (100 - THREE_GH - TWO_SUBJECT) / 2
    assert model["subject_vs_github"] == pytest.approx(difference)
    low, high = model["subject_vs_github_low"], model["subject_vs_github_high"]
    assert isinstance(low, float) and isinstance(high, float)
    # Resampling two PRs: each of them twice, or one of each.
    assert low == pytest.approx(-TWO_SUBJECT) and high == pytest.approx(100 - THREE_GH)
    assert isinstance(model["subject_visible"], float) and model["subject_visible"] > 0
    assert model["below_github_subject"] == 50.0
    # Without the PR's commits there is nothing to pair: its own mean only.
    assert (reformatted["n"], reformatted["github_n"]) == (1, 0)
    assert reformatted["bnorm_subject"] == 100.0
    assert reformatted["ours_bnorm_subject"] is None and reformatted["subject_vs_github"] is None
    assert (error["n"], error["bnorm_subject"]) == (1, 0.0)


def test_sources_are_split_per_group_too() -> None:
    table = report.by_source(_scores(), "commits")
    assert list(table) == ["all", "1 commit", "2+ commits", "no commits"]
    assert list(table["1 commit"]) == ["author"]
    assert list(table["2+ commits"]) == ["model"]
    assert list(table["no commits"]) == ["author, reformatted", "error"]
    assert table["2+ commits"]["model"] == table["all"]["model"]
    lines = report.format_sources(table).splitlines()
    assert lines[0].split()[:4] == ["subject", "from", "n", "B-Norm"]
    width = len("no commits: author, reformatted")
    names = [line[:width].strip() for line in lines[1:-1]]
    assert names == [
        "author",
        "author, reformatted",
        "model",
        "error",
        "1 commit: author",
        "2+ commits: model",
        "no commits: author, reformatted",
        "no commits: error",
    ]
    # `model`: n, B-Norm, GH n, ours, GH's, then the difference.
    model = lines[3][width:].split()
    assert model[:4] == ["2", "50.00", "2", "50.00"]
    assert model[5] == f"{(100 - THREE_GH - TWO_SUBJECT) / 2:.2f}"
    # Each paired row here rests on fewer than 20 PRs: said once, under the table.
    assert lines[-1] == (
        "(an interval over fewer than 20 PRs with commits decides nothing: author; model; "
        "1 commit: author; 2+ commits: model)"
    )


def test_eval_rescores_an_out_file_by_source_without_a_model(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    cases = _cases()[:3]
    out = tmp_path / "out.jsonl"
    answers = _answers(cases + _cases()[3:])
    out.write_text(
        "".join(json.dumps({"id": c.id, "commits": 1, **answers[c.id]}) + "\n" for c in cases)
    )
    # Every case is in --out already: the dead endpoint is never asked.
    dead = f"http://127.0.0.1:{free_port()}/v1"
    args = ("--dataset", str(COMMITS), "--api-base", dead, "--out", str(out), "--by", "commits")
    code, as_json, err = run_eval(capsys, *args, "--json")
    assert code == 0, err
    sources = json.loads(as_json)["sources"]
    assert list(sources["all"]) == ["author", "model"]
    assert sources["all"]["model"]["github_n"] == 2
    assert sources["1 commit"]["author"]["subject_vs_github"] == 0.0
    code, text, err = run_eval(capsys, *args)
    assert code == 0, err
    block = text.split("\n\n")[-1].splitlines()
    assert block[0].startswith("By where the subject came from")
    assert [line.split()[0] for line in block[2:4]] == ["author", "model"]
