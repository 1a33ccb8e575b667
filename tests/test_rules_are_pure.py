"""Rules are pure functions of plain data: no rule module, nor anything in the package it
imports, imports pytest, boto3 or botocore (the package's __init__, which registers the stock
checks for assertion rewriting, aside). Read from the source, so nothing is imported to check."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest_cis_aws

PACKAGE = Path(pytest_cis_aws.__file__).parent
FORBIDDEN = ("pytest", "_pytest", "boto3", "botocore")


def _module_path(name: str) -> Path | None:
    parts = name.split(".")[1:]
    base = PACKAGE.joinpath(*parts)
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.exists():
            return candidate
    return None


def _imports(path: Path, module: str) -> set[str]:
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                name = f"{base}.{node.module}" if node.module else base
                found.add(name)
                found.update(f"{name}.{alias.name}" for alias in node.names)
            elif node.module:
                found.add(node.module)
                found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return found


def _reach(module: str) -> dict[str, str]:
    """{module imported: by whom} for everything `module` reaches inside the package."""
    seen: dict[str, str] = {}
    todo = [module]
    while todo:
        current = todo.pop()
        path = _module_path(current)
        if path is None:
            continue
        for name in _imports(path, current):
            if name in seen:
                continue
            seen[name] = current
            # The package's __init__ (pytest's assertion rewriting of the stock checks) is
            # what importing any submodule runs first: not what a rule itself imports.
            if name.startswith("pytest_cis_aws.") and _module_path(name) is not None:
                todo.append(name)
    return seen


def test_no_rule_reaches_pytest_or_boto3() -> None:
    rules = sorted(p.stem for p in (PACKAGE / "rules").glob("*.py") if p.stem != "__init__")
    assert "iam" in rules and "networking" in rules
    for rule in rules:
        reached = _reach(f"pytest_cis_aws.rules.{rule}")
        bad = {name: by for name, by in reached.items()
               if name.split(".")[0] in FORBIDDEN}
        assert not bad, (rule, bad)
