"""Data set records become cases: the PR's commits and its files' own history included."""

from __future__ import annotations

from pathlib import Path

from commit_polish.evaluation.cases import case_from_record, load_cases, read_subjects
from commit_polish.evaluation.command import change_context
from commit_polish.records import PathCommit

FIXTURE = Path(__file__).parents[1] / "fixtures" / "eval_commits.jsonl"


def test_path_history_is_read_and_reaches_the_pipeline_input() -> None:
    record = {
        "id": "o/r@1",
        "diff": "",
        "path_history": [
            {"subject": "fix(load): keep the cwd (#9)", "files": ["src/load.ts"]},
            {"subject": "Merge branch 'main'", "files": []},
        ],
    }
    case = case_from_record(record)
    assert case.path_history == (
        PathCommit("fix(load): keep the cwd (#9)", ("src/load.ts",)),
        PathCommit("Merge branch 'main'", ()),
    )
    assert change_context(case).path_history == case.path_history
    assert change_context(case, diff_only=True).path_history == case.path_history


def test_a_record_without_path_history_has_none() -> None:
    assert case_from_record({"id": "o/r@1", "diff": ""}).path_history == ()
    assert case_from_record({"id": "o/r@1", "diff": "", "path_history": None}).path_history == ()


def test_the_fixture_records_carry_their_path_history() -> None:
    cases = load_cases(FIXTURE)
    assert any(case.path_history for case in cases)
    for case in cases:
        assert all(commit.subject for commit in case.path_history)


def test_answer_files_give_their_subjects_by_case(tmp_path: Path) -> None:
    answers = tmp_path / "answers.jsonl"
    rows = [
        '{"id": "o/r@1", "message": "fix: keep the cwd (#12)\\n\\nIt moved.", "seconds": 3.1}',
        '{"id": "o/r@2", "message": null}',
        '{"id": "o/r@3", "mess',  # a run killed mid-write
    ]
    answers.write_text("\n".join(rows) + "\n")
    assert read_subjects(answers) == {"o/r@1": "fix: keep the cwd", "o/r@2": ""}
