"""The author's own subject: kept when it fits, put into form when it almost does, else left."""

from __future__ import annotations

from dataclasses import replace

import pytest

from commit_polish.message import anchor
from commit_polish.message.style import Style, analyse_history
from commit_polish.records import (
    ChangeContext,
    CommitMessage,
    FileChange,
    FileKind,
    FileStatus,
    SubjectSource,
)

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
    return anchor.keep(context, style=anchor.history_form(repo), repo=repo, files=files)


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


def test_an_authors_type_is_kept_even_where_its_verb_says_another() -> None:
    # Only a model's type is made to agree with its verb (`subject.agreeing_type`): the
    # author chose theirs, and reformatting a subject that almost fits keeps it too.
    for subject, expected in (
        ("fix: add support for exact versions", "fix: add support for exact versions"),
        ("refactor: Add a cache", "refactor: Add a cache"),
    ):
        kept = _keep((subject,))
        assert kept is not None and kept.subject == expected


def test_a_mixed_history_accepts_both_forms_as_its_maintainers_do() -> None:
    for subject in ("chore: improve type hints", "Ignore the linter error"):
        kept = _keep((subject,), MIXED)
        assert kept is not None and kept.subject == subject


def test_a_plain_history_with_typed_subjects_accepts_one_from_the_author() -> None:
    # Maintainers who merged `chore: x` twice merge it again; once may be an accident.
    twice = PLAIN[:10] + ("chore: bump the linter", "fix: quote the path")
    kept = _keep(("chore: improve type hints",), twice)
    assert kept is not None and kept.subject == "chore: improve type hints"
    once = PLAIN[:11] + ("chore: bump the linter",)
    kept = _keep(("chore: improve type hints",), once)
    assert kept is not None and kept.subject == "Improve type hints"
    assert anchor.history_form(analyse_history(twice)) is None
    assert anchor.history_form(analyse_history(once)) is Style.PLAIN


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


def test_an_authors_subject_over_72_characters_stands_whole() -> None:
    # Maintainers merged these whole; a cut to 72 left "instead of deprecated".
    subject = "breaking: use `CustomEvent` constructor instead of deprecated `createEvent` method"
    kept = _keep((subject,))
    assert kept is not None and len(subject) > anchor.SUBJECT_LIMIT
    assert (kept.subject, kept.reason, kept.source) == (subject, "", SubjectSource.AUTHOR)


def test_a_changelog_entry_keeps_to_72_characters_where_the_authors_subject_need_not() -> None:
    # The entry is the pipeline's pick, not the subject GitHub would pre-fill: it keeps to the
    # limit of the words commit-polish writes, so a diff-only subject stays within 72.
    entry = "breaking: use `CustomEvent` constructor instead of deprecated `createEvent` method"
    repo = analyse_history(CONVENTIONAL)
    context = ChangeContext(history=CONVENTIONAL)
    note = anchor.keep_note(entry, context, style=anchor.history_form(repo), repo=repo)
    assert note is not None and note.note
    assert len(note.subject) <= anchor.SUBJECT_LIMIT and entry.startswith(note.subject)
    kept = _keep((entry,))
    assert kept is not None and kept.subject == entry


def test_an_authors_subject_over_the_author_limit_is_cut_on_a_word() -> None:
    subject = "fix: " + " ".join(["handle the cursor when the terminal resizes"] * 3)
    kept = _keep((subject,))
    assert kept is not None
    assert len(kept.subject) <= anchor.AUTHOR_LIMIT and "longer than 100" in kept.reason
    assert subject.startswith(kept.subject) and len(kept.subject) > anchor.SUBJECT_LIMIT


def test_a_long_subject_keeps_as_many_of_its_words_as_fit() -> None:
    # A clause end early in the line would drop words maintainers keep: the cut is at a word.
    subject = (
        "fix(git-fetcher): suggest an entry that approves blocked allowBuilds lifecycle scripts"
        " automatically inside isolated workspaces"
    )
    kept = _keep((subject,))
    assert kept is not None
    assert kept.subject == subject.rsplit(" ", 3)[0]


def test_a_web_editor_subject_stands_when_it_names_the_whole_change() -> None:
    readme = (FileChange("docs/README.md", FileStatus.MODIFIED, FileKind.DOCS, 3, 1),)
    kept = _keep(("Update README.md",), PLAIN, files=readme)
    assert kept is not None and kept.subject == "Update README.md"
    more = (*readme, FileChange("src/app.py", FileStatus.MODIFIED, FileKind.SOURCE, 9, 2))
    assert _keep(("Update README.md",), PLAIN, files=more) is None
    assert anchor.weak_reason("Update README.md") is not None  # a model's is still sent back


def test_a_docs_only_change_takes_the_docs_type() -> None:
    kept = _keep(("fix: correct the install steps",), files=_files(FileKind.DOCS))
    assert kept is not None and kept.subject == "docs: correct the install steps"
    kept = _keep(("fix: correct the install steps",), files=_files(FileKind.DOCS, FileKind.SOURCE))
    assert kept is not None and kept.subject == "fix: correct the install steps"
    # A type the pipeline adds obeys the files as the author's does: `add` alone says feat.
    kept = _keep(("Add storydb to the users section",), files=_files(FileKind.DOCS))
    assert kept is not None and kept.subject == "docs: add storydb to the users section"
    kept = _keep(("Add storydb to the users section",), files=_files(FileKind.SOURCE))
    assert kept is not None and kept.subject == "feat: add storydb to the users section"


def test_a_gitmoji_repository_wants_its_emoji() -> None:
    history = tuple(f"✨ Add feature number {n}" for n in range(8))
    assert _keep(("✨ Add the cursor option",), history) is not None
    kept = _keep(("Add the cursor option",), history)
    assert kept is not None and kept.subject.endswith("Add the cursor option")
    assert kept.subject != "Add the cursor option"
    # The emoji it is given obeys the files: a docs-only fix is a memo, not a bug.
    kept = _keep(("Fix the install steps",), history, files=_files(FileKind.DOCS))
    assert kept is not None and kept.subject == "\U0001f4dd Fix the install steps"
    kept = _keep(("Fix the install steps",), history, files=_files(FileKind.SOURCE))
    assert kept is not None and kept.subject == "\U0001f41b Fix the install steps"


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
        "Update `pyproject.toml`, `starlette/responses.py`",
        "Update README.md and CHANGELOG.md",
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
        "Update docs/index.md to mention the cursor option",
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


def test_several_commits_become_githubs_whole_list() -> None:
    # Maintainers merge GitHub's list as it is, work notes and merges included
    # (docs/quality.md): every commit stays, in order.
    commits = (
        "Retry uploads on a reset connection",
        "wip",
        "Cap the backoff at 30 seconds\n\nA minute was too long.",
        "Merge branch 'main' into retry",
        "Test the retry\n\nCo-authored-by: Carol <carol@widgets.dev>",
    )
    context = ChangeContext(title="Retry uploads", commit_messages=commits)
    kept = anchor.keep(context, style=None, repo=analyse_history(()))
    assert kept is not None and kept.subject == "Retry uploads"
    message = anchor.whole_message(kept, context)
    assert message.body == (
        "* Retry uploads on a reset connection\n\n* wip\n\n"
        "* Cap the backoff at 30 seconds\n\nA minute was too long.\n\n"
        "* Merge branch 'main' into retry\n\n* Test the retry"
    )
    assert message.trailers == ("Co-authored-by: Carol <carol@widgets.dev>",)


def test_a_model_subject_keeps_the_authors_body() -> None:
    commits = ("wip", "fix tests\n\nCo-authored-by: Dan <dan@widgets.dev>")
    context = ChangeContext(commit_messages=commits)
    assert anchor.keep(context, style=None, repo=analyse_history(())) is None
    model = CommitMessage("Retry uploads on a reset connection", "The model's own words.")
    message = anchor.author_words(model, context)
    assert message.subject == model.subject
    assert (message.body, message.trailers) == (
        "* wip\n\n* fix tests",
        ("Co-authored-by: Dan <dan@widgets.dev>",),
    )
    one = ChangeContext(commit_messages=("wip\n\nThe retry loop, half done.",))
    assert anchor.author_words(model, one).body == "The retry loop, half done."
    bare = ChangeContext(commit_messages=("wip",))
    assert anchor.author_words(model, bare).body == ""  # none written, none made up


def test_the_style_setting_is_enforced_even_on_a_mixed_history() -> None:
    repo = analyse_history(MIXED)
    context = ChangeContext(commit_messages=("Keep the cursor visible",), history=MIXED)
    kept = anchor.keep(context, style=Style.CONVENTIONAL, repo=repo)
    assert kept is not None and kept.subject.startswith("fix: ")


def test_a_repository_that_squashes_under_the_title_beats_the_title() -> None:
    commit = ("fix: keep the cursor visible\n\nIt vanished.",)
    by_commit = ChangeContext(title="Keep the cursor on screen", commit_messages=commit)
    assert anchor.default_subject(by_commit) == ("fix: keep the cursor visible", "It vanished.")
    by_title = replace(by_commit, title_is_default=True)
    assert anchor.default_subject(by_title) == ("Keep the cursor on screen", "")
