"""A repository config key the Action does not own becomes a `::warning`, never a failure."""

from __future__ import annotations

import io
from pathlib import Path

from commit_polish.action import workflow as gha
from commit_polish.action.inputs import read_inputs, step_settings


def test_an_unknown_config_key_is_an_annotation_naming_the_near_miss(tmp_path: Path) -> None:
    config = tmp_path / ".github" / "commit-polish.toml"
    config.parent.mkdir()
    config.write_text('modle = "openai/x"\nstyle = "plain"\n')
    env = {"GITHUB_WORKSPACE": str(tmp_path), "XDG_CONFIG_HOME": str(tmp_path / "xdg")}
    out = io.StringIO()
    step = gha.Step(out, outputs=None, summary=None)

    settings = step_settings(read_inputs(env), True, env, step)

    assert settings.style == "plain"
    assert out.getvalue() == (
        f"::warning title=commit-polish setting::repository config {config}: key `modle` is "
        "not a commit-polish setting and is ignored; did you mean `model`?\n"
    )
