"""The Action's inputs: action.yml (hand-written) against the settings' declaration, and how
the runner's `INPUT_*` variables become settings."""

from __future__ import annotations

from typing import Any

import pytest
import yaml

from commit_polish.action.inputs import EDGE_INPUTS, read_inputs
from commit_polish.errors import ConfigError
from commit_polish.settings.declared import INPUTS, SETTINGS
from tests.support.paths import ROOT


def _action_inputs() -> dict[str, dict[str, Any]]:
    data = yaml.safe_load((ROOT / "action.yml").read_text(encoding="utf-8"))
    inputs: dict[str, dict[str, Any]] = data["inputs"]
    return inputs


def test_action_yml_declares_every_setting_input_and_no_other() -> None:
    declared = {s.input for s in SETTINGS if s.input}
    assert set(_action_inputs()) - EDGE_INPUTS == declared
    assert set(_action_inputs()) >= EDGE_INPUTS


@pytest.mark.parametrize("name", sorted(_action_inputs()))
def test_every_input_says_what_it_does(name: str) -> None:
    description = _action_inputs()[name].get("description")
    assert isinstance(description, str) and description.strip()


def test_setting_inputs_become_settings_by_their_declared_name() -> None:
    inputs = read_inputs(
        {
            "INPUT_API-BASE": " http://llamafile:8080/v1 ",
            "INPUT_FALLBACK-MODELS": "openai/gpt-4o-mini",
            "INPUT_IGNORE": "docs/**",
            "INPUT_LANGUAGE": "",  # an empty input is the default, not a value
            "INPUT_MODLE": "x",
            "INPUT_DRY-RUN": "true",
        }
    )
    assert inputs.settings == {
        "api_base": "http://llamafile:8080/v1",
        "fallback_models": "openai/gpt-4o-mini",
        "ignore": "docs/**",
    }
    assert inputs.unknown == ("modle",) and inputs.dry_run and not inputs.fail_on_error
    assert set(INPUTS.values()) <= {s.name for s in SETTINGS}


def test_a_flag_input_must_be_true_or_false() -> None:
    with pytest.raises(ConfigError, match="input 'fail-on-error' is 'maybe'"):
        read_inputs({"INPUT_FAIL-ON-ERROR": "maybe"})
