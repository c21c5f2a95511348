"""Error codes are named in the apps' ``error_codes`` modules, once, and used from there.

The API answers ``{"code", ...}`` with these values, so they are a contract: a code typed as a
string literal where an error is raised escapes the list (and its label), and a code defined
in two modules can drift apart.
"""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

from django.db.models import TextChoices

import kasane

ROOT = Path(kasane.__file__).parent

# Codes page views still spell out; their modules are being reorganized elsewhere. They are
# listed in the enums; only a view module may use these literals, and only these.
PENDING_IN_VIEWS: set[str] = set()


def _sources() -> list[Path]:
    return [
        p
        for p in sorted(ROOT.rglob("*.py"))
        if "tests" not in p.relative_to(ROOT).parts
        and "migrations" not in p.relative_to(ROOT).parts
        and p.name not in {"error_codes.py", "conftest.py", "test_settings.py"}
    ]


def _is_view(path: Path) -> bool:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return any(part == "views" or part.endswith("_views") for part in parts)


def _literal_codes(tree: ast.AST) -> list[tuple[int, str]]:
    """String literals in the places an error code is produced."""
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            values: list[ast.expr] = []
            if name.endswith(("Error", "Denied", "Conflict")):  # the exceptions raised
                values += [k.value for k in node.keywords if k.arg == "code"]
            if name.endswith("ValidationError"):
                values += node.args[1:2]
            if name == "error_response":
                values += node.args[1:2]
            found += [
                (v.lineno, v.value)
                for v in values
                if isinstance(v, ast.Constant) and isinstance(v.value, str)
            ]
        elif isinstance(node, ast.Dict):
            for key, value in zip(node.keys, node.values, strict=True):
                if (
                    isinstance(key, ast.Constant)
                    and key.value == "code"
                    and isinstance(value, ast.Constant)
                    and isinstance(value.value, str)
                ):
                    found.append((value.lineno, value.value))
        elif isinstance(node, ast.ClassDef):
            for statement in node.body:
                if (
                    isinstance(statement, ast.Assign)
                    and any(isinstance(t, ast.Name) and t.id == "code" for t in statement.targets)
                    and isinstance(statement.value, ast.Constant)
                ):
                    found.append((statement.lineno, str(statement.value.value)))
    return found


def _enums() -> dict[str, type[TextChoices]]:
    enums = {}
    for path in sorted(ROOT.rglob("error_codes.py")):
        module = ".".join(("kasane", *path.relative_to(ROOT).with_suffix("").parts))
        enums[module] = importlib.import_module(module).ErrorCode
    return enums


def test_no_error_code_is_a_string_literal() -> None:
    offenders = []
    for path in _sources():
        for line, code in _literal_codes(ast.parse(path.read_text(encoding="utf-8"))):
            if _is_view(path) and code in PENDING_IN_VIEWS:
                continue
            offenders.append(f"{path.relative_to(ROOT)}:{line}: {code!r}")
    assert not offenders, "use the ErrorCode of the app (or of kasane.core):\n" + "\n".join(
        offenders
    )


def test_each_code_is_defined_once_with_a_label() -> None:
    seen: dict[str, str] = {}
    for module, enum in _enums().items():
        for member in enum:
            assert member.value not in seen, f"{member.value} in {seen.get(member.value)} too"
            seen[member.value] = module
            assert member.label and member.label != member.name.replace("_", " ").title()
    assert "kasane.core.error_codes" in _enums()
    assert len(seen) > 100


def test_the_pending_view_codes_are_listed() -> None:
    values = {member.value for enum in _enums().values() for member in enum}
    assert values >= PENDING_IN_VIEWS
