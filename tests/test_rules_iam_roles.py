"""1.18: IAM Master / Manager roles: their permissions, and who may assume each."""

from __future__ import annotations

import json
from typing import Any

import pytest

from pytest_cis_aws.findings import Finding
from pytest_cis_aws.rules.iam_roles import (
    MANAGER_ONLY,
    MASTER_ONLY,
    READS,
    UNNAMED,
    Judgement,
    master_manager_roles,
)

ACCOUNT = "123456789012"
ACCOUNT_ARN = f"arn:aws:iam::{ACCOUNT}:root"
MFA = {"Bool": {"aws:MultiFactorAuthPresent": "true"}}


def arn(kind: str, name: str) -> str:
    return f"arn:aws:iam::{ACCOUNT}:{kind}/{name}"


def assume(resource: str | list[str], **extra: Any) -> dict[str, Any]:
    return {"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": resource, **extra}


def inline(*statements: dict[str, Any]) -> list[dict[str, Any]]:
    return [{"PolicyName": "p", "PolicyDocument": {"Version": "2012-10-17",
                                                   "Statement": list(statements)}}]


def role(name: str, trust: str | list[str] = ACCOUNT, *, mfa: bool = True, deny: bool = True,
         attached: tuple[dict[str, str], ...] = (), **extra: Any) -> dict[str, Any]:
    allow, denied = ((MASTER_ONLY + READS, MANAGER_ONLY) if name == "master"
                     else (MANAGER_ONLY + READS, MASTER_ONLY))
    allow_stmt: dict[str, Any] = {"Effect": "Allow", "Action": [f"iam:{a}" for a in allow],
                                  "Resource": "*"}
    if mfa:
        allow_stmt["Condition"] = MFA
    doc = {"Statement": [allow_stmt] + ([{"Effect": "Deny", "Action": [
        f"iam:{a}" for a in denied], "Resource": "*"}] if deny else [])}
    return {"RoleName": name, "Arn": arn("role", name),
            "RolePolicyList": [{"PolicyName": "p", "PolicyDocument": json.dumps(doc)}],
            "AttachedManagedPolicies": list(attached),
            "AssumeRolePolicyDocument": {"Statement": [
                {"Effect": "Allow", "Principal": {"AWS": trust}, "Action": "sts:AssumeRole"}]},
            **extra}


def user(name: str, *groups: str, policies: list[dict[str, Any]] | None = None,
         attached: tuple[dict[str, str], ...] = (), **extra: Any) -> dict[str, Any]:
    return {"UserName": name, "Arn": arn("user", name), "GroupList": list(groups),
            "UserPolicyList": policies or [], "AttachedManagedPolicies": list(attached), **extra}


def group(name: str, *statements: dict[str, Any]) -> dict[str, Any]:
    return {"GroupName": name, "Arn": arn("group", name), "GroupPolicyList": inline(*statements),
            "AttachedManagedPolicies": []}


def judge(users: list[dict[str, Any]] = (), groups: list[dict[str, Any]] = (),  # type: ignore[assignment]
          roles: list[dict[str, Any]] | None = None, policies: list[dict[str, Any]] = (),  # type: ignore[assignment]
          aws_managed: list[dict[str, Any]] = ()) -> Judgement:  # type: ignore[assignment]
    details = {"UserDetailList": list(users), "GroupDetailList": list(groups),
               "RoleDetailList": roles if roles is not None else [role("master"),
                                                                  role("manager")],
               "Policies": list(policies), "AWSManagedPolicies": list(aws_managed)}
    return master_manager_roles(details, "master", "manager", ACCOUNT_ARN)


def verdicts(judged: Judgement) -> list[bool | None]:
    return [f.compliant for f in judged.findings]


def by_resource(judged: Judgement) -> dict[str, Finding]:
    return {f.resource: f for f in judged.findings}


# The benchmark's own remediation: both roles trust the account; groups grant who may assume.
MASTERS = group("masters", assume(arn("role", "master")))
MANAGERS = group("managers", assume(arn("role", "manager")))


def test_the_benchmarks_layout_passes_judged_by_who_may_assume() -> None:
    judged = judge([user("alice", "masters"), user("bob", "managers")], [MASTERS, MANAGERS])
    assert verdicts(judged) == [True, True, True], judged.findings
    assert judged.review is None
    found = by_resource(judged)
    assert "may be assumed by group masters (allowed), user alice (allowed through group " \
           "masters)" in found[arn("role", "master")].reason
    assert found[ACCOUNT_ARN].reason == ("no user, group or role of the account may assume "
                                         "both master and manager")


def test_a_user_in_both_groups_fails() -> None:
    judged = judge([user("alice", "masters", "managers"), user("bob", "managers")],
                   [MASTERS, MANAGERS])
    failing = {f.resource: f.reason for f in judged.findings if f.compliant is False}
    assert list(failing) == [arn("user", "alice")]
    assert failing[arn("user", "alice")].startswith("may assume both master (allowed through "
                                                    "group masters) and manager")


def test_one_group_granting_both_fails_for_the_group_and_its_members() -> None:
    both = group("iam", assume([arn("role", "master"), arn("role", "manager")]))
    judged = judge([user("carol", "iam")], [both])
    assert {f.resource for f in judged.findings if f.compliant is False} == {
        arn("group", "iam"), arn("user", "carol")}


def test_wildcards_notaction_and_admin_policies_reach_both_roles() -> None:
    for statement in (
        {"Effect": "Allow", "Action": "*", "Resource": "*"},
        {"Effect": "Allow", "Action": "sts:Assume*", "Resource": arn("role", "ma*")},
        {"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"},
        {"Effect": "Allow", "Action": "STS:assumerole", "NotResource": arn("role", "other")},
    ):
        judged = judge([user("dave", policies=inline(statement))])
        assert by_resource(judged)[arn("user", "dave")].compliant is False, statement


def test_resource_wildcards_are_iams_only_and_case_sensitive() -> None:
    for resource in (arn("role", "[m]aster"), arn("role", "MASTER"), arn("role", "master?")):
        judged = judge([user("erin", policies=inline(assume(resource)))])
        assert by_resource(judged)[arn("role", "master")].compliant is False, resource
        assert "no user, group or role may assume it" in by_resource(judged)[
            arn("role", "master")].reason


def test_an_unconditional_deny_or_a_boundary_takes_the_grant_away() -> None:
    deny = {"Effect": "Deny", "Action": "sts:AssumeRole", "Resource": arn("role", "manager")}
    boundary = {"Arn": arn("policy", "boundary"),
                "DefaultVersionId": "v1", "PolicyVersionList": [
                    {"IsDefaultVersion": True, "VersionId": "v1", "Document": {
                        "Statement": [assume(arn("role", "master"))]}}]}
    judged = judge([user("alice", "masters", "managers", policies=inline(deny)),
                    user("bob", "managers"),
                    user("frank", "masters", "managers", PermissionsBoundary={
                        "PermissionsBoundaryType": "Policy",
                        "PermissionsBoundaryArn": boundary["Arn"]})],
                   [MASTERS, MANAGERS], policies=[boundary])
    assert verdicts(judged) == [True, True, True], judged.findings
    # A conditional Deny does not take it away: the answer is who *may* assume.
    conditional = dict(deny, Condition={"Bool": {"aws:MultiFactorAuthPresent": "false"}})
    judged = judge([user("alice", "masters", "managers", policies=inline(conditional))],
                   [MASTERS, MANAGERS])
    assert by_resource(judged)[arn("user", "alice")].compliant is False


def test_conditions_on_an_allow_count_as_met() -> None:
    masters = group("masters", assume(arn("role", "master"), Condition=MFA))
    judged = judge([user("alice", "masters"), user("bob", "managers")], [masters, MANAGERS])
    assert verdicts(judged) == [True, True, True]
    assert "user alice (allowed under conditions through group masters)" in by_resource(
        judged)[arn("role", "master")].reason


def test_no_one_may_assume_a_role_fails() -> None:
    judged = judge([user("alice", "masters")], [MASTERS])
    manager = by_resource(judged)[arn("role", "manager")]
    assert manager.compliant is False
    assert manager.reason.endswith("no user, group or role may assume it")


def test_roles_trusting_named_users_are_judged_without_identity_policies() -> None:
    judged = judge([user("alice"), user("bob")],
                   roles=[role("master", arn("user", "alice")),
                          role("manager", arn("user", "bob"))])
    assert verdicts(judged) == [True, True, True]
    judged = judge([user("alice")], roles=[role("master", arn("user", "alice")),
                                           role("manager", arn("user", "alice"))])
    assert by_resource(judged)[arn("user", "alice")].reason.startswith(
        "may assume both master (named in its trust policy)")


def test_a_role_that_may_assume_both_fails() -> None:
    ops = {"RoleName": "ops", "Arn": arn("role", "ops"), "AttachedManagedPolicies": [],
           "RolePolicyList": inline(assume(arn("role", "*"))), "AssumeRolePolicyDocument": {
               "Statement": [{"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"},
                              "Action": "sts:AssumeRole"}]}}
    judged = judge(roles=[role("master"), role("manager"), ops])
    assert by_resource(judged)[arn("role", "ops")].compliant is False


def test_a_trust_policy_open_to_anyone_fails() -> None:
    judged = judge([user("alice", "masters"), user("bob", "managers")], [MASTERS, MANAGERS],
                   roles=[role("master", "*"), role("manager")])
    assert by_resource(judged)[arn("role", "master")].compliant is False
    assert by_resource(judged)[ACCOUNT_ARN].reason.startswith(
        "a trust policy allows any principal (*)")


def test_principals_outside_the_account_leave_the_check_to_a_person() -> None:
    outside = "arn:aws:iam::999999999999:root"
    judged = judge([user("alice", "masters")], [MASTERS],
                   roles=[role("master"), role("manager", outside)])
    assert verdicts(judged) == [True, True, True], judged.findings
    assert judged.review == ("master and manager also trust principals outside this account "
                             f"({outside}): check there that no one may assume both")
    assert "(outside the account)" in by_resource(judged)[arn("role", "manager")].reason


def test_a_policy_that_cannot_be_read_leaves_it_undecided_unless_something_fails() -> None:
    admin = {"PolicyName": "AdministratorAccess",
             "PolicyArn": "arn:aws:iam::aws:policy/AdministratorAccess"}
    users = [user("alice", "masters"), user("bob", "managers"), user("gina", attached=(admin,))]
    judged = judge(users, [MASTERS, MANAGERS])
    assert by_resource(judged)[ACCOUNT_ARN].compliant is None
    assert "user gina: cannot read AdministratorAccess" in by_resource(judged)[ACCOUNT_ARN].reason
    # Read among the AWS managed policies, it decides: gina may assume both.
    document = {"Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
    managed = [{"Arn": admin["PolicyArn"], "PolicyName": "AdministratorAccess",
                "PolicyVersionList": [{"IsDefaultVersion": True, "VersionId": "v1",
                                       "Document": document}]}]
    judged = judge(users, [MASTERS, MANAGERS], aws_managed=managed)
    assert by_resource(judged)[arn("user", "gina")].compliant is False


# -- the roles' own permissions (unchanged readings) ----------------------------------------------

PAIR = ([user("alice", "masters"), user("bob", "managers")], [MASTERS, MANAGERS])


def test_wildcard_allow_covers_actions() -> None:
    master = role("master")
    master["RolePolicyList"] = inline(
        {"Effect": "Allow", "Action": "*", "Resource": "*", "Condition": MFA},
        {"Effect": "Deny", "Action": [f"iam:{a}" for a in MANAGER_ONLY], "Resource": "*"})
    judged = judge(*PAIR, roles=[master, role("manager")])
    assert by_resource(judged)[arn("role", "master")].compliant is True


def test_missing_mfa_condition_and_missing_deny_fail() -> None:
    judged = judge(*PAIR, roles=[role("master", mfa=False, deny=False), role("manager")])
    master = by_resource(judged)[arn("role", "master")]
    assert master.compliant is False
    assert "does not deny iam:AddUserToGroup" in master.reason
    assert "MultiFactorAuthPresent" in master.reason


def test_missing_role_fails_naming_it() -> None:
    judged = judge(*PAIR, roles=[role("master")])
    assert verdicts(judged) == [True, False]
    assert "manager does not exist" in judged.findings[1].reason


def test_attached_aws_managed_policy_is_read_when_given() -> None:
    attached = ({"PolicyName": "IAMFullAccess",
                 "PolicyArn": "arn:aws:iam::aws:policy/IAMFullAccess"},)
    roles = [role("master", attached=attached), role("manager")]
    judged = judge(*PAIR, roles=roles)
    master = by_resource(judged)[arn("role", "master")]
    assert master.compliant is None and "IAMFullAccess" in master.reason
    managed = [{"Arn": attached[0]["PolicyArn"], "PolicyVersionList": [
        {"IsDefaultVersion": True, "VersionId": "v1", "Document": {"Statement": [
            {"Effect": "Allow", "Action": "iam:*", "Resource": "*"}]}}]}]
    judged = judge(*PAIR, roles=roles, aws_managed=managed)
    master = by_resource(judged)[arn("role", "master")]
    assert master.compliant is False and "MultiFactorAuthPresent" in master.reason


def test_an_identity_provider_is_outside_the_account_whatever_its_sts_action() -> None:
    saml = {"Effect": "Allow", "Principal": {"Federated": f"arn:aws:iam::{ACCOUNT}:saml-provider/"
                                                          "corp"},
            "Action": "sts:AssumeRoleWithSAML"}
    manager = role("manager")
    manager["AssumeRolePolicyDocument"] = {"Statement": [saml]}
    judged = judge([user("alice", "masters")], [MASTERS], roles=[role("master"), manager])
    assert verdicts(judged) == [True, True, True], judged.findings
    assert judged.review is not None and "saml-provider/corp" in judged.review


def test_a_malformed_document_is_unknown_not_a_verdict() -> None:
    master = role("master")
    master["AssumeRolePolicyDocument"] = {"Statement": ["not an object"]}
    judged = judge(*PAIR, roles=[master, role("manager")])
    assert verdicts(judged) == [None, True]


@pytest.mark.parametrize(("master", "manager"), [(None, None), ("master", None), ("", "manager")])
def test_until_both_roles_are_named_a_person_must_name_them(master: str | None,
                                                             manager: str | None) -> None:
    assert master_manager_roles({}, master, manager, ACCOUNT_ARN) == Judgement([], UNNAMED)
    assert UNNAMED == ("name the roles to check with the ini options cis_iam_master_role and "
                       "cis_iam_manager_role")
