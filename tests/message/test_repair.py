"""Style detection, cleaning, judging and repair of real small-model answers."""

from __future__ import annotations

import json
import re
from dataclasses import FrozenInstanceError
from typing import Any

import pytest

from commit_polish.message.fallback import fallback_message
from commit_polish.message.repair import clean, repair, unusable_reason
from commit_polish.message.style import (
    RepoStyle,
    Style,
    analyse_history,
    detect_style,
    parse_prefix,
)
from commit_polish.message.subject import agreeing_type
from commit_polish.records import ChangeContext, FileChange, FileKind, FileStatus
from tests.support.paths import FIXTURES

HISTORIES: dict[str, dict[str, Any]] = json.loads((FIXTURES / "histories.json").read_text())
ANSWERS: list[dict[str, str]] = [
    json.loads(line) for line in (FIXTURES / "qwen_answers.jsonl").read_text().splitlines()
]
MAINTAINERS: list[dict[str, Any]] = [
    json.loads(line) for line in (FIXTURES / "maintainer_messages.jsonl").read_text().splitlines()
]
CONVENTIONAL_PREFIX = re.compile(r"^[a-z]+(\([^()]+\))?!?: \S")


def history(repo: str) -> list[str]:
    return list(HISTORIES[repo]["history"])


def label(repo: str) -> Style:
    return Style(HISTORIES[repo]["label"])


def by_id(short: str) -> dict[str, str]:
    return next(a for a in ANSWERS if a["id"].endswith(short))


# --- style detection -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("repo", "expected"),
    [
        ("charmbracelet/bubbletea", Style.CONVENTIONAL),
        ("googleapis/python-storage", Style.CONVENTIONAL),
        ("sveltejs/svelte", Style.CONVENTIONAL),
        ("encode/httpx", Style.PLAIN),
        ("spf13/cobra", Style.PLAIN),
        # Gitmoji subjects ("📝 Update release notes") carry no type prefix: plain. The emoji
        # habit reaches the model through the history examples in the prompt.
        ("fastapi/typer", Style.PLAIN),
    ],
)
def test_detect_style_on_real_histories(repo: str, expected: Style) -> None:
    assert detect_style(history(repo)) is expected


def test_a_real_history_that_mixes_both_styles_follows_its_majority() -> None:
    mixed = history("spf13/cobra (2024, mixed)")
    assert analyse_history(mixed).style is None
    conventional = sum(parse_prefix(s) is not None for s in analyse_history(mixed).examples)
    majority = conventional * 2 > len(analyse_history(mixed).examples)
    assert detect_style(mixed) is (Style.CONVENTIONAL if majority else Style.PLAIN)


def test_a_mixed_history_writes_as_the_files_own_conventional_history_does() -> None:
    mixed = HISTORIES["nushell/nushell (2025, mixed)"]
    paths = list(mixed["path_history"])
    assert analyse_history(mixed["history"]).style is None
    assert detect_style(mixed["history"]) is Style.PLAIN  # 9 of 18 conventional: no majority
    assert detect_style(mixed["history"], lambda: paths) is Style.CONVENTIONAL
    # Three people's commits may decide; two, or bots' subjects, may not.
    bots = ["build(deps): bump rust-embed from 8.6.0 to 8.7.0 (#15579)"] * 3
    assert detect_style(mixed["history"], lambda: paths[:3]) is Style.CONVENTIONAL
    assert detect_style(mixed["history"], lambda: paths[:2] + bots) is Style.PLAIN


def test_plain_files_history_leaves_a_mixed_history_its_majority() -> None:
    subjects = [f"fix: change {i}" for i in range(6)] + [f"Change thing {i}" for i in range(4)]
    plain = ["Add a flag", "Fix the parser", "Document the API", "Tidy the tests"]
    assert detect_style(subjects, lambda: plain) is Style.CONVENTIONAL


def test_a_clear_history_never_asks_for_the_files_history() -> None:
    def unread() -> list[str]:
        raise AssertionError("a clear history decides alone")

    conventional = ["fix(lsp): a", "feat(lsp): b", "refactor(lsp): c"]
    assert detect_style(history("encode/httpx"), unread) is Style.PLAIN
    assert detect_style(history("sveltejs/svelte"), unread) is Style.CONVENTIONAL
    assert detect_style(["fix: a", "Add b"], lambda: conventional) is None  # too few to tell


def test_no_history_means_no_style() -> None:
    assert detect_style([]) is None
    assert detect_style(["Bump foo from 1.0 to 2.0 (#3)"]) is None
    assert detect_style(["fix: a", "Add b", "fix: c", "Add d"]) is None  # too few to tell


@pytest.mark.parametrize(
    ("conventional", "expected", "leaning"),
    [
        (7, Style.CONVENTIONAL, Style.CONVENTIONAL),
        (6, None, Style.CONVENTIONAL),
        (4, None, Style.PLAIN),
        (3, Style.PLAIN, Style.PLAIN),
    ],
)
def test_thresholds_are_70_and_30_percent_and_a_mixed_history_leans(
    conventional: int, expected: Style | None, leaning: Style
) -> None:
    subjects = [f"fix: change {i}" for i in range(conventional)]
    subjects += [f"Change thing {i}" for i in range(10 - conventional)]
    assert analyse_history(subjects).style is expected
    assert detect_style(subjects) is leaning


@pytest.mark.parametrize(
    ("subjects", "flags"),
    [
        (
            ["✨ Add x (#1)", "🐛 Fix y (#2)", "📝 Update docs"],
            {"gitmoji": True, "pr_suffix": True},
        ),
        ([":sparkles: Add x", ":bug: Fix y", "Fix z"], {"gitmoji": True}),
        (["[cli] Add x", "[core] Fix y", "Tidy z"], {"brackets": True}),
        (["Add x", "Fix y (#3)", "Drop z"], {}),
    ],
)
def test_conventions_in_use_are_detected(subjects: list[str], flags: dict[str, bool]) -> None:
    repo = analyse_history(subjects)
    for name in ("gitmoji", "brackets", "pr_suffix"):
        assert getattr(repo, name) is flags.get(name, False), name


@pytest.mark.parametrize(
    ("subjects", "plain", "typed"),
    [
        (["fix: add x", "feat(cli): drop y", "docs: tidy z"], None, False),
        (["feat: Add x", "fix: Drop y", "Tidy z"], True, True),
        (["Add x", "✨ Drop y", "[cli] Tidy z"], True, None),
        (["Add x", "drop y", "Tidy z", "fix w"], None, None),
        (["add x", "drop y", "tidy z", "Fix w"], False, None),
    ],
)
def test_sentence_case_is_read_apart_for_subjects_with_and_without_a_type(
    subjects: list[str], plain: bool | None, typed: bool | None
) -> None:
    repo = analyse_history(subjects)
    assert (repo.capitalised, repo.capitalised_after_type) == (plain, typed)


@pytest.mark.parametrize(
    ("history", "answer", "subject"),
    [
        (
            ["✨ Add x", "🐛 Fix y", "📝 Update docs", "🔧 Tidy z", "✨ Add w"],
            "Add a --retry flag",
            "✨ Add a --retry flag",
        ),
        (
            ["✨ Add x", "🐛 Fix y", "📝 Update docs", "🔧 Tidy z", "✨ Add w"],
            "🐛 Fix the retry loop",
            "🐛 Fix the retry loop",
        ),
        (
            ["Add x", "Fix y", "Update docs", "Tidy z", "Add w"],
            "✨ Add a --retry flag",
            "Add a --retry flag",
        ),
        (
            ["📝 Add x", "🐛 Fix y", "📝 Update docs", "📝 Tidy z", "✨ Add w"],
            "Update the guide",
            "📝 Update the guide",
        ),
        # Release tags are the most used emoji here, but mark no change (typer's history).
        (
            ["🔖 Release 0.2", "🔖 Release 0.3", "🔖 Release 0.4", "🔧 Tidy z", "📝 Update docs"],
            "Update the guide",
            "🔧 Update the guide",
        ),
        (
            ["✨ Add x", "🐛 Fix y", "📝 Update docs", "🔧 Tidy z", "✨ Add w"],
            "Upgrade click to 8.2",
            "⬆️ Upgrade click to 8.2",
        ),
        (
            ["add x", "fix y", "update docs", "tidy z", "add w"],
            "Add a --retry flag",
            "add a --retry flag",
        ),
        (
            ["feat: Add x", "fix: Drop y", "docs: Tidy z", "fix: Go w", "feat: Do v"],
            "feat: add a flag",
            "feat: Add a flag",
        ),
    ],
)
def test_repair_follows_the_conventions_the_history_shows(
    history: list[str], answer: str, subject: str
) -> None:
    style = detect_style(history)
    assert repair(answer, style=style, history=history).subject == subject


def test_bot_and_dependency_subjects_are_left_out() -> None:
    bots = [
        "chore(deps): update dependency pytest to v7.2.2 (#999)",
        "build(deps): bump cryptography from 38.0.3 to 39.0.1 (#986)",
        "⬆ Bump nwtgck/actions-netlify from 1.2.4 to 2.0.0 (#513)",
        "fix(deps): update all dependencies",
        "chore: update pre-commit hooks [bot]",
        "⬆ [pre-commit.ci] pre-commit autoupdate (#512)",
        "chore(deps-dev): bump black",
    ]
    people = ["Add a flag (#1)", "Fix the parser", "Document the API"]
    # Counted, the bots would make this history 70% conventional.
    assert detect_style(bots + people) is Style.PLAIN
    assert analyse_history(bots + people).examples == (
        "Add a flag",
        "Fix the parser",
        "Document the API",
    )


def test_broader_common_types_count_as_conventional() -> None:
    subjects = ["feature(ui): add x", "bugfix: y", "Docs: z", "tests: w", "i18n: v", "revert: u"]
    assert detect_style(subjects) is Style.CONVENTIONAL
    assert detect_style(["Example: a form", "Makefile: add target", "Add x"]) is Style.PLAIN


def test_repo_style_reports_scopes_examples_and_types() -> None:
    bubbletea = analyse_history(history("charmbracelet/bubbletea"))
    svelte = analyse_history(history("sveltejs/svelte"))
    assert bubbletea.uses_scopes and not svelte.uses_scopes
    assert all("(#" not in example for example in bubbletea.examples)
    assert len(set(bubbletea.examples)) == len(bubbletea.examples)
    assert bubbletea.types[0] in {"fix", "chore", "docs", "feat"}
    assert not bubbletea.file_scopes
    assert analyse_history(["fix(main.go): a", "feat(cmd.go): b"]).file_scopes
    with pytest.raises(FrozenInstanceError):
        bubbletea.style = None  # type: ignore[misc]
    assert isinstance(bubbletea, RepoStyle)


# --- clean ------------------------------------------------------------------------------


def test_clean_removes_backticks_around_real_subjects() -> None:
    wrapped = [a for a in ANSWERS if a["message"].startswith("`")]
    assert len(wrapped) == 5
    for answer in wrapped:
        subject = clean(answer["message"]).partition("\n")[0]
        assert not subject.startswith("`"), subject
        assert not subject.endswith("`") or subject.count("`") % 2 == 0, subject
    assert clean(by_id("cabd1c095e52")["message"]) == (
        "Update the `app=...` shortcut to use `WSGITransport` or `ASGITransport` instead"
    )


def test_clean_keeps_code_spans_that_only_look_like_a_wrapper() -> None:
    assert clean("`foo` and `bar` are merged") == "`foo` and `bar` are merged"
    assert clean("`a` replaces `b`") == "`a` replaces `b`"


def test_clean_drops_the_real_trailing_explanation() -> None:
    cleaned = clean(by_id("0d3e281d1436")["message"])
    assert cleaned == (
        "fix(cursed_renderer): disable keyboard enhancement queries when input is disabled"
    )


@pytest.mark.parametrize(
    "answer",
    [
        "Here is the commit message:\n\nAdd a flag",
        "Sure! Here's a squash commit message for this diff:\n```\nAdd a flag\n```",
        "Commit message: Add a flag",
        "**Commit message:**\n\nAdd a flag",
        "Subject: Add a flag",
        "## Add a flag",
        "**Add a flag**",
        '"Add a flag"',
        "'Add a flag'",
        "Add a flag (#123)",
        "<think>\nThe diff adds a flag.\n</think>\n\nAdd a flag",
        "The model thought here.</think>Add a flag",
        "```text\nAdd a flag\n```\n\nThis commit message follows the guidelines.",
        "Add a flag\n\nThis message uses the imperative mood.",
        "OK, here it is:\nAdd a flag",
        "Here's a concise commit message for this change\n\nAdd a flag",
        "Squash: Add a flag",
        "**Squashed:** Add a flag",
    ],
)
def test_clean_reduces_every_wrapper_to_the_subject(answer: str) -> None:
    assert clean(answer) == "Add a flag"


@pytest.mark.parametrize(
    "subject",
    [
        "Ok button stays disabled on empty forms",
        "Here-docs keep their indentation",
        "Sure-fire",
        "Squash the migrations into one",
        "Squashed commits keep their trailers",
    ],
)
def test_clean_does_not_mistake_a_subject_for_a_preamble(subject: str) -> None:
    assert clean(subject) == subject


def test_a_note_about_the_change_is_not_meta_text() -> None:
    answer = "Add x\n\nNote: the old flag still works.\n\nNote: this message is short."
    assert clean(answer) == "Add x\n\nNote: the old flag still works."


def test_clean_keeps_trailers_written_after_the_explanation() -> None:
    answer = (  # indented as a whole, as some models answer
        "    Add a flag\n\n    It was missing.\n\n    This commit message is imperative.\n\n"
        "    Note: no body needed.\n\n    Co-authored-by: Ann <ann@x.io>"
    )
    assert clean(answer) == "Add a flag\n\nIt was missing.\n\nCo-authored-by: Ann <ann@x.io>"


def test_clean_keeps_the_body_and_only_drops_the_meta_paragraphs() -> None:
    answer = (
        "```\nfix: handle empty input\n\nThe parser crashed on empty files.\n\n- guard it\n```\n"
        "Explanation: the subject is imperative."
    )
    assert clean(answer) == (
        "fix: handle empty input\n\nThe parser crashed on empty files.\n\n- guard it"
    )


# --- unusable_reason --------------------------------------------------------------------


def test_every_real_answer_is_usable() -> None:
    for answer in ANSWERS:
        assert unusable_reason(answer["message"], history(answer["repo"])) is None, answer


@pytest.mark.parametrize(
    ("answer", "reason"),
    [
        ("", "empty"),
        ("   \n\n ", "empty"),
        ("<think>\nThe change renames a flag and", "no commit subject"),
        ("Sure! Here is the commit message:", "no commit subject"),
        ("This commit message follows the conventional format.", "no commit subject"),
        (
            "diff --git a/x.py b/x.py\n--- a/x.py\n+++ b/x.py\n@@ -1,2 +1,2 @@\n-a = 1\n+a = 2",
            "code",
        ),
        (
            "def parse(text):\n    if not text:\n        return None\n    return text.split()",
            "code",
        ),
        ("Fix the parser\n\n+    x = 1;\n+    y = 2;\n-    z = 3;\n}", "code"),
        ("Fix the parser\n\n- Fix the parser\n- Fix the parser\n- Fix the parser", "loop"),
        ("Fix the the the the the the the the the the parser", "loop"),
        ("Add new new feature feature feature feature feature feature", "loop"),
        ("v1.2.3 -> v1.2.4", "symbols"),
        ("!!! ??? ###", "symbols"),
    ],
)
def test_unusable_reasons(answer: str, reason: str) -> None:
    found = unusable_reason(answer)
    assert found is not None and reason in found, found


def test_a_copy_of_a_history_subject_is_unusable() -> None:
    real = history("encode/httpx")
    assert unusable_reason("Drop outdated section (#3057)") is None
    reason = unusable_reason("drop outdated section.", real)
    assert reason is not None and "copies" in reason and "'Drop outdated section'" in reason
    assert unusable_reason("`Drop outdated section` (#3060)", real) is not None
    assert unusable_reason("Drop outdated sections", real) is None


def test_bullet_lists_and_trailers_are_not_code_nor_loops() -> None:
    answer = (
        "Add a retry flag\n\n- Add --retries to the CLI\n- Document it in the README\n\n"
        "Co-authored-by: A <a@x.io>\nCo-authored-by: A <a@x.io>\nCo-authored-by: A <a@x.io>"
    )
    assert unusable_reason(answer) is None


# --- repair: the 18 real answers ----------------------------------------------------------


@pytest.mark.parametrize("answer", ANSWERS, ids=[a["id"] for a in ANSWERS])
def test_repair_makes_every_real_answer_well_formed(answer: dict[str, str]) -> None:
    style = label(answer["repo"])
    message = repair(answer["message"], style=style, history=history(answer["repo"]))
    assert 1 <= len(message.subject) <= 72
    assert not message.subject.endswith(".")
    assert not message.subject.startswith(("`", '"', "'"))
    assert "..." not in message.subject.replace("`app=...`", "")
    has_prefix = bool(CONVENTIONAL_PREFIX.match(message.subject))
    assert has_prefix is (style is Style.CONVENTIONAL), message.subject
    if style is Style.PLAIN:
        assert message.subject[0].isupper() or not message.subject[0].isalpha()
    # Never cut mid-word: every word of the subject's description is a word of the answer.
    words = set(re.findall(r"[\w.=/-]+", answer["message"].lower()))
    description = message.subject.split(": ", 1)[-1].lower()
    for word in re.findall(r"[\w.=/-]+", description):
        assert word in words or word in {"add", "fix", "update"}, word
    for line in message.body.splitlines():
        assert len(line) <= 72 or " " not in line.strip(), line
    assert "This commit message" not in message.text


def test_repair_drops_file_name_scopes_but_keeps_component_scopes() -> None:
    bubbletea = history("charmbracelet/bubbletea")
    first = repair(by_id("f946f1abb2bd")["message"], style=Style.CONVENTIONAL, history=bubbletea)
    assert first.subject == "fix: improve key type handling"
    second = repair(by_id("4497aa9eef1c")["message"], style=Style.CONVENTIONAL, history=bubbletea)
    assert second.subject == "feat: add test for clear screen command"
    third = repair(by_id("0d3e281d1436")["message"], style=Style.CONVENTIONAL, history=bubbletea)
    assert third.subject.startswith("fix(cursed_renderer): disable keyboard enhancement queries")
    assert len(third.subject) <= 72 and not third.body


def test_file_scopes_stay_when_the_history_uses_them() -> None:
    files = ["fix(main.go): handle nil", "feat(cmd.go): add x", "fix(root.go): y", "docs: z"]
    message = repair("fix(key_windows.go): improve key handling", style=None, history=files)
    assert message.subject == "fix(key_windows.go): improve key handling"


def test_scopes_go_when_a_conventional_history_never_uses_them() -> None:
    svelte = history("sveltejs/svelte")
    message = repair("fix(compiler): keep comments", style=Style.CONVENTIONAL, history=svelte)
    assert message.subject == "fix: keep comments"


def test_plain_style_strips_the_prefix_the_model_added() -> None:
    cobra = history("spf13/cobra")
    message = repair(by_id("5bef9d8d87ad")["message"], style=Style.PLAIN, history=cobra)
    assert message.subject == "Improve version template"
    assert repair("Fix: Handle nil", style=Style.PLAIN).subject == "Handle nil"
    # A Go-style component prefix is a plain repository's own habit: kept.
    assert repair("cmd: handle nil", style=Style.PLAIN).subject == "cmd: handle nil"


def test_a_history_without_any_prefix_counts_as_plain_even_without_a_style() -> None:
    message = repair("feat(ui): add dark mode", style=None, history=history("encode/httpx"))
    assert message.subject == "Add dark mode"


def test_conventional_style_infers_a_missing_type() -> None:
    cases = {
        "Add support for proxies": "feat: add support for proxies",
        "Fixed crash on empty input": "fix: fix crash on empty input",
        "Add tests for the parser": "test: add tests for the parser",
        "Update README with install steps": "docs: update README with install steps",
        "Rename Client.send to Client.request": "refactor: rename Client.send to Client.request",
        "Bump minimum Python to 3.11": "chore: bump minimum Python to 3.11",
        "renderer: flush on exit": "fix(renderer): flush on exit",
        "Bump the docs theme to 2.0": "chore: bump the docs theme to 2.0",
        "Revert the docs change": "revert: revert the docs change",
    }
    for answer, expected in cases.items():
        assert repair(answer, style=Style.CONVENTIONAL).subject == expected


def test_a_nested_scope_and_a_copied_commit_hash_are_repaired() -> None:
    # Seen on this project's own history (docs/quality.md): a small model nests a history's
    # `docs(quality)` as its scope, and copies a changelog's commit hash.
    ours = ["docs(quality): a", "feat(message): b", "fix(action): c", "test(eval): d", "docs: e"]
    nested = "fix(docs(quality)): update the quality metrics for the whole sets"
    assert repair(nested, style=Style.CONVENTIONAL, history=ours).subject == (
        "fix(quality): update the quality metrics for the whole sets"
    )
    copied = repair("docs(changelog): update the targets (5d86a4b).", style=None, history=ours)
    assert copied.subject == "docs(changelog): update the targets"
    # A word in parentheses is no hash, nor is a short one.
    for kept in ("fix: paint it (deadbeef)", "fix: keep the id (a1b2c3)"):
        assert repair(kept, style=Style.CONVENTIONAL, history=ours).subject == kept


def test_conventional_type_is_normalised() -> None:
    assert repair("Feature(ui): Add x", style=Style.CONVENTIONAL).subject == "feat(ui): add x"
    assert repair("FIX: handle y", style=Style.CONVENTIONAL).subject == "fix: handle y"
    assert repair("feat!: drop z", style=Style.CONVENTIONAL).subject == "feat!: drop z"


@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        ("Added retry support", "Add retry support"),
        ("Adds retry support", "Add retry support"),
        ("Adding retry support", "Add retry support"),
        ("Fixes the Fixed header", "Fix the Fixed header"),
        ("Removed unused imports", "Remove unused imports"),
        ("Dropped Python 3.8", "Drop Python 3.8"),
        ("Simplifies parsing", "Simplify parsing"),
        ("Made errors clearer", "Make errors clearer"),
        ("Logging of retries", "Logging of retries"),
        ("Caching layer for tokens", "Caching layer for tokens"),
    ],
)
def test_first_word_becomes_imperative(answer: str, expected: str) -> None:
    assert repair(answer, style=Style.PLAIN).subject == expected


def test_case_follows_the_style() -> None:
    assert repair("fix: Handle nil", style=Style.CONVENTIONAL).subject == "fix: handle nil"
    assert repair("docs: README typo", style=Style.CONVENTIONAL).subject == "docs: README typo"
    assert repair("handle nil maps", style=Style.PLAIN).subject == "Handle nil maps"
    assert repair("iOS build fix", style=Style.PLAIN).subject == "iOS build fix"
    assert repair("📝 update docs", style=Style.PLAIN).subject == "📝 Update docs"


def test_long_subjects_are_cut_at_a_clause_or_word_boundary() -> None:
    subject = repair(
        "Add a retry option (with exponential backoff and jitter) to the HTTP client so that "
        "flaky servers do not fail the whole run",
        style=Style.PLAIN,
    ).subject
    assert subject == "Add a retry option to the HTTP client"
    words = repair(
        "Update cobra/cmd/testdata/main.go and cobra/cmd/testdata/root.go to use viper for "
        "configuration.",
        style=Style.PLAIN,
    ).subject
    assert words == "Update cobra/cmd/testdata/main.go and cobra/cmd/testdata/root.go"
    storage = repair(by_id("08bc7082db73")["message"], style=Style.CONVENTIONAL).subject
    assert storage == "fix: update AsyncMultiRangeDownloader constructor to use 'generation'"


def test_a_cut_never_leaves_a_code_span_open_nor_a_dangling_word() -> None:
    def cut(text: str, width: int) -> str:
        return repair(text, style=Style.PLAIN, width=width).subject

    code = "Set the default `retry = Retry(total=3, backoff_factor=0.5)` on adapters"
    assert cut(code, 45) == "Set the default"
    dangling = "Move the cache of parsed templates into the renderer of the document tree"
    assert cut(dangling, 60) == "Move the cache of parsed templates into the renderer"
    call = "Replace the deprecated helper in the request builder with `build_request(method, url)`"
    assert cut(call, 90) == call  # fits: nothing is dropped, not even a call's parentheses
    assert cut(call, 60) == "Replace the deprecated helper in the request builder"


def test_a_cut_ends_before_an_unfinished_trailing_phrase() -> None:
    docs = (
        "Improve the documentation on HTTP basic authentication in the advanced "
        "authentication section"
    )
    assert repair(docs, style=Style.PLAIN).subject == (
        "Improve the documentation on HTTP basic authentication"
    )
    perf = "refactor: improve async downloader throughput by reducing memory copies per range read"
    assert repair(perf, style=Style.CONVENTIONAL).subject == (
        "refactor: improve async downloader throughput"
    )


@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        ("Improve help text for commands. [test]", "Improve help text for commands"),
        ("Fix the flag parser. Also update the docs", "Fix the flag parser"),
        ("Bump version to 1.2. Then tag it", "Bump version to 1.2"),
        ("Use e.g. uv in the setup docs", "Use e.g. uv in the setup docs"),
        ("Document Node.js support in the guide", "Document Node.js support in the guide"),
        ("Fix it. More", "Fix it. More"),  # too short a first sentence to stand alone
    ],
)
def test_the_subject_is_its_first_sentence_without_an_invented_tag(
    answer: str, expected: str
) -> None:
    assert repair(answer, style=Style.PLAIN).subject == expected


def test_a_trailing_tag_stays_where_the_history_ends_subjects_with_one() -> None:
    tagged = ["Update the docs [skip ci]", "Fix the build [skip ci]", "Add a flag"]
    answer = "Update the install guide [skip ci]"
    assert repair(answer, style=Style.PLAIN, history=tagged).subject == answer


def test_a_single_huge_token_is_cut_at_a_separator() -> None:
    subject = repair("x" * 40 + "." + "y" * 60, style=Style.PLAIN).subject
    assert subject == "X" + "x" * 39


# --- repair: body and trailers -----------------------------------------------------------


def test_body_is_wrapped_at_72_with_hanging_bullets() -> None:
    answer = (
        "Add a retry option\n\n"
        + "The client gave up on the first connection reset, which made every flaky "
        "proxy fail the whole run; now it retries with backoff.\n\n"
        + "- Retry on connection resets, timeouts and 503 responses, but never on 4xx "
        "responses, which are our own fault\n"
        + "- See https://example.org/a/very/long/path/that/must/not/be/broken/anywhere/at/all\n\n"
        + "    client = Client(retries=3, backoff=0.5, jitter=True, on_retry=log_retry_attempt)"
    )
    body = repair(answer, style=Style.PLAIN).body
    lines = body.splitlines()
    assert lines[0] == "The client gave up on the first connection reset, which made every flaky"
    assert "  4xx responses, which are our own fault" in lines
    assert any(line.startswith("- Retry on connection resets") for line in lines)
    url = "https://example.org/a/very/long/path/that/must/not/be/broken/anywhere/at/all"
    assert f"- See {url}" in lines
    assert (
        "    client = Client(retries=3, backoff=0.5, jitter=True, on_retry=log_retry_attempt)"
        in lines
    )
    for line in lines:
        assert len(line) <= 72 or "https://" in line or line.startswith("    ")


def test_body_loses_markdown_html_comments_meta_and_the_echoed_subject() -> None:
    real = repair(by_id("df5345140e09")["message"], style=Style.PLAIN)
    assert real.body == ""  # its body only repeated the subject
    answer = (
        "Add a retry option\n\n## Summary\n<!-- generated -->\nThe client now **retries**; "
        "see [the docs](https://example.org/retry).\n\n![diagram](https://x.io/a.png)\n\n"
        "Note: this message follows the Conventional Commits format."
    )
    body = repair(answer, style=Style.PLAIN).body
    assert body == "The client now retries; see the docs (https://example.org/retry)."


def test_fenced_code_in_the_body_becomes_an_indented_block() -> None:
    answer = "Add a retry option\n\nUse it like this:\n\n```python\nclient = Client(retries=3)\n```"
    body = repair(answer, style=Style.PLAIN).body
    assert body == "Use it like this:\n\n    client = Client(retries=3)"


def test_real_gitmoji_bullets_survive() -> None:
    message = repair(by_id("1b8615163c6c")["message"], style=Style.PLAIN)
    assert message.subject == "Update MkDocs theme features and language"
    assert message.body.splitlines()[0].startswith("- 🔧 Enable search.suggest")
    assert message.body.splitlines()[1].startswith("  ")
    assert "- 📝 Update MkDocs theme language to English" in message.body


def test_co_author_trailers_are_kept_deduplicated_and_last() -> None:
    answer = (
        "Add a retry option\n\nCo-authored-by: Ann Lee <ANN@corp.io>\n\nWhy: flaky proxies.\n\n"
        "Co-authored-by: Bob <bob@corp.io>\nCo-authored-by: not an address\n"
        "Co-authored-by: John Doe <john.doe@example.com>\nSigned-off-by: Bob <bob@corp.io>"
    )
    message = repair(
        answer, style=Style.PLAIN, co_authors=["Ann Lee <ann@corp.io>", "Cy <cy@corp.io>"]
    )
    assert message.trailers == (
        "Co-authored-by: Ann Lee <ann@corp.io>",
        "Co-authored-by: Cy <cy@corp.io>",
        "Co-authored-by: Bob <bob@corp.io>",
    )
    assert message.body == "Why: flaky proxies."
    assert message.text.endswith("\n\n" + "\n".join(message.trailers))
    assert "Signed-off-by" not in message.text


def test_other_identity_trailers_are_kept_only_when_they_were_in_the_input() -> None:
    answer = "Add x\n\nSigned-off-by: Marc <marc@m.ca>\nReviewed-by: Eve <eve@m.ca>"
    allowed = ["signed-off-by: Marc <marc@m.ca>"]
    message = repair(answer, style=Style.PLAIN, allowed_trailers=allowed)
    assert message.trailers == ("Signed-off-by: Marc <marc@m.ca>",)


@pytest.mark.parametrize("real", MAINTAINERS, ids=[m["id"] for m in MAINTAINERS])
def test_repair_leaves_a_good_maintainer_message_alone(real: dict[str, Any]) -> None:
    text = "\n\n".join(part for part in (real["subject"], real["body"], *real["trailers"]) if part)
    co_authors = [t.split(": ", 1)[1] for t in real["trailers"] if t.startswith("Co-authored-by")]
    message = repair(
        text,
        style=label(real["repo"]),
        history=history(real["repo"]),
        co_authors=co_authors,
        allowed_trailers=real["trailers"],
    )
    subject = real["subject"]
    if label(real["repo"]) is Style.PLAIN:  # the one rule a maintainer may break: case
        subject = subject[0].upper() + subject[1:]
    assert message.subject == subject
    assert message.body == real["body"]
    assert message.trailers == tuple(
        [t for t in real["trailers"] if t.startswith("Co-authored-by")]
        + [t for t in real["trailers"] if not t.startswith("Co-authored-by")]
    )


def test_repair_refuses_an_answer_without_a_subject() -> None:
    with pytest.raises(ValueError, match="unusable_reason"):
        repair("<think>only thinking", style=Style.PLAIN)


# --- fallback_message --------------------------------------------------------------------


def change(
    path: str,
    added: int = 1,
    removed: int = 0,
    status: FileStatus = FileStatus.MODIFIED,
    kind: FileKind = FileKind.SOURCE,
    old_path: str | None = None,
) -> FileChange:
    return FileChange(path, status, kind, added, removed, old_path=old_path)


FILES = (
    change("src/pkg/client.py", 40, 10),
    change("src/pkg/retry.py", 80, 0, FileStatus.ADDED),
    change("src/pkg/old.py", 0, 30, FileStatus.DELETED),
    change("uv.lock", 900, 800, kind=FileKind.LOCKFILE),
    change("src/pkg/logo.png", 0, 0, FileStatus.ADDED, FileKind.BINARY),
    change("src/pkg/util.py", 2, 2),
    change("src/pkg/new_name.py", 1, 1, FileStatus.RENAMED, old_path="src/pkg/name.py"),
)


def test_fallback_uses_the_pr_title_in_the_repository_style() -> None:
    context = ChangeContext(
        title="[WIP] Added retry support.",
        co_authors=("Ann <ann@x.io>", "ann again <ANN@x.io>"),
        history=tuple(history("sveltejs/svelte")),
    )
    message = fallback_message(FILES, context, style=Style.CONVENTIONAL)
    assert message.subject == "feat: add retry support"
    assert message.from_model is False
    assert message.trailers == ("Co-authored-by: Ann <ann@x.io>",)
    plain = fallback_message(FILES, context, style=Style.PLAIN)
    assert plain.subject == "Add retry support"
    # A weak title says nothing a reader can use: the diff's files speak instead.
    for weak in ("WIP", "Update retry.py"):
        subject = fallback_message(FILES, ChangeContext(title=weak), style=Style.PLAIN).subject
        assert subject == "Update 6 files in src/pkg"


def test_fallback_body_lists_the_most_changed_files_then_a_count() -> None:
    body = fallback_message(FILES, ChangeContext(), style=Style.PLAIN).body
    assert body.splitlines() == [
        "- src/pkg/retry.py (new, +80)",
        "- src/pkg/client.py (+40 -10)",
        "- src/pkg/old.py (deleted, -30)",
        "- src/pkg/util.py (+2 -2)",
        "- src/pkg/new_name.py (renamed from src/pkg/name.py, +1 -1)",
        "- and 2 more files",
    ]
    assert "commit" not in body.lower()
    everything = fallback_message(FILES, ChangeContext(), style=Style.PLAIN, width=72)
    assert fallback_message(FILES[4:5], ChangeContext(), style=None).body == (
        "- src/pkg/logo.png (binary, added)"
    )
    assert everything.from_model is False and everything.trailers == ()


def test_fallback_subject_from_the_diff() -> None:
    def subject(*files: FileChange, style: Style | None = Style.PLAIN) -> str:
        return fallback_message(files, ChangeContext(), style=style).subject

    assert subject(change("a/b/c.py", 5, 1)) == "Update c.py"
    assert subject(change("a/new.py", 5, 0, FileStatus.ADDED)) == "Add new.py"
    assert subject(change("a/gone.py", 0, 5, FileStatus.DELETED)) == "Remove gone.py"
    renamed = change("a/b.py", status=FileStatus.RENAMED, old_path="a/a.py")
    assert subject(renamed) == "Rename a.py to b.py"
    assert subject(*FILES) == "Update 6 files in src/pkg"
    spread = (change("x/a.py", 1), change("y/big.py", 50), change("z/c.py", 3))
    assert subject(*spread) == "Update big.py and 2 other files"
    assert subject(change("a/x.py", 1), change("poetry.lock", 500, kind=FileKind.LOCKFILE)) == (
        "Update x.py"
    )
    docs = (change("guide/a.md", kind=FileKind.DOCS), change("guide/b.md", kind=FileKind.DOCS))
    assert subject(*docs, style=Style.CONVENTIONAL) == "docs: update 2 files in guide"
    tests = (change("t/a.py", kind=FileKind.TEST),)
    assert subject(*tests, style=Style.CONVENTIONAL) == "test: update a.py"
    assert subject(change("a/x.py", 5), style=Style.CONVENTIONAL) == "chore: update x.py"
    assert subject(style=Style.PLAIN) == "Update files"
    # Gitmoji: the emoji the files decide, else the one the repository uses most.
    emoji = ChangeContext(history=tuple(f"\U0001f3a8 Tidy layout {n}" for n in range(8)))
    assert fallback_message(docs, emoji, style=Style.PLAIN).subject.startswith("\U0001f4dd ")
    assert fallback_message(spread, emoji, style=Style.PLAIN).subject == (
        "\U0001f3a8 Update big.py and 2 other files"
    )
    typed = fallback_message(spread, emoji, style=Style.CONVENTIONAL).subject
    assert typed == "chore: update big.py and 2 other files"


CUT = "fix: retry uploads\n\nUploads failed on flaky networks. Retrying twice fixes most of the"


def test_a_body_cut_at_the_token_limit_ends_at_its_last_finished_sentence() -> None:
    repaired = repair(CUT, style=None, cut_short=True)
    assert repaired.body == "Uploads failed on flaky networks."
    assert repair(CUT, style=None).body.endswith("fixes most of the")


@pytest.mark.parametrize(
    ("body", "kept"),
    [
        ("First paragraph.\n\nSecond paragraph without an end", "First paragraph."),
        ("Retrying helps:\n- retries are cheap\n- the net", "Retrying helps:\n- retries are cheap"),
        ("Nothing finished here at all", ""),
        ("All done (see the docs)", "All done (see the docs)"),
    ],
)
def test_unfinished_bodies_lose_only_the_unfinished_part(body: str, kept: str) -> None:
    assert repair(f"fix: retry uploads\n\n{body}", style=None, cut_short=True).body == kept


@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        # The verb says feature or fix, the model's type says otherwise: the verb wins.
        (
            "fix(patching): add support for exact versions",
            "feat(patching): add support for exact versions",
        ),
        (
            "refactor(napi): add a config file for builds",
            "feat(napi): add a config file for builds",
        ),
        ("refactor: fix the race in the pool", "fix: fix the race in the pool"),
        ("feat: prevent a crash on empty input", "fix: prevent a crash on empty input"),
        ("refactor!: allow async handlers", "feat!: allow async handlers"),
        # Neutral verbs, agreeing verbs and other types stay as the model wrote them.
        ("fix: update the retry delay", "fix: update the retry delay"),
        ("refactor: simplify the parser", "refactor: simplify the parser"),
        ("feat: add dark mode", "feat: add dark mode"),
        ("chore: add renovate config", "chore: add renovate config"),
        ("docs: fix a typo in the guide", "docs: fix a typo in the guide"),
        # Test or documentation words decide before the verb: no certain type, no change.
        ("fix: add tests for the parser", "fix: add tests for the parser"),
        ("refactor: add docs for hooks", "refactor: add docs for hooks"),
    ],
)
def test_a_models_type_agrees_with_its_verb(answer: str, expected: str) -> None:
    assert repair(answer, style=Style.CONVENTIONAL).subject == expected


def test_the_type_agrees_in_a_mixed_history_too_but_never_turns_plain_typed() -> None:
    assert repair("refactor: add x", style=None, history=["feat: a", "B c"]).subject == (
        "feat: add x"
    )
    assert repair("Add x", style=Style.PLAIN).subject == "Add x"


def test_agreeing_type_changes_only_the_certain_cases() -> None:
    assert agreeing_type("fix", "add support for globs") == "feat"
    assert agreeing_type("refactor", "resolve the deadlock") == "fix"
    assert agreeing_type("fix", "update the bucket") == "fix"
    assert agreeing_type("perf", "add a cache") == "perf"
    assert agreeing_type("fix", "add tests for x") == "fix"


@pytest.mark.parametrize(
    ("answer", "subject"),
    [
        ("fix: keep signals, refactor", "fix: keep signals"),
        ("fix(hooks): save the checksum, fix(hooks)", "fix(hooks): save the checksum"),
        ("feat(storage): list blobs by glob, fix(test)", "feat(storage): list blobs by glob"),
        # Plain words that end a list stay: only a type no list ends with, or one with a scope.
        ("chore: run lint, test", "chore: run lint, test"),
        ("docs: explain feat, fix", "docs: explain feat, fix"),
    ],
)
def test_a_type_tacked_on_at_the_end_goes(answer: str, subject: str) -> None:
    history = ["fix: a (#1)", "feat: b (#2)", "docs: c (#3)", "chore: d (#4)", "fix(api): e (#5)"]
    assert repair(answer, style=Style.CONVENTIONAL, history=history).subject == subject
