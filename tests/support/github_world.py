"""The pull requests, people and history the GitHub tests record against the stand-in, and
the small demo it serves when run by hand."""

from __future__ import annotations

import dataclasses
from typing import Any

from tests.support.github_stub import GitHubStub, StubCommit, StubFile, StubPR

REPO = "octo-org/widgets"
TOKEN = "ghs_cpTest" + "0123456789" * 3
"""Shaped like an Actions token, so the cassette scan would catch it if it ever leaked."""
MARK = "<!-- commit-polish -->"
BOT = "github-actions[bot]"

UPLOADER_PATCH = """\
@@ -10,6 +10,11 @@ def upload(path, session):
     with open(path, "rb") as handle:
         data = handle.read()
-    return session.post(URL, data=data)
+    for attempt in range(RETRIES):
+        try:
+            return session.post(URL, data=data)
+        except ConnectionResetError:
+            time.sleep(2**attempt)
+    raise UploadError(path)
 
 
 def status(session):"""
TEST_PATCH = """\
@@ -0,0 +1,4 @@
+def test_upload_retries(fake_session):
+    fake_session.fail_times(2)
+    upload("a.bin", fake_session)
+    assert fake_session.calls == 3"""
SMALL_DIFF = (
    "diff --git a/widgets/uploader.py b/widgets/uploader.py\n"
    "index 3b18e51..a9c2f4d 100644\n"
    "--- a/widgets/uploader.py\n+++ b/widgets/uploader.py\n"
    f"{UPLOADER_PATCH}\n"
    "diff --git a/tests/test_uploader.py b/tests/test_uploader.py\n"
    "new file mode 100644\nindex 0000000..5d1e2c3\n"
    "--- /dev/null\n+++ b/tests/test_uploader.py\n"
    f"{TEST_PATCH}\n"
)

SMALL = StubPR(
    REPO,
    7,
    "Retry uploads when the connection resets",
    "alice",
    body=None,
    diff=SMALL_DIFF,
    files=[
        StubFile("widgets/uploader.py", "modified", UPLOADER_PATCH, additions=6, deletions=1),
        StubFile("tests/test_uploader.py", "added", TEST_PATCH, additions=4),
    ],
    commits=[
        StubCommit(
            "Retry uploads when the connection resets\n\nThe uploader gave up on the first reset.",
            "Alice",
            "alice@example.org",
            "alice",
        ),
        StubCommit("Cap the backoff", "Bob Builder", "1002+bob@users.noreply.github.com", "bob"),
        StubCommit("Fix a typo", "Bob Builder", "bob@builder.example", "bob"),
        StubCommit(
            "Bump requests to 2.32.3",
            "dependabot[bot]",
            "49699333+dependabot[bot]@users.noreply.github.com",
            "dependabot[bot]",
        ),
        StubCommit("Test the retry", "Carol", "carol@example.org", None),
        StubCommit("Document the retry", "Erin", "erin@example.org", ""),
        StubCommit("Address review", "Alice Liddell", "alice@work.example", "alice"),
    ],
)
SMALL_CO_AUTHORS = (
    "Bob Builder <bob@builder.example>",
    "Carol <carol@example.org>",
    "Erin <erin@example.org>",
)

HISTORY = [
    StubCommit(f"Fix flaky upload test number {n} (#{100 - n})\n\nDetails.", "Dana", "d@x.org")
    for n in range(25)
]


def _many_files() -> list[StubFile]:
    """305 files (GitHub's diff stops at 300), a few of every kind spread over the pages."""
    files = [
        StubFile(
            f"src/mod_{i:03d}.py",
            patch=f"@@ -1,2 +1,2 @@\n import os\n-X = {i}\n+X = {i + 1}",
            additions=1,
            deletions=1,
        )
        for i in range(300)
    ]
    files.insert(150, StubFile("docs/logo.png", "added"))
    files.insert(
        250,
        StubFile(
            "src/new_name.py", "renamed", "@@ -1 +1 @@\n-A = 1\n+A = 2", 1, 1, "src/old_name.py"
        ),
    )
    files += [
        StubFile("src/moved.py", "renamed", previous_filename="lib/moved.py"),
        StubFile("src/gone.py", "removed", "@@ -1,2 +0,0 @@\n-import os\n-GONE = True", 0, 2),
        StubFile("src/fresh.py", "added", "@@ -0,0 +1,2 @@\n+import os\n+FRESH = True", 2, 0),
    ]
    return files


MANY_FILES = StubPR(
    REPO,
    8,
    "Rename every module constant",
    "alice",
    body="Mechanical.",
    files=_many_files(),
    commits=[StubCommit("Rename", "Alice", "alice@example.org", "alice")],
)

_BIG_PATCH = "@@ -1,50 +1,100 @@\n" + "-old\n" * 50 + "+new\n" * 99 + "+new"
MANY_LINES = StubPR(
    REPO,
    9,
    "Regenerate the fixtures",
    "alice",
    files=[
        StubFile(f"fixtures/f{i:03d}.txt", patch=_BIG_PATCH, additions=100, deletions=50)
        for i in range(160)
    ],
)
"""24,000 changed lines in 160 files: too large by lines; with `files_cap=150` the files API
lists 150 of them, as GitHub lists 3,000 of a bigger pull request."""

PERMISSIONS = {
    "maintainer": "admin",
    "lead": "maintain",
    "writer": "write",
    "triager": "triage",
    "reader": "read",
    "alice": "write",
}


def world(**overrides: Any) -> GitHubStub:
    """The stand-in every recording starts from; `overrides` are GitHubStub arguments."""
    settings: dict[str, Any] = {
        # Copies: a merge, an edit or a push changes the stub's pull requests.
        "prs": [dataclasses.replace(pr) for pr in (SMALL, MANY_FILES, MANY_LINES)],
        "token": TOKEN,
        "permissions": PERMISSIONS,
        "history": {(REPO, "main"): HISTORY},
    }
    settings.update(overrides)
    return GitHubStub(**settings)


def demo() -> GitHubStub:
    """A stub serving one small pull request (`octo-org/widgets#7`), for manual runs."""
    pr = StubPR(
        "octo-org/widgets",
        7,
        "Retry uploads on connection resets",
        "alice",
        body="Uploads failed on flaky networks.",
        diff="diff --git a/up.py b/up.py\n--- a/up.py\n+++ b/up.py\n@@ -1 +1,2 @@\n"
        " import time\n+RETRIES = 3\n",
        files=[StubFile("up.py", patch="@@ -1 +1,2 @@\n import time\n+RETRIES = 3", additions=1)],
        commits=[StubCommit("Retry uploads", "Alice", "alice@example.org", "alice")],
    )
    history = [StubCommit("Add the uploader (#6)", "Alice", "alice@example.org", "alice")]
    return GitHubStub(
        prs=[pr], permissions={"alice": "admin"}, history={("octo-org/widgets", "main"): history}
    )
