"""fit: the budget is a hard cap, files are named while they fit, telling hunks come first."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest

from commit_polish.digest.fit import fit
from commit_polish.digest.parse import parse_diff
from commit_polish.records import FileChange, FileKind, FileStatus, Hunk
from tests.support import paths

DIFFS = paths.FIXTURES / "diffs"
FIXTURES = sorted(DIFFS.glob("*.diff"))
BUBBLETEA = DIFFS / "charmbracelet_bubbletea_e58efab3713e.diff"
TYPER = DIFFS / "fastapi_typer_e7c3467a08ad.diff"


def words(text: str) -> int:
    return len(text.split())


def bpe_like(text: str) -> int:
    """Close to a BPE tokenizer on code: every word and every punctuation mark counts."""
    return len(re.findall(r"\w+|[^\w\s]", text))


def chars(text: str) -> int:
    return -(-len(text) // 3)


COUNTERS: dict[str, Callable[[str], int]] = {"words": words, "bpe": bpe_like, "chars": chars}


def hunk(start: int, lines: list[str]) -> Hunk:
    old = sum(not line.startswith("+") for line in lines)
    new = sum(not line.startswith("-") for line in lines)
    return Hunk(
        header=f"@@ -{start},{old} +{start},{new} @@",
        lines=tuple(lines),
        added=sum(line.startswith("+") for line in lines),
        removed=sum(line.startswith("-") for line in lines),
    )


def change(path: str, kind: FileKind, *hunks: Hunk) -> FileChange:
    return FileChange(
        path=path,
        status=FileStatus.MODIFIED,
        kind=kind,
        added=sum(h.added for h in hunks),
        removed=sum(h.removed for h in hunks),
        hunks=hunks,
    )


def code(tag: str, n: int, sign: str) -> list[str]:
    return [f"{sign}    {tag}_value_{i} = compute_{tag}(item, {i})  # step {i}" for i in range(n)]


def quoted_lines(text: str) -> int:
    lines = text.split("\n")
    return sum(line[:1] in "+- " and not line.startswith(("+++", "---")) for line in lines)


def shown_files(text: str) -> list[str]:
    return [line[len("+++ b/") :] for line in text.split("\n") if line.startswith("+++ b/")]


# -- the hard cap -------------------------------------------------------------------------

BUDGETS = [0, 1, 5, 10, 20, 35, 50, 80, 120, 200, 350, 600, 1000, 2000, 5000, 20000]


@pytest.mark.parametrize("counter", COUNTERS, ids=str)
@pytest.mark.parametrize("path", FIXTURES, ids=lambda p: p.stem)
def test_budget_is_a_hard_cap(path: Path, counter: str) -> None:
    count = COUNTERS[counter]
    files = parse_diff(path.read_bytes())
    for budget in BUDGETS:
        digest = fit(files, budget, count)
        assert count(digest.text) <= budget, (budget, digest.text)
        assert digest.tokens == count(digest.text)
        assert digest.budget == budget
        parts = (digest.included, digest.condensed, digest.omitted)
        assert sorted(p for part in parts for p in part) == sorted(f.path for f in files)


def test_nothing_fits_in_a_zero_budget() -> None:
    files = parse_diff(BUBBLETEA.read_bytes())
    digest = fit(files, 0, words)
    assert digest.text == ""
    assert digest.omitted == tuple(f.path for f in files)


def test_a_budget_that_fits_everything_shows_the_whole_diff() -> None:
    text = BUBBLETEA.read_text(encoding="utf-8")
    files = parse_diff(text)
    digest = fit(files, 100_000, bpe_like)
    assert digest.included == tuple(f.path for f in files)
    assert digest.condensed == digest.omitted == ()
    assert digest.text.startswith("16 files changed (+265 -65):\nA examples/focus-blur/main.go")
    assert "M go.sum (+4 -11) [lockfile]" in digest.text
    assert "M key_test.go (+73 -32) [test]" in digest.text
    for f in files:
        for h in f.hunks:
            assert "\n".join((h.header, *h.lines)) in digest.text


def test_a_small_budget_names_files_before_showing_any_hunk() -> None:
    files = parse_diff(BUBBLETEA.read_bytes())
    listing = fit(files, 100_000, bpe_like).text.split("\n\n", 1)[0]
    digest = fit(files, bpe_like(listing) + 40, bpe_like)
    assert digest.text.startswith(listing)
    assert "more files" not in digest.text


def test_every_file_is_named_while_the_list_fits() -> None:
    files = parse_diff(BUBBLETEA.read_bytes())
    digest = fit(files, 400, bpe_like)
    listing = digest.text.split("\n\n", 1)[0]
    assert all(f" {f.path} (" in listing for f in files)
    assert "more files" not in digest.text
    assert digest.condensed or digest.omitted  # some hunks did not fit


def test_excerpt_lines_quote_the_diff() -> None:
    text = TYPER.read_text(encoding="utf-8")
    original = set(text.split("\n"))
    digest = fit(parse_diff(text), 600, bpe_like)
    excerpt = digest.text.split("\n\n", 1)[1]
    quoted = [line for line in excerpt.split("\n") if line and not line.startswith("...")]
    assert quoted and all(line in original for line in quoted)
    assert "R docs/tutorial/parameter-types/custom_types.md -> " in digest.text


def test_a_smaller_budget_after_a_context_window_error_just_works() -> None:
    files = parse_diff(BUBBLETEA.read_bytes())
    first = fit(files, 2000, bpe_like)
    second = fit(files, first.tokens // 3, bpe_like)
    assert second.tokens <= first.tokens // 3
    assert quoted_lines(second.text) < quoted_lines(first.text)
    assert second.text.split("\n", 1)[0] == first.text.split("\n", 1)[0]


def test_token_counter_is_called_on_whole_texts_only() -> None:
    files = [
        change(f"src/m{i}.py", FileKind.SOURCE, hunk(1, code(f"m{i}", 8, "+"))) for i in range(2000)
    ]
    calls: list[int] = []

    def counting(text: str) -> int:
        calls.append(len(text))
        return bpe_like(text)

    digest = fit(files, 4000, counting)
    assert digest.tokens <= 4000
    assert 1 <= len(calls) <= 6


# -- what comes first ---------------------------------------------------------------------


def sweep(files: list[FileChange], steps: int = 40) -> list[tuple[str, tuple[str, ...]]]:
    """(text, included) of fit at budgets from nothing to everything."""
    room = fit(files, 1_000_000, bpe_like).tokens
    digests = [fit(files, room * step // steps, bpe_like) for step in range(steps + 1)]
    return [(d.text, d.included) for d in digests]


def test_lockfiles_generated_and_vendored_lines_wait_for_every_other_file() -> None:
    kinds = [FileKind.LOCKFILE, FileKind.GENERATED, FileKind.VENDORED]
    kinds += [FileKind.DOCS, FileKind.TEST, FileKind.SOURCE]
    files = [change(f"{k.value}/file.py", k, hunk(1, code(k.value, 12, "+"))) for k in kinds]
    telling = {"source/file.py", "test/file.py", "docs/file.py"}
    first_shown = []
    for text, included in sweep(files):
        shown = set(shown_files(text))
        if shown - telling:
            assert telling <= set(included), (shown, included)
        if shown:
            first_shown.append(shown)
    assert first_shown[0] == {"source/file.py"}


def test_lockfile_hunks_of_a_real_pr_wait_for_every_source_hunk() -> None:
    files = parse_diff(BUBBLETEA.read_bytes())
    source = {f.path for f in files if f.kind is FileKind.SOURCE}
    seen_source_only = False
    for text, included in sweep(files):
        shown = set(shown_files(text))
        if shown & {"go.sum", "examples/go.sum"}:
            assert source <= set(included)
        seen_source_only |= bool(shown) and shown <= source
    assert seen_source_only


def test_additions_are_shown_before_what_they_replace() -> None:
    gone, new = hunk(10, code("gone", 10, "-")), hunk(50, code("new", 10, "+"))
    files = [change("src/app.py", FileKind.SOURCE, gone, new)]
    seen_new_alone = False
    for text, _ in sweep(files):
        assert "new_value_" in text or "gone_value_" not in text
        seen_new_alone |= "new_value_" in text and "gone_value_" not in text
    assert seen_new_alone


def test_a_change_repeated_everywhere_is_shown_once_and_the_rest_gets_the_room() -> None:
    # A rename touching 200 lines, then the one change that explains it: head truncation
    # would show only the rename.
    rename = ["-    total += old_name(item)"] * 200 + ["+    total += new_name(item)"] * 200
    files = [
        change("src/calls.py", FileKind.SOURCE, hunk(1, rename)),
        change("src/zz_core.py", FileKind.SOURCE, hunk(1, ["+def new_name(thing):", "+    pass"])),
    ]
    digest = fit(files, 300, bpe_like)
    assert "+def new_name(thing):" in digest.text
    assert "-    total += old_name(item)" in digest.text
    assert "+    total += new_name(item)" in digest.text
    assert digest.condensed == ("src/calls.py",)


def test_a_changelog_entry_is_named_and_quoted_first() -> None:
    files = [
        change(f"src/mod{i}.py", FileKind.SOURCE, hunk(1, code(f"mod{i}", 30, "+")))
        for i in range(400)
    ]
    note = ["+- Add a `--retry` flag that retries failed uploads"]
    files.append(change(".changeset/brave-owls-sing.md", FileKind.DOCS, hunk(1, note)))
    digest = fit(files, 1500, bpe_like)
    assert "more files" in digest.text
    assert "\nM .changeset/brave-owls-sing.md (+1 -0) [docs]\n" in digest.text
    assert note[0] in digest.text


def test_changed_lines_come_before_the_context_around_them() -> None:
    context = code("ctx", 40, " ")
    files = [change("src/c.py", FileKind.SOURCE, hunk(1, context + code("c", 300, "+")))]
    digest = fit(files, 700, bpe_like)
    assert digest.text.count("+    c_value_") > 20
    assert digest.text.count("     ctx_value_") < 40


def test_a_hunk_too_big_is_cut_with_a_gap_and_counted_as_condensed() -> None:
    files = [change("src/big.py", FileKind.SOURCE, hunk(1, code("big", 300, "+")))]
    digest = fit(files, 500, bpe_like)
    kept = [line for line in digest.text.split("\n") if line.startswith("+    big_value_")]
    assert 10 < len(kept) < 300
    assert "\n...\n" in digest.text or digest.text.endswith("\n...")
    assert digest.condensed == ("src/big.py",) and digest.included == ()
    assert "@@ -1,0 +1,300 @@" in digest.text


def test_overlong_lines_are_shortened() -> None:
    minified = "+" + "var a=1;" * 2000
    files = [change("src/bundle.js", FileKind.SOURCE, hunk(1, [minified, "+done()"]))]
    digest = fit(files, 100_000, chars)
    assert "... (15,601 more characters)" in digest.text
    assert "+done()" in digest.text
    assert digest.condensed == ("src/bundle.js",)


# -- the file list when names do not fit --------------------------------------------------


def test_too_many_files_are_summarised_by_folder() -> None:
    vendored = [
        change(f"vendor/lib{i}/x.go", FileKind.VENDORED, hunk(1, code("v", 3, "+")))
        for i in range(450)
    ]
    source = [
        change(f"src/mod{i}.py", FileKind.SOURCE, hunk(1, code("s", 2, "+"))) for i in range(50)
    ]
    files = vendored + source
    digest = fit(files, 300, words)
    lines = digest.text.split("\n")
    named = [line for line in lines[1:] if line[:2] in ("M ", "A ", "D ", "R ")]
    summary = next(line for line in lines if line.startswith("... and "))
    match = re.fullmatch(r"\.\.\. and ([\d,]+) more files: ([\d,]+) under vendor/.*", summary)
    assert match is not None
    assert len(named) + int(match.group(1).replace(",", "")) == 500
    # The source files are named before any vendored one.
    assert all(line.startswith("M src/") for line in named[: min(len(named), 50)])
    assert len(named) >= 20
    assert set(digest.omitted) >= {f.path for f in vendored}
    assert words(digest.text) <= 300


def test_a_tiny_budget_still_names_the_most_important_file() -> None:
    files = parse_diff(BUBBLETEA.read_bytes())
    digest = fit(files, 24, words)
    assert digest.text.startswith("16 files changed (+265 -65):\n")
    assert "A examples/focus-blur/main.go (+66 -0)" in digest.text
    assert "more files" in digest.text
    assert words(digest.text) <= 24
