"""What is decided about the subject without asking a model: the author's own words or the
change's changelog entry (`own_subject`), and the type and scope that the files give a
model's subject (`settled_subject`). The pipeline applies both; the benchmarks that rescore
stored answers call the same functions, so they measure what the pipeline writes.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from commit_polish.digest import kinds, notes
from commit_polish.message import anchor, retype, scope
from commit_polish.message.style import Style, analyse_history, parse_prefix
from commit_polish.records import ChangeContext, FileChange, PathCommit

__all__ = ["own_subject", "settled_subject"]


def own_subject(
    context: ChangeContext,
    style: str,
    files: Sequence[FileChange],
    kept_files: Sequence[FileChange],
) -> anchor.Kept | None:
    """The author's subject when it is worth keeping, else the change's own changelog entry
    (`digest.notes`, of the files not ignored). The form enforced is the `style` setting's,
    or with "auto" the history's only when that is clear (`anchor.history_form`). The
    subject speaks for the whole change, so its checks see every file."""
    repo = analyse_history(context.history)
    enforced = anchor.history_form(repo) if style == "auto" else Style(style)
    kept = anchor.keep(context, style=enforced, repo=repo, files=files)
    entry = None if kept else notes.changelog_entry(kept_files)
    if entry is None:
        return kept
    return anchor.keep_note(
        entry.text, context, style=enforced, repo=repo, files=files, scope=entry.scope
    )


def settled_subject(
    subject: str,
    files: Sequence[FileChange],
    *,
    ignored: bool,
    history: Sequence[str],
    paths: Callable[[], Sequence[PathCommit]],
) -> str:
    """A model's subject under the type its files certainly need (a docs-only change is
    `docs`, as an author's kept subject is; tests alone `test`, a dependency update
    `chore`: `retype.certain_type`), and the scope its paths have had or the used one of the
    folder holding them, or none rather than a file's name (`message.scope`). With
    `ignored` files, which could be code, no type changes. `paths` is asked only for a
    conventional subject: a plain one takes no scope, and reading costs calls."""
    settled = subject
    if not ignored:
        deps = kinds.only_dependencies([change.path for change in files])
        settled = retype.retyped(subject, files, model=True, dependencies=deps)[0]
    if len(settled) > anchor.SUBJECT_LIMIT:
        settled = subject
    if parse_prefix(settled) is not None:
        settled = scope.with_usual_scope(settled, paths(), anchor.SUBJECT_LIMIT)
        changed = [change.path for change in files]
        owned = [path for path in changed if not kinds.is_bookkeeping(path)]
        settled = scope.with_folder_scope(settled, owned, history, paths(), anchor.SUBJECT_LIMIT)
        settled = scope.without_file_scope(settled, changed, history, paths())
    return settled
