"""--cis-sarif: SARIF 2.1.0 valid against the OASIS schema (pinned in tests/data), with what
GitHub code scanning requires of an upload; on hand-built documents (no AWS, no run)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

import export_docs as docs
from pytest_cis_aws.report import sarif
from pytest_cis_aws.report.items import items
from schemas import validate_sarif

BUILDERS: dict[str, Callable[[], dict[str, Any]]] = {
    "single": docs.single,
    "organization": docs.organization,
    "baseline": lambda: docs.with_baseline(docs.single()),
    "empty": docs.empty,
    "nothing": dict,
}


def render(doc: dict[str, Any]) -> dict[str, Any]:
    text = sarif.render(doc)
    assert text.isascii()
    log = json.loads(text)
    validate_sarif(log)
    return log


@pytest.fixture(scope="module")
def single() -> dict[str, Any]:
    return docs.single()


@pytest.fixture(scope="module")
def run(single: dict[str, Any]) -> dict[str, Any]:
    return render(single)["runs"][0]


def by_resource(run: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {r["properties"]["resource"] or r["ruleId"]: r for r in run["results"]}


@pytest.mark.parametrize("name", BUILDERS)
def test_every_document_gives_a_valid_log_github_can_take(name: str) -> None:
    log = render(BUILDERS[name]())
    assert log["version"] == "2.1.0" and log["$schema"]
    (run,) = log["runs"]  # GitHub rejects two runs of one tool and category in a file
    rules = run["tool"]["driver"]["rules"]
    assert run["tool"]["driver"]["name"] == "pytest-cis-aws"
    assert run["automationDetails"]["id"].startswith("pytest-cis-aws/")
    assert run["automationDetails"]["id"].endswith("/")  # a category: no run id
    for rule in rules:  # GitHub: required, non-empty, within its lengths
        assert rule["id"] and len(rule["name"]) <= 255
        assert 0 < len(rule["shortDescription"]["text"]) <= 1024
        assert 0 < len(rule["fullDescription"]["text"]) <= 1024
        assert rule["help"]["text"] and rule["help"]["markdown"]
        assert 0 < float(rule["properties"]["security-severity"]) <= 10
    assert len({rule["id"] for rule in rules}) == len(rules)
    for result in run["results"]:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
        assert result["message"]["text"]
        (location,) = result["locations"]
        physical = location["physicalLocation"]
        uri = physical["artifactLocation"]["uri"]
        assert uri and not uri.startswith("/") and ":" not in uri  # relative to the repository
        assert physical["region"]["startLine"] >= 1
        assert result["partialFingerprints"]["primaryLocationLineHash"]
        # the spec: any kind but "fail" has level "none"
        assert (result["level"] == "none") == (result["kind"] != "fail")


def test_one_rule_per_recommendation_with_its_remediation(run: dict[str, Any]) -> None:
    rules = {rule["id"]: rule for rule in run["tool"]["driver"]["rules"]}
    assert list(rules) == ["1.2", "1.14", "1.5", "2.1", "1.15", "4.1", "2.6", "ORG-1"]
    mfa = rules["1.2"]
    assert mfa["shortDescription"]["text"] == "MFA is enabled for every IAM user with a " \
                                              "console password"
    assert mfa["help"]["text"].startswith("Register an MFA device")
    assert "CLI: aws iam create-virtual-mfa-device" in mfa["help"]["text"]
    assert "```bash\naws iam create-virtual-mfa-device" in mfa["help"]["markdown"]
    assert mfa["defaultConfiguration"]["level"] == "error" and mfa["name"] == "CIS-AWS-1.2"
    assert mfa["properties"] | {"tags": None} == {
        "tags": None, "level": 1, "section": "iam", "scored": True, "precision": "high",
        "problem.severity": "error", "security-severity": "7.5"}
    assert mfa["properties"]["tags"] == ["security", "cis-aws", "level-1", "iam", "scored"]
    org = rules["ORG-1"]
    assert "organization" in org["properties"]["tags"] and org["help"]["text"]
    assert rules["1.15"]["defaultConfiguration"]["level"] == "warning"  # not scored


def test_a_result_per_item_that_needs_attention(run: dict[str, Any],
                                                single: dict[str, Any]) -> None:
    results = by_resource(run)
    alice = results["arn:aws:iam::123456789012:user/alice"]
    assert (alice["ruleId"], alice["kind"], alice["level"]) == ("1.2", "fail", "error")
    assert alice["message"]["text"].startswith(
        "arn:aws:iam::123456789012:user/alice: console password without MFA")
    assert alice["locations"][0]["logicalLocations"] == [
        {"fullyQualifiedName": "arn:aws:iam::123456789012:user/alice", "kind": "resource"}]
    assert alice["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == \
        "pytest_cis_aws/checks/cis_aws_1_iam.py"
    assert "arn:aws:iam::123456789012:user/bob" not in results  # passed: no result
    waived = results["arn:aws:iam::123456789012:root"]
    assert (waived["kind"], waived["suppressions"]) == ("fail", [
        {"kind": "external", "status": "accepted", "justification": "SEC-1: ordered"}])
    assert (results["1.5"]["kind"], results["1.5"]["level"]) == ("open", "none")
    assert "AccessDenied" in results["1.5"]["message"]["text"]
    trail = results["arn:aws:cloudtrail:eu-west-1:123456789012:trail/t"]
    assert trail["kind"] == "open" and trail["properties"]["region"] == "eu-west-1"
    assert (results["1.15"]["kind"], results["1.15"]["level"]) == ("review", "none")
    org = results["arn:aws:s3:::bucket-123456789012"]
    assert org["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == \
        "tests/test_org.py"
    # the fingerprint is the item's stable id, so GitHub keeps one alert per resource
    wanted = {i.id for i in items(single) if i.state in ("failed", "waived", "error", "manual")}
    assert {r["partialFingerprints"]["primaryLocationLineHash"] for r in run["results"]} == wanted
    assert all(r["partialFingerprints"]["cisAwsItemId/v1"] ==
               r["partialFingerprints"]["primaryLocationLineHash"] for r in run["results"])


def test_fingerprints_do_not_change_between_runs() -> None:
    first, second = docs.single(), docs.single()
    second["generated_at"] = "2030-01-01T00:00:00+00:00"
    for result in second["results"]:
        for f in result["findings"]:
            f["reason"] = "worded otherwise"
    assert [r["partialFingerprints"] for r in render(first)["runs"][0]["results"]] == \
        [r["partialFingerprints"] for r in render(second)["runs"][0]["results"]]


def test_a_baseline_gives_each_result_its_state_and_lists_the_resolved() -> None:
    run = render(docs.with_baseline(docs.single()))["runs"][0]
    states = {r["properties"]["resource"] or r["ruleId"]: r["baselineState"]
              for r in run["results"]}
    assert states["arn:aws:iam::123456789012:user/alice"] == "new"
    assert states["1.5"] == states["arn:aws:iam::123456789012:root"] == "unchanged"
    # GitHub reads no baselineState: an "absent" result would keep the resolved alert open
    assert "absent" not in states.values()
    assert run["properties"]["resolved"] == [{
        "id": "0" * 32, "ruleId": "1.3", "account": "123456789012", "region": None,
        "resource": "arn:aws:iam::123456789012:user/carol", "was": "failed"}]
    assert "baselineState" not in render(docs.single())["runs"][0]["results"][0]


def test_an_organization_is_one_run_with_every_account() -> None:
    run = render(docs.organization())["runs"][0]
    assert run["automationDetails"]["id"] == "pytest-cis-aws/organization/"
    assert len(run["tool"]["driver"]["rules"]) == 8  # each recommendation once
    accounts = {r["properties"]["account"] for r in run["results"]}
    assert accounts == {docs.ACCOUNT, docs.OTHER}
    fingerprints = [r["partialFingerprints"]["primaryLocationLineHash"] for r in run["results"]]
    assert len(set(fingerprints)) == len(fingerprints) == 14
    assert run["properties"]["accounts"] == sorted([docs.ACCOUNT, docs.OTHER])


def test_hostile_names_stay_escaped_and_intact(run: dict[str, Any]) -> None:
    text = sarif.render(docs.single())
    assert "\x1b" not in text and "\u202e" not in text and "\x00" not in text
    assert "\\u202e" in text and "\\u001b" in text
    assert docs.HOSTILE in by_resource(run)  # the name as AWS gave it, after a JSON load


@pytest.mark.parametrize("name", ["empty", "nothing"])
def test_an_empty_or_incomplete_document_says_so(name: str) -> None:
    run = render(BUILDERS[name]())["runs"][0]
    invocation = run["invocations"][0]
    assert invocation["executionSuccessful"] is False and run["properties"]["complete"] is False
    assert run["results"] == [] and run["tool"]["driver"]["rules"] == []
    texts = [n["message"]["text"] for n in invocation["toolExecutionNotifications"]]
    assert "no recommendation has a result: nothing was audited" in texts
    if name == "empty":
        assert "incomplete: 1 of 1 not run: 3.1" in texts


def test_a_complete_run_is_successful(run: dict[str, Any]) -> None:
    assert run["invocations"][0] == {"executionSuccessful": True,
                                     "toolExecutionNotifications": []}


def test_past_githubs_limit_the_least_severe_results_are_left_out(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sarif, "MAX_RESULTS", 3)
    run = render(docs.single())["runs"][0]
    assert [r["properties"]["outcome"] for r in run["results"]] == ["failed"] * 3
    (note,) = run["invocations"][0]["toolExecutionNotifications"]
    assert note["message"]["text"] == "4 results left out: GitHub accepts at most 3 a run"


def test_an_organisation_check_file_is_a_uri() -> None:
    row = docs.result("ORG-2", "failed", [docs.finding("x", False, "bad")])
    row["nodeid"] = "org checks/test_é.py::test_x[a::b]"
    run = render(docs.document([row]))["runs"][0]
    assert run["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"][
        "uri"] == "org%20checks/test_%C3%A9.py"


def test_a_resource_judged_twice_is_one_result() -> None:
    (result,) = render(docs.judged_twice())["runs"][0]["results"]
    assert (result["kind"], result["properties"]["outcome"]) == ("fail", "failed")
    assert result["message"]["text"].startswith(
        "arn:aws:iam::123456789012:user/bob: console password used 1 day ago; access key 1 "
        "never used; access key 2: no dates")


@pytest.mark.parametrize("states, merged", [
    (("passed", "failed", "error"), "failed"),  # a failure wins over an unknown
    (("waived", "error"), "error"),  # an unknown is not waived
    (("passed", "waived"), "waived"),
    (("passed", "passed"), "passed"),
])
def test_merged_findings_end_as_the_check_would(states: tuple[str, ...], merged: str) -> None:
    from pytest_cis_aws.report.distinct import distinct
    from pytest_cis_aws.report.items import Item

    group = [Item(id="a" * 32, state=state, result={}, account=None,  # type: ignore[arg-type]
                  finding={"reason": state, **({"waiver": "W"} if state == "waived" else {})})
             for state in states]
    (item,) = distinct(group)
    assert item.state == merged and item.reason == "; ".join(dict.fromkeys(states))
