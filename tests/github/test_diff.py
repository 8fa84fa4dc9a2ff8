"""A diff rebuilt from GitHub's files API reads like `git diff` to our own parser."""

from __future__ import annotations

from commit_polish.digest.parse import parse_diff
from commit_polish.github.diff import FileEntry, rebuild_diff
from commit_polish.records import FileStatus

ENTRIES = [
    FileEntry("app.py", "modified", "@@ -1,2 +1,2 @@\n import os\n-A = 1\n+A = 2", changes=2),
    FileEntry("new.py", "added", "@@ -0,0 +1 @@\n+NEW = 1\n", changes=1),
    FileEntry("old.py", "removed", "@@ -1 +0,0 @@\n-OLD = 1", changes=1),
    FileEntry("b/moved.py", "renamed", "@@ -1 +1 @@\n-X = 1\n+X = 2", "a/moved.py", 2),
    FileEntry("same.py", "renamed", None, "was.py", 0),
    FileEntry("copy.py", "copied", "@@ -1 +1 @@\n-C = 1\n+C = 2", "orig.py", 2),
    FileEntry("logo.png", "added", None, changes=0),
    FileEntry("huge.sql", "modified", None, changes=90_000),
]


def test_every_kind_of_entry_parses_back() -> None:
    text, missing = rebuild_diff(ENTRIES)
    files = {f.path: f for f in parse_diff(text)}
    assert list(files) == [e.filename for e in ENTRIES]
    assert (files["app.py"].status, files["app.py"].added, files["app.py"].removed) == (
        FileStatus.MODIFIED,
        1,
        1,
    )
    assert files["new.py"].status is FileStatus.ADDED
    assert files["old.py"].status is FileStatus.DELETED
    assert (files["b/moved.py"].status, files["b/moved.py"].old_path) == (
        FileStatus.RENAMED,
        "a/moved.py",
    )
    assert (files["same.py"].status, files["same.py"].hunks) == (FileStatus.RENAMED, ())
    assert files["copy.py"].old_path == "orig.py"
    assert files["logo.png"].hunks == files["huge.sql"].hunks == ()
    assert missing == ("logo.png", "huge.sql")


def test_a_file_reads_as_git_writes_it() -> None:
    text, _ = rebuild_diff([ENTRIES[1]])
    assert text == (
        "diff --git a/new.py b/new.py\n"
        "new file mode 100644\n"
        "--- /dev/null\n"
        "+++ b/new.py\n"
        "@@ -0,0 +1 @@\n"
        "+NEW = 1\n"
    )


def test_unusual_paths_are_quoted_as_git_quotes_them() -> None:
    odd = 'say "hi"\tnow.txt'
    text, _ = rebuild_diff([FileEntry(odd, "modified", "@@ -1 +1 @@\n-a\n+b", changes=2)])
    assert '"a/say \\"hi\\"\\tnow.txt"' in text
    assert parse_diff(text)[0].path == odd


def test_no_entries_no_text() -> None:
    assert rebuild_diff([]) == ("", ())
