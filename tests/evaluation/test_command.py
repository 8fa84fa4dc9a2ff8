"""`commit-polish eval`: cases, dry runs, resumable output, scoring, and one real run."""

from __future__ import annotations

import gzip
import json
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pytest

from commit_polish.errors import InputError
from commit_polish.evaluation import report
from commit_polish.evaluation.cases import Case, load_cases, read_results
from commit_polish.evaluation.command import answer_worker
from commit_polish.evaluation.run import open_out, run_cases
from commit_polish.pipeline import Options
from commit_polish.records import Attempt, ChatMessage, Completion
from commit_polish.serve.server import RunningServer, free_port
from tests.support.evalcli import out_rows, run_eval
from tests.support.paths import FIXTURES

SAMPLE = FIXTURES / "eval_sample.jsonl"
IDS = [json.loads(line)["id"] for line in SAMPLE.read_text().splitlines()]


def test_load_cases_reads_gzip_and_a_history_stored_as_a_repr(tmp_path: Path) -> None:
    records = [json.loads(line) for line in SAMPLE.read_text().splitlines()]
    records[0]["history"] = repr(records[0]["history"])
    zipped = tmp_path / "cases.jsonl.gz"
    with gzip.open(zipped, "wt") as handle:
        handle.writelines(json.dumps(r) + "\n" for r in records)
    cases = load_cases(zipped)
    assert [c.id for c in cases] == IDS
    first = cases[0]
    assert first.history == tuple(json.loads(SAMPLE.read_text().splitlines()[0])["history"])
    assert len(first.history) == 20 and first.history[0].endswith(")")
    assert first.style == "conventional" and first.size == "small"
    assert first.reference.startswith(first.subject + "\n\n") and first.body


def test_ids_keep_file_order_and_unknown_ids_are_an_error(tmp_path: Path) -> None:
    cases = load_cases(SAMPLE, ids=[IDS[2], IDS[0]])
    assert [c.id for c in cases] == [IDS[0], IDS[2]]
    assert [c.id for c in load_cases(SAMPLE, limit=2)] == IDS[:2]
    with pytest.raises(InputError, match="not in"):
        load_cases(SAMPLE, ids=["nobody/nothing@000000000000"])


def test_dry_run_writes_each_prompt_and_a_rerun_does_no_work(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    ids_file = tmp_path / "ids"
    ids_file.write_text(f"# two of three\n{IDS[0]}\n\n{IDS[2]}\n")
    out = tmp_path / "prompts.jsonl"
    args = ("--dataset", str(SAMPLE), "--dry-run", "--out", str(out), "--ids", str(ids_file))
    code, _, err = run_eval(capsys, *args)
    assert code == 0, err
    rows = out_rows(out)
    assert [r["id"] for r in rows] == [IDS[0], IDS[2]]
    cases = {c.id: c for c in load_cases(SAMPLE)}
    for row in rows:
        assert [m["role"] for m in row["messages"]] == ["system", "user"]
        assert 0 < row["prompt_tokens"] <= 1536
        # The case's own diff is what the prompt describes.
        changed = next(
            line for line in cases[row["id"]].diff.splitlines() if line.startswith("+++ b/")
        )
        assert changed[6:] in row["messages"][1]["content"]
    code, _, err = run_eval(capsys, *args, "--limit", "3")
    assert code == 0 and "0 cases run, 2 already in --out" in err
    assert out_rows(out) == rows


def test_run_cases_resumes_after_a_cut_line(tmp_path: Path) -> None:
    cases = load_cases(SAMPLE)
    calls: list[str] = []

    def work(case: Case) -> dict[str, Any]:
        calls.append(case.id)
        return {"id": case.id, "message": "Fix it"}

    out = tmp_path / "out.jsonl"
    with open_out(out) as first:
        run_cases(cases[:1], work, first, done=read_results(out, "message"))
    # A run killed mid-write leaves half a line behind.
    with out.open("a") as killed:
        killed.write('{"id": "cut')
    with open_out(out) as second:
        ran = run_cases(cases, work, second, done=read_results(out, "message"))
    assert ran.cases == 2 and ran.crashed == () and calls == IDS
    lines = out.read_text().splitlines()
    assert lines[1] == '{"id": "cut'
    assert [r["id"] for r in map(json.loads, lines[:1] + lines[2:])] == IDS
    assert set(read_results(out, "message")) == set(IDS)
    with pytest.raises(InputError, match="another kind of run"):
        read_results(out, "messages")


def _fake_completer(answer: str) -> Callable[..., Completion]:
    def complete(messages: Sequence[ChatMessage], **_: object) -> Completion:
        assert messages[0].role == "system"
        attempt = Attempt("fake/model", "ok", "", 0.1)
        return Completion(answer, "fake/model", (attempt,))

    return complete


def test_answer_worker_runs_the_suggest_pipeline(tmp_path: Path) -> None:
    case = load_cases(SAMPLE)[0]
    options = Options(max_prompt_tokens=1536)
    work = answer_worker(options, lambda text: len(text) // 4, _fake_completer(case.reference))
    row = work(case)
    assert row["id"] == case.id and row["model"] == "fake/model"
    assert row["fallback_used"] is False and row["from_model"] is True
    assert 0 < row["prompt_tokens"] <= 1536 and row["seconds"] >= 0
    # The pipeline's repair step keeps a well-formed answer's subject.
    assert row["message"].partition("\n")[0] == case.subject
    scored = report.score(case, row)
    assert scored.exact_subject and scored.bnorm_subject == pytest.approx(100)
    assert scored.type_agrees is True and scored.conventional_form is True


def test_scores_and_table_group_by_repo() -> None:
    cases = load_cases(SAMPLE)
    results = {
        cases[0].id: {"message": cases[0].reference, "seconds": 2.0},
        cases[1].id: {"message": "x" * 80, "seconds": 4.0, "from_model": False},
        cases[2].id: {"message": "", "seconds": 6.0},
    }
    scores = [report.score(c, results[c.id]) for c in cases]
    table = report.grouped(scores, "repo")
    assert list(table) == ["all", "encode/httpx", "fastapi/typer", "googleapis/python-storage"]
    overall = table["all"]
    assert overall["n"] == 3 and overall["exact_subject"] == pytest.approx(100 / 3, abs=0.01)
    assert overall["subject_le72"] == pytest.approx(100 / 3, abs=0.01)
    assert overall["bnorm_subject"] == pytest.approx(100 / 3, abs=0.01)
    assert overall["n_conventional"] == 1 and overall["conv_type_agree"] == 100.0
    assert overall["fallback"] == 1 and overall["median_seconds"] == 4.0
    assert table["encode/httpx"]["conv_type_agree"] is None
    text = report.format_table(table)
    assert text.splitlines()[0].split()[:3] == ["group", "n", "B-Norm"]
    assert text.splitlines()[-1].split()[:3] == ["googleapis/python-storage", "1", "100.00"]


def test_a_case_no_model_answers_is_recorded_with_the_fallback_message(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    dead = f"http://127.0.0.1:{free_port()}/v1"
    out = tmp_path / "out.jsonl"
    args = ("--dataset", str(SAMPLE), "--limit", "1", "--api-base", dead, "--json")
    code, stdout, err = run_eval(capsys, *args, "--out", str(out))
    assert code == 0, err
    (row,) = out_rows(out)
    assert row["id"] == IDS[0] and row["model"] is None and row["from_model"] is False
    assert row["message"] and row["fallback_used"] is True
    assert [outcome for _, outcome, _ in row["attempts"]][-1] == "connection"
    summary = json.loads(stdout)
    assert summary["groups"]["all"]["n"] == 1 and summary["groups"]["all"]["fallback"] == 1
    # The sample's records were written before `path_history`: the summary says so.
    assert summary["note"].startswith("1 of 1 case(s) have no history of their files")


def test_eval_without_out_is_a_usage_error(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.chdir(tmp_path)
    code, _, err = run_eval(capsys, "--dataset", str(SAMPLE))
    assert code == 3 and "--out" in err


@pytest.mark.realmodel
def test_real_model_answers_two_cases(
    local_server: RunningServer,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(tmp_path)
    out = tmp_path / "out.jsonl"
    args = ("--dataset", str(SAMPLE), "--limit", "2", "--api-base", local_server.base_url)
    # Two at once: LiteLLM's calls from two threads, queued by a one-slot server.
    code, stdout, err = run_eval(capsys, *args, "--out", str(out), "--by", "style", "--jobs", "2")
    assert code == 0, err
    rows = out_rows(out)
    assert sorted(r["id"] for r in rows) == sorted(IDS[:2])
    for row in rows:
        assert set(row) >= {"id", "message", "model", "seconds", "prompt_tokens", "fallback_used"}
        assert row["message"].strip() and 0 < row["prompt_tokens"] <= 1536
        assert row["seconds"] > 0
    # The first block: GitHub's default follows it (n/a here: the sample has no commits).
    lines = stdout.split("\n\n")[0].splitlines()
    assert lines[0].startswith("group") and [line.split()[0] for line in lines[1:]] == [
        "all",
        "conventional",
        "plain",
    ]
