"""example_suite/: an organisation's compliance repository, run against the demo account.

Its own checks (ORG-1 … ORG-4) run beside the stock ones, with the plugin's fixtures and the
settings of its pyproject.toml, and reach the outcomes the demo account was seeded for.
"""

from __future__ import annotations

import fnmatch
import json
import shutil
from pathlib import Path
from typing import Any

import pytest

EXAMPLE = Path(__file__).parents[1] / "example_suite"
ACCOUNT = "123456789012"

EXPECTED_ORG = {
    "ORG-1": "failed",  # two buckets have no owner tag
    "ORG-2": "failed",  # SSH and RDP open to the world
    "ORG-3": "failed",  # two users in no group
    "ORG-4": "passed",  # the security contact is security@example.com
}


def run_example(pytester: pytest.Pytester, *args: str) -> tuple[dict[str, Any], pytest.RunResult]:
    """Copy example_suite/ into a fresh directory and run `pytest --cis-demo ARGS` there."""
    shutil.copytree(EXAMPLE, pytester.path, dirs_exist_ok=True)
    report = pytester.path / "cis.json"
    result = pytester.runpytest("--cis-demo", f"--cis-json={report}", "--color=no", *args)
    assert report.exists(), result.stdout.str() + result.stderr.str()
    return json.loads(report.read_text()), result


def by_id(document: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {r["id"]: r for r in document["results"]}


def failing(result: dict[str, Any]) -> set[str]:
    return {f["resource"] for f in result["findings"] if f["compliant"] is False}


def test_organisation_and_stock_checks_run_together(pytester: pytest.Pytester) -> None:
    document, result = run_example(pytester)
    results = by_id(document)
    assert {rec: results[rec]["outcome"] for rec in EXPECTED_ORG} == EXPECTED_ORG, \
        result.stdout.str()
    stock = {rec for rec, r in results.items() if not rec.startswith("ORG-")}
    assert len(stock) == 52  # cis_level = "2" in pyproject.toml: every recommendation
    # cis_iam_master_role / cis_iam_manager_role are read: 1.18 is judged, not left manual.
    assert results["1.18"]["outcome"] == "failed"
    assert "iam-manager" in " ".join(f["resource"] for f in results["1.18"]["findings"])
    check_org_evidence(results)


def check_org_evidence(results: dict[str, dict[str, Any]]) -> None:
    assert failing(results["ORG-1"]) == {f"arn:aws:s3:::demo-eu-app-trail-{ACCOUNT}",
                                         f"arn:aws:s3:::demo-scratch-{ACCOUNT}"}
    assert failing(results["ORG-3"]) == {
        f"arn:aws:iam::{ACCOUNT}:user/automation/ci-deploy",
        f"arn:aws:iam::{ACCOUNT}:user/legacy-reporting-service-account-created-by-terraform"
        "-module-v1"}
    open_groups = {f["reason"].partition(":")[0].splitlines()[0]
                   for f in results["ORG-2"]["findings"] if f["compliant"] is False}
    assert open_groups == {"bastion", "temp-debug", "windows-jump"}
    assert {f["region"] for f in results["ORG-2"]["findings"]} == {
        "us-east-1", "eu-west-1", "eu-central-1"}  # cis_regions: every audited region
    https_only = [f for f in results["ORG-2"]["findings"] if f["reason"].startswith("web:")]
    assert [f["compliant"] for f in https_only] == [True]  # 443 from anywhere is allowed


def test_organisation_checks_follow_the_level_and_id_selection(
        pytester: pytest.Pytester) -> None:
    document, _ = run_example(pytester, "--cis-level=1", "--cis-id=ORG-1,ORG-2,ORG-3,ORG-4")
    # ORG-4 is a Level 2 check; the stock checks are not among the ids asked for.
    assert {rec: r["outcome"] for rec, r in by_id(document).items()} == {
        "ORG-1": "failed", "ORG-2": "failed", "ORG-3": "failed"}


def test_the_example_waiver_matches_a_demo_finding(pytester: pytest.Pytester) -> None:
    tomllib = pytest.importorskip("tomllib")  # Python 3.11+
    waivers = tomllib.loads((EXAMPLE / "waivers.toml").read_text())["waiver"]
    document, _ = run_example(pytester, "--cis-id=" + ",".join(w["id"] for w in waivers))
    results = by_id(document)
    for waiver in waivers:
        result = results[waiver["id"]]
        waived = {f["resource"] for f in result["findings"] if f["waived"]}
        assert waived and set(fnmatch.filter(waived, waiver["resource"])) == waived, waiver
        assert result["outcome"] == "waived"  # every offender is an accepted exception
        assert waiver["reason"] in result["reason"]
