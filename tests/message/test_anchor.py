"""The author's own subject: kept when it fits, put into form when it almost does, else left."""

from __future__ import annotations

from dataclasses import replace

import pytest

from commit_polish.message import anchor
from commit_polish.message.style import Style, analyse_history
from commit_polish.records import ChangeContext, FileChange, FileKind, FileStatus

CONVENTIONAL = tuple(
    f"{kind}: change number {n} (#{n})" for n, kind in enumerate(["feat", "fix", "docs"] * 4)
)
PLAIN = tuple(f"Change number {n} of the code (#{n})" for n in range(12))
MIXED = CONVENTIONAL[:6] + PLAIN[:6]


def _files(*kinds: FileKind) -> tuple[FileChange, ...]:
    return tuple(
        FileChange(f"f{n}", FileStatus.MODIFIED, kind, 1, 1) for n, kind in enumerate(kinds)
    )


def _keep(
    commits: tuple[str, ...],
    history: tuple[str, ...] = CONVENTIONAL,
    *,
    title: str = "",
    files: tuple[FileChange, ...] = (),
) -> anchor.Kept | None:
    repo = analyse_history(history)
    context = ChangeContext(title=title, commit_messages=commits, history=history)
    return anchor.keep(context, style=repo.style, repo=repo, files=files)


@pytest.mark.parametrize(
    "subject",
    [
        # Rewritten into wrong ones by the model before (issue #14); each fits its form.
        "feat(css_formatter): align SCSS map closing comments",
        "docs(dotenv): complete documentation",
        "fix: use esm entrypoint for css preprocessors and terser",
        "samples: add otel tracing quickstart",  # the repository's own type
        "breaking: use `CustomEvent` constructor",
    ],
)
def test_a_subject_that_fits_is_kept_word_for_word(subject: str) -> None:
    kept = _keep((subject,))
    assert kept is not None
    assert (kept.subject, kept.reason) == (subject, "")


def test_a_mixed_history_accepts_both_forms_as_its_maintainers_do() -> None:
    for subject in ("chore: improve type hints", "Ignore the linter error"):
        kept = _keep((subject,), MIXED)
        assert kept is not None and kept.subject == subject


def test_the_pr_number_suffix_is_left_to_github() -> None:
    kept = _keep(("fix: keep the cursor visible (#123)",))
    assert kept is not None and kept.subject == "fix: keep the cursor visible"


@pytest.mark.parametrize(
    ("subject", "history", "expected", "reason"),
    [
        ("Keep the cursor visible", CONVENTIONAL, "fix: keep the cursor visible", "no type"),
        ("fix: keep the cursor visible", PLAIN, "Keep the cursor visible", "type prefix"),
        ("feat: fix the cursor blinking", CONVENTIONAL, "fix: fix the cursor blinking", "verb"),
        ("refactor: fixed the cursor", CONVENTIONAL, "fix: fixed the cursor", "verb"),
    ],
)
def test_good_words_in_the_wrong_form_are_put_into_the_form(
    subject: str, history: tuple[str, ...], expected: str, reason: str
) -> None:
    kept = _keep((subject,), history)
    assert kept is not None
    assert kept.subject.startswith(expected)
    assert reason in kept.reason and kept.written == subject


def test_a_long_subject_is_cut_to_72_characters_on_a_word() -> None:
    subject = "fix: " + " ".join(["handle the cursor when the terminal resizes"] * 3)
    kept = _keep((subject,))
    assert kept is not None
    assert len(kept.subject) <= 72 and "longer than 72" in kept.reason
    assert subject.startswith(kept.subject)


def test_a_docs_only_change_takes_the_docs_type() -> None:
    kept = _keep(("fix: correct the install steps",), files=_files(FileKind.DOCS))
    assert kept is not None and kept.subject == "docs: correct the install steps"
    kept = _keep(("fix: correct the install steps",), files=_files(FileKind.DOCS, FileKind.SOURCE))
    assert kept is not None and kept.subject == "fix: correct the install steps"


def test_a_gitmoji_repository_wants_its_emoji() -> None:
    history = tuple(f"✨ Add feature number {n}" for n in range(8))
    assert _keep(("✨ Add the cursor option",), history) is not None
    kept = _keep(("Add the cursor option",), history)
    assert kept is not None and kept.subject.endswith("Add the cursor option")
    assert kept.subject != "Add the cursor option"


@pytest.mark.parametrize(
    "subject",
    [
        "WIP",
        "Push",
        "wip: cursor",
        "fix tests",
        "Fix lint",
        "Apply suggestions from code review",
        "Update README.md",
        "Create .github/workflows/ci.yml",
        "update `src/cursor.py`",
        "src/cursor.py and src/screen.py",
        "Squash: keep the cursor",
        "Squashed commit of the following:",
        "Merge branch 'main' into cursor",
        "fixup! keep the cursor",
        "fix: typo",
        "Initial commit",
    ],
)
def test_weak_subjects_are_left_to_the_model(subject: str) -> None:
    assert anchor.weak_reason(subject) is not None
    assert _keep((subject,)) is None


@pytest.mark.parametrize(
    "subject",
    [
        "Update CHANGELOG.md, fix typo(s)",
        "Add storydb to 'Bubble Tea in the Wild' section",
        "Update the Python version to 3.12",
        "fix: typo in the install guide",
        "chore: deps",
        "fix(config-pnpm-scopes): refactor to remove peer dependencies",
        "Remove deprecated io/ioutils package",
    ],
)
def test_subjects_that_say_what_changed_are_not_weak(subject: str) -> None:
    assert anchor.weak_reason(subject) is None


def test_the_subject_to_beat_is_the_commit_for_one_and_the_title_for_several() -> None:
    one = ChangeContext(title="A title", commit_messages=("Fix x\n\nBecause y.",))
    assert anchor.default_subject(one) == ("Fix x", "Because y.")
    several = ChangeContext(title="A title", commit_messages=("Fix x", "Fix y"))
    assert anchor.default_subject(several) == ("A title", "")
    untitled = ChangeContext(commit_messages=("Squashed commit of the following:", "Fix y", "z"))
    assert anchor.default_subject(untitled) == ("Fix y", "")
    assert anchor.default_subject(ChangeContext()) == ("", "")


def test_whole_message_keeps_the_authors_body_and_trailers() -> None:
    commit = (
        "fix: keep the cursor visible\n\nIt vanished after a resize.\n\nSigned-off-by: A <a@x.org>"
    )
    one = ChangeContext(commit_messages=(commit,), co_authors=("Grace <grace@example.org>",))
    kept = anchor.keep(one, style=Style.CONVENTIONAL, repo=analyse_history(CONVENTIONAL))
    assert kept is not None
    message = anchor.whole_message(kept, one)
    assert message.subject == "fix: keep the cursor visible"
    assert message.body == "It vanished after a resize."
    assert message.trailers == (
        "Co-authored-by: Grace <grace@example.org>",
        "Signed-off-by: A <a@x.org>",
    )
    bare = ChangeContext(commit_messages=("fix: keep the cursor visible",))
    kept = anchor.keep(bare, style=Style.CONVENTIONAL, repo=analyse_history(CONVENTIONAL))
    assert kept is not None
    assert anchor.whole_message(kept, bare).body == ""  # none written, none added


def test_several_commits_become_githubs_list_without_work_notes() -> None:
    commits = (
        "Retry uploads on a reset connection",
        "wip",
        "Cap the backoff at 30 seconds\n\nA minute was too long.",
        "Merge branch 'main' into retry",
        "fix tests",
        "Test the retry\n\nCo-authored-by: Carol <carol@widgets.dev>",
    )
    context = ChangeContext(title="Retry uploads", commit_messages=commits)
    kept = anchor.keep(context, style=None, repo=analyse_history(()))
    assert kept is not None and kept.subject == "Retry uploads"
    message = anchor.whole_message(kept, context)
    assert message.body == (
        "* Retry uploads on a reset connection\n\n"
        "* Cap the backoff at 30 seconds\n\nA minute was too long.\n\n"
        "* Test the retry"
    )
    assert message.trailers == ("Co-authored-by: Carol <carol@widgets.dev>",)


def test_the_style_setting_is_enforced_even_on_a_mixed_history() -> None:
    repo = analyse_history(MIXED)
    context = ChangeContext(commit_messages=("Keep the cursor visible",), history=MIXED)
    kept = anchor.keep(context, style=Style.CONVENTIONAL, repo=repo)
    assert kept is not None and kept.subject.startswith("fix: ")


def test_a_work_notes_trailers_still_credit_its_author() -> None:
    commits = ("Retry uploads", "fix tests\n\nCo-authored-by: Dan <dan@widgets.dev>")
    context = ChangeContext(commit_messages=commits)
    kept = anchor.keep(context, style=None, repo=analyse_history(()))
    assert kept is not None
    message = anchor.whole_message(kept, context)
    assert (message.body, message.trailers) == ("", ("Co-authored-by: Dan <dan@widgets.dev>",))


def test_a_repository_that_squashes_under_the_title_beats_the_title() -> None:
    commit = ("fix: keep the cursor visible\n\nIt vanished.",)
    by_commit = ChangeContext(title="Keep the cursor on screen", commit_messages=commit)
    assert anchor.default_subject(by_commit) == ("fix: keep the cursor visible", "It vanished.")
    by_title = replace(by_commit, title_is_default=True)
    assert anchor.default_subject(by_title) == ("Keep the cursor on screen", "")
