"""A repository's commit style, read from its recent subjects; pure.

`message.py` and `prompt.py` both need it: the prompt asks for the style, the repair step
enforces it.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import NamedTuple


class Style(StrEnum):
    CONVENTIONAL = "conventional"
    PLAIN = "plain"


STANDARD_TYPES = (
    "feat",
    "fix",
    "docs",
    "refactor",
    "perf",
    "test",
    "build",
    "ci",
    "chore",
    "style",
    "revert",
)
"""The types the prompt offers (Conventional Commits' own list, as commitlint uses it)."""

_SYNONYMS = {
    "feature": "feat",
    "bugfix": "fix",
    "hotfix": "fix",
    "doc": "docs",
    "tests": "test",
}
# Common in real histories (release-please, renovate, security teams): they count as
# conventional when detecting a style, and a model may keep them if the repository uses them.
_OTHER_TYPES = ("deps", "release", "security", "i18n", "l10n")
KNOWN_TYPES = frozenset((*STANDARD_TYPES, *_SYNONYMS, *_OTHER_TYPES))

_PREFIX = re.compile(r"^(?P<type>[A-Za-z][A-Za-z0-9]*)(?:\((?P<scope>[^()\n]*)\))?(?P<bang>!)?:\s*")
_FILE_SCOPE = re.compile(r"\.[A-Za-z0-9]{1,6}$")
# Dependency bots and release robots: their subjects say nothing about the maintainers' style.
# "bump x from y to z" is checked in code (`_bump_from_to`): as a pattern, its two `.+` tried
# every "from" against every "to", in time that grew with the square of the subject.
_BOT = re.compile(
    r"^\W*(?:bump the\s.+\sgroup|\[pre-commit\.ci\]|update dependency\s"
    r"|(?:chore|build|fix|ci)\(deps(?:-dev)?\))|\[bot\]|\bdependabot\b|\brenovate\b",
    re.IGNORECASE,
)
_BUMP = re.compile(r"\W*bump\s", re.IGNORECASE)
_FROM = re.compile(r"(?=\sfrom\s)", re.IGNORECASE)
_TO = re.compile(r"\sto\s", re.IGNORECASE)
CONVENTIONAL_SHARE = 0.7
MIN_EXAMPLES = 5
MIN_PATH_EXAMPLES = 3
"""The fewest people's commits to the changed files that may decide a mixed history's style
(3, 4 and 5 pick the same PR of the dev sets; 3 also two earlier commits right:
`benchmarks/path_style.py`)."""
PLAIN_SHARE = 0.3


class Prefix(NamedTuple):
    """A subject split at its Conventional Commits prefix."""

    type: str
    scope: str | None
    breaking: bool
    description: str


@dataclass(frozen=True, slots=True)
class RepoStyle:
    """What the recent history says: `style` is None when unknown or mixed."""

    style: Style | None
    uses_scopes: bool = False
    examples: tuple[str, ...] = ()
    """Non-bot subjects without ` (#N)`, newest first, without repeats."""
    file_scopes: bool = False
    """True when some scope in the history is a file name (`fix(main.go): ...`)."""
    types: tuple[str, ...] = ()
    """The lowercase `word:` / `word(scope):` prefixes the history uses, most used first:
    the known types and the repository's own (`samples:`, `breaking:`, `cmd:`)."""
    gitmoji: bool = False
    """Most subjects open with an emoji (gitmoji: `✨ Add x`, `🐛 Fix y`)."""
    emojis: tuple[str, ...] = ()
    """The leading emojis the history uses, most used first."""
    brackets: bool = False
    """Most subjects open with a bracketed scope (`[cli] Add x`)."""
    capitalised: bool | None = None
    """Whether subjects without a type start with a capital letter; None when mixed or
    unknown."""
    capitalised_after_type: bool | None = None
    """The same for the descriptions after a `type(scope):` prefix."""
    pr_suffix: bool = False
    """Most subjects end in ` (#N)`: GitHub's squash merge adds it, so it is never written."""

    @property
    def scoped(self) -> bool:
        """False when a conventional history clearly writes `type: description`."""
        return self.uses_scopes or self.style is not Style.CONVENTIONAL or len(self.examples) < 5


def pr_number_start(text: str, end: int) -> int:
    r"""Where the `(#N)` that `text[:end]` ends with starts; -1 when it ends otherwise.

    The one rule for GitHub's ` (#N)` squash suffix; the evaluation code builds on it too.
    Plain string code: the pattern it replaces, `\s*\(#\d+\)\s*$`, took time growing with
    the square of the whitespace in a subject.
    """
    if not text.endswith(")", 0, end):
        return -1
    start = text.rfind("(#", 0, end)
    return start if start >= 0 and text[start + 2 : end - 1].isdecimal() else -1


def split_pr_number(subject: str) -> tuple[str, str] | None:
    """`(text before it, N)` when `subject` ends in `(#N)`, whitespace after it allowed."""
    end = len(subject.rstrip())
    start = pr_number_start(subject, end)
    return (subject[:start], subject[start + 2 : end - 1]) if start >= 0 else None


def strip_pr_number(subject: str) -> str:
    found = split_pr_number(subject)
    return (found[0] if found else subject).strip()


def has_pr_number(subject: str) -> bool:
    return split_pr_number(subject) is not None


def is_bot_subject(subject: str) -> bool:
    return bool(_BOT.search(subject)) or _bump_from_to(subject)


def _bump_from_to(subject: str) -> bool:
    r"""Whether `^\W*bump\s.+\sfrom\s.+\sto\s` matches, in linear time.

    A `.+` stays on one line, while each `\s` may be a newline. Of the "from"s that share a
    line for the `.+` after them, the first leaves that `.+` the most room, so only it is tried.
    """
    bump = _BUMP.match(subject)
    if bump is None:
        return False
    line_end = _line_end(subject, bump.end())
    tried: set[int] = set()
    for found in _FROM.finditer(subject, bump.end() + 1):
        at = found.start()
        if at > line_end:
            break
        end = line_end if at + 6 <= line_end else _line_end(subject, at + 6)
        if end in tried:
            continue
        tried.add(end)
        to = _TO.search(subject, at + 7)
        if to is not None and to.start() <= end:
            return True
    return False


def _line_end(text: str, start: int) -> int:
    end = text.find("\n", start)
    return len(text) if end < 0 else end


def parse_prefix(subject: str, extra_types: Sequence[str] = ()) -> Prefix | None:
    """`type(scope)!: description`, when the type is a known one (case-insensitive) or one
    of `extra_types` (the repository's own, such as `samples` or `breaking`)."""
    match = _PREFIX.match(subject)
    if match is None or match["type"].lower() not in (*KNOWN_TYPES, *extra_types):
        return None
    scope = (match["scope"] or "").strip() or None
    return Prefix(match["type"], scope, bool(match["bang"]), subject[match.end() :])


def canonical_type(kind: str, used: Sequence[str] = ()) -> str:
    """Lowercase, and a synonym mapped to its standard name unless the history uses it."""
    kind = kind.lower()
    return kind if kind in used else _SYNONYMS.get(kind, kind)


def is_file_scope(scope: str) -> bool:
    return bool(_FILE_SCOPE.search(scope)) and not scope.replace(".", "").isdigit()


def analyse_history(history: Sequence[str]) -> RepoStyle:
    """Read the style from recent subjects (newest first); bots are left out."""
    examples = tuple(dict.fromkeys(strip_pr_number(s) for s in history if not is_bot_subject(s)))
    examples = tuple(s for s in examples if s)
    prefixes = [p for p in map(parse_prefix, examples) if p is not None]
    if not examples:
        return RepoStyle(style=None)
    share = len(prefixes) / len(examples)
    style = (
        Style.CONVENTIONAL
        if share >= CONVENTIONAL_SHARE
        else Style.PLAIN
        if share <= PLAIN_SHARE
        else None
    )
    counts: dict[str, int] = {}
    for match in filter(None, map(_PREFIX.match, examples)):
        if match["type"].islower():
            counts[match["type"]] = counts.get(match["type"], 0) + 1
    bare = [_BRACKETS.sub("", EMOJI.sub("", s)) for s in examples]
    typed = [p.description for p in map(parse_prefix, bare) if p is not None]
    human = [s for s in history if not is_bot_subject(s)]
    return RepoStyle(
        style=style,
        uses_scopes=any(p.scope for p in prefixes),
        examples=examples,
        file_scopes=any(p.scope and is_file_scope(p.scope) for p in prefixes),
        types=tuple(sorted(counts, key=lambda t: -counts[t])),
        gitmoji=_most(examples, lambda s: bool(EMOJI.match(s))),
        emojis=_by_use(m[0].strip() for m in map(EMOJI.match, examples) if m),
        brackets=_most(examples, lambda s: bool(_BRACKETS.match(s))),
        capitalised=_capitalised([s for s in bare if parse_prefix(s) is None]),
        capitalised_after_type=_capitalised(typed),
        pr_suffix=_most(human, has_pr_number),
    )


EMOJI = re.compile(r"^(?:[^\x00-\x7f\w]+|:[a-z0-9_+-]+:)\s*")
"""A leading emoji, as a character or a `:shortcode:`."""
_BRACKETS = re.compile(r"^\[[^\]\n]{1,30}\]\s")


def _by_use(items: Iterable[str]) -> tuple[str, ...]:
    counts = Counter(items)
    return tuple(item for item, _ in counts.most_common())


def _most(subjects: Sequence[str], test: Callable[[str], bool]) -> bool:
    return bool(subjects) and sum(map(test, subjects)) * 2 > len(subjects)


def _capitalised(texts: Sequence[str]) -> bool | None:
    firsts = [text[0] for text in texts if text[:1].isalpha()]
    if not firsts:
        return None
    share = sum(c.isupper() for c in firsts) / len(firsts)
    return True if share >= CONVENTIONAL_SHARE else False if share <= PLAIN_SHARE else None


def detect_style(
    history: Sequence[str], path_subjects: Callable[[], Sequence[str]] = tuple
) -> Style | None:
    """The style for `style=auto`: the history's, or its majority's when it is mixed,
    unless the changed files' own history (`path_subjects`, asked only for a mixed one) is
    clearly conventional.

    A message in the style most maintainers of a mixed repository use is never out of
    place there; None only when there are too few subjects to tell. In a mixed repository
    the parts whose every recent commit someone typed as `fix(lsp): ...` are the parts
    whose maintainers write that way (nushell's language server). The other way round does
    not hold: a plain subject is what anyone writes, a drive-by contributor too, and plain
    paths' history called the style wrong as often as right (docs/quality.md).
    """
    repo = analyse_history(history)
    if repo.style is not None or len(repo.examples) < MIN_EXAMPLES:
        return repo.style
    paths = analyse_history(path_subjects())
    if paths.style is Style.CONVENTIONAL and len(paths.examples) >= MIN_PATH_EXAMPLES:
        return Style.CONVENTIONAL
    conventional = sum(parse_prefix(s) is not None for s in repo.examples)
    return Style.CONVENTIONAL if conventional * 2 > len(repo.examples) else Style.PLAIN


_TYPE_WORDS: tuple[tuple[str, frozenset[str]], ...] = (
    ("docs", frozenset({"doc", "docs", "documentation", "readme", "docstring", "typo", "typos"})),
    ("test", frozenset({"test", "tests", "testing", "coverage"})),
    ("ci", frozenset({"ci", "workflow", "workflows", "actions"})),
    ("perf", frozenset({"performance", "faster", "speed", "optimize", "optimise"})),
)
_VERB_TYPES: dict[str, str] = {
    **dict.fromkeys(("add", "implement", "introduce", "support", "allow", "enable"), "feat"),
    **dict.fromkeys(("expose", "create", "provide", "extend", "new"), "feat"),
    **dict.fromkeys(("fix", "correct", "resolve", "prevent", "avoid", "handle"), "fix"),
    **dict.fromkeys(("ensure", "restore", "repair", "respect", "guard"), "fix"),
    **dict.fromkeys(("refactor", "rename", "move", "simplify", "extract", "split"), "refactor"),
    **dict.fromkeys(("restructure", "reorganize", "reorganise", "clean", "tidy"), "refactor"),
    **dict.fromkeys(("bump", "upgrade", "downgrade", "pin", "release"), "chore"),
    **dict.fromkeys(("document", "clarify", "reword"), "docs"),
    "revert": "revert",
    "format": "style",
}


def verb_type(description: str) -> str | None:
    """The type the description's first word implies (`add` -> feat), None when it implies none."""
    words = re.findall(r"[a-z]+", description.lower())
    return _VERB_TYPES.get(words[0]) if words else None


def infer_type(description: str, default: str = "fix") -> str:
    """A Conventional Commits type for a subject that lacks one, from its words.

    Documentation and test words win over the verb ("Add tests for x" is `test`); then the
    verb decides; `fix` is the default because it is the most common type in real
    histories, so a wrong guess is the least surprising one.
    """
    words = re.findall(r"[a-z]+", description.lower())
    if not words:
        return default
    verb_type = _VERB_TYPES.get(words[0])
    if verb_type in ("revert", "chore", "style"):
        return verb_type
    for kind, vocabulary in _TYPE_WORDS:
        if any(word in vocabulary for word in words[:6]):
            return kind
    return verb_type or default
