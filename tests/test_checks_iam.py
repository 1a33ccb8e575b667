"""End to end: every section 1 check against a compliant and a non-compliant moto account."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

import accounts_iam
from runs import run_checks

INI = """
[pytest]
cis_iam_master_role = iam-master
cis_iam_manager_role = iam-manager
"""


ARGS = ("--cis-section=iam", "--cis-regions=us-east-1", "-rA")


@pytest.mark.parametrize("account", [0, 1], ids=["compliant", "noncompliant"])
def test_every_iam_check_reaches_its_outcome(
    account: int, pytester: pytest.Pytester, setup_client: Callable[..., Any],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    build = (accounts_iam.compliant, accounts_iam.noncompliant)[account]
    build(setup_client, monkeypatch)
    pytester.makeini(INI)
    run = run_checks(pytester, *ARGS)
    got, result = run.outcomes, run.result
    expected = {rec: pair[account] for rec, pair in accounts_iam.EXPECTED.items()}
    assert got == expected, result.stdout.str()
