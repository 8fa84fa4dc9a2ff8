"""What kind of file a path is: the rules behind FileKind, and git's quoted paths.

The rules are general conventions of package managers, code generators and test runners,
never tuned to one repository. When several apply, the one that says "noise" wins: a minified
file under `tests/` is still generated, a README under `vendor/` is still vendored.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from commit_polish.records import FileKind

__all__ = [
    "classify",
    "is_bookkeeping",
    "is_change_fragment",
    "is_change_note",
    "only_dependencies",
    "unquote_path",
]

_LOCKFILES = frozenset(
    {
        "package-lock.json", "npm-shrinkwrap.json", "yarn.lock", "pnpm-lock.yaml",
        "bun.lock", "bun.lockb", "deno.lock", "poetry.lock", "uv.lock", "pipfile.lock",
        "pdm.lock", "pixi.lock", "conda-lock.yml", "cargo.lock", "go.sum", "go.work.sum",
        "gemfile.lock", "composer.lock", "mix.lock", "pubspec.lock", "podfile.lock",
        "cartfile.resolved", "package.resolved", "packages.lock.json", "paket.lock",
        "flake.lock", "gradle.lockfile", ".terraform.lock.hcl",
        "shard.lock", "stack.yaml.lock", "cabal.project.freeze",
    }
)  # fmt: skip
_LOCK_SUFFIXES = (".lock", ".lockfile", "-lock.json", "-lock.yaml", "-lock.yml")
# The files that declare dependencies, beside the lockfiles that pin them: a change to these
# and a lockfile alone is a dependency update.
_MANIFESTS = frozenset(
    {
        "package.json", "pnpm-workspace.yaml", ".yarnrc.yml", "pyproject.toml", "setup.cfg",
        "pipfile", "go.mod", "go.work", "cargo.toml", "gemfile", "composer.json",
        "mix.exs", "pubspec.yaml", "podfile", "package.swift", "deno.json", "deno.jsonc",
    }
)  # fmt: skip
_REQUIREMENTS = re.compile(r"requirements[\w.-]*\.(?:txt|in)|constraints[\w.-]*\.txt")

_VENDOR_DIRS = frozenset(
    {
        "vendor", "vendored", "third_party", "third-party", "thirdparty", "3rdparty",
        "node_modules", "bower_components", "jspm_packages", "Pods", "Carthage", ".yarn",
        "site-packages",
    }
)  # fmt: skip

_GENERATED_DIRS = frozenset({"generated", "__generated__", "dist"})
_GENERATED_SUFFIXES = (
    ".min.js", ".min.mjs", ".min.css", ".js.map", ".css.map", ".pb.go", ".pb.gw.go",
    ".pb.cc", ".pb.h", ".pb.swift", "_pb2.py", "_pb2.pyi", "_pb2_grpc.py", ".g.dart",
    ".freezed.dart", ".designer.cs", ".generated.cs", ".g.cs", "_generated.go", ".gen.go",
    "_gen.go",
)  # fmt: skip
# No `.*` between words: "code generated ... do not edit" is found by "do not edit" alone,
# and a pattern that scans on from every "code generated" costs the square of the line.
_GENERATED_BANNER = re.compile(
    r"@generated\b|<auto-?generated|auto-?generated (?:by|file)"
    r"|(?:file|code) (?:is|was) (?:automatically |auto-?)?generated|do not edit",
    re.IGNORECASE,
)

_TEST_DIRS = frozenset(
    {
        "test", "tests", "__tests__", "testing", "testdata", "test-data", "spec", "specs",
        "__snapshots__", "__mocks__", "e2e", "fixtures",
    }
)  # fmt: skip
_TEST_NAME = re.compile(
    r"test_.+\.py|conftest\.py|.+_tests?\.(?:py|go|rb|rs|exs|dart|c|cc|cpp)"
    r"|.+\.(?:test|spec)\.[cm]?[jt]sx?|.+_spec\.rb|.+Tests?\.(?:java|kt|cs|php|swift|scala)"
    r"|.+\.snap"
)

_DOC_DIRS = frozenset({"docs", "doc", "documentation", "man"})
_DOC_SUFFIXES = (".md", ".markdown", ".mdx", ".rst", ".adoc", ".asciidoc", ".rdoc")
_DOC_STEMS = frozenset(
    {
        "readme", "changelog", "changes", "history", "news", "license", "licence",
        "copying", "authors", "contributors", "contributing", "code_of_conduct", "security",
        "notice", "maintainers",
    }
)  # fmt: skip


def classify(path: str, *, binary: bool = False, head: Sequence[str] = ()) -> FileKind:
    """The kind of `path`; `head` is the file's first few diff lines, for a generated banner."""
    if binary:
        return FileKind.BINARY
    *dirs, name = path.split("/")
    lower = name.lower()
    if _is_lockfile(lower):
        return FileKind.LOCKFILE
    if _VENDOR_DIRS.intersection(dirs):
        return FileKind.VENDORED
    if _is_generated(dirs, lower, head):
        return FileKind.GENERATED
    if _TEST_DIRS.intersection(dirs) or _TEST_NAME.fullmatch(name):
        return FileKind.TEST
    stem = lower.split(".", 1)[0]
    if _DOC_DIRS.intersection(dirs) or lower.endswith(_DOC_SUFFIXES) or stem in _DOC_STEMS:
        return FileKind.DOCS
    return FileKind.SOURCE


def only_dependencies(paths: Sequence[str]) -> bool:
    """Whether a change of these paths is a dependency update: a lockfile, and otherwise only
    the manifests and requirement files that list dependencies."""
    names = [path.rsplit("/", 1)[-1].lower() for path in paths]
    locked = [_is_lockfile(name) for name in names]
    return any(locked) and all(
        lock or name in _MANIFESTS or _REQUIREMENTS.fullmatch(name)
        for name, lock in zip(names, locked, strict=True)
    )


def is_bookkeeping(path: str) -> bool:
    """A file any change may touch, whatever part of the project it is about: a change note,
    a lockfile, or a manifest at the root (a workspace's dependencies)."""
    name = path.rsplit("/", 1)[-1].lower()
    return is_change_note(path) or _is_lockfile(name) or ("/" not in path and name in _MANIFESTS)


def _is_lockfile(lower_name: str) -> bool:
    return lower_name in _LOCKFILES or lower_name.endswith(_LOCK_SUFFIXES)


# Where projects write what a change is for, in their own words: changelogs and the
# one-file-per-change fragments of changesets, towncrier, reno and changelog.d.
_NOTE_STEMS = frozenset(
    {"changelog", "changes", "history", "news", "release-notes", "releasenotes"}
)
_NOTE_DIRS = frozenset({".changeset", "changelog.d", "changes.d", "newsfragments", "releasenotes"})


def is_change_note(path: str) -> bool:
    """A changelog or change fragment: the diff's best summary of itself."""
    *dirs, name = path.lower().split("/")
    return name.split(".", 1)[0] in _NOTE_STEMS or is_change_fragment(path)


def is_change_fragment(path: str) -> bool:
    """A one-file-per-change fragment (`.changeset/x.md`, `newsfragments/12.bugfix`), not
    the directory's README or configuration."""
    *dirs, name = path.lower().split("/")
    stem = name.split(".", 1)[0]
    return bool(_NOTE_DIRS.intersection(dirs)) and stem not in {"readme", "config", "template"}


def _is_generated(dirs: list[str], lower_name: str, head: Sequence[str]) -> bool:
    if lower_name.endswith(_GENERATED_SUFFIXES) or lower_name.startswith("zz_generated"):
        return True
    if _GENERATED_DIRS.intersection(dirs):
        return True
    return any(_GENERATED_BANNER.search(line) for line in head)


_ESCAPES = {"a": 7, "b": 8, "t": 9, "n": 10, "v": 11, "f": 12, "r": 13, '"': 34, "\\": 92}
_QUOTED_PART = re.compile(r"\\([0-7]{3}|.)|[^\\]+", re.DOTALL)


def unquote_path(raw: str) -> str:
    """Undo git's C-style quoting (`"caf\\303\\251.txt"` -> `café.txt`); plain paths pass."""
    if len(raw) < 2 or not (raw.startswith('"') and raw.endswith('"')):
        return raw
    data = bytearray()
    for match in _QUOTED_PART.finditer(raw[1:-1]):
        escape = match.group(1)
        if escape is None:
            data += match.group(0).encode("utf-8", "surrogateescape")
        elif escape[0] in "01234567":
            data.append(int(escape, 8) & 0xFF)
        else:
            data.append(_ESCAPES.get(escape, ord(escape[0]) & 0xFF))
    return data.decode("utf-8", "replace")
