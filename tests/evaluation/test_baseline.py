"""`eval` with the PR's own commits: what the pipeline is given, and GitHub's default scored."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from commit_polish.evaluation import baseline, report
from commit_polish.evaluation.baseline import default_message
from commit_polish.evaluation.cases import Case, load_cases
from commit_polish.evaluation.command import change_context
from tests.support.evalcli import out_rows, run_eval
from tests.support.fake_model import Answer, FakeModel, completion
from tests.support.paths import FIXTURES

COMMITS = FIXTURES / "eval_commits.jsonl"
# One commit with a body; two commits, the second with a trailer; three commits, `test` first.
ONE, TWO, THREE = (json.loads(line)["id"] for line in COMMITS.read_text().splitlines())
WITHOUT = FIXTURES / "eval_sample.jsonl"  # records written before `pr_commits` existed

# B-Norm by hand (tokens: `[\w]+|[^\s\w]`, lowercased; clipped n-gram matches, add one to the
# 2- to 4-gram counts; brevity exp(min(0, 1 - (r+1)/(h+1)))), GitHub's subject against theirs:
# ONE: "fix ( examples ) : add missing withwidth to table example" (11) against the same with
# "` withwidth `" (13): 11/11, (8+1)/(10+1), (6+1)/(9+1), (4+1)/(8+1) = 7/22; brevity -1/6.
ONE_SUBJECT = 100 * math.exp(math.log(7 / 22) / 4 - 1 / 6)
# TWO: "docs ( readme ) : add chatgptui link" (8) against "add chatgptui to readme" (4):
# 3/8, (1+1)/(7+1), 1/7, 1/6 = 1/448; longer than the reference, so no brevity penalty.
TWO_SUBJECT = 100 * 448 ** (-1 / 4)
# THREE: "test" against 12 tokens: 1/1 and three empty (0+1)/(0+1); brevity 1 - 13/2.
THREE_SUBJECT = 100 * math.exp(-5.5)


def _cases() -> dict[str, Case]:
    return {case.id: case for case in load_cases(COMMITS)}


def test_a_case_holds_the_whole_commit_messages_oldest_first() -> None:
    cases = _cases()
    assert cases[ONE].commit_messages == (
        "fix(examples): add missing WithWidth to table example\n\n"
        "Without an explicit width, the table renders with no rows visible.\n"
        "Width should be the sum of all column widths (34) plus borders (8) = 42.\n\n"
        "Fixes #1597",
    )
    assert cases[THREE].commit_messages == (
        "test",
        'Revert "test"\n\nThis reverts commit b0a3349ddae921a046ef6763b86f4e72063913b3.',
        "chore: pin urllib3 to 2.5.0",
    )
    # Records without the field, or with it null, load with no commits.
    assert all(case.commit_messages == () for case in load_cases(WITHOUT))


def test_the_context_gets_the_commits_unless_diff_only() -> None:
    case = _cases()[TWO]
    context = change_context(case)
    assert context.commit_messages == (
        "docs(readme): add ChatGPTUI link",
        "Update README.md\n\nCo-authored-by: Maas Lalani <maas@lalani.dev>",
    )
    assert context.history == case.history and context.title == "" and context.description == ""
    assert change_context(case, diff_only=True).commit_messages == ()


def test_githubs_default_message_is_the_commit_or_the_first_subject_over_the_list() -> None:
    cases = _cases()
    # One commit: its message, as it is.
    assert default_message(cases[ONE]) == cases[ONE].commit_messages[0]
    # Several: the first subject over `* message` for each; trailers go, as from the reference.
    assert default_message(cases[TWO]) == (
        "docs(readme): add ChatGPTUI link\n\n* docs(readme): add ChatGPTUI link\n\n"
        "* Update README.md"
    )
    assert default_message(cases[TWO]) == f"docs(readme): add ChatGPTUI link\n\n{cases[TWO].body}"
    assert default_message(cases[THREE]) == (
        'test\n\n* test\n\n* Revert "test"\n\n'
        "This reverts commit b0a3349ddae921a046ef6763b86f4e72063913b3.\n\n"
        "* chore: pin urllib3 to 2.5.0"
    )
    assert all(default_message(case) is None for case in load_cases(WITHOUT))


def test_githubs_default_is_scored_with_the_metrics() -> None:
    scored = {case_id: report.github_default(case) for case_id, case in _cases().items()}
    one, two, three = scored[ONE], scored[TWO], scored[THREE]
    assert one is not None and two is not None and three is not None
    assert one.bnorm_subject == pytest.approx(ONE_SUBJECT)  # 63.575
    assert two.bnorm_subject == pytest.approx(TWO_SUBJECT)  # 21.736
    assert three.bnorm_subject == pytest.approx(THREE_SUBJECT)  # 0.409
    # ROUGE-L takes `[a-z0-9]+` only: the backticks ONE lacks do not count.
    assert one.rouge_subject == pytest.approx(100) and one.rouge_message == pytest.approx(100)
    # "add chatgptui" of 5 and 4 tokens: P 2/5, R 2/4, F 4/9.
    assert two.rouge_subject == pytest.approx(400 / 9)
    # Message: LCS 10 of 13 (the default) and 12 (the reference) tokens: F = 20/25.
    assert two.rouge_message == pytest.approx(80)
    # "test" is 1 of the reference's 11 words: P 1, R 1/11, F 1/6.
    assert three.rouge_subject == pytest.approx(100 / 6)
    assert not one.exact_subject and one.subject_fits and one.type_agrees is True
    assert two.type_agrees is None and three.type_agrees is False


def test_summary_sets_commit_polish_beside_githubs_default_on_the_same_prs() -> None:
    cases = [*load_cases(COMMITS), load_cases(WITHOUT)[1]]  # not THREE again
    answers = {
        ONE: cases[0].reference,  # the maintainers' own message: above GitHub's
        TWO: "",  # nothing: below
        THREE: "test",  # GitHub's subject itself: a tie is not below
        cases[3].id: cases[3].reference,  # no commits: GitHub's default is n/a
    }
    scores = [report.score(case, {"message": answers[case.id]}) for case in cases]
    table = report.grouped(scores, "commits")
    overall = table["all"]
    assert overall["n"] == 4 and overall["github_n"] == 3
    defaults = (ONE_SUBJECT, TWO_SUBJECT, THREE_SUBJECT)
    assert overall["github_bnorm_subject"] == pytest.approx(sum(defaults) / 3, abs=0.005)
    assert overall["github_exact_subject"] == 0.0 and overall["github_subject_le72"] == 100.0
    assert overall["github_conv_type_agree"] == 50.0  # ONE's `fix` agrees, THREE's none
    assert overall["ours_bnorm_subject"] == pytest.approx((100 + THREE_SUBJECT) / 3, abs=0.005)
    assert overall["below_github_subject"] == pytest.approx(100 / 3, abs=0.005)
    assert overall["bnorm_subject"] == pytest.approx((200 + THREE_SUBJECT) / 4, abs=0.005)
    assert list(table) == ["all", "1 commit", "2+ commits", "no commits"]
    assert table["1 commit"]["below_github_subject"] == 0.0
    assert table["2+ commits"]["below_github_subject"] == 50.0
    assert table["no commits"]["github_n"] == 0
    assert table["no commits"]["github_bnorm_subject"] is None
    # ONE's and TWO's own subjects fit bubbletea's form, THREE's "test" is a work note: of
    # the two, ours is below on TWO only. No answer here says its subject was the author's.
    assert [baseline.author_fits(case) for case in cases[:3]] == [True, True, False]
    assert (overall["author_fits_n"], overall["below_fitting_subject"]) == (2, 50.0)
    assert overall["kept_subject"] == 0.0
    # Bodies are scored where the maintainers wrote one: ONE's answer is their message.
    with_body = [s for s in scores if s.case.body.strip()]
    assert with_body and all(s.bnorm_body is not None for s in with_body)
    assert scores[0].bnorm_body == (100.0 if cases[0].body.strip() else None)
    assert all(s.bnorm_body is None for s in scores if not s.case.body.strip())
    text = report.format_table(table, report.GITHUB_COLUMNS).splitlines()
    assert text[0].split()[:3] == ["group", "n", "B-Norm"]
    assert text[-1].split()[:4] == ["no", "commits", "0", "-"]


def _user_prompts(model: FakeModel) -> list[str]:
    return [str(seen.json()["messages"][-1]["content"]) for seen in model.seen]


def test_eval_sends_the_commits_to_the_model_and_reports_githubs_default(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    ids = tmp_path / "ids"
    ids.write_text(f"{ONE}\n{TWO}\n")
    answer = Answer(200, completion("docs(readme): add ChatGPTUI link\n\nLink the project."))
    with FakeModel(default=answer) as model:
        args = ("--dataset", str(COMMITS), "--ids", str(ids), "--api-base", model.base)
        # Both PRs' own subjects fit: by default their authors' words are the whole message.
        code, stdout, err = run_eval(capsys, *args, "--out", str(tmp_path / "with.jsonl"))
        assert code == 0, err
        assert model.seen == []
        # With `--body model`, only TWO, whose commits wrote no body of their own, asks; at
        # 768 tokens its commit list fits beside the diff's half of the prompt.
        out = (
            *("--out", str(tmp_path / "model-body.jsonl")),
            *("--body", "model", "--max-prompt-tokens", "768"),
        )
        code, _, err = run_eval(capsys, *args, *out)
        assert code == 0, err
        (sent,) = _user_prompts(model)
        model.seen.clear()
        without = ("--out", str(tmp_path / "without.jsonl"), "--diff-only", "--json")
        code, as_json, err = run_eval(capsys, *args, *without)
        assert code == 0, err
        sent_diff_only = _user_prompts(model)
    # TWO's first subject is decided; the second commit reaches the model through the list.
    assert "Use this subject line as it is:\ndocs(readme): add ChatGPTUI link" in sent
    assert "- Update README.md" in sent
    assert len(sent_diff_only) == 2
    assert not any("ChatGPTUI link" in text for text in sent_diff_only)
    rows = {row["id"]: row for row in out_rows(tmp_path / "with.jsonl")}
    assert rows[ONE]["message"] == _cases()[ONE].commit_messages[0]
    assert (rows[ONE]["subject_source"], rows[ONE]["model"]) == ("author", None)
    assert rows[TWO]["subject_source"] == "author" and rows[TWO]["commits"] == 2
    # GitHub's list, every commit in it ("Update README.md" too), its co-author credited.
    assert rows[TWO]["message"] == (
        "docs(readme): add ChatGPTUI link\n\n* docs(readme): add ChatGPTUI link\n\n"
        "* Update README.md\n\nCo-authored-by: Maas Lalani <maas@lalani.dev>"
    )
    written = {row["id"]: row for row in out_rows(tmp_path / "model-body.jsonl")}
    assert written[TWO]["message"] == "docs(readme): add ChatGPTUI link\n\nLink the project."
    assert all("commits" not in row for row in out_rows(tmp_path / "without.jsonl"))
    # The table as before, then GitHub's default on the same PRs.
    blocks = stdout.split("\n\n")
    assert blocks[0].splitlines()[1].split()[:2] == ["all", "2"]
    assert blocks[1].startswith("GitHub's default squash message")
    mean = (ONE_SUBJECT + TWO_SUBJECT) / 2
    assert blocks[1].splitlines()[-1].split()[:3] == ["all", "2", f"{mean:.2f}"]
    # GitHub's default does not depend on what the pipeline was given.
    overall = json.loads(as_json)["groups"]["all"]
    assert overall["github_n"] == 2 and overall["github_bnorm_subject"] == round(mean, 2)


def test_an_out_file_holds_one_kind_of_input(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    out = tmp_path / "prompts.jsonl"
    args = ("--dataset", str(COMMITS), "--dry-run", "--out", str(out))
    code, _, err = run_eval(capsys, *args)
    assert code == 0, err
    assert [row["commits"] for row in out_rows(out)] == [1, 2, 3]
    code, _, err = run_eval(capsys, *args, "--diff-only")
    assert code == 3 and "written with the PR's commits" in err
    fresh = tmp_path / "diff-only.jsonl"
    code, _, err = run_eval(capsys, *args[:-1], str(fresh), "--diff-only")
    assert code == 0, err
    assert all("commits" not in row for row in out_rows(fresh))
    code, _, err = run_eval(capsys, *args[:-1], str(fresh))
    assert code == 3 and "from the diff alone (--diff-only)" in err
