"""usual_scope, with_usual_scope, with_folder_scope and without_file_scope: the scope a
change's paths have had, the folder that holds them, and none rather than a file's name."""

from __future__ import annotations

import pytest

from commit_polish.message.scope import (
    usual_scope,
    with_folder_scope,
    with_usual_scope,
    without_file_scope,
)
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


FETCHER = (
    PathCommit("refactor(pacquet): rename the crates", ("pnpm/crates/git-fetcher/src/a.rs",)),
    PathCommit("fix(git-fetcher): say which clone failed", ("pnpm/crates/git-fetcher/src/a.rs",)),
    PathCommit("feat(pacquet): ship node-gyp", ("pnpm/crates/git-fetcher/src/b.rs",)),
    PathCommit("fix(cli): keep stdout clean", ("pnpm/crates/cli/src/c.rs",)),
    PathCommit("chore(deps): bump tokio", ("pnpm/crates/git-fetcher/Cargo.toml",)),
)


@pytest.mark.parametrize(
    ("subject", "paths", "expected"),
    [
        # Seen on the dev sets: every file in one crate, the model naming the old directory.
        (
            "fix(pacquet): suggest quoting the name",
            ["pnpm/crates/git-fetcher/src/a.rs", "pnpm/crates/git-fetcher/src/b.rs"],
            "fix(git-fetcher): suggest quoting the name",
        ),
        # No scope at all.
        (
            "feat: retry a clone",
            ["pnpm/crates/git-fetcher/src/a.rs"],
            "feat(git-fetcher): retry a clone",
        ),
        # A scope the recent subjects used, though not for these paths (`cli`), fits too.
        ("fix: erase the line", ["pnpm/crates/cli/src/c.rs"], "fix(cli): erase the line"),
        # A hidden or private folder is written without its mark.
        (
            "docs: ask for links",
            [".github/pull_request_template.md"],
            "docs(github): ask for links",
        ),
    ],
)
def test_a_used_scope_naming_the_folder_of_every_file_is_the_scope(
    subject: str, paths: list[str], expected: str
) -> None:
    recent = ("fix(cli): quiet the reporter", "docs(github): template", "feat: a")
    assert with_folder_scope(subject, paths, recent, FETCHER, 72) == expected


@pytest.mark.parametrize(
    ("subject", "paths"),
    [
        # A file outside every used folder: the code at a Go module's root.
        ("fix: reset the cursor", ["standard_renderer.go", "pnpm/crates/git-fetcher/a.go"]),
        # No maintainer wrote `crates` as a scope; a plain subject takes none.
        ("fix: erase it", ["pnpm/crates/a.rs", "pnpm/crates/b.rs"]),
        ("Retry a clone", ["pnpm/crates/git-fetcher/src/a.rs"]),
        # No file but bookkeeping (which the caller leaves out) is in any folder.
        ("chore: lock", []),
        # Too long with the scope.
        ("fix: " + "x" * 60, ["pnpm/crates/git-fetcher/src/a.rs"]),
    ],
)
def test_without_a_used_folder_holding_every_file_the_subject_stays(
    subject: str, paths: list[str]
) -> None:
    assert with_folder_scope(subject, paths, ("fix(cli): a",), FETCHER, 72) == subject


def test_a_folder_path_scope_and_the_most_used_of_several_fit() -> None:
    picker = (PathCommit("fix(examples/file-picker): sort"),)
    paths = ["examples/file-picker/main.go"]
    assert with_folder_scope("fix: sort", paths, (), picker, 72) == (
        "fix(examples/file-picker): sort"
    )
    # `examples` and `file-picker` both hold it: the one the paths' history used most wins,
    # and among names it never used, the newest recent subject's.
    both = (PathCommit("fix(file-picker): a"), *(PathCommit("fix(examples): b"),) * 2)
    assert with_folder_scope("fix: sort", paths, (), both, 72) == "fix(examples): sort"
    recent = ("feat(file-picker): a", "feat(examples): b")
    assert with_folder_scope("fix: sort", paths, recent, (), 72) == "fix(file-picker): sort"


def test_the_models_used_scope_naming_a_folder_of_some_files_stays() -> None:
    # `pnpm` holds every file, but the model's `cli`, used before and the folder of some of
    # them, may be the precise one; `pacquet` names no folder here and gives way.
    paths = ["pnpm/crates/cli/src/c.rs", "pnpm/crates/cli/src/d.rs", "pnpm/README.md"]
    recent = ("feat(pnpm): a", "fix(cli): b")
    assert with_folder_scope("fix(cli): x", paths, recent, FETCHER, 72) == "fix(cli): x"
    assert with_folder_scope("fix(pacquet): x", paths, recent, FETCHER, 72) == "fix(pnpm): x"
