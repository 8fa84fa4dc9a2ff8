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

from commit_polish.message.anchor import weak_reason
from commit_polish.message.markdown import strip_images
from commit_polish.message.style import (
    STANDARD_TYPES,
    RepoStyle,
    Style,
    analyse_history,
    parse_prefix,
)
from commit_polish.records import ChangeContext, ChatMessage

DESCRIPTION_LIMIT = 1500
CHANGELOG_LIMIT = 300
"""Characters of a prose changelog entry in the prompt: its first sentences say what the
change does; the rest explains it, for a body the model keeps short anyway."""
COMMITS_LIMIT = 20
NOISE_NOTE = "(These are work notes, not descriptions: describe the change from the diff.)"

# Everything here sees the PR's text, so each runs in time linear in it: a pattern never
# searches the rest of the text again from every position, and never tries a run of text
# split in every way (tests/test_linear_time.py holds them to it).
_HTML_COMMENT = re.compile(r"<!--.*?(?:-->|$)", re.DOTALL)
_CHECKBOX = re.compile(r"^[^\S\n]*[-*]\s*\[[ xX]\]", re.MULTILINE)
_HEADING = re.compile(r"\s*#{1,6}\s")
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
    subject: str = "",
) -> tuple[ChatMessage, ...]:
    """The [system, user] messages asking for this change's squash-commit message.

    A `subject` already decided (the author's, `message.anchor`) is given to the model to
    write the body under."""
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
            "commits": _commits(context.commit_messages, (context.title, subject)),
            "instructions": instructions.strip(),
            "subject": subject,
            "changelog": clean_description(context.changelog, CHANGELOG_LIMIT),
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
    text = strip_images(_HTML_COMMENT.sub("", text), html=True)
    text = _drop_checkboxes(text.replace("\r\n", "\n"))
    # Runs of spaces (left where an image was) cost tokens and say nothing.
    lines = [re.sub(r"(?<=\S)[ \t]{2,}", " ", line.rstrip()) for line in text.splitlines()]
    paragraphs = re.split(r"\n{2,}", "\n".join(lines))
    kept = [p.strip("\n") for p in paragraphs if p.strip() and not _headings_only(p)]
    text = "\n\n".join(kept)
    if len(text) <= limit:
        return text
    cut = text[:limit]
    end = max(cut.rfind("\n\n"), cut.rfind(". "))
    cut = cut[: end + 1] if end > limit // 2 else cut[: cut.rfind(" ")]
    return cut.rstrip() + " [...]"


def _drop_checkboxes(text: str) -> str:
    r"""`text` without its task-list lines (`- [ ] ...`) and the blank lines just above them.

    What `^\s*[-*]\s*\[[ xX]\].*$` (multiline) removed, in linear time: from every line start,
    its `^\s*` ran over all the blank lines below, in time growing with the square of their
    number. A match starts at the first line start of the whitespace before the item.
    """
    kept: list[str] = []
    done = 0
    for item in _CHECKBOX.finditer(text):
        blank = done + len(text[done : item.start()].rstrip())
        start = blank if blank == 0 or text[blank - 1] == "\n" else text.find("\n", blank) + 1
        end = text.find("\n", item.end())
        kept.append(text[done:start])
        done = len(text) if end < 0 else end
    kept.append(text[done:])
    return "".join(kept)


def _headings_only(paragraph: str) -> bool:
    r"""Whether a paragraph is nothing but Markdown headings.

    Exactly what `^(?:\s*#{1,6}\s.*\n?)+$` matched, in linear time: that pattern took time
    doubling with each `# ` in `# # # ... x`. Its quirks stay: the `\s` after the `#`s may be
    the newline (`#` then any line), and as a heading may start after any `#` in a heading's
    text, a heading line that ends in `#` goes on over the next line.
    """
    at = 0
    while (heading := _HEADING.match(paragraph, at)) is not None:
        start = heading.end()
        end = paragraph.find("\n", start)
        while end > start and paragraph[end - 1] == "#":
            start = end + 1
            end = paragraph.find("\n", start)
        if end < 0 or end + 1 == len(paragraph):
            return True
        at = end + 1
    return at > 0 and paragraph[at:] == "\n"  # `$` matches before a final newline


def _commits(messages: Sequence[str], said: Sequence[str], limit: int = COMMITS_LIMIT) -> str:
    """Commit subjects, without merges and without a repeat of the title or subject `said`."""
    subjects = [m.strip().partition("\n")[0].strip() for m in messages]
    skip = {"", *(" ".join(text.split()).casefold() for text in said)}
    subjects = [s for s in dict.fromkeys(subjects) if s.casefold() not in skip]
    subjects = [s for s in subjects if not _MERGE.match(s)]
    lines = [f"- {s}" for s in subjects[:limit]]
    if len(subjects) > limit:
        lines.append(f"- (and {len(subjects) - limit} more)")
    if subjects and all(weak_reason(s) is not None for s in subjects):
        # "wip", "Update x.py" five times: a small model repeats them unless told not to.
        lines.append(NOISE_NOTE)
    return "\n".join(lines)
