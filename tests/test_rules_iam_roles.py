"""1.18: IAM Master / Manager roles."""

from __future__ import annotations

import json

from pytest_cis_aws.rules.iam_roles import MANAGER_ONLY, MASTER_ONLY, READS, master_manager_roles

ACCOUNT_ARN = "arn:aws:iam::123456789012:root"
MFA = {"Bool": {"aws:MultiFactorAuthPresent": "true"}}


def role(name: str, allow, deny, trust: str, *, mfa: bool = True, attached=()) -> dict:
    allow_stmt = {"Effect": "Allow", "Action": [f"iam:{a}" for a in allow], "Resource": "*"}
    if mfa:
        allow_stmt["Condition"] = MFA
    doc = {"Statement": [allow_stmt,
                         {"Effect": "Deny", "Action": [f"iam:{a}" for a in deny], "Resource": "*"}]}
    return {"RoleName": name, "Arn": f"arn:aws:iam::123456789012:role/{name}",
            "RolePolicyList": [{"PolicyName": "p", "PolicyDocument": json.dumps(doc)}],
            "AttachedManagedPolicies": list(attached),
            "AssumeRolePolicyDocument": {"Statement": [
                {"Effect": "Allow", "Principal": {"AWS": trust}, "Action": "sts:AssumeRole"}]}}


def judge(*roles: dict) -> list:
    return master_manager_roles({"RoleDetailList": list(roles)}, "master", "manager", ACCOUNT_ARN)


def test_well_formed_pair_passes() -> None:
    findings = judge(role("master", MASTER_ONLY + READS, MANAGER_ONLY, "user/a"),
                     role("manager", MANAGER_ONLY + READS, MASTER_ONLY, "user/b"))
    assert [f.compliant for f in findings] == [True, True, True]


def test_wildcard_allow_covers_actions() -> None:
    master = role("master", ("*",), MANAGER_ONLY, "user/a")
    findings = judge(master, role("manager", MANAGER_ONLY + READS, MASTER_ONLY, "user/b"))
    assert findings[0].compliant is True


def test_same_principal_for_both_roles_fails() -> None:
    findings = judge(role("master", MASTER_ONLY + READS, MANAGER_ONLY, "user/a"),
                     role("manager", MANAGER_ONLY + READS, MASTER_ONLY, "user/a"))
    assert findings[-1].compliant is False and "user/a may assume both" in findings[-1].reason


def test_missing_mfa_condition_and_missing_deny_fail() -> None:
    findings = judge(role("master", MASTER_ONLY + READS, (), "user/a", mfa=False),
                     role("manager", MANAGER_ONLY + READS, MASTER_ONLY, "user/b"))
    assert findings[0].compliant is False
    assert "does not deny iam:AddUserToGroup" in findings[0].reason
    assert "MultiFactorAuthPresent" in findings[0].reason


def test_missing_role_fails_naming_it() -> None:
    findings = judge(role("master", MASTER_ONLY + READS, MANAGER_ONLY, "user/a"))
    assert [f.compliant for f in findings] == [True, False]
    assert "manager does not exist" in findings[1].reason


def test_attached_aws_managed_policy_cannot_be_judged_here() -> None:
    attached = [{"PolicyName": "IAMFullAccess",
                 "PolicyArn": "arn:aws:iam::aws:policy/IAMFullAccess"}]
    findings = judge(role("master", MASTER_ONLY + READS, MANAGER_ONLY, "user/a", attached=attached),
                     role("manager", MANAGER_ONLY + READS, MASTER_ONLY, "user/b"))
    assert findings[0].compliant is None and "IAMFullAccess" in findings[0].reason
