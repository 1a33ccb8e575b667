"""End to end: every section 1 check against a compliant and a non-compliant moto account."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

import accounts_iam

INI = """
[pytest]
cis_iam_master_role = iam-master
cis_iam_manager_role = iam-manager
"""


def outcomes(pytester: pytest.Pytester, *args: str) -> tuple[dict[str, str], pytest.RunResult]:
    pytester.makeini(INI)
    result = pytester.runpytest("--cis-section=iam", "--cis-regions=us-east-1", "-rA", *args)
    by_id: dict[str, str] = {}
    for report in result.reprec.getreports("pytest_runtest_logreport"):  # type: ignore[attr-defined]
        cis = getattr(report, "cis", None)
        if cis is None:
            continue
        if getattr(report, "cis_outcome", None) == "error" or (
                report.when != "call" and report.failed):
            by_id[cis["id"]] = "error"
        elif report.when == "call" or report.skipped:
            by_id.setdefault(cis["id"], report.outcome)
    return by_id, result


@pytest.mark.parametrize("account", [0, 1], ids=["compliant", "noncompliant"])
def test_every_iam_check_reaches_its_outcome(
    account: int, pytester: pytest.Pytester, setup_client: Callable[..., Any],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    build = (accounts_iam.compliant, accounts_iam.noncompliant)[account]
    build(setup_client, monkeypatch)
    got, result = outcomes(pytester)
    expected = {rec: pair[account] for rec, pair in accounts_iam.EXPECTED.items()}
    assert got == expected, result.stdout.str()
