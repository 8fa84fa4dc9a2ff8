"""parse_diff, classify and drop_ignored on real diffs: four merged PRs and git's own output."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from commit_polish.digest.kinds import is_bookkeeping, only_dependencies
from commit_polish.digest.parse import classify, drop_ignored, parse_diff
from commit_polish.errors import EmptyDiffError, InputError
from commit_polish.records import FileChange, FileKind, FileStatus
from tests.support import paths

DIFFS = paths.FIXTURES / "diffs"
BUBBLETEA = DIFFS / "charmbracelet_bubbletea_e58efab3713e.diff"
HTTPX = DIFFS / "encode_httpx_f1157dbc4102.diff"
TYPER = DIFFS / "fastapi_typer_e7c3467a08ad.diff"
SVELTE = DIFFS / "sveltejs_svelte_4c884312287d.diff"
FIXTURES = (BUBBLETEA, HTTPX, TYPER, SVELTE)


def by_path(changes: list[FileChange]) -> dict[str, FileChange]:
    return {c.path: c for c in changes}


# -- real pull requests -------------------------------------------------------------------


def test_go_pr_files_statuses_kinds_and_totals() -> None:
    changes = parse_diff(BUBBLETEA.read_bytes())
    files = by_path(changes)
    assert len(changes) == 16
    # The record's own totals from `git log --numstat`: 265 added, 65 removed.
    assert sum(c.added for c in changes) == 265
    assert sum(c.removed for c in changes) == 65
    assert files["focus.go"].status is FileStatus.ADDED
    assert files["focus.go"].added == 9
    assert files["go.sum"].kind is FileKind.LOCKFILE
    assert files["examples/go.sum"].kind is FileKind.LOCKFILE
    assert files["key_test.go"].kind is FileKind.TEST
    assert files["tea.go"].kind is FileKind.SOURCE
    assert len(files["tea.go"].hunks) == 6
    assert files["tea.go"].hunks[0].header == "@@ -97,6 +97,7 @@ const ("


def test_python_pr_deletion_new_doc_and_no_newline_marker() -> None:
    files = by_path(parse_diff(HTTPX.read_text(encoding="utf-8")))
    assert sum(c.added for c in files.values()) == 163
    assert sum(c.removed for c in files.values()) == 186
    gone = files["tests/utils.py"]
    assert (gone.status, gone.kind, gone.added, gone.removed) == (
        FileStatus.DELETED,
        FileKind.TEST,
        0,
        21,
    )
    doc = files["docs/logging.md"]
    assert (doc.status, doc.kind, doc.added) == (FileStatus.ADDED, FileKind.DOCS, 83)
    assert doc.hunks[-1].lines[-1] == "\\ No newline at end of file"
    assert files["httpx/_utils.py"].kind is FileKind.SOURCE


def test_pure_rename_has_old_path_and_no_hunks() -> None:
    files = by_path(parse_diff(TYPER.read_bytes()))
    moved = files["docs/tutorial/parameter-types/custom-types.md"]
    assert moved.status is FileStatus.RENAMED
    assert moved.old_path == "docs/tutorial/parameter-types/custom_types.md"
    assert (moved.hunks, moved.added, moved.removed) == ((), 0, 0)
    assert files["README.md"].kind is FileKind.DOCS
    assert files["README.md"].old_path is None


def test_js_pr_lockfile_changeset_and_ts_test() -> None:
    files = by_path(parse_diff(SVELTE.read_bytes()))
    assert files["pnpm-lock.yaml"].kind is FileKind.LOCKFILE
    assert files[".changeset/gentle-bulldogs-heal.md"].kind is FileKind.DOCS
    assert files["packages/svelte/tests/runtime-browser/test.ts"].kind is FileKind.TEST
    assert files["packages/svelte/package.json"].kind is FileKind.SOURCE


@pytest.mark.parametrize("path", FIXTURES, ids=lambda p: p.stem)
def test_hunks_quote_the_diff_exactly(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    for change in parse_diff(text):
        for hunk in change.hunks:
            assert all(line[:1] in (" ", "+", "-", "\\") for line in hunk.lines)
            assert hunk.added == sum(line.startswith("+") for line in hunk.lines)
            assert hunk.removed == sum(line.startswith("-") for line in hunk.lines)
            assert "\n".join((hunk.header, *hunk.lines)) + "\n" in text


def test_a_diff_saved_with_crlf_endings_parses_like_the_original() -> None:
    text = HTTPX.read_text(encoding="utf-8")
    assert parse_diff(text.replace("\n", "\r\n")) == parse_diff(text)


# -- git's own output for the edge cases --------------------------------------------------

BASE = {
    "keep.py": b"".join(b"line %d\n" % i for i in range(20)),
    "old_name.py": b"".join(b"def f%d(): pass\n" % i for i in range(15)),
    "edit_me.py": b"".join(b"value_%d = %d\n" % (i, i) for i in range(20)),
    "gone.txt": b"one\ntwo\nthree\nfour\nfive\n",
    "run.sh": b"#!/bin/sh\necho hi\n",
    "logo.bin": bytes(range(256)) * 4,
    "tail.txt": b"a\nb\nc",
    "latin1.txt": "café au lait\n".encode("latin-1"),
    "crlf.txt": b"one\r\ntwo\r\nthree\r\n",
    "my file.txt": b"x\n",
    "café.md": b"# hi\n",
}


def _git(repo: Path, *args: str) -> bytes:
    env = {
        **os.environ,
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_CONFIG_GLOBAL": os.devnull,
        "HOME": str(repo),
    }
    who = ["-c", "user.name=Test", "-c", "user.email=test@example.com"]
    done = subprocess.run(["git", *who, *args], cwd=repo, env=env, check=True, capture_output=True)
    return done.stdout


@pytest.fixture(scope="module")
def git_repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    repo = tmp_path_factory.mktemp("repo")
    _git(repo, "init", "-q")
    for name, data in BASE.items():
        (repo / name).write_bytes(data)
    _git(repo, "add", "-A")
    _git(repo, "commit", "-q", "-m", "base")
    (repo / "moved").mkdir()
    (repo / "old_name.py").rename(repo / "moved" / "new_name.py")
    edited = BASE["edit_me.py"].replace(b"value_3 = 3", b"value_3 = 33")
    (repo / "edit_me.py").unlink()
    (repo / "edited.py").write_bytes(edited)
    (repo / "gone.txt").unlink()
    (repo / "run.sh").chmod(0o755)
    (repo / "logo.bin").write_bytes(bytes(reversed(range(256))) * 4)
    (repo / "tail.txt").write_bytes(b"a\nb\nd")
    (repo / "latin1.txt").write_bytes("café au lait\ncrème brûlée\n".encode("latin-1"))
    (repo / "crlf.txt").write_bytes(b"one\r\n2\r\nthree\r\n")
    (repo / "my file.txt").write_bytes(b"y\n")
    (repo / "café.md").write_bytes(b"# hello\n")
    (repo / "gen.go").write_bytes(b"// Code generated by stringer. DO NOT EDIT.\n\npackage x\n")
    (repo / "new.png").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00")
    _git(repo, "add", "-A")
    _git(repo, "commit", "-q", "-m", "change")
    return repo


@pytest.fixture(scope="module")
def git_files(git_repo: Path) -> dict[str, FileChange]:
    return by_path(parse_diff(_git(git_repo, "diff", "-M", "--no-color", "HEAD~1", "HEAD")))


def test_git_rename_without_and_with_content_change(git_files: dict[str, FileChange]) -> None:
    moved = git_files["moved/new_name.py"]
    assert (moved.status, moved.old_path, moved.hunks) == (
        FileStatus.RENAMED,
        "old_name.py",
        (),
    )
    edited = git_files["edited.py"]
    assert (edited.status, edited.old_path) == (FileStatus.RENAMED, "edit_me.py")
    assert (edited.added, edited.removed) == (1, 1)
    assert "+value_3 = 33" in edited.hunks[0].lines


def test_git_deletion_keeps_the_old_path(git_files: dict[str, FileChange]) -> None:
    gone = git_files["gone.txt"]
    assert (gone.status, gone.added, gone.removed, gone.old_path) == (
        FileStatus.DELETED,
        0,
        5,
        None,
    )
    assert gone.hunks[0].header.startswith("@@ -1,5 +0,0 @@")


def test_git_mode_change(git_files: dict[str, FileChange]) -> None:
    script = git_files["run.sh"]
    assert script.mode_change == "100644 -> 100755"
    assert (script.status, script.hunks) == (FileStatus.MODIFIED, ())
    assert git_files["tail.txt"].mode_change is None


def test_no_newline_marker_stays_in_its_hunk(git_files: dict[str, FileChange]) -> None:
    tail = git_files["tail.txt"]
    assert tail.hunks[0].lines == (
        " a",
        " b",
        "-c",
        "\\ No newline at end of file",
        "+d",
        "\\ No newline at end of file",
    )
    assert (tail.added, tail.removed) == (1, 1)


def test_latin1_bytes_stay_readable(git_files: dict[str, FileChange]) -> None:
    lines = git_files["latin1.txt"].hunks[0].lines
    assert lines == (" café au lait", "+crème brûlée")


def test_crlf_content_lines_lose_only_their_line_ending(git_files: dict[str, FileChange]) -> None:
    assert git_files["crlf.txt"].hunks[0].lines == (" one", "-two", "+2", " three")


def test_paths_with_spaces_and_quoted_non_ascii(git_files: dict[str, FileChange]) -> None:
    assert git_files["my file.txt"].hunks[0].lines == ("-x", "+y")
    assert git_files["café.md"].hunks[0].lines == ("-# hi", "+# hello")


def test_generated_banner_marks_a_new_file(git_files: dict[str, FileChange]) -> None:
    assert git_files["gen.go"].kind is FileKind.GENERATED
    assert git_files["edited.py"].kind is FileKind.SOURCE


@pytest.mark.parametrize("flags", [[], ["--binary"]], ids=["differ-line", "git-binary-patch"])
def test_git_binary_both_forms(git_repo: Path, flags: list[str]) -> None:
    data = _git(git_repo, "diff", "-M", "--no-color", *flags, "HEAD~1", "HEAD")
    assert (b"GIT binary patch" in data) == bool(flags)
    files = by_path(parse_diff(data))
    logo = files["logo.bin"]
    assert (logo.kind, logo.status, logo.hunks) == (FileKind.BINARY, FileStatus.MODIFIED, ())
    png = files["new.png"]
    assert (png.kind, png.status) == (FileKind.BINARY, FileStatus.ADDED)
    # The files after the binary payload still parse.
    assert files["tail.txt"].added == 1
    assert len(files) == 12  # every changed file of the commit; keep.py did not change


def test_format_patch_email_reads_like_the_plain_diff(
    git_repo: Path, git_files: dict[str, FileChange]
) -> None:
    """GitHub's .patch: a mail header before the first file, a signature after the last."""
    mail = _git(git_repo, "format-patch", "-1", "--stdout", "HEAD")
    assert mail.startswith(b"From ") and b"\n-- \n" in mail
    assert by_path(parse_diff(mail)) == git_files


# -- errors -------------------------------------------------------------------------------


@pytest.mark.parametrize("data", ["", "  \n\n", b"", b"\n\t\n"])
def test_empty_diff_is_its_own_error(data: str | bytes) -> None:
    with pytest.raises(EmptyDiffError) as caught:
        parse_diff(data)
    assert "no changes" in caught.value.message
    assert caught.value.fix is not None and "BASE..HEAD" in caught.value.fix
    assert caught.value.exit_code == 3


def test_text_that_is_not_a_diff_names_its_first_line() -> None:
    with pytest.raises(InputError) as caught:
        parse_diff("\n<html>Not Found</html>\n")
    assert not isinstance(caught.value, EmptyDiffError)
    assert "line 2" in caught.value.message
    assert "<html>Not Found</html>" in caught.value.message


def test_truncated_hunk_names_the_hunk_header_line() -> None:
    lines = BUBBLETEA.read_text(encoding="utf-8").split("\n")
    # Cut the diff in the middle of tea.go's third hunk (line 683 of the file).
    assert lines[682].startswith("@@ -390,6 +392,12 @@")
    with pytest.raises(InputError) as caught:
        parse_diff("\n".join(lines[:686]) + "\n")
    message = caught.value.message
    assert "line 683" in message
    assert "fewer lines than its header says" in message
    assert "@@ -390,6 +392,12 @@" in message


def test_garbage_inside_a_hunk_names_the_absolute_line() -> None:
    lines = BUBBLETEA.read_text(encoding="utf-8").split("\n")
    assert lines[599].startswith("+")  # line 600, inside screen.go, the 13th file
    lines[599] = "garbage " * 20
    with pytest.raises(InputError) as caught:
        parse_diff("\n".join(lines))
    message = caught.value.message
    assert "line 600" in message
    assert "'garbage garbage" in message and "…'" in message  # quoted, shortened
    assert len(message) < 250


# -- classify and drop_ignored ------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "kind"),
    [
        ("package-lock.json", FileKind.LOCKFILE),
        ("web/yarn.lock", FileKind.LOCKFILE),
        ("pnpm-lock.yaml", FileKind.LOCKFILE),
        ("poetry.lock", FileKind.LOCKFILE),
        ("uv.lock", FileKind.LOCKFILE),
        ("Cargo.lock", FileKind.LOCKFILE),
        ("go.sum", FileKind.LOCKFILE),
        ("Gemfile.lock", FileKind.LOCKFILE),
        ("composer.lock", FileKind.LOCKFILE),
        ("vendor/github.com/x/y.go", FileKind.VENDORED),
        ("lib/third_party/z.c", FileKind.VENDORED),
        ("node_modules/a/index.js", FileKind.VENDORED),
        ("static/app.min.js", FileKind.GENERATED),
        ("api/v1/service.pb.go", FileKind.GENERATED),
        ("proto/service_pb2.py", FileKind.GENERATED),
        ("tests/fixtures/lib.min.js", FileKind.GENERATED),
        ("docs/index.md", FileKind.DOCS),
        ("docs/conf.py", FileKind.DOCS),
        ("CHANGELOG.md", FileKind.DOCS),
        ("README.rst", FileKind.DOCS),
        ("LICENSE", FileKind.DOCS),
        ("tests/test_api.py", FileKind.TEST),
        ("pkg/test_api.py", FileKind.TEST),
        ("pkg/api_test.go", FileKind.TEST),
        ("src/app.spec.ts", FileKind.TEST),
        ("src/__snapshots__/app.test.tsx.snap", FileKind.TEST),
        ("src/test/java/AppTest.java", FileKind.TEST),
        ("tests/README.md", FileKind.TEST),
        ("src/app.py", FileKind.SOURCE),
        ("go.mod", FileKind.SOURCE),
        ("Makefile", FileKind.SOURCE),
        ("src/latest.py", FileKind.SOURCE),
        ("requirements.txt", FileKind.SOURCE),
    ],
)
def test_classify_by_path(path: str, kind: FileKind) -> None:
    assert classify(path) is kind


@pytest.mark.parametrize(
    ("paths", "update"),
    [
        (["yarn.lock"], True),
        (["package.json", "packages/svelte/package.json", "pnpm-lock.yaml"], True),
        (["pnpm-lock.yaml", "pnpm-workspace.yaml"], True),
        (["Cargo.lock", "crates/cli/Cargo.toml"], True),
        (["requirements-dev.txt", "uv.lock"], True),
        (["package.json"], False),  # a manifest alone may change scripts or exports
        (["package.json", "yarn.lock", "src/index.ts"], False),
        (["testing/constraints-3.12.txt"], False),
        ([], False),
    ],
)
def test_a_dependency_update_is_a_lockfile_and_manifests_alone(
    paths: list[str], update: bool
) -> None:
    assert only_dependencies(paths) is update


@pytest.mark.parametrize(
    ("path", "bookkeeping"),
    [
        (".changeset/quiet-owls.md", True),
        ("CHANGELOG.md", True),
        ("packages/cli/yarn.lock", True),
        ("pnpm-lock.yaml", True),
        ("package.json", True),  # the root's: the whole workspace's dependencies
        ("go.mod", True),
        ("packages/cli/package.json", False),  # one package's own
        ("README.md", False),
        ("main.go", False),
        ("examples/grid/main.go", False),
    ],
)
def test_bookkeeping_is_change_notes_lockfiles_and_the_roots_manifests(
    path: str, bookkeeping: bool
) -> None:
    assert is_bookkeeping(path) is bookkeeping


def test_classify_binary_and_banner_hints() -> None:
    assert classify("src/app.py", binary=True) is FileKind.BINARY
    assert classify("x.py", head=("+# @generated by tool",)) is FileKind.GENERATED
    assert classify("x.py", head=("+# written by hand",)) is FileKind.SOURCE


def test_drop_ignored_uses_gitignore_patterns() -> None:
    changes = parse_diff(BUBBLETEA.read_bytes())
    kept, ignored = drop_ignored(changes, ["*.sum", "examples/", "!examples/go.sum"])
    assert sorted(c.path for c in ignored) == [
        "examples/focus-blur/main.go",
        "examples/go.mod",
        "go.sum",
    ]
    assert len(kept) + len(ignored) == len(changes)
    assert "examples/go.sum" in {c.path for c in kept}
    assert drop_ignored(changes, []) == (changes, [])
