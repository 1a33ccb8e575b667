"""1.18: the IAM Master and IAM Manager roles split control over IAM between two people.

The action sets are the benchmark's (its PDF prints some as `iam>Delete...`; they are
`iam:Delete...`). Each role must allow its own set under MFA and deny the other's, and no
principal may be able to assume both roles.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Mapping
from typing import Any

from ..findings import Finding
from ..policy import MalformedPolicy
from .iam import default_version, policy_document, statements

READS = (
    "GetPolicy", "GetPolicyVersion", "GetRole", "GetRolePolicy", "GetUser", "GetUserPolicy",
    "ListEntitiesForPolicy", "ListGroupPolicies", "ListGroups", "ListGroupsForUser",
    "ListPolicies", "ListPoliciesGrantingServiceAccess", "ListPolicyVersions",
    "ListRolePolicies", "ListAttachedGroupPolicies", "ListAttachedRolePolicies",
    "ListAttachedUserPolicies", "ListRoles", "ListUsers",
)
MASTER_ONLY = (
    "AttachRolePolicy", "CreateGroup", "CreatePolicy", "CreatePolicyVersion", "CreateRole",
    "CreateUser", "DeleteGroup", "DeletePolicy", "DeletePolicyVersion", "DeleteRole",
    "DeleteRolePolicy", "DeleteUser", "PutRolePolicy",
)
MANAGER_ONLY = (
    "AddUserToGroup", "AttachGroupPolicy", "DeleteGroupPolicy", "DeleteUserPolicy",
    "DetachGroupPolicy", "DetachRolePolicy", "DetachUserPolicy", "PutGroupPolicy",
    "PutUserPolicy", "RemoveUserFromGroup", "UpdateGroup", "UpdateAssumeRolePolicy",
    "UpdateUser",
)


def _iam(names: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(f"iam:{n}" for n in names)


ROLE_SPECS = {
    "master": (_iam(MASTER_ONLY + READS), _iam(MANAGER_ONLY)),
    "manager": (_iam(MANAGER_ONLY + READS), _iam(MASTER_ONLY)),
}


def _as_list(value: Any) -> list[str]:
    if value is None:
        return []
    return [value] if isinstance(value, str) else [str(v) for v in value]


def _covers(statement: Mapping[str, Any], action: str) -> bool:
    return any(fnmatch.fnmatchcase(action.lower(), pattern.lower())
               for pattern in _as_list(statement.get("Action")))


def _requires_mfa(statement: Mapping[str, Any]) -> bool:
    for operator, conditions in (statement.get("Condition") or {}).items():
        if operator.lower() not in ("bool", "boolifexists"):
            continue
        for key, value in conditions.items():
            if key.lower() == "aws:multifactorauthpresent" and \
                    [str(v).lower() for v in _as_list(value)] == ["true"]:
                return True
    return False


def _role_statements(role: Mapping[str, Any], policies_by_arn: Mapping[str, Any],
                     problems: list[str]) -> list[Mapping[str, Any]] | None:
    """Every statement on the role; None when an attached policy cannot be read here."""
    found: list[Mapping[str, Any]] = []
    source = f"iam:GetAccountAuthorizationDetails {role.get('Arn')}"
    for inline in role.get("RolePolicyList", []):
        found += statements(policy_document(
            inline["PolicyDocument"], f"{source} inline policy {inline.get('PolicyName')}"))
    unknown = []
    for attached in role.get("AttachedManagedPolicies", []):
        policy = policies_by_arn.get(attached["PolicyArn"])
        version = default_version(policy) if policy else None
        if version is None:
            unknown.append(attached.get("PolicyName", attached["PolicyArn"]))
            continue
        found += statements(policy_document(
            version["Document"], f"iam:GetAccountAuthorizationDetails {attached['PolicyArn']} "
                                 f"{version.get('VersionId')}"))
    if unknown:
        problems.append(f"cannot inspect attached AWS managed policies: {', '.join(unknown)}")
        return None
    return found


def trusted_principals(role: Mapping[str, Any]) -> set[str]:
    principals: set[str] = set()
    document = role.get("AssumeRolePolicyDocument")
    if not document:
        return principals
    source = f"iam:GetAccountAuthorizationDetails {role.get('Arn')} trust policy"
    for statement in statements(policy_document(document, source)):
        if statement.get("Effect") != "Allow":
            continue
        principal = statement.get("Principal")
        if principal == "*":
            principals.add("*")
        elif isinstance(principal, Mapping):
            principals.update(_as_list(principal.get("AWS")))
    return principals


def _judge_role(kind: str, role: Mapping[str, Any], policies_by_arn: Mapping[str, Any]) -> Finding:
    allow, deny = ROLE_SPECS[kind]
    problems: list[str] = []
    found = _role_statements(role, policies_by_arn, problems)
    if found is None:
        return Finding.unknown(role["Arn"], "; ".join(problems))
    allows = [s for s in found if s.get("Effect") == "Allow"]
    denies = [s for s in found if s.get("Effect") == "Deny"]
    not_allowed = [a for a in allow if not any(_covers(s, a) for s in allows)]
    not_denied = [a for a in deny if not any(_covers(s, a) for s in denies)]
    without_mfa = [s for s in allows if any(_covers(s, a) for a in allow) and
                   not _requires_mfa(s)]
    if not_allowed:
        problems.append(f"does not allow {_short(not_allowed)}")
    if not_denied:
        problems.append(f"does not deny {_short(not_denied)}")
    if without_mfa:
        problems.append("an Allow statement lacks the aws:MultiFactorAuthPresent condition")
    if not trusted_principals(role):
        problems.append("no principal may assume it")
    ok = not problems
    return Finding.of(role["Arn"], ok, f"IAM {kind.title()} role: " +
                      ("allows and denies the benchmark's actions under MFA" if ok
                       else "; ".join(problems)))


def _short(actions: list[str]) -> str:
    shown = ", ".join(actions[:4])
    return shown + (f" and {len(actions) - 4} more" if len(actions) > 4 else "")


def master_manager_roles(details: Mapping[str, Any], master: str, manager: str,
                         account_arn: str) -> list[Finding]:
    try:
        return _master_manager_roles(details, master, manager, account_arn)
    except MalformedPolicy as exc:
        # A document the roles rest on cannot be read: the split of duties is unknown.
        return [Finding.unknown(account_arn, str(exc))]


def _master_manager_roles(details: Mapping[str, Any], master: str, manager: str,
                          account_arn: str) -> list[Finding]:
    roles = {r["RoleName"]: r for r in details.get("RoleDetailList", [])}
    policies_by_arn = {p["Arn"]: p for p in details.get("Policies", [])}
    findings: list[Finding] = []
    found: dict[str, Mapping[str, Any]] = {}
    for kind, name in (("master", master), ("manager", manager)):
        role = roles.get(name)
        if role is None:
            findings.append(Finding.of(f"{account_arn.rsplit(':', 1)[0]}:role/{name}", False,
                                       f"IAM {kind.title()} role {name} does not exist"))
            continue
        found[kind] = role
        findings.append(_judge_role(kind, role, policies_by_arn))
    if len(found) == 2:
        both = trusted_principals(found["master"]) & trusted_principals(found["manager"])
        anyone = "*" in trusted_principals(found["master"]) | trusted_principals(found["manager"])
        if both or anyone:
            who = ", ".join(sorted(both)) if both else "any principal (*)"
            findings.append(Finding.of(account_arn, False,
                                       f"{who} may assume both {master} and {manager}"))
        else:
            findings.append(Finding.of(account_arn, True,
                                       "no principal may assume both roles"))
    return findings
