"""The demo writes through the services' public builders, never through another app's
private helpers, and its modules stay small enough to read."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

DEMO = Path(__file__).resolve().parent.parent
MODULES = sorted(p for p in DEMO.rglob("*.py") if "tests" not in p.parts)


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(DEMO)))
def test_no_private_name_of_another_app(path: Path) -> None:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    private = [
        f"{node.module}.{alias.name}"
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom)
        and node.module
        and node.module.startswith("kasane.")
        and not node.module.startswith("kasane.demo")
        for alias in node.names
        if alias.name.startswith("_")
    ]
    # ``services._now()`` and the like, on a module imported from another app.
    modules = {
        alias.asname or alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom)
        and node.module
        and not node.module.startswith("kasane.demo")
        for alias in node.names
    }
    private += [
        f"{node.value.id}.{node.attr}"
        for node in ast.walk(tree)
        if isinstance(node, ast.Attribute)
        and isinstance(node.value, ast.Name)
        and node.value.id in modules
        and node.attr.startswith("_")
        and not node.attr.startswith("__")
        and node.attr not in {"_meta", "_default_manager"}  # Django's public model API
    ]
    assert not private


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(DEMO)))
def test_module_under_400_lines(path: Path) -> None:
    assert len(path.read_text(encoding="utf-8").splitlines()) <= 400
