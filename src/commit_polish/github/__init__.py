"""The GitHub edge, the only importer of PyGithub: one client (client.py) over one session
(session.py, retries in retry.py), the sticky comment (comments.py), GitHub's refusals
translated once (errors.py), diffs rebuilt from the files API (diff.py), co-authors
(coauthors.py), and the records GitHub gives us (records.py)."""
