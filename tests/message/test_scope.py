"""usual_scope and with_usual_scope: the scope a change's paths have had."""

from __future__ import annotations

import pytest

from commit_polish.message.scope import usual_scope, with_usual_scope
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
