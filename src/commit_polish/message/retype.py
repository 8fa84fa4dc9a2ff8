"""The type a conventional subject's change certainly needs, whatever its words say; pure.

Only what is certain changes: a fixing verb under `feat:` or `refactor:`, a code type on a
change of documentation alone, and for a model's subject a code type on a change of tests
alone or on a dependency update. The rest of a type is the writer's choice, and maintainers
make it loosely (`fix(x): refactor to remove peer dependencies` is merged as written).
"""

from __future__ import annotations

from collections.abc import Sequence

from commit_polish.message.style import parse_prefix
from commit_polish.records import FileChange, FileKind

__all__ = ["certain_type", "files_type", "retyped"]

# A fixing verb contradicts these types; the others are used loosely by maintainers
# (`fix(x): refactor to remove peer dependencies` is merged as written).
_FIXING = frozenset({"fix", "fixes", "fixed", "fixing"})
_NOT_FIXES = frozenset({"feat", "refactor", "perf", "style"})
# A change that touches only documentation is `docs` whatever verb it uses.
_NOT_DOCS = frozenset({"feat", "fix", "refactor", "perf"})


def files_type(files: Sequence[FileChange]) -> str | None:
    """The type the files alone decide for any subject: `docs` for documentation alone."""
    return "docs" if files and all(f.kind is FileKind.DOCS for f in files) else None


def certain_type(
    subject: str,
    files: Sequence[FileChange] = (),
    *,
    model: bool = False,
    dependencies: bool = False,
) -> tuple[str, str] | None:
    """The type a conventional subject must have instead of its own, and why, when that is
    certain: a fixing verb under `feat:` or `refactor:`, a docs-only change under a code
    type. None when the type may stand.

    A `model`'s code type also gives way to `test` on a change of tests alone and to `chore`
    on a dependency update (`dependencies`, `digest.kinds.only_dependencies`). An author's
    stays: maintainers merged `fix: remove deprecated io/ioutils package` on a change of
    tests alone (docs/quality.md).
    """
    prefix = parse_prefix(subject)
    if prefix is None:
        return None
    kind = prefix.type.lower()
    if files_type(files) == "docs" and kind in _NOT_DOCS:
        return "docs", "a docs-only change"
    if model and files and kind in _NOT_DOCS:
        if all(f.kind is FileKind.TEST for f in files):
            return "test", "a change of tests alone"
        if dependencies:
            return "chore", "a dependency update"
    words = prefix.description.split()
    if words and words[0].casefold() in _FIXING and kind in _NOT_FIXES:
        return "fix", f"the verb {words[0]!r} means `fix`"
    return None


def retyped(
    subject: str, files: Sequence[FileChange], *, model: bool = False, dependencies: bool = False
) -> tuple[str, str]:
    """The subject under the type its change certainly needs (`certain_type`), and why; ""
    when unchanged.

    A scope that only repeated the new type goes: `fix(docs): x` becomes `docs: x`.
    """
    retype = certain_type(subject, files, model=model, dependencies=dependencies)
    prefix = parse_prefix(subject)
    if retype is None or prefix is None:
        return subject, ""
    keep_scope = prefix.scope and prefix.scope.casefold() != retype[0]
    scope = f"({prefix.scope})" if keep_scope else ""
    bang = "!" if prefix.breaking else ""
    return f"{retype[0]}{scope}{bang}: {prefix.description}", retype[1]
