"""The release workflow's own steps, kept here so tests can run them (tests/test_release.py).

    python scripts/release.py check v0.1.0           # the tag is "v" + the package's version,
                                                     # and CHANGELOG.md has its section
    python scripts/release.py tags v0.1.0            # version= and major= lines for $GITHUB_OUTPUT
    python scripts/release.py notes v0.1.0           # that CHANGELOG.md section (release notes)
    python scripts/release.py pin-image OWNER v0.1.0 action.yml
                                                     # image: Dockerfile -> the published image

The version is written once, in src/commit_polish/__init__.py (pyproject.toml reads it from
there); it is read here without importing the package, so no dependency needs installing.
"""

from __future__ import annotations

import argparse
import ast
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
INIT = ROOT / "src" / "commit_polish" / "__init__.py"
CHANGELOG = ROOT / "CHANGELOG.md"
REGISTRY = "ghcr.io"
IMAGE_NAME = "commit-polish"
MODEL_IMAGE_NAME = "llamafile-qwen2.5-coder-1.5b"
# main builds the image from the Dockerfile; a release's action.yml runs the published one.
BUILD_LINE = "  image: Dockerfile"

# vMAJOR.MINOR.PATCH with an optional pre-release (v1.2.0-rc.1); no build metadata, because a
# Docker tag cannot hold "+".
TAG = re.compile(r"v(?P<major>0|[1-9]\d*)\.(?:0|[1-9]\d*)\.(?:0|[1-9]\d*)(?P<pre>-[0-9A-Za-z.-]+)?")
# A GitHub owner: letters, digits and single hyphens, at most 39 characters.
OWNER = re.compile(r"[A-Za-z0-9](?:-?[A-Za-z0-9]){0,38}")
# What GitHub's runner accepts as a prebuilt container action: docker://REGISTRY/PATH:TAG,
# lower case path, a valid Docker tag (at most 128 characters of [\w.-], not starting with . or -).
IMAGE_REF = re.compile(
    r"docker://ghcr\.io/[a-z0-9](?:-?[a-z0-9])*/[a-z0-9]+(?:[._-][a-z0-9]+)*:[\w][\w.-]{0,127}"
)


class ReleaseError(Exception):
    """A release that must not go out, with what to fix."""


def package_version(init: Path = INIT) -> str:
    """`__version__` from the package's __init__.py, read without importing it."""
    tree = ast.parse(init.read_text(encoding="utf-8"))
    for node in tree.body:
        if (
            isinstance(node, ast.Assign)
            and [getattr(t, "id", None) for t in node.targets] == ["__version__"]
            and isinstance(node.value, ast.Constant)
            and isinstance(node.value.value, str)
        ):
            return node.value.value
    raise ReleaseError(f"{init} assigns no string to __version__")


def parse_tag(tag: str) -> re.Match[str]:
    match = TAG.fullmatch(tag)
    if match is None:
        raise ReleaseError(
            f"{tag!r} is not a release tag: use v<major>.<minor>.<patch>, e.g. v1.2.0"
        )
    return match


def major_tag(tag: str) -> str:
    """The moving tag of a release line: v1 for v1.4.2. A pre-release moves none (empty)."""
    match = parse_tag(tag)
    return "" if match["pre"] else f"v{match['major']}"


def image_ref(owner: str, tag: str, name: str = IMAGE_NAME) -> str:
    """docker://ghcr.io/<owner>/<name>:<tag>, the owner lower-cased as GHCR requires."""
    if OWNER.fullmatch(owner) is None:
        raise ReleaseError(f"{owner!r} is not a GitHub owner name")
    parse_tag(tag)
    ref = f"docker://{REGISTRY}/{owner.lower()}/{name}:{tag}"
    if IMAGE_REF.fullmatch(ref) is None:  # pragma: no cover - both parts were checked above
        raise ReleaseError(f"{ref} is not a valid image reference")
    return ref


def section(version: str, changelog: str) -> str:
    """The body of CHANGELOG.md's `## [version]` section, without its heading."""
    heading = re.compile(rf"^## \[{re.escape(version)}\][^\n]*\n", re.MULTILINE)
    found = heading.search(changelog)
    if found is None:
        raise ReleaseError(f"CHANGELOG.md has no '## [{version}]' section: add one before tagging")
    rest = changelog[found.end() :]
    following = re.search(r"^## ", rest, re.MULTILINE)
    body = rest[: following.start()] if following else rest
    if not body.strip():
        raise ReleaseError(f"CHANGELOG.md's section for {version} is empty")
    return body.strip() + "\n"


def check(tag: str, version: str, changelog: str) -> None:
    parse_tag(tag)
    if tag != f"v{version}":
        raise ReleaseError(
            f"tag {tag} does not match the package version {version}: set __version__ in "
            f"src/commit_polish/__init__.py (and the reusable workflow's @v pin) to "
            f"{tag.removeprefix('v')}, or tag v{version}"
        )
    section(version, changelog)


def pin_image(action_yml: str, ref: str) -> str:
    """action.yml with its one `image: Dockerfile` line under `runs:` pointing at `ref`."""
    if IMAGE_REF.fullmatch(ref) is None:
        raise ReleaseError(f"{ref!r} is not a docker://ghcr.io/... image reference")
    lines = action_yml.splitlines(keepends=True)
    hits = [i for i, line in enumerate(lines) if line.rstrip("\r\n") == BUILD_LINE]
    if len(hits) != 1:
        raise ReleaseError(f"action.yml has {len(hits)} lines {BUILD_LINE.strip()!r}, not one")
    (i,) = hits
    runs = [
        j for j, line in enumerate(lines[:i]) if line[:1] not in ("", " ", "\t", "#", "\n", "\r")
    ]
    if not runs or lines[runs[-1]].rstrip() != "runs:":
        raise ReleaseError(f"{BUILD_LINE.strip()!r} is not under runs:")
    ending = lines[i][len(lines[i].rstrip("\r\n")) :]
    lines[i] = f"  image: {ref}{ending}"
    return "".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    commands = parser.add_subparsers(dest="command", required=True)
    for name in ("check", "tags", "notes"):
        commands.add_parser(name).add_argument("tag")
    pin = commands.add_parser("pin-image")
    pin.add_argument("owner")
    pin.add_argument("tag")
    pin.add_argument("action_yml", type=Path)
    args = parser.parse_args(argv)
    try:
        if args.command == "check":
            check(args.tag, package_version(), CHANGELOG.read_text(encoding="utf-8"))
            print(f"{args.tag}: matches the package version and has a CHANGELOG.md section")
        elif args.command == "tags":
            print(f"version={args.tag}")
            print(f"major={major_tag(args.tag)}")
        elif args.command == "notes":
            version = parse_tag(args.tag).group(0).removeprefix("v")
            print(section(version, CHANGELOG.read_text(encoding="utf-8")), end="")
        else:
            ref = image_ref(args.owner, args.tag)
            text = args.action_yml.read_text(encoding="utf-8")
            args.action_yml.write_text(pin_image(text, ref), encoding="utf-8")
            print(f"{args.action_yml}: image: {ref}")
    except ReleaseError as exc:
        print(f"::error title=release::{exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
