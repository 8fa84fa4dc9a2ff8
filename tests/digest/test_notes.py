"""changelog_entry: the one sentence a change adds to its changelog or change fragments;
changelog_prose: the one entry, whatever its length."""

from __future__ import annotations

import pytest

from commit_polish.digest.notes import PROSE_LIMIT, Entry, changelog_entry, changelog_prose
from commit_polish.digest.parse import parse_diff
from tests.support import paths

SVELTE = paths.FIXTURES / "diffs" / "sveltejs_svelte_4c884312287d.diff"
CODE = """\
diff --git a/src/a.py b/src/a.py
--- a/src/a.py
+++ b/src/a.py
@@ -1 +1 @@
-x = 1
+x = 2
"""


def changelog(*lines: str, path: str = "CHANGELOG.md") -> str:
    body = "\n".join(lines)
    count = sum(not line.startswith("-") for line in lines)
    removed = sum(line.startswith(("-", " ")) for line in lines)
    return (
        f"diff --git a/{path} b/{path}\n--- a/{path}\n+++ b/{path}\n"
        f"@@ -1,{removed} +1,{count} @@\n{body}\n"
    )


def fragment(*lines: str, path: str = ".changeset/odd-wasps-smoke.md") -> str:
    body = "\n".join("+" + line for line in lines)
    return (
        f"diff --git a/{path} b/{path}\nnew file mode 100644\n--- /dev/null\n+++ b/{path}\n"
        f"@@ -0,0 +1,{len(lines)} @@\n{body}\n"
    )


def entry(*diffs: str) -> str | None:
    found = changelog_entry(parse_diff("".join(diffs)))
    assert found is None or found.scope is None
    return found.text if found else None


def test_a_real_changeset_gives_its_line_without_the_front_matter() -> None:
    assert changelog_entry(parse_diff(SVELTE.read_bytes())) == Entry(
        "fix: upgrade to esm-env 1.2.1 to fix issues with non-Vite setups"
    )


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        (
            '- **repair:** strip a leaked "Squash:" label (a5ab87d)',
            Entry('strip a leaked "Squash:" label', "repair"),
        ),
        (
            "* **load**: accept a config in TypeScript "
            "([4c2e987](https://github.com/o/r/commit/4c2e9873))",
            Entry("accept a config in TypeScript", "load"),
        ),
        ("- **Fix** the cache key", Entry("Fix the cache key")),  # bold, but no label
        ("- Paint it (deadbeef)", Entry("Paint it (deadbeef)")),  # a word, not a hash
        ("- Restore a word (facade12)", Entry("Restore a word")),
    ],
)
def test_conventional_changelog_items_give_their_scope_and_lose_the_commit(
    line: str, expected: Entry
) -> None:
    assert changelog_entry(parse_diff(changelog(" ## Unreleased", "+" + line))) == expected


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        (
            "- Discard invalid `variants` with modifiers "
            "([#13977](https://github.com/tailwindlabs/tailwindcss/pull/13977))",
            "Discard invalid `variants` with modifiers",
        ),
        ("* Support proxy exclusions. (#1099)", "Support proxy exclusions"),
        ("- Check for connection aliveness (Pull #111)", "Check for connection aliveness"),
        ("- **Fix** the cache key by @octocat in #12", "Fix the cache key"),
    ],
)
def test_a_new_changelog_item_loses_its_references_and_full_stop(line: str, expected: str) -> None:
    assert entry(CODE, changelog(" ## Unreleased", " ", "+" + line)) == expected


def test_a_wrapped_item_is_read_whole() -> None:
    diff = changelog("+- Fix the progress line when other", "+  processes write to it", " ")
    assert entry(diff) == "Fix the progress line when other processes write to it"


@pytest.mark.parametrize(
    "diff",
    [
        changelog("+- Add a flag", "+- Fix a crash"),  # two entries say no one thing
        changelog("+- Add a flag", "+  - and a nested detail"),
        changelog("-- Fix a crahs", "+- Fix a crash"),  # an edit of an entry
        changelog("+- Add a flag. It does this and that."),  # prose
        changelog("+- Add [flags](https://example.org/flags)"),  # a link left in the words
        changelog("+## 1.2.0", "+", "+Released on Monday."),  # no item at all
        CODE,
    ],
)
def test_no_single_one_sentence_entry_gives_none(diff: str) -> None:
    assert entry(diff) is None


def test_one_entry_across_the_change_is_needed() -> None:
    first = fragment("---", '"pkg": patch', "---", "", "fix: one thing")
    second = fragment("---", '"pkg": patch', "---", "", "fix: another", path=".changeset/b.md")
    assert entry(first) == "fix: one thing"
    assert entry(first, second) is None
    assert entry(first, changelog("+- Fix another thing")) is None


def test_a_fragment_is_its_first_paragraph_and_only_a_new_one_counts() -> None:
    towncrier = fragment("Fix the retry loop on a 503.", path="newsfragments/1234.bugfix.rst")
    assert entry(towncrier) == "Fix the retry loop on a 503"
    assert entry(fragment("Add a flag", "", "More text here.", path="changelog.d/a.md")) == (
        "Add a flag"
    )
    listed = fragment("- fix: one thing", "- feat: another", path=".changeset/two.md")
    assert entry(listed) is None
    edited = changelog("-old text", "+fix: new text", path=".changeset/old.md")
    assert entry(edited) is None
    readme = fragment("# Changesets", "", "Read the docs.", path=".changeset/README.md")
    assert entry(readme) is None


def test_an_entry_of_prose_is_no_subject_but_its_words_are_kept_for_the_prompt() -> None:
    # pnpm's changeset for "feat(patching): apply patch to all versions" (dev2), shortened.
    patching = fragment(
        "---",
        '"pnpm": minor',
        "---",
        "",
        "Add ability to apply patch to all versions:",
        "If the key of `pnpm.patchedDependencies` is a package name without a version,",
        "pnpm will attempt to apply the patch to all versions of the package.",
        "With an exact version, only that version is patched.",
    )
    assert entry(patching) is None
    assert changelog_prose(parse_diff(patching)) == (
        "Add ability to apply patch to all versions: If the key of `pnpm.patchedDependencies`"
        " is a package name without a version, pnpm will attempt to apply the patch to all"
        " versions of the package. With an exact version, only that version is patched."
    )
    two = patching + fragment("fix: another", path=".changeset/b.md")
    assert changelog_prose(parse_diff(two)) == "" == changelog_prose(parse_diff(CODE))
    long = fragment("word " * PROSE_LIMIT, path="newsfragments/1.feature.rst")
    assert changelog_prose(parse_diff(long)) == ("word " * PROSE_LIMIT)[:PROSE_LIMIT]
