"""The author's own subject: kept when it already fits, given only what it lacks; pure.

GitHub pre-fills the squash box with the commit's message (one commit) or the PR title
(several), and maintainers mostly merge it as it is: on the evaluation sets that default
scores about 95 B-Norm on one-commit PRs, where a 1.5B model's rewrite scores about 20
(`benchmarks/github_default.py`). So a subject that already fits the repository's form is
never rewritten; one whose words are good but whose form is not (no type prefix in a
conventional repository, too long, a type its verb contradicts) is put into the form
without a model; only a weak one (a work note, a file name after "Update", a single word)
is left to the model.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace

from commit_polish.message.body import (
    co_author_trailers,
    split_trailers,
    tidy_body,
    wrap,
)
from commit_polish.message.retype import certain_type, files_type, retyped
from commit_polish.message.scope import with_scope
from commit_polish.message.style import (
    EMOJI,
    RepoStyle,
    Style,
    parse_prefix,
    strip_pr_number,
)
from commit_polish.message.subject import fix_subject, shorten
from commit_polish.records import (
    ChangeContext,
    CommitMessage,
    FileChange,
    SubjectSource,
)

SUBJECT_LIMIT = 72
AUTHOR_LIMIT = 100
"""An author's own subject (the PR's title or commit) stands whole up to commitlint's default
`header-max-length`; everything else, a changelog entry too, keeps to `SUBJECT_LIMIT`. On the
evaluation sets maintainers merged every long author subject they kept, none cut to 72
(docs/quality.md)."""
_TOLERATED = 2
"""Typed subjects a plain history needs before it accepts one from an author: one may be
an accident, two are a habit."""
_KEEP_WORDS = 0.75
"""A long author subject is cut at a clause only where the clause keeps three quarters of
its width, else at a word: maintainers mostly merge the long one whole (docs/quality.md)."""

# Any lowercase `word:` / `word(scope):` prefix is a type in a conventional repository:
# maintainers keep their own (`samples:`, `breaking:`) even where commitlint would not.
_ANY_TYPE = re.compile(r"[a-z][a-z0-9-]{0,19}(?:\([^()\n]{1,40}\))?!?: \S")

# Subjects that say nothing about the change: work notes, GitHub's own defaults for web
# edits and review suggestions, and leftovers of squashes and merges.
_NOTE_WORDS = (
    "wip tmp temp draft test tests fix fixes fixup typo typos lint format formatting update "
    "updates changes cleanup review nit nits tweak tweaks misc stuff save push"
)
_WORK_NOTES = frozenset(_NOTE_WORDS.split())
_NOTE_PHRASES = frozenset(
    {
        "fix tests",
        "fix test",
        "fix lint",
        "fix linting",
        "fix typo",
        "fix build",
        "fix ci",
        "clean up",
        "minor fixes",
        "small fixes",
        "address review",
        "address comments",
        "address review comments",
        "address feedback",
        "pr feedback",
        "review feedback",
        "apply suggestions from code review",
        "apply suggestion from code review",
        "add files via upload",
        "initial commit",
    }
)
_LEFTOVER = re.compile(
    r"(?:squash(?:ed)?\b|fixup!|amend!|merge (?:branch|pull request|remote-tracking)\b)",
    re.IGNORECASE,
)
_WEB_EDIT_VERBS = frozenset({"update", "create", "delete", "add", "rename", "remove"})
_PATH = re.compile(
    r"[`'\"]?(?:[\w.@-]*/[\w./@-]*|[\w@-]+(?:\.[\w-]+)*\.[A-Za-z][\w-]{0,7})[`'\"]?,?"
)
_JOINERS = frozenset({"and", "&", ",", "+"})


@dataclass(frozen=True, slots=True)
class Kept:
    """The author's subject as the suggestion will use it."""

    subject: str
    written: str
    """The subject as the author wrote it (without ` (#N)`)."""
    body: str = ""
    """The commit's own body, for a PR of one commit; "" otherwise."""
    reason: str = ""
    """What was changed to fit the form; "" when it is used as written."""
    note: bool = False
    """The subject is the change's own changelog entry, not its title or commit."""

    @property
    def source(self) -> SubjectSource:
        if self.note:
            return SubjectSource.NOTE
        return SubjectSource.REFORMATTED if self.reason else SubjectSource.AUTHOR


def default_subject(context: ChangeContext) -> tuple[str, str]:
    """What GitHub pre-fills: (subject, body) of the single commit, else the PR title (always
    the title where the repository squashes under it).

    Without a title (`eval`'s data sets, `suggest` without `--title`) the first commit's
    subject stands in for it, as GitHub's title for a branch of one commit would.
    """
    messages = [m for m in context.commit_messages if not _LEFTOVER.match(m)]
    if context.title_is_default and context.title.strip():
        return context.title.strip(), ""
    if len(context.commit_messages) == 1 and messages:
        subject, _, body = messages[0].strip().partition("\n")
        return subject.strip(), body.strip("\n")
    if context.title.strip():
        return context.title.strip(), ""
    return (messages[0].strip().partition("\n")[0].strip(), "") if messages else ("", "")


def _without_emoji(subject: str) -> str:
    lead = EMOJI.match(subject)
    return subject[lead.end() :] if lead else subject


def weak_reason(subject: str, files: Sequence[FileChange] = ()) -> str | None:
    """Why a subject says too little about a change to keep; None when it says enough.

    `files`, the whole change, are given for an author's subject: GitHub's web-editor
    default (`Update README.md`) says enough when that file is all the change touches, and
    maintainers merge it as it is (docs/quality.md).
    """
    text = strip_pr_number(" ".join(subject.split()))
    text = _without_emoji(text)
    prefix = parse_prefix(text)
    description = (prefix.description if prefix else text).strip().rstrip(".!")
    words = description.split()
    folded = description.casefold()
    if _LEFTOVER.match(text) or _LEFTOVER.match(description):
        return f"a leftover of a squash or merge: {subject[:60]!r}"
    if len(words) < (1 if prefix else 2):  # under a type one word may do: `chore: deps`
        return f"a single word: {subject[:60]!r}"
    if folded in _NOTE_PHRASES or folded.split()[0].strip(":") in ("wip", "tmp", "draft"):
        return f"a work note: {subject[:60]!r}"
    if all(word.strip(":").casefold() in _WORK_NOTES for word in words):
        return f"a work note: {subject[:60]!r}"
    names = [w for w in words if w.casefold() not in _JOINERS]
    if words[0].casefold() in _WEB_EDIT_VERBS and all(map(_PATH.fullmatch, names[1:])):
        if len(names) == 2 and _the_only_file(names[1], files):
            return None
        return f"only a file name: {subject[:60]!r}"
    if all(_PATH.fullmatch(name) for name in names):
        return f"only file names: {subject[:60]!r}"
    return None


def history_form(repo: RepoStyle) -> Style | None:
    """The form the history enforces on an author's subject, None when it accepts both.

    A plain history that already holds typed subjects (`chore: x` at least twice) has
    maintainers who merge them: there an author's typed subject is not stripped.
    """
    if repo.style is Style.PLAIN and sum(map(_typed, repo.examples)) >= _TOLERATED:
        return None
    return repo.style


def _typed(subject: str) -> bool:
    return parse_prefix(_without_emoji(subject)) is not None


def _the_only_file(name: str, files: Sequence[FileChange]) -> bool:
    path = name.strip("`'\",")
    return len(files) == 1 and (files[0].path == path or files[0].path.endswith("/" + path))


def form_problem(
    subject: str, style: Style | None, repo: RepoStyle, *, limit: int = SUBJECT_LIMIT
) -> str | None:
    """What keeps a subject from fitting the repository's form; None when it fits.

    `style` is the style to enforce: the user's setting, or the history's when it is clear
    (a mixed history accepts both forms, as its maintainers do).
    """
    if len(subject) > limit:
        return f"longer than {limit} characters"
    bare = _without_emoji(subject)
    if style is Style.CONVENTIONAL and not _ANY_TYPE.match(bare):
        return "no type prefix"
    if style is Style.PLAIN and parse_prefix(bare) is not None:
        return "a type prefix in a repository that writes none"
    if repo.gitmoji and bare == subject:
        return "no gitmoji"
    retype = certain_type(bare)
    return retype[1] if retype else None


def keep(
    context: ChangeContext,
    *,
    style: Style | None,
    repo: RepoStyle,
    files: Sequence[FileChange] = (),
) -> Kept | None:
    """The author's subject to use, in the repository's form; None when it is too weak.

    `style` is enforced only when given (see `form_problem`); `files`, the whole change,
    let a docs-only change take the `docs` type and a web-editor subject stand
    (`weak_reason`).
    """
    written, body = default_subject(context)
    return in_form(written, body, style=style, repo=repo, files=files)


def keep_note(
    entry: str,
    context: ChangeContext,
    *,
    style: Style | None,
    repo: RepoStyle,
    files: Sequence[FileChange] = (),
    scope: str | None = None,
) -> Kept | None:
    """The change's own changelog entry (`digest.notes`) as its subject, put into the form
    as an author's subject is and under the scope its label gave it, over the author's body;
    None when it is too weak."""
    body = default_subject(context)[1]
    kept = in_form(entry, body, style=style, repo=repo, files=files, limit=SUBJECT_LIMIT)
    if kept is None:
        return None
    scoped = with_scope(kept.subject, scope, SUBJECT_LIMIT) if repo.scoped else kept.subject
    return replace(kept, subject=scoped, note=True)


def in_form(
    written: str,
    body: str,
    *,
    style: Style | None,
    repo: RepoStyle,
    files: Sequence[FileChange] = (),
    limit: int = AUTHOR_LIMIT,
) -> Kept | None:
    """`written` in the repository's form, at most `limit` characters, only what is wrong
    changed; None when weak."""
    written = strip_pr_number(" ".join(written.split()))
    if not written or weak_reason(written, files) is not None:
        return None
    fitted, reason = retyped(written, files)
    problem = form_problem(fitted, style, repo, limit=limit)
    if problem is not None:
        # Only what is wrong changes: a long subject loses its end, not its own prefix.
        fitted = shorten(fitted, limit, least=_KEEP_WORDS)
        if form_problem(fitted, style, repo, limit=limit) is not None:
            # A type or emoji it is given obeys the files, as the author's own type does.
            hint = files_type(files)
            fitted = fix_subject(fitted, style=style, repo=repo, width=limit, type_hint=hint)
        if form_problem(fitted, style, repo, limit=limit) or weak_reason(fitted, files):
            return None
    return Kept(fitted, written, body, reason=problem or reason)


def whole_message(kept: Kept, context: ChangeContext) -> CommitMessage:
    """The message in the author's words: the kept subject over the commit's own body (one
    commit) or GitHub's list of its commits, every one of them (several). The commits'
    trailers stay, they are the authors' own; the co-authors come from `context`. The body
    is empty when the author wrote none, as GitHub's would be.

    Maintainers merge that list as GitHub writes it, work notes and merges included: on the
    evaluation sets leaving those out cost 10 and 6 B-Norm points of the body
    (docs/quality.md), so no item is dropped, and no model is asked unless told to.
    """
    echoes: tuple[str, ...] = (kept.written, kept.subject)
    if len(context.commit_messages) == 1:
        text = kept.body
    else:
        messages = (m.strip() for m in context.commit_messages)
        text, echoes = "\n\n".join(f"* {message}" for message in messages if message), ()
    # Tabs render at any width (and a comment shows them as nothing): spaces say the same.
    text, written, others = split_trailers(text.expandtabs(4))
    body = wrap(tidy_body(text, echoes))
    trailers = (*co_author_trailers(context.co_authors, written), *dict.fromkeys(others))
    return CommitMessage(kept.subject, body, trailers)


def author_words(message: CommitMessage, context: ChangeContext) -> CommitMessage:
    """`message` (a model's or the diff-built one) with the author's body and trailers in
    place of its own, for `body: author`: the subject alone is written for them."""
    written, body = default_subject(context)
    return whole_message(Kept(message.subject, written, body), context)
