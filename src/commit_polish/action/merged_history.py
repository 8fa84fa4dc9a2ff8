"""`commit-polish eval --repo PATH --kept OWNER/NAME`: the merged check over a repository's past.

For each squash-merged PR `eval --repo` takes from the clone (evaluation/repo.py: the same
range, bots and releases left out), the PR's comments are read through the API and ours is
found as the Action finds it: written by the login the Action posts as (`--bot-login`, the
Action's `bot-login` input, by default github-actions[bot]) AND opening with this
installation's marker line (`--marker`), so a comment anyone else wrote, marker or not, never
counts. Its stored message (stored.py) is compared with the squash commit's message from the
clone exactly as the merged check compares them (merged.measure), GitHub's default made of the
PR's title and commits as read through the API. No model is asked.

It lives with the Action, not in evaluation/ (a lower layer), because it reuses the Action's
marker, stored message and comparison. The token is `GITHUB_TOKEN` and the API
`GITHUB_API_URL`, from the environment the CLI read. A PR GitHub refuses (not found, no
access, a rate limit, a failure) is counted unreadable and the others go on; a rejected token
or an unreachable API stops the run, as every PR would fail alike.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from commit_polish.action import merged, stored
from commit_polish.action.marker import DEFAULT_MARKER, Marker
from commit_polish.errors import ConfigError
from commit_polish.evaluation.command import DEFAULT_LAST
from commit_polish.evaluation.repo import squash_commits
from commit_polish.github.errors import GitHubRequestError
from commit_polish.settings.declared import flag_spelling, given_flags

if TYPE_CHECKING:
    from commit_polish.evaluation.repo import Commit
    from commit_polish.github.client import GitHubClient

DEFAULT_BOT = "github-actions[bot]"
NONE, UNREADABLE, OTHER_COMMIT = "none", "unreadable", "other_commit"
MERGED_WITH = (merged.SUGGESTION, merged.DEFAULT, merged.EDITED, merged.OTHER)
_FATAL = frozenset({"auth", "connection"})
_REPO = re.compile(r"[A-Za-z0-9][A-Za-z0-9-]{0,38}/[A-Za-z0-9._-]{1,100}")
_NOT_HERE = ("out", "dry_run", "diff_only", "by", "ids", "limit", "every_commit")
_AUTH_FIX = (
    "export GITHUB_TOKEN with a token that may read {repo}'s pull requests (`gh auth token` "
    "prints yours; a fine-grained token needs Pull requests: read); for GitHub Enterprise "
    "Server also export GITHUB_API_URL=https://HOST/api/v3"
)


@dataclass(frozen=True, slots=True)
class Looked:
    """One squash-merged PR: what became of our suggestion (`found`: one of MERGED_WITH, or
    NONE, UNREADABLE, OTHER_COMMIT) and how much of it was kept (0-100, when compared)."""

    pr: int
    sha: str
    found: str
    kept: int | None = None
    error: str = ""

    def as_dict(self) -> dict[str, Any]:
        row: dict[str, Any] = {"pr": self.pr, "sha": self.sha, "found": self.found}
        if self.kept is not None:
            row["kept"] = self.kept
        return row | ({"error": self.error} if self.error else {})


def run_kept(
    args: argparse.Namespace,
    env: Mapping[str, str],
    *,
    out: TextIO | None = None,
    err: TextIO | None = None,
) -> int:
    """`eval --repo PATH --kept OWNER/NAME`; `env` is the environment the CLI read. The
    summary goes to `out`, a line per PR as it is read to `err` (stdout, stderr)."""
    out, err = out or sys.stdout, err or sys.stderr
    name, mark, bot = _checked(args)
    token = env.get("GITHUB_TOKEN", "").strip()
    if not token:
        raise ConfigError(
            "--kept reads each pull request's comments through GitHub's API, and GITHUB_TOKEN "
            "is not set",
            fix=_AUTH_FIX.format(repo=name),
        )
    commits = squash_commits(Path(args.repo), last=args.last or DEFAULT_LAST)
    from commit_polish.github.client import DEFAULT_API_URL, GitHubClient

    base_url = env.get("GITHUB_API_URL") or DEFAULT_API_URL
    client = GitHubClient(token, base_url=base_url)
    looked: list[Looked] = []
    try:
        for index, (commit, match) in enumerate(commits, 1):
            done = look(client, name, mark, (bot,), commit, match.pr)
            looked.append(done)
            print(f"commit-polish: {index}/{len(commits)} {_line(done)}", file=err)
    finally:
        client.close()
    summary = summarise(looked)
    if args.json:
        print(json.dumps({"repo": name, **summary}, indent=2), file=out)
    else:
        print(format_summary(summary, name, args.repo), file=out)
    return 0


def _checked(args: argparse.Namespace) -> tuple[str, Marker, str]:
    """(OWNER/NAME, marker, bot login) once the flags are known to go together."""
    if args.repo is None:
        raise ConfigError("--kept needs --repo", fix="add --repo PATH, a clone of --kept's repo")
    given = [f"--{key.replace('_', '-')}" for key in _NOT_HERE if getattr(args, key, None)]
    given += [flag_spelling(setting) for setting in given_flags(vars(args))]
    if given:
        raise ConfigError(
            f"--kept asks no model and writes no cases: {', '.join(given)} "
            f"{'does' if len(given) == 1 else 'do'} not apply",
            fix=f"drop {', '.join(given)}",
        )
    name = str(args.kept)
    if not _REPO.fullmatch(name):
        raise ConfigError(
            f"--kept {name[:100]!r} is not a GitHub repository's OWNER/NAME",
            fix="give the repository the pull requests were opened on, e.g. octo-org/widgets",
        )
    try:
        mark = Marker(args.marker or DEFAULT_MARKER)
    except ValueError as exc:
        raise ConfigError(
            f"--marker: {exc}", fix="give the Action's `marker` input, or leave it out"
        ) from None
    bot = str(args.bot_login or DEFAULT_BOT).strip()
    if not bot or any(c.isspace() for c in bot):
        raise ConfigError(f"--bot-login {bot!r} is not a login", fix="give the Action's login")
    return name, mark, bot


def look(
    client: GitHubClient,
    repo: str,
    mark: Marker,
    authors: Iterable[str],
    commit: Commit,
    number: int,
) -> Looked:
    """What became of the suggestion on PR `number`, merged as `commit` in the clone; ours
    is a comment by one of `authors` (the Action's login) opening with `mark`'s line."""
    try:
        bodies = client.comments_by(repo, number, authors, is_ours=mark.owns)
        ours = stored.latest(mark, bodies)
        if ours is None:
            return Looked(number, commit.sha, NONE)
        pr = client.read_merged(repo, number)
    except GitHubRequestError as exc:
        if exc.kind in _FATAL:
            raise _fatal(exc, repo) from None
        return Looked(number, commit.sha, UNREADABLE, error=exc.message)
    if pr.merge_commit_sha.lower() != commit.sha.lower():
        # Not this PR's merge (another repository's numbers, a cherry-pick, a PR closed
        # unmerged): the suggestion was not for this commit.
        return Looked(number, commit.sha, OTHER_COMMIT)
    result = merged.measure(ours, commit.message, pr.title, number, pr.commit_messages)
    return Looked(number, commit.sha, result.merged_with, result.kept)


def _fatal(exc: GitHubRequestError, repo: str) -> ConfigError:
    if exc.kind == "auth":
        return ConfigError(f"GITHUB_TOKEN: {exc.message}", fix=_AUTH_FIX.format(repo=repo))
    return ConfigError(
        exc.message,
        fix="check GITHUB_API_URL (leave it unset for github.com; GitHub Enterprise Server's "
        "is https://HOST/api/v3) and the network, then run again",
    )


def _line(done: Looked) -> str:
    """One PR's progress line: numbers, a sha and our own words only."""
    what = {
        merged.SUGGESTION: "merged with the suggestion",
        merged.DEFAULT: f"merged with GitHub's default ({done.kept}% of the suggestion kept)",
        merged.EDITED: f"merged after edits: {done.kept}% kept",
        merged.OTHER: "merged with another message: none of the suggestion kept",
        NONE: "no suggestion of ours",
        OTHER_COMMIT: "has a suggestion, but GitHub did not merge it as this commit: not compared",
        UNREADABLE: f"unreadable: {done.error}",
    }[done.found]
    return f"#{done.pr} {done.sha[:12]} {what}"


def summarise(looked: Sequence[Looked]) -> dict[str, Any]:
    """The counts, the mean share kept (over every suggestion compared, and over the edited
    ones), and each PR; a mean is None where it has no PR."""
    counts = {found: sum(d.found == found for d in looked) for found in MERGED_WITH}
    compared = [d for d in looked if d.found in MERGED_WITH]
    edited = [d for d in compared if d.found == merged.EDITED]
    return {
        "looked_at": len(looked),
        "unreadable": sum(d.found == UNREADABLE for d in looked),
        "no_suggestion": sum(d.found == NONE for d in looked),
        "other_commit": sum(d.found == OTHER_COMMIT for d in looked),
        "with_suggestion": len(compared),
        "merged_with": counts,
        "kept_mean": _mean(d.kept for d in compared),
        "edited_kept_mean": _mean(d.kept for d in edited),
        "prs": [d.as_dict() for d in looked],
    }


def format_summary(summary: Mapping[str, Any], repo: str, clone: str) -> str:
    """`summarise`'s counts as a small table under one heading line."""
    with_it = summary["with_suggestion"]
    counts = summary["merged_with"]
    rows = [
        ("PRs looked at", summary["looked_at"], ""),
        ("unreadable (GitHub refused)", summary["unreadable"], ""),
        ("with no suggestion of ours", summary["no_suggestion"], ""),
    ]
    if summary["other_commit"]:
        rows.append(("not merged as this commit", summary["other_commit"], "not compared"))
    edited = summary["edited_kept_mean"]
    rows += [
        ("with a suggestion", with_it, ""),
        ("  merged with it exactly", counts[merged.SUGGESTION], ""),
        ("  with GitHub's default", counts[merged.DEFAULT], ""),
        (
            "  after edits",
            counts[merged.EDITED],
            "" if edited is None else f"{_percent(edited)} kept, mean",
        ),
        ("  with another message", counts[merged.OTHER], ""),
        (f"kept, mean of the {with_it}", _percent(summary["kept_mean"]), ""),
    ]
    head = (
        f"What the squash commits kept of the suggestions on {repo}, over the last "
        f"{summary['looked_at']} squash-merged PR(s) in {clone}:"
    )
    lines = [
        f"  {label:<30}{value!s:>5}{f'  ({note})' if note else ''}" for label, value, note in rows
    ]
    return "\n".join([head, *lines])


def _mean(values: Iterable[int | None]) -> float | None:
    kept = [v for v in values if v is not None]
    return round(sum(kept) / len(kept), 1) if kept else None


def _percent(mean: float | None) -> str:
    """Rounded half up, as the merged check rounds `kept`."""
    return "n/a" if mean is None else f"{int(mean + 0.5)}%"
