"""Where the test data lives, for tests at any depth under tests/, and the scripts under
scripts/ loaded as modules."""

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

TESTS = Path(__file__).resolve().parents[1]
ROOT = TESTS.parent
FIXTURES = TESTS / "fixtures"


def load_script(name: str) -> ModuleType:
    """`scripts/<name>.py` as a module: the scripts are not a package, the tests use them."""
    spec = importlib.util.spec_from_file_location(name, ROOT / "scripts" / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses look their module up by name
    spec.loader.exec_module(module)
    return module
