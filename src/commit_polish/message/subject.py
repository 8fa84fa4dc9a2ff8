"""Repair a commit subject: imperative mood, the repository's style, at most 72 characters."""

from __future__ import annotations

import re

from commit_polish.message.imperative import imperative
from commit_polish.message.style import (
    MIN_EXAMPLES,
    STANDARD_TYPES,
    Prefix,
    RepoStyle,
    Style,
    canonical_type,
    infer_type,
    is_file_scope,
    parse_prefix,
    strip_pr_number,
    verb_type,
)


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


# Words a shortened subject must not end with: they promise a continuation.
_DANGLING = frozenset(
    _words(
        "a an the to of for with in on at by from into onto and or but nor as via when that which "
        "so if than then while instead also is are was were be been being has have not even only "
        "just"
    )
)
# Trailing words that a long subject loses first: the subject reads complete without them.
_ADVERBS = frozenset(
    _words("instead too also now again here there properly correctly accordingly anymore")
)
# Where a long subject may end: after a clause (tried first), else before "and" or "with".
_CLAUSE = re.compile(
    r",\s|;\s|:\s|\.\s|\s[-\u2013\u2014]\s|\s(?:so that|in order to|so as to|because|since|which|"
    r"that|while|when|if|unless|until|after|before|where|instead of|rather than|due to|"
    r"in favou?r of|as well as)\s"
)
_CONJUNCTION = re.compile(r"\s(?:and|with|or)\s")
# Last resort before a bare word cut: end where a trailing phrase starts, not inside it
# ("... authentication in the advanced" reads cut off; "... authentication" does not).
_PHRASE = re.compile(r"\s(?:by|in|on|for|from|to|of|at|via|using|across|inside|without)\s")
# A second sentence or a trailing tag ("Fix x. [test]"): the subject is the first sentence.
_SENTENCE_END = re.compile(r"(?<![A-Za-z]\.[a-z])(?<!\be\.g)(?<!\bi\.e)(?<!\betc)(?<!\bvs)\.\s+\S")
# The look-behinds in these three keep them linear: a match is tried where a run starts, not
# again from each character inside it (which took time growing with the square of the run).
# The matches are the same: whatever matches from inside a run also matches from its start.
_TAG = re.compile(r"(?<!\s)\s+\[[\w .-]{1,20}\]$")
# A type tacked on after a comma: with a scope any type (`, fix(test)`), bare only the ones no
# list of plain words ends with (`lint, test` and `docs, ci` are subjects).
_TYPE_ONLY = re.compile(
    rf"(?i:(?:{'|'.join(STANDARD_TYPES)})\([^()\n]{{1,40}}\)|feat|refactor|perf|chore)!?"
)
_TRAILING = re.compile(r"(?<![\s.,;:\u2026])[\s.,;:\u2026]+$")
# A commit a small model copies from a changelog: `(a5ab87d)`, with a digit, so not `(facade)`.
_COMMIT = re.compile(r"(?<!\s)\s+\((?=[a-f]{0,39}\d)[0-9a-f]{7,40}\)$")
# `fix(docs(quality)): x`: a model nesting a history's `type(scope)` as its scope. The inner
# scope is the one meant; the type is checked against the change afterwards.
_NESTED = re.compile(r"^([A-Za-z][\w-]{0,19})\([\w./-]{1,30}\(([\w./-]{1,30})\)\)(!?):\s+")
_PARENTHETICAL = re.compile(r"(?<!\s)\s+\([^()`]*\)")
_LEAD = re.compile(r"^[^\x00-\x7f\w]+\s*")  # an emoji prefix (gitmoji)
_NAME_SCOPE = re.compile(r"^[A-Za-z0-9_][\w./-]{0,29}$")
_GO_PREFIX = re.compile(r"^(?P<scope>[a-z][\w/.-]{1,29}):\s+(?P<rest>\S.*)$")
_ANY_PREFIX = re.compile(r"[A-Za-z][\w-]{0,19}(?:\([^()\n]{1,40}\))?!?:\s+")


def tidy(subject: str) -> str:
    """Remove wrapping quotes, ` (#N)`, Markdown markers and trailing punctuation."""
    subject = re.sub(r"^\s*#{1,6}\s+", "", subject.strip())
    subject = re.sub(r"^(\*\*|__)(.+)\1$", r"\2", subject.strip())
    subject = unwrap(strip_pr_number(subject))
    subject = _TRAILING.sub("", _COMMIT.sub("", _TRAILING.sub("", subject)))
    return " ".join(subject.split())


def unwrap(subject: str) -> str:
    """Drop quotes or backticks around the whole subject, but not around its first word."""
    for left, right in (('"', '"'), ("'", "'"), ("\u201c", "\u201d"), ("`", "`")):
        if len(subject) < 2 or not (subject.startswith(left) and subject.endswith(right)):
            continue
        inner = subject[1:-1]
        if left != "`":
            if inner.count(left) % 2 == 0:
                return inner.strip()
            continue
        # "`a` and `b`" is two code spans; "`Update `x` now`" is one wrapper: its first
        # span would end with a space, which no real code span does.
        spans = inner.split("`")
        if len(spans) == 1 or spans[0].endswith(" ") or spans[-1].startswith(" "):
            return inner.strip()
    return subject


def shorten(subject: str, width: int, *, least: float = 0.5) -> str:
    """At most `width` characters, its `type(scope):` or emoji prefix and its words kept as
    written: only the description's end goes, at a clause or word boundary.

    A clause ends the subject only where it keeps at least `least` of the width, else the
    cut is at a word: an author's own long subject keeps more of its words (maintainers
    mostly merge it whole, docs/quality.md), a model's may end at an earlier clause.
    """
    if len(subject) <= width:
        return subject
    lead = _lead(_LEAD.match(subject) or _ANY_PREFIX.match(subject), width)
    rest = subject[len(lead) :]
    lead = " ".join(lead.split()) + " " if lead else ""
    end = _SENTENCE_END.search(rest)
    if end is not None and len(rest[: end.start()].split()) >= 3:
        rest = rest[: end.start()]  # a second sentence goes before any word of the first
    return lead + tidy(_cut(rest, width - len(lead), least))


def _lead(head: re.Match[str] | None, width: int) -> str:
    """The emoji or `type:` lead a cut keeps whole; one wider than half the width is no
    lead but hostile text, cut like the rest."""
    lead = head.group(0) if head else ""
    return lead if len(" ".join(lead.split())) <= width // 2 else ""


def _cut(text: str, width: int, least: float = 0.5) -> str:
    """At most `width` characters, cut at a clause or else a word boundary, never mid-word."""
    if len(text) <= width:
        return text
    text = _PARENTHETICAL.sub("", text)  # parentheticals go first, calls `f(x)` stay
    words = text.split(" ")
    length = len(text)  # of " ".join(words), kept as words go
    while length > width and words[-1].lower().strip(",;:") in _ADVERBS:
        length -= len(words.pop()) + 1
    text = " ".join(words)
    if len(text) <= width:
        return text
    for boundary in (_CLAUSE, _CONJUNCTION, _PHRASE):
        ends = [m.start() for m in boundary.finditer(text) if width * least <= m.start() <= width]
        if ends:
            return _trim(text[: ends[-1]])
    space = text.rfind(" ", 0, width + 1)
    if space <= 0:  # one huge token: cut at a path or name separator, as a last resort
        seps = [i for i, c in enumerate(text[:width]) if c in "./_-:"]
        return text[: seps[-1]] if seps and seps[-1] > 0 else text[:width]
    return _trim(text[:space])


def _trim(text: str) -> str:
    words = text.rstrip(" ,;:-").split(" ")
    while len(words) > 1 and words[-1].lower().strip(",;:") in _DANGLING:
        words.pop()
    if len(words) > 2 and words[-2].lower() == "to":  # "... to use" without its object
        words = words[:-2]
    text = " ".join(words).rstrip(" ,;:-")
    if text.count("`") % 2:  # never leave a code span open
        head = text[: text.rfind("`")].rstrip()
        text = _trim(head) if len(head.split()) >= 2 else text.replace("`", "")
    return text


def _case(text: str, capital: bool) -> str:
    """The description with a capital first letter, or a lowercase one.

    Only an ordinary word changes case: `README`, `GitHub` or `iOS` stay as written.
    """
    match = re.match(r"([A-Za-z][a-z]*)\b", text)
    if match is None:
        return text
    word = match[1]
    if not capital and word[0].isupper() and word[1:].islower():
        return word.lower() + text[match.end() :]
    if capital and word.islower():
        return word.capitalize() + text[match.end() :]
    return text


# gitmoji.dev's emoji for each type, for a repository whose subjects open with one.
_GITMOJI = {
    "feat": "\u2728",  # sparkles
    "fix": "\U0001f41b",  # bug
    "docs": "\U0001f4dd",  # memo
    "refactor": "\u267b\ufe0f",  # recycle
    "perf": "\u26a1\ufe0f",  # zap
    "test": "\u2705",  # white check mark
    "build": "\U0001f4e6",  # package
    "ci": "\U0001f477",  # construction worker
    "chore": "\U0001f527",  # wrench
    "style": "\U0001f3a8",  # art
    "revert": "\u23ea",  # rewind
}
_UPGRADE = "\u2b06\ufe0f"  # up arrow, gitmoji's "upgrade dependencies"
# gitmoji's marks of an event, not of what a change does: a release or version tag, a merge,
# a revert, a project's first commit. Frequent in a history (typer tags every release), they
# are no default for a change.
_EVENTS = frozenset({"\U0001f516", "\U0001f500", "\u23ea", "\U0001f389"})


def _emoji(description: str, repo: RepoStyle, kind: str | None = None) -> str:
    """The emoji for `kind`, else for what the subject says it does; when its words do not
    tell, the one the repository uses most for a change (`_EVENTS` aside)."""
    if re.match(r"(?i)(?:upgrade|bump)\b", description):
        return _UPGRADE
    kind = kind or infer_type(description, default="")
    if not kind:
        own = [emoji for emoji in repo.emojis if emoji.rstrip("\ufe0f") not in _EVENTS]
        return own[0] if own else _GITMOJI["feat"]
    return _GITMOJI.get(kind, _GITMOJI["fix"])


def _scope(scope: str | None, repo: RepoStyle) -> str | None:
    """Keep a scope that names a component, as the repository would write it."""
    if scope is None or not _NAME_SCOPE.match(scope):
        return None
    if is_file_scope(scope) and not repo.file_scopes:
        return None
    return scope if repo.scoped else None


def fix_subject(
    subject: str,
    *,
    style: Style | None,
    repo: RepoStyle,
    width: int = 72,
    type_hint: str | None = None,
    agree: bool = False,
) -> str:
    """The subject in the target style, imperative, and at most `width` characters.

    `style=None` (mixed or unknown history) keeps the model's choice of prefix. `agree`
    makes a model's type agree with its own verb (`agreeing_type`); an author's type stays.
    `type_hint` is the type a subject without one gets instead of the one its words suggest,
    and in a gitmoji repository that type's emoji.
    """
    subject = tidy(_first_sentence(_NESTED.sub(r"\1(\2)\3: ", subject.strip()), repo))
    if style is None and repo.examples and not repo.types:
        style = Style.PLAIN  # the history shows no prefix at all
    if style is Style.PLAIN:
        prefix = parse_prefix(subject)  # only real types: "cmd: x" is a plain repo's habit
        return _plain(prefix.description if prefix else subject, width, repo, type_hint)
    if style is None and parse_prefix(subject, repo.types) is None:
        return _plain(subject, width, repo, type_hint)
    return _conventional(subject, repo, width, type_hint, agree=agree)


def _first_sentence(subject: str, repo: RepoStyle) -> str:
    """Drop what follows the subject's first sentence, a `[tag]` the history never ends with,
    and a type tacked on at the end (`fix: x, refactor`: a small model listing its types)."""
    if not any(example.rstrip().endswith("]") for example in repo.examples):
        subject = _TAG.sub("", subject.strip())
    head, comma, tail = subject.rpartition(",")
    if comma and _TYPE_ONLY.fullmatch(tail.strip()) and head.strip():
        subject = head
    end = _SENTENCE_END.search(subject)
    if end is not None and len(subject[: end.start()].split()) >= 3:
        return subject[: end.start()]
    return subject


def _conventional(
    subject: str, repo: RepoStyle, width: int, type_hint: str | None, *, agree: bool = False
) -> str:
    prefix = parse_prefix(subject, repo.types)
    if prefix is None:
        go = _GO_PREFIX.match(subject)  # "renderer: fix x", the Go habit, becomes the scope
        description = _LEAD.sub("", go["rest"] if go else subject)
        kind = type_hint or infer_type(imperative(description))
        prefix = Prefix(kind, go["scope"] if go else None, False, description)
    kind = canonical_type(prefix.type, repo.types)
    if agree:
        kind = agreeing_type(kind, imperative(tidy(prefix.description)))
    scope = _scope(prefix.scope, repo)
    bang = "!" if prefix.breaking else ""
    head = f"{kind}({scope}){bang}: " if scope else f"{kind}{bang}: "
    rest = _case(imperative(tidy(prefix.description)), repo.capitalised_after_type is True)
    rest = tidy(_cut(rest, width - len(head)))
    return head + rest if rest else ""  # a bare `type: ` says nothing


# The types a verb can contradict: `refactor(x): fix y` or `fix: add z` says two things.
_VERB_DECIDES = frozenset({"feat", "fix", "refactor"})


def agreeing_type(kind: str, description: str) -> str:
    """The type a model's subject should carry when its own verb says another one.

    Only the certain case changes: a `feat`, `fix` or `refactor` whose description starts
    with a verb of a feature (add, support, allow ...) or of a fix (fix, prevent, restore
    ...), where the description's words do not point elsewhere (`add tests for x` is a
    test, not a feature: `infer_type` reads documentation and test words first). Other
    types (`docs`, `chore`, a repository's own) and neutral verbs (update, improve) stay.
    """
    said = infer_type(description, default="")
    if kind in _VERB_DECIDES and said in ("feat", "fix") and verb_type(description) == said:
        return said
    return kind


def _plain(text: str, width: int, repo: RepoStyle, kind: str | None = None) -> str:
    lead = _lead(_LEAD.match(text), width)
    rest = tidy(text[len(lead) :])
    if not _GO_PREFIX.match(rest):  # "cmd: handle x" is written that way on purpose
        rest = _case(imperative(rest), repo.capitalised is not False)
    known = len(repo.examples) >= MIN_EXAMPLES
    if repo.gitmoji and not lead:
        lead = _emoji(rest, repo, kind) + " "
    elif known and not repo.gitmoji and lead:
        lead = ""  # an emoji the repository never uses
    return tidy(lead + _cut(rest, width - len(lead)))
