"""The package's shape, read from its source: imports only go down the layers, no module
grows past what one reads in a sitting, each says its one job, and the environment is read
only at the edges."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.paths import ROOT

PACKAGE = ROOT / "src" / "commit_polish"
# Each unit (a subpackage or a top-level module) may import only units of a lower layer, and
# anything inside itself. The edges sit on top; the records at the bottom.
LAYERS: tuple[frozenset[str], ...] = (
    frozenset({"records"}),
    frozenset({"errors"}),
    frozenset({"settings", "digest", "message", "localgit", "serve"}),
    frozenset({"prompt", "llm", "github", "subject_rules"}),
    frozenset({"pipeline"}),
    frozenset({"wiring"}),
    # The Action's merged check scores what was kept with eval's own metrics (action/merged.py).
    frozenset({"evaluation"}),
    frozenset({"suggest", "action"}),
    frozenset({"cli"}),
)
RANK = {unit: rank for rank, units in enumerate(LAYERS) for unit in units}
MAX_LINES = 350
# Only these read the process environment; everything below them is handed what it needs.
EDGES = {"cli.py", "action/run.py"}


def _modules() -> Iterator[Path]:
    yield from sorted(PACKAGE.rglob("*.py"))


def _unit(path: Path) -> str:
    part = path.relative_to(PACKAGE).parts[0]
    return part.removesuffix(".py")


def _imports(tree: ast.AST) -> Iterator[tuple[int, str]]:
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            if node.level:
                yield node.lineno, "." * node.level + node.module
            elif node.module == "commit_polish":
                for alias in node.names:
                    yield node.lineno, f"commit_polish.{alias.name}"
            else:
                yield node.lineno, node.module
        elif isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name


def test_every_unit_has_a_layer() -> None:
    units = {_unit(path) for path in _modules()} - {"__init__"}
    assert units == set(RANK), "add the new unit to LAYERS in tests/test_layout.py"


@pytest.mark.parametrize("path", list(_modules()), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_imports_go_down_the_layers(path: Path) -> None:
    unit = _unit(path)
    wrong = []
    for line, name in _imports(ast.parse(path.read_text(encoding="utf-8"))):
        if name.startswith("."):
            wrong.append(f"line {line}: relative import {name}; write commit_polish.…")
            continue
        if not name.startswith("commit_polish."):
            continue
        target = name.split(".")[1]
        if target == unit or unit == "__init__" or target.startswith("__"):
            continue
        if RANK[target] >= RANK[unit]:
            wrong.append(f"line {line}: {unit} (layer {RANK[unit]}) imports {name}")
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize("path", list(_modules()), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_modules_are_small_and_say_their_job(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    assert len(text.splitlines()) <= MAX_LINES, f"split {path.name}: over {MAX_LINES} lines"
    assert ast.get_docstring(ast.parse(text)), f"{path.name} needs a docstring saying its job"


@pytest.mark.parametrize("path", list(_modules()), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_only_the_edges_touch_the_environment(path: Path) -> None:
    if str(path.relative_to(PACKAGE)) in EDGES:
        return
    tree = ast.parse(path.read_text(encoding="utf-8"))
    touches = [
        node.lineno
        for node in ast.walk(tree)
        if isinstance(node, ast.Attribute)
        and node.attr in {"environ", "getenv", "putenv", "unsetenv"}
        and isinstance(node.value, ast.Name)
        and node.value.id == "os"
    ]
    assert not touches, f"os.environ read or written at lines {touches}: take an env mapping"
