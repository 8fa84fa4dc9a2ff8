"""Rehearse one job of a workflow file with Docker, as GitHub's runner runs it.

Everything comes from the file users copy: the service container's `env`, `ports`, `volumes`
and `options` (its health check among them) and its name as the host name on the job's own
network; the job's `on:` and `if:` for the event; the action step's `with:` (as INPUT_*
variables, action.yml's defaults for the rest) and `env:`. Substituted, and printed as such
with their line numbers: the service's image (no registry is reachable here: a local image with
the same program), its model source (LLAMA_ARG_MODEL_URL or LLAMA_ARG_HF_* -> LLAMA_ARG_MODEL,
a local GGUF mounted read-only), the step's `uses:` (the image built from this checkout) and
GitHub's API (scripts/smoke_stub.py, in a container on the same network).

  plan  WORKFLOW ...  print what `run` would do; needs no Docker
  standin-dockerfile  the stand-in for the llamafile image, from docker/llamafile/Dockerfile
  run   WORKFLOW ...  do it: network, GitHub stand-in, service, health wait (docker inspect
                      .State.Health.Status, with the runner's back-off), the action's container,
                      then check exactly one comment with the marker and a message

An error prints one paragraph saying what went wrong and the fix, and exits 1.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

# Its package, rehearsal/, sits next to this file; loaded by the tests, the folder is not on
# the path by itself.
HERE = str(Path(__file__).resolve().parent)
if HERE not in sys.path:
    sys.path.insert(0, HERE)

from rehearsal.commands import command_plan, run, show  # noqa: E402
from rehearsal.report import RehearsalError, say  # noqa: E402
from rehearsal.substitutions import llamafile_standin  # noqa: E402


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    for name in ("plan", "run"):
        p = commands.add_parser(name)
        p.add_argument("workflow")
        p.add_argument("--job", help="the job to rehearse (default: the one with services)")
        p.add_argument("--event", required=True, help="webhook payload of the event")
        p.add_argument("--event-name", default="pull_request")
        p.add_argument("--action-image", default="commit-polish:smoke")
        p.add_argument(
            "--service-image",
            action="append",
            default=[],
            metavar="SERVICE=IMAGE",
            help="the local image that stands in for a service's (repeatable)",
        )
        p.add_argument("--model-file", help="the GGUF that replaces the service's model source")
        if name == "run":
            p.add_argument("--diff", required=True, help="the PR's diff, for the stand-in")
            p.add_argument("--work", required=True, help="folder for the mounts and the logs")
            p.add_argument("--docker-sock", help="mounted at /var/run/docker.sock, as the runner")
            p.add_argument("--timings", help="write `label<TAB>seconds` lines there")
    p = commands.add_parser("standin-dockerfile", help="print the llamafile image's stand-in")
    p.add_argument("dockerfile", help="docker/llamafile/Dockerfile")
    p.add_argument("--base", required=True, help="the llama-server stand-in image")
    args = parser.parse_args(argv)
    try:
        if args.command == "standin-dockerfile":
            text, changes = llamafile_standin(Path(args.dockerfile).read_text("utf-8"), args.base)
            print(text, end="")
            for change in changes:
                say(f"substituted: {change}")
            return 0
        if args.command == "plan":
            show(command_plan(args))
            return 0
        timings = run(args)
    except RehearsalError as error:
        print(f"\nrehearsal of {args.workflow} FAILED: {error}", file=sys.stderr)
        return 1
    if args.timings:
        Path(args.timings).write_text("".join(f"{t}\n" for t in timings), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
