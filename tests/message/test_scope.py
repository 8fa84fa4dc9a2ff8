"""usual_scope, with_usual_scope and without_file_scope: the scope a change's paths have had,
and none rather than a file's name."""

from __future__ import annotations

import pytest

from commit_polish.message.scope import usual_scope, with_usual_scope, without_file_scope
from commit_polish.records import PathCommit

LSP = (
    PathCommit("fix(lsp): keep semantic tokens of aliases", ("crates/nu-lsp/src/lib.rs",)),
    PathCommit("chore(deps): bump tokio from 1.0 to 1.1", ("Cargo.toml",)),
    PathCommit("feat(lsp): hover for module commands", ("crates/nu-lsp/src/lib.rs",)),
    PathCommit("refactor(parser): split blocks", ("crates/nu-parser/src/lib.rs",)),
    PathCommit("Update README", ("README.md",)),
)


def test_the_scope_most_of_the_paths_commits_had_is_the_usual_one() -> None:
    assert usual_scope(LSP) == "lsp"
    assert with_usual_scope("fix: regression of semantic tokens", LSP, 72) == (
        "fix(lsp): regression of semantic tokens"
    )
    # The model's own guess gives way to the paths' history.
    assert with_usual_scope("fix(tokens)!: drop aliases", LSP, 72) == "fix(lsp)!: drop aliases"


@pytest.mark.parametrize(
    "history",
    [
        (),
        LSP[:1],  # one commit is not a habit
        (LSP[0], LSP[3]),  # one each: no scope stands out
        # Bots' subjects do not count, however many: a bump touches every manifest.
        tuple(PathCommit(f"chore(deps): bump serde from 1.{i} to 1.{i + 1}") for i in range(5)),
    ],
)
def test_without_a_scope_two_of_the_paths_commits_had_the_subject_stays(
    history: tuple[PathCommit, ...],
) -> None:
    assert usual_scope(history) is None
    assert with_usual_scope("fix: regression of tokens", history, 72) == "fix: regression of tokens"


def test_a_plain_subject_a_scope_equal_to_the_type_or_one_too_long_stays() -> None:
    assert with_usual_scope("Fix regression of tokens", LSP, 72) == "Fix regression of tokens"
    docs = (PathCommit("docs(docs): a"), PathCommit("fix(docs): b"))
    assert with_usual_scope("docs: explain hover", docs, 72) == "docs: explain hover"
    long = "fix: " + "x" * 64
    assert with_usual_scope(long, LSP, 72) == long
    assert with_usual_scope("fix: regression", LSP, 72, min_commits=3) == "fix: regression"
    assert with_usual_scope("fix: regression", LSP, 72, min_share=0.9) == "fix: regression"


TEA = ("feat(deps): bump x/ansi", "fix(examples): handle resize", "feat: add a filter") * 2


@pytest.mark.parametrize(
    ("subject", "paths", "expected"),
    [
        # Seen on the dev sets: a file's name the repository never wrote as a scope.
        (
            "fix(cursed_renderer): restore the keyboard stack",
            ["cursed_renderer.go"],
            "fix: restore the keyboard stack",
        ),
        (
            "feat(options)!: report focus events",
            ["options.go", "tea.go"],
            "feat!: report focus events",
        ),
        # A name the history used, a folder, or no file's name stays.
        ("fix(examples): handle resize", ["examples.go"], "fix(examples): handle resize"),
        ("fix(cli): erase the line", ["cli/reporter/test/cli.ts"], "fix(cli): erase the line"),
        ("fix(tty): raw mode", ["tty_unix.go"], "fix(tty): raw mode"),
        ("Restore the keyboard stack", ["cursed_renderer.go"], "Restore the keyboard stack"),
    ],
)
def test_a_scope_that_only_names_a_changed_file_goes(
    subject: str, paths: list[str], expected: str
) -> None:
    assert without_file_scope(subject, paths, TEA, ()) == expected


def test_a_file_scope_the_paths_history_used_stays() -> None:
    earlier = (PathCommit("fix(renderer): flush", ("renderer.go",)),)
    assert without_file_scope("fix(renderer): x", ["renderer.go"], TEA, earlier) == (
        "fix(renderer): x"
    )
