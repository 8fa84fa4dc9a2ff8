"""The config files settings tests write, and the fixtures they write them under: `repo`, a
repository's folder, and `env`, an environment whose user config folder is empty.

A test module imports `repo_fixture` and `env_fixture`; pytest finds them by those names."""

from __future__ import annotations

from pathlib import Path

import pytest


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


@pytest.fixture(name="repo")
def repo_fixture(tmp_path: Path) -> Path:
    return tmp_path / "repo"


@pytest.fixture(name="env")
def env_fixture(tmp_path: Path) -> dict[str, str]:
    """The environment the edge hands in: no user config file unless a test writes one."""
    return {"XDG_CONFIG_HOME": str(tmp_path / "xdg")}
