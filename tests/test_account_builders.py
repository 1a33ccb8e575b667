"""The account builders (pytest_cis_aws/demo/seed_*.py, common.py) only call AWS APIs through
the clients they are given: the benchmark seeds a moto server with them and a real account could
be built the same way. What moto cannot do through its API stays in demo/moto_patches.py. Read
from the source, so nothing is imported to check."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import pytest_cis_aws.demo

DEMO = Path(pytest_cis_aws.demo.__file__).parent
BUILDERS = [*sorted(path.name for path in DEMO.glob("seed_*.py")), "common.py"]
ALLOWED = {"__future__", "collections.abc", "json", "typing", ".common"}


def _imports(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            found.add("." * node.level + (node.module or ""))
    return found


def test_there_is_a_builder_per_section() -> None:
    assert BUILDERS == ["seed_iam.py", "seed_logging.py", "seed_monitoring.py",
                        "seed_networking.py", "common.py"]


@pytest.mark.parametrize("name", BUILDERS)
def test_builders_import_no_moto_boto_pytest_nor_moto_patches(name: str) -> None:
    assert _imports(DEMO / name) <= ALLOWED
