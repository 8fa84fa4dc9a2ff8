"""Build the chat messages for one pull request; pure.

The wording lives in `templates/*.txt` (package data). A template is split into blocks at
blank lines, and a block is left out when one of its `$placeholders` has nothing to show,
so a PR without a description costs no tokens for an empty "description:" label. The diff
block is always kept and the diff is the last thing in the prompt, so
`build(context, "")` measures exactly what the diff budget must leave room for.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from functools import cache
from importlib import resources
from string import Template

from commit_polish.message.style import (
    STANDARD_TYPES,
    RepoStyle,
    Style,
    analyse_history,
    parse_prefix,
)
from commit_polish.records import ChangeContext, ChatMessage

DESCRIPTION_LIMIT = 1500
COMMITS_LIMIT = 20

_HTML_COMMENT = re.compile(r"<!--.*?(?:-->|$)", re.DOTALL)
_IMAGE = re.compile(r"!\[[^\]]*\]\([^)]*\)|<img\b[^>]*>", re.IGNORECASE)
_CHECKBOX = re.compile(r"^\s*[-*]\s*\[[ xX]\].*$", re.MULTILINE)
_HEADING_ONLY = re.compile(r"^(?:\s*#{1,6}\s.*\n?)+$")
_MERGE = re.compile(r"^Merge (?:branch|pull request|remote-tracking branch) ")
# Release and version subjects teach the model nothing about how changes are described.
_NOT_AN_EXAMPLE = re.compile(r"\brelease\b|\bv?\d+\.\d+", re.IGNORECASE)


@cache
def template(name: str) -> str:
    """The text of `templates/<name>.txt`, read once."""
    path = resources.files("commit_polish") / "templates" / f"{name}.txt"
    return path.read_text(encoding="utf-8").strip("\n")


def render(text: str, values: Mapping[str, str], keep: frozenset[str] = frozenset()) -> str:
    """Substitute `values`, leaving out blocks whose placeholders are empty (but `keep`)."""
    blocks = []
    for block in text.split("\n\n"):
        names = Template(block).get_identifiers()
        if all(values[name] or name in keep for name in names):
            blocks.append(Template(block).substitute(values))
    return "\n\n".join(blocks)


def build(
    context: ChangeContext,
    diff_text: str,
    *,
    style: Style | None,
    language: str = "English",
    instructions: str = "",
    history_examples: int = 5,
) -> tuple[ChatMessage, ...]:
    """The [system, user] messages asking for this change's squash-commit message."""
    repo = analyse_history(context.history)
    examples = _examples(repo, style)[: max(0, history_examples)]
    # The examples sit with the rules, away from the diff: next to it, a small model takes
    # the nearest example for the answer.
    system = render(
        template("system"),
        {
            "language": language,
            "style": _style_rule(style, repo, bool(examples)),
            "examples": "\n".join(f"- {subject}" for subject in examples),
        },
    )
    user = render(
        template("user"),
        {
            "title": " ".join(context.title.split()),
            "description": clean_description(context.description),
            "commits": _commits(context.commit_messages, context.title),
            "instructions": instructions.strip(),
            "diff": diff_text,
        },
        keep=frozenset({"diff"}),
    )
    return ChatMessage("system", system), ChatMessage("user", user)


def fixed_part(
    context: ChangeContext,
    *,
    style: Style | None,
    language: str = "English",
    instructions: str = "",
    history_examples: int = 5,
) -> tuple[ChatMessage, ...]:
    """The messages without a diff: what the token budget must leave room for."""
    return build(
        context,
        "",
        style=style,
        language=language,
        instructions=instructions,
        history_examples=history_examples,
    )


def _style_rule(style: Style | None, repo: RepoStyle, has_examples: bool) -> str:
    if style is Style.PLAIN:
        return template("style_plain")
    if style is None:
        return template("style_examples") if has_examples else ""
    form = "type(scope): description" if repo.scoped else "type: description"
    return Template(template("style_conventional")).substitute(
        format=form, types=", ".join(STANDARD_TYPES)
    )


def _examples(repo: RepoStyle, style: Style | None) -> list[str]:
    """History subjects that show the style; those in the wanted style first."""
    useful = [s for s in repo.examples if not _NOT_AN_EXAMPLE.search(s)] or list(repo.examples)
    if style is None:
        return useful
    wanted = [s for s in useful if (parse_prefix(s) is not None) == (style is Style.CONVENTIONAL)]
    return wanted + [s for s in useful if s not in wanted] if len(wanted) >= 2 else useful


def clean_description(text: str, limit: int = DESCRIPTION_LIMIT) -> str:
    """The PR description without template noise, at most about `limit` characters."""
    text = _IMAGE.sub("", _HTML_COMMENT.sub("", text))
    text = _CHECKBOX.sub("", text.replace("\r\n", "\n"))
    # Runs of spaces (left where an image was) cost tokens and say nothing.
    lines = [re.sub(r"(?<=\S)[ \t]{2,}", " ", line.rstrip()) for line in text.splitlines()]
    paragraphs = re.split(r"\n{2,}", "\n".join(lines))
    kept = [p.strip("\n") for p in paragraphs if p.strip() and not _HEADING_ONLY.match(p)]
    text = "\n\n".join(kept)
    if len(text) <= limit:
        return text
    cut = text[:limit]
    end = max(cut.rfind("\n\n"), cut.rfind(". "))
    cut = cut[: end + 1] if end > limit // 2 else cut[: cut.rfind(" ")]
    return cut.rstrip() + " [...]"


def _commits(messages: Sequence[str], title: str, limit: int = COMMITS_LIMIT) -> str:
    """Commit subjects, without merges and without a repeat of the title."""
    subjects = [m.strip().partition("\n")[0].strip() for m in messages]
    skip = {"", " ".join(title.split()).casefold()}
    subjects = [s for s in dict.fromkeys(subjects) if s.casefold() not in skip]
    subjects = [s for s in subjects if not _MERGE.match(s)]
    lines = [f"- {s}" for s in subjects[:limit]]
    if len(subjects) > limit:
        lines.append(f"- (and {len(subjects) - limit} more)")
    return "\n".join(lines)
