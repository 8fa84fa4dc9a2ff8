"""The base branch's per-path commit lists the path-history tests record against, and the
stand-in that serves them as GitHub's list-commits endpoint does (`?sha=&path=&per_page=`).

Each listed commit has the shape of a real list-commits item (key order, `git/trees/` and
`git/commits/` URLs, `C_kwDO…` node ids, parents with `html_url`, `verified_at`): a commit
merged with GitHub's button is committed by `GitHub <noreply@github.com>` as `web-flow` and
signed by GitHub, one pushed from a laptop is committed by its author and unsigned. The users
come from GitHub's own example (tests/support/github_payloads.py).
"""

from __future__ import annotations

import base64
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl

from tests.support import github_http
from tests.support import github_payloads as payloads
from tests.support.github_stub import GitHubStub, Reply
from tests.support.github_world import REPO, TOKEN

REPO_ID = 1296269
"""The repository id of GitHub's example repository, which the stand-in's answers carry."""
WEB_FLOW_ID = 19864447


@dataclass(frozen=True)
class Change:
    """One commit as a test writes it: its subject, when, who, and its parents' subjects."""

    message: str
    date: str
    login: str = "alice"
    parents: tuple[str, ...] = ()
    """Subjects (first lines) of its parents, first parent first; none: a made-up parent."""
    web: bool = True
    """Committed by GitHub's merge button (squash or merge commit), else pushed by its author."""

    @property
    def sha(self) -> str:
        return sha(self.message)


def sha(message: str) -> str:
    return payloads.sha_of(f"widgets:{message.split(chr(10), 1)[0]}")


def _node_id(commit_sha: str) -> str:
    """GitHub's commit node id: `C_` and the base64 of a msgpack [0, repository id, sha]."""
    packed = b"\x93\x00\xce" + REPO_ID.to_bytes(4, "big") + b"\xda\x00\x28" + commit_sha.encode()
    return "C_" + base64.urlsafe_b64encode(packed).decode().rstrip("=")


def _user(login: str, api: str) -> dict[str, Any]:
    data = payloads.user(login, api)
    if login == "web-flow":
        data.update(
            id=WEB_FLOW_ID,
            node_id="MDQ6VXNlcjE5ODY0NDQ3",
            avatar_url=f"https://avatars.githubusercontent.com/u/{WEB_FLOW_ID}?v=4",
        )
    data["user_view_type"] = "public"
    return data


def listed(change: Change, api: str) -> dict[str, Any]:
    """`change` as one item of GitHub's list-commits answer."""
    own, html = change.sha, payloads.HTML
    tree = payloads.sha_of(f"tree of {own}")
    parents = [sha(p) for p in change.parents] or [payloads.sha_of(f"parent of {own}")]
    name, email = change.login.title(), f"{change.login}@example.org"
    author = {"name": name, "email": email, "date": change.date}
    committer = dict(author)
    verification: dict[str, Any] = {
        "verified": False,
        "reason": "unsigned",
        "signature": None,
        "payload": None,
        "verified_at": None,
    }
    if change.web:
        committer = {"name": "GitHub", "email": "noreply@github.com", "date": change.date}
        payload = f"tree {tree}\n" + "".join(f"parent {p}\n" for p in parents)
        verification = {
            "verified": True,
            "reason": "valid",
            "signature": "-----BEGIN PGP SIGNATURE-----\n\nwsFcBAABCAAQBQJnStandIn\n"
            "-----END PGP SIGNATURE-----\n",
            "payload": payload + f"author {name} <{email}>\n\n{change.message}",
            "verified_at": change.date,
        }
    return {
        "sha": own,
        "node_id": _node_id(own),
        "commit": {
            "author": author,
            "committer": committer,
            "message": change.message,
            "tree": {"sha": tree, "url": f"{api}/repos/{REPO}/git/trees/{tree}"},
            "url": f"{api}/repos/{REPO}/git/commits/{own}",
            "comment_count": 0,
            "verification": verification,
        },
        "url": f"{api}/repos/{REPO}/commits/{own}",
        "html_url": f"{html}/{REPO}/commit/{own}",
        "comments_url": f"{api}/repos/{REPO}/commits/{own}/comments",
        "author": _user(change.login, api),
        "committer": _user("web-flow" if change.web else change.login, api),
        "parents": [
            {
                "sha": p,
                "url": f"{api}/repos/{REPO}/commits/{p}",
                "html_url": f"{html}/{REPO}/commit/{p}",
            }
            for p in parents
        ],
    }


class PathListStub(GitHubStub):
    """The stand-in, with `GET /repos/{REPO}/commits?path=` answering from `lists` (per path,
    newest first, as GitHub lists them; a path not in `lists` has no commits). Faults planted
    with `fail_next` and the token check still come first."""

    def __init__(
        self, lists: Mapping[str, list[Change]], *, refused: Mapping[str, int] | None = None
    ) -> None:
        # An empty branch history: the stand-in's own route answers 200, then `handle` fills it.
        super().__init__(token=TOKEN, history={(REPO, "main"): []})
        self.lists = dict(lists)
        self.refused = dict(refused or {})
        """Paths whose listing GitHub refuses, with the status (its usual error body)."""

    def handle(self, method: str, target: str, headers: Mapping[str, str], body: bytes) -> Reply:
        answer = super().handle(method, target, headers, body)
        path, _, query = target.partition("?")
        params = dict(parse_qsl(query))
        if answer.status != 200 or path != f"/repos/{REPO}/commits" or "path" not in params:
            return answer
        if params["path"] in self.refused:
            status = self.refused[params["path"]]
            return Reply(status, github_http.fault_body(status))
        items = [listed(c, self.url) for c in self.lists.get(params["path"], [])]
        request = github_http.Request(method, path, params, headers, body, {})
        return github_http.page(self, request, items)
