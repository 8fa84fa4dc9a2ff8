"""The release rules, read from the files that carry them and run where they are code.

.github/workflows/release.yml is parsed; the steps that compute names, tags and the pinned
action.yml are executed (bash, and scripts/release.py, exactly as the workflow calls them)
with the contexts GitHub would give them for the current version's tag. Dependabot's
coverage is derived from the files in the repository, the licence from pyproject.toml.
What only GitHub can do (push to GHCR, attest, publish to PyPI) is not run here.
"""

from __future__ import annotations

import fnmatch
import re
import shlex
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

import pytest
import yaml

from commit_polish import __version__
from tests.support.gh_expressions import render
from tests.support.paths import ROOT, load_script

WORKFLOW = ROOT / ".github" / "workflows" / "release.yml"
DEPENDABOT = ROOT / ".github" / "dependabot.yml"
ACTION = ROOT / "action.yml"
TAG = f"v{__version__}"
OWNER = "Commit-Polish"  # mixed case on purpose: GHCR wants it lower-cased
SHA = "0123456789abcdef0123456789abcdef01234567"
# A Docker image reference as the distribution spec defines it, with a tag (no digest).
IMAGE_WITH_TAG = re.compile(
    r"ghcr\.io/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*"
    r":[\w][\w.-]{0,127}"
)


release = load_script("release")
# The runner's $GITHUB_OUTPUT format, as the GitHub stand-in of `make docker-smoke` reads it.
parse_outputs = load_script("smoke_stub").parse_outputs


def _load(path: Path) -> dict[str, Any]:
    data: dict[Any, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
    if True in data:  # YAML 1.1 reads the key `on` as the boolean true
        data["on"] = data.pop(True)
    return data


FLOW = _load(WORKFLOW)
JOBS: dict[str, dict[str, Any]] = FLOW["jobs"]


def _step(job: str, *, uses: str = "", runs: str = "", step_id: str = "") -> dict[str, Any]:
    found: list[dict[str, Any]] = [
        s
        for s in JOBS[job]["steps"]
        if (uses and str(s.get("uses", "")).split("@")[0] == uses)
        or (runs and runs in str(s.get("run", "")))
        or (step_id and s.get("id") == step_id)
    ]
    assert len(found) == 1, f"{job}: {len(found)} steps match {uses or runs or step_id}"
    return found[0]


def _context(outputs: dict[str, dict[str, str]] | None = None) -> dict[str, Any]:
    return {
        "github": {
            "ref_name": TAG,
            "ref": f"refs/tags/{TAG}",
            "sha": SHA,
            "repository": f"{OWNER}/commit-polish",
            "repository_owner": OWNER,
            "server_url": "https://github.com",
            "token": "ghs_not-a-real-token",
        },
        "needs": {job: {"outputs": out} for job, out in (outputs or {}).items()},
        "env": FLOW.get("env", {}),
        "secrets": {"GITHUB_TOKEN": "ghs_not-a-real-token"},
        "steps": {},
    }


def _run_step(step: dict[str, Any], context: dict[str, Any], tmp_path: Path) -> dict[str, str]:
    """Runs a `run:` step as the runner would (bash -e), with its `env:` rendered and the
    runner's own variables; returns what it wrote to $GITHUB_OUTPUT."""
    output = tmp_path / "github_output"
    output.write_text("", encoding="utf-8")
    python_dir = str(Path(sys.executable).parent)
    env = {
        "PATH": f"{python_dir}:/usr/bin:/bin",
        "GITHUB_OUTPUT": str(output),
        "GITHUB_SHA": SHA,
        "GITHUB_REPOSITORY": f"{OWNER}/commit-polish",
        "GITHUB_REPOSITORY_OWNER": OWNER,
        **{k: str(v) for k, v in FLOW.get("env", {}).items()},
        **{k: render(v, context) for k, v in (step.get("env") or {}).items()},
    }
    done = subprocess.run(
        ["bash", "-e", "-c", step["run"]],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return dict(parse_outputs(output.read_text(encoding="utf-8")))


@pytest.fixture(scope="module")
def check_outputs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """The `check` job's outputs for the current version's tag, from its own step."""
    step = _step("check", step_id="tags")
    produced = _run_step(step, _context(), tmp_path_factory.mktemp("check"))
    return {
        name: render(value, {"steps": {"tags": {"outputs": produced}}})
        for name, value in JOBS["check"]["outputs"].items()
    }


# --- the trigger and the jobs' order ---------------------------------------------------------


def test_the_release_runs_on_a_version_tag_only() -> None:
    on = FLOW["on"]
    assert set(on) == {"push"}, "a release starts from a pushed tag, nothing else"
    push = on["push"]
    assert set(push) == {"tags"}, "no branches: a push to main must not release"
    patterns = push["tags"]
    assert any(fnmatch.fnmatchcase(TAG, p) for p in patterns), f"{TAG} would not release"
    assert not any(fnmatch.fnmatchcase("latest", p) for p in patterns)


def test_the_tag_must_name_the_package_version(check_outputs: dict[str, str]) -> None:
    assert check_outputs == {"version": TAG, "major": TAG.split(".")[0]}
    with pytest.raises(release.ReleaseError, match="does not match the package version"):
        release.check("v99.0.0", __version__, "## [99.0.0]\n\n- a change\n")
    with pytest.raises(release.ReleaseError, match="not a release tag"):
        release.check("1.0.0", "1.0.0", "")


def _needs(job: dict[str, Any]) -> set[str]:
    needs = job.get("needs") or []
    return {needs} if isinstance(needs, str) else set(needs)


def test_the_action_is_pinned_only_once_its_image_is_published() -> None:
    needs = {job: _needs(spec) for job, spec in JOBS.items()}
    assert {"check", "action-image", "model-image"} <= needs["release"]
    assert needs["action-image"] == needs["model-image"] == {"check"}
    assert {"check", "release"} <= needs["pypi"], "PyPI last: it cannot be taken back"
    assert "cancel-in-progress" in FLOW["concurrency"]
    assert FLOW["concurrency"]["cancel-in-progress"] is False


def test_each_job_has_only_the_permissions_it_uses() -> None:
    assert FLOW["permissions"] == {}
    allowed = {
        "check": {"contents": "read"},
        "action-image": {
            "contents": "read",
            "packages": "write",
            "id-token": "write",
            "attestations": "write",
        },
        "release": {"contents": "write"},
        "pypi": {"id-token": "write"},
    }
    allowed["model-image"] = allowed["action-image"]
    assert {job: spec.get("permissions") for job, spec in JOBS.items()} == allowed


# --- the images ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("job", "name_env"), [("action-image", "ACTION_IMAGE"), ("model-image", "MODEL_IMAGE")]
)
def test_each_image_is_pushed_with_version_and_major_tags(
    job: str, name_env: str, check_outputs: dict[str, str], tmp_path: Path
) -> None:
    names = _run_step(_step(job, step_id="names"), _context({"check": check_outputs}), tmp_path)
    image = f"ghcr.io/{OWNER.lower()}/{FLOW['env'][name_env]}"
    assert names["image"] == image
    tags = names["tags"].splitlines()
    assert f"{image}:{TAG}" in tags and f"{image}:{TAG.split('.')[0]}" in tags, tags
    assert all(IMAGE_WITH_TAG.fullmatch(t) for t in tags), tags

    build = _step(job, uses="docker/build-push-action")
    given = build["with"]
    assert given["push"] is True
    assert render(given["tags"], {"steps": {"names": {"outputs": names}}}) == names["tags"]
    assert given["provenance"] == "mode=max" and given["sbom"] is True
    context = ROOT / given["context"]
    dockerfile = context / "Dockerfile" if "file" not in given else ROOT / given["file"]
    assert dockerfile.is_file(), dockerfile

    attest = _step(job, uses="actions/attest-build-provenance")["with"]
    assert attest["subject-name"] == "${{ steps.names.outputs.image }}"
    assert attest["subject-digest"] == f"${{{{ steps.{build['id']}.outputs.digest }}}}"
    assert attest["push-to-registry"] is True


def test_a_pre_release_moves_no_major_tag(tmp_path: Path) -> None:
    assert release.major_tag("v2.3.4") == "v2"
    assert release.major_tag("v1.0.0-rc.1") == ""
    names = _run_step(
        _step("action-image", step_id="names"),
        _context({"check": {"version": "v1.0.0-rc.1", "major": ""}}),
        tmp_path,
    )
    assert names["tags"].splitlines() == [
        f"ghcr.io/{OWNER.lower()}/commit-polish:v1.0.0-rc.1",
        f"ghcr.io/{OWNER.lower()}/commit-polish:sha-{SHA[:12]}",
    ]


# --- action.yml in the release commit --------------------------------------------------------


def _pin_command() -> list[str]:
    step = _step("release", runs="scripts/release.py pin-image")
    line = next(x for x in step["run"].splitlines() if "scripts/release.py pin-image" in x)
    return shlex.split(line)


def test_the_pin_step_rewrites_action_yml_to_the_published_image(tmp_path: Path) -> None:
    command = _pin_command()
    assert command[1:3] == ["scripts/release.py", "pin-image"]
    owner_arg, tag_arg, target = command[3:]
    assert (ROOT / target).resolve() == ACTION.resolve(), "the step must edit action.yml"
    assert (owner_arg, tag_arg) == ("$GITHUB_REPOSITORY_OWNER", "$TAG")
    step_env = _step("release", runs="scripts/release.py pin-image")["env"]
    assert step_env["TAG"] == "${{ github.ref_name }}"

    copy = tmp_path / "action.yml"
    shutil.copy(ACTION, copy)
    done = subprocess.run(
        [sys.executable, str(ROOT / command[1]), "pin-image", OWNER, TAG, str(copy)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr

    before = yaml.safe_load(ACTION.read_text(encoding="utf-8"))
    after = yaml.safe_load(copy.read_text(encoding="utf-8"))
    assert before["runs"] == {"using": "docker", "image": "Dockerfile"}, "main builds the file"
    ref = after["runs"]["image"]
    pushed = f"ghcr.io/{OWNER.lower()}/{FLOW['env']['ACTION_IMAGE']}:{TAG}"
    assert ref == f"docker://{pushed}", "the release must run the image the workflow pushed"
    assert IMAGE_WITH_TAG.fullmatch(ref.removeprefix("docker://"))
    assert release.IMAGE_REF.fullmatch(ref)
    # Nothing else changed: the inputs, outputs and branding users see stay as on main.
    assert {**after, "runs": before["runs"]} == before
    changed = [
        (a, b)
        for a, b in zip(
            ACTION.read_text(encoding="utf-8").splitlines(),
            copy.read_text(encoding="utf-8").splitlines(),
            strict=True,
        )
        if a != b
    ]
    assert changed == [("  image: Dockerfile", f"  image: {ref}")]
    _validate_action(copy)


def _validate_action(path: Path) -> None:
    tool = Path(sys.executable).parent / "check-jsonschema"
    if not tool.exists():
        return
    done = subprocess.run(
        [str(tool), "--builtin-schema", "vendor.github-actions", str(path)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("name: x\nruns:\n  using: docker\n  image: docker://ghcr.io/a/b:v1\n", "lines"),
        ("runs:\n  using: docker\n  image: Dockerfile\nx:\n  image: Dockerfile\n", "lines"),
        ("outputs:\n  image: Dockerfile\n", "not under runs"),
    ],
    ids=["already-pinned", "twice", "not-under-runs"],
)
def test_the_pin_refuses_what_it_cannot_rewrite_exactly(text: str, error: str) -> None:
    with pytest.raises(release.ReleaseError, match=error):
        release.pin_image(text, release.image_ref(OWNER, TAG))


@pytest.mark.parametrize(
    ("owner", "tag"), [("-bad", TAG), ("a" * 40, TAG), (OWNER, "latest"), (OWNER, "v1.2")]
)
def test_no_invalid_image_reference_is_written(owner: str, tag: str) -> None:
    with pytest.raises(release.ReleaseError):
        release.image_ref(owner, tag)


def test_the_release_moves_the_version_and_major_tags() -> None:
    script = _step("release", runs="scripts/release.py pin-image")["run"]
    assert 'git tag --force --annotate "$TAG"' in script
    assert 'git tag --force "$MAJOR"' in script
    assert 'push --force origin "${refs[@]}"' in script
    major = _step("release", runs="scripts/release.py pin-image")["env"]["MAJOR"]
    assert major == "${{ needs.check.outputs.major }}"


# --- PyPI -------------------------------------------------------------------------------------


def test_pypi_uses_trusted_publishing_without_a_token() -> None:
    job = JOBS["pypi"]
    publish = _step("pypi", uses="pypa/gh-action-pypi-publish")
    assert not (publish.get("with") or {}).keys() & {"password", "user"}
    assert job["environment"]["name"] == "pypi"
    assert "secrets." not in WORKFLOW.read_text(encoding="utf-8").split("  pypi:", 1)[1]


# --- Dependabot ------------------------------------------------------------------------------

SKIP_DIRS = {".git", ".venv", ".proxy-venv", "node_modules", ".docker-smoke", ".mypy_cache"}


def _files(name: str) -> list[Path]:
    return sorted(
        p for p in ROOT.rglob(name) if not SKIP_DIRS & set(p.relative_to(ROOT).parts[:-1])
    )


def _watched(ecosystem: str) -> set[str]:
    updates = yaml.safe_load(DEPENDABOT.read_text(encoding="utf-8"))["updates"]
    found = [u for u in updates if u["package-ecosystem"] == ecosystem]
    assert len(found) == 1, f"one {ecosystem} entry, not {len(found)}"
    entry = found[0]
    dirs = entry.get("directories") or [entry["directory"]]
    assert entry["schedule"]["interval"] in {"daily", "weekly", "monthly"}
    return {d.rstrip("/") or "/" for d in dirs}


def _dir(path: Path) -> str:
    return "/" + str(path.parent.relative_to(ROOT)).replace(".", "").strip("/")


def test_dependabot_watches_every_workflow_pin() -> None:
    assert "/" in _watched("github-actions")
    assert list((ROOT / ".github" / "workflows").glob("*.yml"))


def test_dependabot_watches_every_python_requirement_file() -> None:
    wanted = {_dir(p) for p in [*_files("pyproject.toml"), *_files("requirements*.txt")]}
    wanted |= {_dir(p) for p in (ROOT / "requirements").glob("*.txt")}
    assert wanted == {"/", "/requirements"}
    assert wanted <= _watched("pip")


def test_dependabot_watches_every_dockerfile_and_can_read_its_base() -> None:
    dockerfiles = _files("Dockerfile")
    assert {_dir(p) for p in dockerfiles} <= _watched("docker")
    for path in dockerfiles:
        bases = [
            line.split()[1]
            for line in path.read_text(encoding="utf-8").splitlines()
            if line.upper().startswith("FROM ")
        ]
        assert bases, path
        # Dependabot cannot read `FROM ${ARG}`: a base named through a build argument would
        # never be updated (dependabot-core#2057).
        assert all("$" not in b and ":" in b for b in bases), (path, bases)


# --- changelog, licence, one version ---------------------------------------------------------


def test_the_changelog_has_the_current_version() -> None:
    text = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    notes = release.section(__version__, text)
    assert re.search(r"^- .+", notes, re.MULTILINE), "the section lists no change"
    with pytest.raises(release.ReleaseError, match="no '## \\[9.9.9\\]' section"):
        release.section("9.9.9", text)


# The first lines of each licence's own text, by SPDX identifier.
LICENCE_TITLES = {
    "Apache-2.0": r"\s*Apache License\s+Version 2\.0, January 2004",
    "MIT": r"\s*(?:The )?MIT License",
}


def test_the_root_licence_is_the_one_pyproject_declares() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    spdx = project["license"]
    assert isinstance(spdx, str), "use an SPDX expression (PEP 639)"
    licence = ROOT / "LICENSE"
    assert re.match(LICENCE_TITLES[spdx], licence.read_text(encoding="utf-8"))
    assert any(fnmatch.fnmatchcase("LICENSE", g) for g in project["license-files"])


def test_the_version_is_written_once() -> None:
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert "version" not in pyproject["project"], "write it in commit_polish/__init__.py only"
    assert "version" in pyproject["project"]["dynamic"]
    attr = pyproject["tool"]["setuptools"]["dynamic"]["version"]["attr"]
    assert attr == "commit_polish.__version__"
    assert release.package_version() == __version__
    init = (ROOT / "src" / "commit_polish" / "__init__.py").read_text(encoding="utf-8")
    assert init.count(__version__) == 1


def test_the_marketplace_accepts_the_action_metadata() -> None:
    action = yaml.safe_load(ACTION.read_text(encoding="utf-8"))
    assert action["name"] and action["author"]
    assert 0 < len(" ".join(action["description"].split())) <= 125
    colours = {"white", "black", "yellow", "blue", "green", "orange", "red", "purple", "gray-dark"}
    assert action["branding"]["color"] in colours
    assert re.fullmatch(r"[a-z0-9-]+", action["branding"]["icon"])
