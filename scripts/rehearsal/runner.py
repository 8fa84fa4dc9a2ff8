"""What GitHub's runner hands a job and its container action: the expression contexts, the
variable each input is passed in, and the GITHUB_* and RUNNER_* variables."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

TOKEN = "smoke-token"  # noqa: S105 - what the GitHub stand-in accepts, nothing real


def input_env_name(name: str) -> str:
    """The variable the runner sets for an input: `INPUT_` + the name with spaces made `_`,
    upper-cased (.NET's ToUpperInvariant: a letter with no one-letter capital, like `ß`,
    stays); dashes are kept (actions/runner, Handler.AddInputsToEnvironment)."""
    upper = "".join(c.upper() if len(c.upper()) == 1 else c for c in name.replace(" ", "_"))
    return f"INPUT_{upper}"


def contexts(
    event_name: str, event: Mapping[str, Any], workflow: Mapping[str, Any], job_id: str
) -> dict[str, Any]:
    """The expression contexts a job sees for this event (no secrets or variables here)."""
    repo = event.get("repository") or {}
    return {
        "github": {
            "event_name": event_name,
            "event": event,
            "repository": repo.get("full_name", ""),
            "repository_owner": (repo.get("owner") or {}).get("login", ""),
            "token": TOKEN,
            "workflow": workflow.get("name", ""),
            "job": job_id,
            "run_id": "1",
            "actor": (event.get("sender") or {}).get("login", ""),
            "server_url": "https://github.com",
        },
        "inputs": dict(event.get("inputs") or {}) if event_name == "workflow_dispatch" else {},
        "secrets": {},
        "vars": {},
        "env": {},
        "job": {},
        "runner": {"os": "Linux", "arch": "X64"},
        "steps": {},
        "matrix": {},
        "needs": {},
        "strategy": {},
    }


def runner_variables(
    event_name: str,
    event: Mapping[str, Any],
    workflow_name: str,
    workflow_file: str,
    job_id: str,
    step_id: str,
    api_url: str,
) -> dict[str, str]:
    """The variables the runner sets in an action's container for this event, with the paths
    it mounts (/github/...) and GITHUB_API_URL at the stand-in."""
    repo = event.get("repository") or {}
    owner = repo.get("owner") or {}
    sender = event.get("sender") or {}
    pr = event.get("pull_request") or {}
    number = event.get("number") or pr.get("number")
    ref = f"refs/pull/{number}/merge" if pr else f"refs/heads/{repo.get('default_branch', 'main')}"
    sha = str(pr.get("merge_commit_sha") or (pr.get("head") or {}).get("sha") or "0" * 40)
    full_name = str(repo.get("full_name", ""))
    files = "/github/file_commands"
    return {
        "CI": "true",
        "GITHUB_ACTIONS": "true",
        "GITHUB_ACTION": step_id,
        "GITHUB_ACTOR": str(sender.get("login", "")),
        "GITHUB_ACTOR_ID": str(sender.get("id", "")),
        "GITHUB_TRIGGERING_ACTOR": str(sender.get("login", "")),
        "GITHUB_API_URL": api_url,
        "GITHUB_GRAPHQL_URL": f"{api_url}/graphql",
        "GITHUB_SERVER_URL": "https://github.com",
        "GITHUB_EVENT_NAME": event_name,
        "GITHUB_EVENT_PATH": "/github/workflow/event.json",
        "GITHUB_REPOSITORY": full_name,
        "GITHUB_REPOSITORY_ID": str(repo.get("id", "")),
        "GITHUB_REPOSITORY_OWNER": str(owner.get("login", "")),
        "GITHUB_REPOSITORY_OWNER_ID": str(owner.get("id", "")),
        "GITHUB_REF": ref,
        "GITHUB_REF_NAME": ref.removeprefix("refs/pull/").removeprefix("refs/heads/"),
        "GITHUB_REF_TYPE": "branch",
        "GITHUB_REF_PROTECTED": "false",
        "GITHUB_HEAD_REF": str((pr.get("head") or {}).get("ref", "")),
        "GITHUB_BASE_REF": str((pr.get("base") or {}).get("ref", "")),
        "GITHUB_SHA": sha,
        "GITHUB_WORKFLOW": workflow_name,
        "GITHUB_WORKFLOW_REF": f"{full_name}/{workflow_file}@{ref}",
        "GITHUB_WORKFLOW_SHA": sha,
        "GITHUB_JOB": job_id,
        "GITHUB_RUN_ID": "1",
        "GITHUB_RUN_NUMBER": "1",
        "GITHUB_RUN_ATTEMPT": "1",
        "GITHUB_RETENTION_DAYS": "90",
        "GITHUB_WORKSPACE": "/github/workspace",
        "GITHUB_OUTPUT": f"{files}/set_output",
        "GITHUB_STEP_SUMMARY": f"{files}/step_summary",
        "GITHUB_ENV": f"{files}/set_env",
        "GITHUB_PATH": f"{files}/add_path",
        "GITHUB_STATE": f"{files}/save_state",
        "RUNNER_OS": "Linux",
        "RUNNER_ARCH": "X64",
        "RUNNER_NAME": "GitHub Actions 1",
        "RUNNER_ENVIRONMENT": "github-hosted",
        "RUNNER_TEMP": "/home/runner/work/_temp",
        "RUNNER_TOOL_CACHE": "/opt/hostedtoolcache",
    }
