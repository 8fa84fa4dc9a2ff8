"""Host-side helpers for scripts/docker-smoke.sh (run with the dev venv's Python).

  serve     run the GitHub stand-in (tests/support/github_stub.py) with one open PR whose diff
            is a file
  inputs    the INPUT_* variables the runner would pass, as a `docker run --env-file`
  outputs   read a $GITHUB_OUTPUT file (name=value and name<<DELIM forms) and check it
  comments  count the PR's comments through the stand-in's REST API; exactly one must be ours

Each check prints one line of JSON and exits 1 when the check fails.
"""

from __future__ import annotations

import argparse
import json
import signal
import sys
import threading
import urllib.request
from pathlib import Path
from typing import Any

import yaml

REPO = Path(__file__).resolve().parent.parent
MARKER = "<!-- commit-polish"
TOKEN = "smoke-token"  # noqa: S105 - what the stand-in accepts, nothing real
OUTPUTS = ("message", "subject", "body", "model", "comment-url", "cost-usd")


def inputs(args: argparse.Namespace) -> int:
    """Every input of action.yml with its default, overridden by NAME=VALUE pairs.

    The runner passes each input as INPUT_<NAME upper-cased> (hyphens kept), defaults included.
    """
    spec = yaml.safe_load(Path(args.action).read_text(encoding="utf-8"))
    values = {name: str(item.get("default", "")) for name, item in spec["inputs"].items()}
    for pair in args.set:
        name, _, value = pair.partition("=")
        if name not in values:
            sys.exit(f"action.yml has no input {name!r}")
        values[name] = value
    for name, value in values.items():
        if "${{" in value:
            sys.exit(f"input {name!r} defaults to an expression ({value}): set it")
        if "\n" in value:
            sys.exit(f"input {name!r} is multi-line: an --env-file cannot carry it")
        print(f"INPUT_{name.replace(' ', '_').upper()}={value}")
    return 0


def parse_outputs(text: str) -> dict[str, str]:
    """The runner's file-command format: `name=value` or `name<<DELIM` ... `DELIM`."""
    found: dict[str, str] = {}
    lines = iter(text.splitlines())
    for line in lines:
        if "<<" in line and ("=" not in line or line.index("<<") < line.index("=")):
            name, delimiter = line.split("<<", 1)
            block = []
            for inner in lines:
                if inner == delimiter:
                    break
                block.append(inner)
            else:
                raise ValueError(f"output {name!r}: no closing delimiter {delimiter!r}")
            found[name] = "\n".join(block)
        elif "=" in line:
            name, value = line.split("=", 1)
            found[name] = value
        elif line:
            raise ValueError(f"not an output line: {line!r}")
    return found


def outputs(args: argparse.Namespace) -> int:
    try:
        found = parse_outputs(Path(args.file).read_text(encoding="utf-8"))
    except ValueError as error:
        print(json.dumps({"error": str(error)}))
        return 1
    missing = [name for name in OUTPUTS if name not in found]
    problems = [f"missing {', '.join(missing)}"] if missing else []
    if not found.get("subject"):
        problems.append("empty subject")
    if not found.get("message", "").startswith(found.get("subject", "\0")):
        problems.append("message does not start with the subject")
    if not found.get("comment-url"):
        problems.append("no comment-url")
    report: dict[str, Any] = {
        "subject": found.get("subject"),
        "model": found.get("model"),
        "comment-url": found.get("comment-url"),
        "message_lines": len(found.get("message", "").splitlines()),
    }
    if problems:
        report["problems"] = problems
    if args.save_message:
        Path(args.save_message).write_text(found.get("message", ""), encoding="utf-8")
    print(json.dumps(report))
    return 1 if problems else 0


def comments(args: argparse.Namespace) -> int:
    url = f"{args.api}/repos/{args.repo}/issues/{args.number}/comments?per_page=100"
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {TOKEN}"})  # noqa: S310
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 - local http
        listed = json.load(response)
    marker = f"<!-- {args.marker}:" if args.marker else MARKER
    ours = [c for c in listed if str(c.get("body", "")).startswith(marker)]
    report = {
        "comments": len(listed),
        "ours": len(ours),
        "comment_id": ours[0]["id"] if ours else None,
        "updated_at": ours[0].get("updated_at") if ours else None,
    }
    if args.save and ours:
        Path(args.save).write_text(str(ours[0]["body"]), encoding="utf-8")
    print(json.dumps(report))
    return 0 if len(listed) == len(ours) == 1 else 1


def stub_pr(event: dict[str, Any], diff: str) -> Any:
    """The PR the event names, as the stand-in's StubPR, with `diff` as its diff and files."""
    from unidiff.patch import PatchSet

    from tests.support.github_stub import StubCommit, StubFile, StubPR

    pr = event["pull_request"]
    files = []
    for patched in PatchSet(diff):
        files.append(
            StubFile(
                patched.path,
                status=_status(patched),
                # The files API's `patch` is the hunks alone, without the file headers.
                patch="".join(str(hunk) for hunk in patched).rstrip("\n") or None,
                additions=patched.added,
                deletions=patched.removed,
                previous_filename=patched.source_file[2:] if patched.is_rename else None,
            )
        )
    author = pr["user"]["login"]
    return StubPR(
        event["repository"]["full_name"],
        pr["number"],
        pr["title"],
        author,
        body=pr.get("body"),
        diff=diff,
        files=files,
        commits=[StubCommit(pr["title"], author, f"{author}@example.org", author)],
        head_sha=pr["head"]["sha"],
        head_ref=pr["head"]["ref"],
        base_ref=pr["base"]["ref"],
    )


def _status(patched: Any) -> str:
    if patched.is_added_file:
        return "added"
    if patched.is_removed_file:
        return "removed"
    return "renamed" if patched.is_rename else "modified"


def serve(args: argparse.Namespace) -> int:
    """Serve one PR on a free port until SIGTERM; the port goes to --port-file once listening."""
    sys.path.insert(0, str(REPO))
    from tests.support.github_stub import GitHubStub

    event = json.loads(Path(args.event).read_text(encoding="utf-8"))
    pr = stub_pr(event, Path(args.diff).read_text(encoding="utf-8"))
    # The token is checked, as GitHub does; an Actions token (user=None) writes as the bot.
    # --host: the name it is reached by, since the URLs in its answers are built from it (in a
    # container on a job's network, its own host name there).
    stub = GitHubStub(
        prs=[pr], port=0, host=args.host, token=TOKEN, permissions={pr.author: "admin"}
    )
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    with stub:
        Path(args.port_file).write_text(f"{stub.port}\n", encoding="utf-8")
        print(f"GitHub stand-in at {stub.url} serving {pr.repo}#{pr.number}", flush=True)
        stop.wait()
        for method, target, _ in stub.requests:
            print(method, target, flush=True)
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    p = commands.add_parser("serve")
    p.add_argument("--event", required=True, help="webhook payload naming the PR")
    p.add_argument("--diff", required=True, help="the PR's diff")
    p.add_argument("--port-file", required=True, help="where to write the port once listening")
    p.add_argument("--host", default="127.0.0.1", help="address to bind and to put in URLs")
    p.set_defaults(handler=serve)
    p = commands.add_parser("inputs")
    p.add_argument("--action", required=True, help="action.yml")
    p.add_argument("set", nargs="*", metavar="NAME=VALUE")
    p.set_defaults(handler=inputs)
    p = commands.add_parser("outputs")
    p.add_argument("file")
    p.add_argument("--save-message", metavar="PATH", help="write the message output there")
    p.set_defaults(handler=outputs)
    p = commands.add_parser("comments")
    p.add_argument("--api", required=True)
    p.add_argument("--repo", required=True)
    p.add_argument("--number", required=True)
    p.add_argument("--save", metavar="PATH", help="write our comment's body there")
    p.add_argument("--marker", help="the action's marker input (default: any commit-polish one)")
    p.set_defaults(handler=comments)
    args = parser.parse_args()
    handler: Any = args.handler
    return int(handler(args))


if __name__ == "__main__":
    sys.exit(main())
