"""The chat messages: wording from package data, sections only when there is something."""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

import pytest

from commit_polish.message.style import STANDARD_TYPES, Style
from commit_polish.prompt import (
    NOISE_NOTE,
    build,
    clean_description,
    fixed_part,
    render,
    template,
)
from commit_polish.records import ChangeContext, ChatMessage
from tests.support.paths import FIXTURES

HISTORIES: dict[str, dict[str, Any]] = json.loads((FIXTURES / "histories.json").read_text())
DIFF = "diff --git a/x.py b/x.py\n--- a/x.py\n+++ b/x.py\n@@ -1 +1 @@\n-a = 1\n+a = 2\n"


def history(repo: str) -> tuple[str, ...]:
    return tuple(HISTORIES[repo]["history"])


def messages(context: ChangeContext, diff: str = DIFF, **kwargs: Any) -> tuple[str, str]:
    kwargs.setdefault("style", None)
    system, user = build(context, diff, **kwargs)
    assert (system.role, user.role) == ("system", "user")
    return system.content, user.content


def test_system_message_states_the_format_and_the_language() -> None:
    system, _ = messages(ChangeContext(), language="German")
    assert "in German" in system
    assert "72 characters" in system
    assert "no trailing period" in system
    assert "No Markdown, no code fences" in system
    assert "Subject format" not in system  # no style and no examples: nothing to say


def test_conventional_style_lists_the_types() -> None:
    system, _ = messages(
        ChangeContext(history=history("charmbracelet/bubbletea")), style=Style.CONVENTIONAL
    )
    assert "type(scope): description" in system
    assert ", ".join(STANDARD_TYPES) in system
    assert "file name" in system


def test_conventional_without_scopes_in_history_asks_for_none() -> None:
    system, _ = messages(
        ChangeContext(history=history("sveltejs/svelte")), style=Style.CONVENTIONAL
    )
    assert "type: description" in system and "type(scope)" not in system


def test_plain_style_forbids_a_type_prefix() -> None:
    system, _ = messages(ChangeContext(), style=Style.PLAIN)
    assert "no type prefix" in system
    assert "type(scope)" not in system


def test_mixed_style_defers_to_the_examples() -> None:
    system, user = messages(ChangeContext(history=history("spf13/cobra (2024, mixed)")))
    assert "follow the style examples" in system
    assert "Style examples" in system and "Style examples" not in user


def test_history_examples_are_labelled_as_other_changes() -> None:
    system, _ = messages(ChangeContext(history=history("fastapi/typer")), style=Style.PLAIN)
    head = system.split("\n\n")[-1]
    assert "OTHER changes" in head and "never their words" in head
    examples = [line for line in head.splitlines() if line.startswith("- ")]
    assert len(examples) == 5
    assert examples[0] == "- 🔧 Enable dark mode for docs"
    for line in examples:
        assert "(#" not in line and "release notes" not in line and "Bump" not in line


def test_examples_prefer_the_wanted_style_and_respect_the_count() -> None:
    cobra = history("spf13/cobra (2024, mixed)")
    system, _ = messages(ChangeContext(history=cobra), style=Style.CONVENTIONAL, history_examples=2)
    examples = [line for line in system.splitlines() if line.startswith("- ")]
    assert examples == [
        "- docs: update README.md",
        "- fix(completions): Complete map flags multiple times",
    ]
    system, _ = messages(ChangeContext(history=cobra), history_examples=0)
    assert "Style examples" not in system


def test_empty_sections_cost_nothing() -> None:
    _, user = messages(ChangeContext())
    assert user == "Write the commit message for this diff:\n" + DIFF


def test_pr_title_description_commits_and_instructions_in_order() -> None:
    context = ChangeContext(
        title="Add  retry\nsupport",
        description="Retries flaky calls.",
        commit_messages=("Add retry\n\nlong body", "Merge branch 'main' into retry", "Add retry"),
        history=history("encode/httpx"),
    )
    _, user = messages(context, style=Style.PLAIN, instructions="  Mention the issue.  ")
    order = [
        "Pull request title: Add retry support",
        "Pull request description:\nRetries flaky calls.",
        "Commits in the pull request:\n- Add retry",
        "The maintainers' instructions (follow them):\nMention the issue.",
        "Write the commit message for this diff:\n" + DIFF,
    ]
    positions = [user.index(part) for part in order]
    assert positions == sorted(positions)
    assert user.endswith(DIFF)  # the diff is last
    assert "Merge branch" not in user and "long body" not in user


def test_a_commit_that_repeats_the_title_is_left_out() -> None:
    _, user = messages(ChangeContext(title="Add retry", commit_messages=("Add retry",)))
    assert "Commits" not in user


def test_commit_subjects_are_capped() -> None:
    commits = tuple(f"Step {i}\n\nbody {i}" for i in range(30))
    _, user = messages(ChangeContext(commit_messages=commits))
    listed = [line for line in user.splitlines() if line.startswith("- Step")]
    assert len(listed) == 20 and "- (and 10 more)" in user


def test_description_loses_template_noise() -> None:
    raw = (
        "<!-- Thank you for contributing! -->\n## Summary\n\nRetries   flaky calls. "
        "![shot](https://x.io/a.png)\n\n## Checklist\n\n- [x] Tests\n- [ ] Docs\n\r\n"
        '<img src="https://x.io/b.png">\n\n\n\nSee #12.'
    )
    assert clean_description(raw) == "Retries flaky calls.\n\nSee #12."


def test_long_description_is_cut_near_the_limit_at_a_boundary() -> None:
    sentence = "This sentence explains one more reason for the change. "
    text = clean_description(sentence * 60)
    assert 750 < len(text) <= 1500 + len(" [...]")
    assert text.endswith("change. [...]")
    words = clean_description("word " * 500, limit=100)
    assert words.endswith("word [...]") and len(words) <= 106


def test_fixed_part_is_exactly_the_prompt_without_the_diff() -> None:
    context = ChangeContext(
        title="Add retry", description="Why.", history=history("charmbracelet/bubbletea")
    )
    options: dict[str, Any] = {"style": Style.CONVENTIONAL, "instructions": "Be brief."}
    fixed = fixed_part(context, **options)
    full = build(context, DIFF, **options)
    assert fixed == build(context, "", **options)
    assert fixed[0] == full[0]
    assert len(full[1].content) == len(fixed[1].content) + len(DIFF)
    assert full[1].content.startswith(fixed[1].content)


def test_text_from_the_pr_is_not_treated_as_a_template() -> None:
    context = ChangeContext(title="Use $title and ${diff}", description="Costs $5")
    _, user = messages(context, diff="echo $HOME", instructions="$language")
    assert "Pull request title: Use $title and ${diff}" in user
    assert "Costs $5" in user and user.endswith("echo $HOME") and "\n$language\n" in user


def test_templates_are_package_data_read_once() -> None:
    folder = resources.files("commit_polish") / "templates"
    names = sorted(p.name for p in folder.iterdir() if p.name.endswith(".txt"))
    assert names == [
        "style_conventional.txt",
        "style_examples.txt",
        "style_plain.txt",
        "system.txt",
        "user.txt",
    ]
    template.cache_clear()
    build(ChangeContext(history=history("encode/httpx")), DIFF, style=Style.PLAIN)
    build(ChangeContext(history=history("encode/httpx")), DIFF, style=Style.PLAIN)
    info = template.cache_info()
    assert info.misses == 3 and info.hits == 3  # system, user, style_plain


def test_render_drops_blocks_with_an_empty_placeholder() -> None:
    text = "A $a\n\nB $b\n\nC $c"
    assert render(text, {"a": "1", "b": "", "c": ""}, keep=frozenset({"c"})) == "A 1\n\nC "
    with pytest.raises(KeyError):
        render(text, {"a": "1"})


def test_build_returns_chat_messages() -> None:
    result = build(ChangeContext(), DIFF, style=Style.PLAIN)
    assert all(isinstance(m, ChatMessage) for m in result) and len(result) == 2


def test_commits_that_are_only_work_notes_are_called_so() -> None:
    noisy = ChangeContext(commit_messages=("wip", "Update trans.py", "fix tests"))
    user = build(noisy, "diff", style=None)[-1].content
    assert "- Update trans.py" in user and NOISE_NOTE in user
    telling = ChangeContext(commit_messages=("wip", "Retry uploads on a reset connection"))
    assert NOISE_NOTE not in build(telling, "diff", style=None)[-1].content
