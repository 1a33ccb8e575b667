"""policy/pytest-cis-aws-readonly.json: reads only, exactly what the audit reads, and enough.

The last is checked with moto enforcing IAM (moto_coverage.md §6): the whole stock suite runs as a
user whose only permissions are that policy, signed with a key moto issued. Two moto quirks:

* moto checks CloudWatch calls as `monitoring:<Action>` (the signing name), so the user also gets
  `monitoring:Describe*`; AWS itself checks `cloudwatch:DescribeAlarms`, which the policy grants.
* moto has no Cost and Usage Report or contact-information API: the fault harness answers those
  two calls before they are sent, so their permissions are not exercised here.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from moto.core.authorization import enable_iam_authentication

import accounts_full
import faults
from aws_state import age_user, days_ago
from pytest_cis_aws import catalog, cli
from pytest_cis_aws.aws.guard import ACCESS_LEVELS, LEVELS, is_read
from test_checks_logging import api_calls
from test_faults import CANNOT_PASS, MANUAL, audit

POLICY_FILE = Path(__file__).parent.parent / "policy" / "pytest-cis-aws-readonly.json"
MOTO_CLOUDWATCH = {"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Action": "monitoring:Describe*", "Resource": "*"}]}


def policy() -> dict[str, Any]:
    return dict(json.loads(POLICY_FILE.read_text(encoding="utf-8")))


def actions(document: dict[str, Any]) -> set[str]:
    return {action for statement in document["Statement"] for action in statement["Action"]}


def test_the_shipped_policy_is_the_one_the_data_gives(capsys: pytest.CaptureFixture[str]) -> None:
    """policy/pytest-cis-aws-readonly.json is `pytest-cis-aws policy`'s output: regenerated from
    the benchmark data, never edited by hand."""
    assert cli.main(["policy"]) == 0
    assert capsys.readouterr().out == POLICY_FILE.read_text(encoding="utf-8")


def test_the_policy_grants_reads_only() -> None:
    document = policy()
    for statement in document["Statement"]:
        # Allow only, on named actions: no NotAction, no conditions to reason about.
        assert set(statement) == {"Sid", "Effect", "Action", "Resource"}, statement
        assert statement["Effect"] == "Allow" and statement["Resource"] == "*"
    granted = actions(document)
    assert all(":" in a and "*" not in a and "?" not in a for a in granted), granted
    assert [a for a in granted if not is_read(*a.split(":"))] == []
    # Every grant is a List or Read action by AWS's own documentation, exceptions included.
    levels = {a: (LEVELS.table(a.split(":")[0]) or {}).get(a.split(":")[1].lower())
              for a in granted}
    assert {a: level for a, level in levels.items() if level not in ACCESS_LEVELS} == {}


def _auditor(iam: Any, name: str, document: dict[str, Any]) -> dict[str, str]:
    """A user in a group holding `document` (a user's own policy would fail 1.16), and its key."""
    arn = iam.create_policy(PolicyName=name, PolicyDocument=json.dumps(document))["Policy"]["Arn"]
    iam.create_group(GroupName=name)
    iam.attach_group_policy(GroupName=name, PolicyArn=arn)
    iam.put_group_policy(GroupName=name, PolicyName="moto-cloudwatch",
                         PolicyDocument=json.dumps(MOTO_CLOUDWATCH))
    iam.create_user(UserName=name)
    iam.add_user_to_group(GroupName=name, UserName=name)
    key = iam.create_access_key(UserName=name)["AccessKey"]
    # AWS records the use of the key that runs the audit; moto does not (1.4 fails a key not
    # used since its rotation).
    age_user(name, keys_last_used=[days_ago(0)])
    return {"AWS_ACCESS_KEY_ID": key["AccessKeyId"],
            "AWS_SECRET_ACCESS_KEY": key["SecretAccessKey"]}


WITHOUT = "ec2:DescribeSecurityGroups"  # what the second user's policy lacks


@pytest.fixture
def auditors(setup_client: Callable[..., Any],
             monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, dict[str, str]]]:
    accounts_full.compliant(setup_client, monkeypatch)
    iam = setup_client("iam")
    lacking = policy()
    lacking["Statement"][0]["Action"] = sorted(actions(lacking) - {WITHOUT})
    users = {"full": _auditor(iam, "cis-auditor", policy()),
             "lacking": _auditor(iam, "cis-auditor-lacking", lacking)}
    monkeypatch.delenv("AWS_SESSION_TOKEN")  # conftest's fake token would be sent along
    with enable_iam_authentication():  # from here on, every request is signed and authorised
        yield users


def _run_as(user: dict[str, str], pytester: pytest.Pytester,
            monkeypatch: pytest.MonkeyPatch) -> tuple[dict[str, str], pytest.RunResult]:
    for name, value in user.items():
        monkeypatch.setenv(name, value)
    return audit(pytester, faults.Injector(), "--cis-api-stats")


def test_the_whole_audit_runs_under_the_policy_alone(
    auditors: dict[str, dict[str, str]], pytester: pytest.Pytester,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    got, result = _run_as(auditors["full"], pytester, monkeypatch)
    output = result.stdout.str()
    assert "AccessDenied" not in output and " 403" not in output, output
    assert {rec for rec, outcome in got.items() if outcome != "passed"} == (
        MANUAL | CANNOT_PASS), output
    assert all(got[rec] == "manual" for rec in MANUAL | CANNOT_PASS)
    result.stdout.fnmatch_lines(["  account: 123456789012 (arn:aws:iam::123456789012:user/"
                                 "cis-auditor)"])
    # Exactly what the audit calls and what the catalog says each check reads: nothing more.
    called = set(api_calls(result))
    named = {p for rec in catalog.CATALOG.values() for p in rec.permissions}
    assert actions(policy()) == called | named


def test_a_missing_permission_errors_the_checks_that_need_it(
    auditors: dict[str, dict[str, str]], pytester: pytest.Pytester,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Enforcement is on: without one action, the checks that need it end in error naming it."""
    got, result = _run_as(auditors["lacking"], pytester, monkeypatch)
    needing = {rec.id for rec in catalog.CATALOG.values() if WITHOUT in rec.permissions}
    assert {rec for rec, outcome in got.items() if outcome == "error"} == needing
    result.stdout.fnmatch_lines([f"*could not read {WITHOUT} in *-*: AccessDenied: *"
                                 f"(needs permission {WITHOUT})*"])
