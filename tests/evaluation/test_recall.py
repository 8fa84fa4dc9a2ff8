"""Keyword recall counts only words a prompt quotes from the diff, never a made-up list."""

from __future__ import annotations

from commit_polish.digest.fit import fit
from commit_polish.digest.parse import parse_diff
from commit_polish.evaluation import recall

DIFF = """\
diff --git a/src/retry.py b/src/retry.py
index 1111111..2222222 100644
--- a/src/retry.py
+++ b/src/retry.py
@@ -10,3 +10,4 @@ def upload(session):
     attempts = 0
-    backoff = fixed_delay()
+    backoff = exponential_backoff(jitter=True)
+    session.mount(adapter)
     return attempts
diff --git a/docs/usage.md b/docs/usage.md
new file mode 100644
--- /dev/null
+++ b/docs/usage.md
@@ -0,0 +1 @@
+Uploads now retry with jitter.
"""
MESSAGE = "Retry uploads with exponential backoff and jitter\n\nA fixed delay made them stampede."


def count(text: str) -> int:
    return len(text.split())


def test_keywords_are_message_words_found_in_the_diff_without_stop_words() -> None:
    # "exponential" and "delay" occur in the diff only inside longer identifiers.
    assert recall.keywords(MESSAGE, DIFF) == {"retry", "uploads", "backoff", "jitter"}


def test_words_are_lowercased_identifiers_of_four_or_more_characters() -> None:
    assert recall.words("The os.Args of HTTPClient, v2 and the_max 1234") == {
        "args",
        "httpclient",
        "the_max",
    }


def test_diff_lines_headers_and_listed_paths_count_as_quotes() -> None:
    prompt = "\n".join(
        [
            "2 files changed (+4 -1):",
            "M src/retry.py (+2 -1)",
            "A docs/usage.md (+1 -0) [docs]",
            "--- a/src/retry.py",
            "+++ b/src/retry.py",
            "@@ -10,3 +10,4 @@ def upload(session):",
            "+    backoff = exponential_backoff(jitter=True)",
        ]
    )
    found = recall.quoted_words(prompt, DIFF)
    assert {"retry", "usage", "upload", "session", "exponential_backoff", "jitter"} <= found


def test_lines_that_do_not_quote_the_diff_count_for_nothing() -> None:
    prompt = "\n".join(
        [
            "Keywords: retry uploads jitter backoff",
            "+    backoff = exponential_backoff(jitter=True)  # edited",
            "M src/other.py (+2 -1)",
            "--- a/src/invented.py",
        ]
    )
    assert recall.quoted_words(prompt, DIFF) == set()


def test_a_shortened_line_counts_only_when_it_starts_a_real_line() -> None:
    long_line = "+" + "payload_" * 80
    diff = f"--- a/x.py\n+++ b/x.py\n@@ -1 +1 @@\n{long_line}\n"
    real = long_line[:400] + "... (241 more characters)"
    fake = "+forged_words" + "... (241 more characters)"
    assert "payload_payload_" in "".join(recall.quoted_words(real, diff))
    assert recall.quoted_words(fake, diff) == set()


def test_recall_is_the_share_of_keywords_found() -> None:
    assert recall.recall({"retry", "other"}, {"retry", "jitter"}) == 0.5
    assert recall.recall(set(), set()) == 1.0


def test_head_keeps_whole_first_lines_within_the_budget() -> None:
    cut = recall.head(DIFF, 20, count)
    assert count(cut) <= 20 < count(cut + "\n" + DIFF.split("\n")[len(cut.split("\n"))])
    assert DIFF.startswith(cut)


def test_the_budgeter_keeps_what_head_truncation_loses() -> None:
    # A long, repetitive change first, then the one that explains it.
    filler = "".join(f"+    total += step(item)  # {i}\n" for i in range(300))
    diff = (
        "diff --git a/src/loop.py b/src/loop.py\n--- a/src/loop.py\n+++ b/src/loop.py\n"
        f"@@ -1,0 +1,300 @@\n{filler}" + DIFF
    )
    wanted = recall.keywords(MESSAGE, diff)
    ours = fit(parse_diff(diff), 300, count)
    theirs = recall.head(diff, 300, count)
    assert recall.recall(recall.quoted_words(ours.text, diff), wanted) == 1.0
    assert recall.recall(recall.quoted_words(theirs, diff), wanted) < 0.5
