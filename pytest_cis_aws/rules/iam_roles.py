"""1.18: the IAM Master and IAM Manager roles split control over IAM between two people.

The action sets are the benchmark's (its PDF prints some as `iam>Delete...`; they are
`iam:Delete...`). Each role must allow its own set under MFA and deny the other's.

Who may assume each role is judged as IAM decides it, not from the trust policy alone: the
benchmark's own remediation makes both roles trust the account and grants `sts:AssumeRole` on
each through user and group policies. A role's assumers are the users and roles its trust
policy names, plus, when it trusts the account, every user (through its own or its groups'
policies), group and role whose identity policies allow `sts:AssumeRole` on the role's ARN
(wildcards, NotAction and NotResource included; an unconditional Deny removes; a permissions
boundary must allow it too). Conditions on an Allow are assumed met: the answer is who *may*
assume, an upper bound. Each role needs at least one assumer, and no user, group or role may
assume both. Principals outside the account (other accounts, identity providers) cannot be
followed from here: a person checks them (the check ends manual unless something fails).
Service control policies are not visible from the account: they can only narrow this.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from ..finding import Finding
from ..policy import MalformedPolicy, statements
from .iam import default_version, policy_document
from .judgement import Judgement

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


ASSUME = "sts:AssumeRole"
# How identities of an identity provider assume a role (SAML, OIDC; or AssumeRole itself).
FEDERATED_ASSUME = (ASSUME, "sts:AssumeRoleWithSAML", "sts:AssumeRoleWithWebIdentity")


def _as_list(value: Any) -> list[str]:
    if value is None:
        return []
    return [value] if isinstance(value, str) else [str(v) for v in value]


def _covers(statement: Mapping[str, Any], action: str) -> bool:
    return any(_glob(pattern, action, ignore_case=True)
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
        problems.append(f"cannot read its attached policies: {', '.join(unknown)}")
        return None
    return found


def trusted_principals(role: Mapping[str, Any]) -> set[str]:
    """The AWS principals the role's trust policy allows to call sts:AssumeRole."""
    principals: set[str] = set()
    for statement in _trust_statements(role, "Allow"):
        principal = statement.get("Principal")
        if principal == "*":
            principals.add("*")
        elif isinstance(principal, Mapping):
            principals.update(_as_list(principal.get("AWS")))
    return principals


def _trust_statements(role: Mapping[str, Any], effect: str,
                      actions: tuple[str, ...] = (ASSUME,)) -> list[Mapping[str, Any]]:
    document = role.get("AssumeRolePolicyDocument")
    if not document:
        return []  # no trust policy: no one may assume it
    source = f"iam:GetAccountAuthorizationDetails {role.get('Arn')} trust policy"
    return [s for s in statements(policy_document(document, source))
            if s.get("Effect") == effect
            and any(_names(s, "Action", a, ignore_case=True) for a in actions)]


def _judge_role(kind: str, role: Mapping[str, Any], policies_by_arn: Mapping[str, Any],
                assumers: Assumers) -> Finding:
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
    if assumers.anyone:
        problems.append("its trust policy allows any principal (*)")
    elif not assumers.principals and not assumers.outside:
        problems.append("no user, group or role may assume it")
    ok = not problems
    if not ok:
        return Finding.of(role["Arn"], False, f"IAM {kind.title()} role: " + "; ".join(problems))
    if assumers.unknown:
        return Finding.unknown(role["Arn"], f"IAM {kind.title()} role: cannot tell who may "
                                            f"assume it: {'; '.join(assumers.unknown)}")
    return Finding.of(role["Arn"], True, f"IAM {kind.title()} role: allows and denies the "
                                         f"benchmark's actions under MFA; {assumers.describe()}")


def _short(actions: list[str]) -> str:
    shown = ", ".join(actions[:4])
    return shown + (f" and {len(actions) - 4} more" if len(actions) > 4 else "")


# -- who may assume a role ------------------------------------------------------------------------



@dataclass
class Assumers:
    """Who may assume one role, as far as this account's policies tell."""

    principals: dict[str, str] = field(default_factory=dict)  # ARN -> how ("trust policy", ...)
    outside: list[str] = field(default_factory=list)  # other accounts, identity providers
    unknown: list[str] = field(default_factory=list)  # principals whose policies are unreadable
    anyone: bool = False

    def describe(self) -> str:
        named = [f"{_name(arn)} ({how})" for arn, how in sorted(self.principals.items())]
        named += [f"{who} (outside the account)" for who in self.outside]
        return "may be assumed by " + (", ".join(named) if named else "no one")


def _name(arn: str) -> str:
    kind, _, name = arn.partition(":")[2].rpartition(":")[2].partition("/")
    return f"{kind} {name.rsplit('/', 1)[-1]}" if name else arn


def _glob(pattern: str, value: str, *, ignore_case: bool) -> bool:
    """IAM's wildcards: * and ? only (fnmatch would also read [..] as a character class)."""
    regex = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    return re.fullmatch(regex, value, re.IGNORECASE if ignore_case else 0) is not None


def _names(statement: Mapping[str, Any], key: str, value: str, *, ignore_case: bool) -> bool:
    """Whether the statement's Action/Resource (or NotAction/NotResource) takes in `value`."""
    if key in statement:
        return any(_glob(p, value, ignore_case=ignore_case) for p in _as_list(statement[key]))
    if f"Not{key}" in statement:
        return not any(_glob(p, value, ignore_case=ignore_case)
                       for p in _as_list(statement[f"Not{key}"]))
    return False


def _grants(found: Iterable[Mapping[str, Any]], role_arn: str) -> str | None:
    """'allowed' / 'allowed under conditions' / None: may these statements assume the role?"""
    allowed = None
    for statement in found:
        if not (_names(statement, "Action", ASSUME, ignore_case=True)
                and _names(statement, "Resource", role_arn, ignore_case=False)):
            continue
        if statement.get("Effect") == "Deny" and not statement.get("Condition"):
            return None  # an unconditional Deny wins
        if statement.get("Effect") == "Allow" and allowed != "allowed":
            allowed = "allowed under conditions" if statement.get("Condition") else "allowed"
    return allowed


class _Policies:
    """Statements of an entity's inline and attached policies; unreadable ones are noted."""

    def __init__(self, by_arn: Mapping[str, Any]) -> None:
        self.by_arn = by_arn

    def of(self, entity: Mapping[str, Any], inline_key: str) -> tuple[list[Any], list[str]]:
        found: list[Any] = []
        unread: list[str] = []
        for inline in entity.get(inline_key, []):
            found += statements(policy_document(
                inline["PolicyDocument"], f"iam:GetAccountAuthorizationDetails "
                                          f"{entity.get('Arn')} {inline.get('PolicyName')}"))
        for attached in entity.get("AttachedManagedPolicies", []):
            doc = self.document(attached["PolicyArn"])
            if doc is None:
                unread.append(attached.get("PolicyName") or attached["PolicyArn"])
            else:
                found += statements(doc)
        return found, unread

    def document(self, arn: str) -> Mapping[str, Any] | None:
        policy = self.by_arn.get(arn)
        version = default_version(policy) if policy else None
        if version is None:
            return None
        return policy_document(version["Document"], f"iam:GetAccountAuthorizationDetails {arn} "
                                                    f"{version.get('VersionId')}")


def _identity_grant(entity: Mapping[str, Any], own: list[Any], unread: list[str],
                    role_arn: str, policies: _Policies) -> tuple[str | None, list[str]]:
    """(how it may assume the role or None, what could not be read) for one user/group/role."""
    boundary = (entity.get("PermissionsBoundary") or {}).get("PermissionsBoundaryArn")
    how = _grants(own, role_arn)
    if how and boundary:
        doc = policies.document(boundary)
        if doc is None:
            unread.append(f"permissions boundary {boundary.rsplit('/', 1)[-1]}")
        elif _grants(statements(doc), role_arn) is None:
            how = None
    return how, unread


def assumers(role: Mapping[str, Any], details: Mapping[str, Any],
             policies_by_arn: Mapping[str, Any], account: str, partition: str = "aws"
             ) -> Assumers:
    """Who may assume `role`: see the module's docstring."""
    found = Assumers()
    policies = _Policies(policies_by_arn)
    role_arn = role["Arn"]
    root = {account, f"arn:{partition}:iam::{account}:root"}
    trusted = trusted_principals(role)
    denied = {p for s in _trust_statements(role, "Deny") if not s.get("Condition")
              for p in _as_list((s.get("Principal") or {}).get("AWS")
                                if isinstance(s.get("Principal"), Mapping) else None)}
    found.anyone = "*" in trusted
    for statement in _trust_statements(role, "Allow", FEDERATED_ASSUME):
        principal = statement.get("Principal")
        if isinstance(principal, Mapping) and principal.get("Federated"):
            found.outside += [f"identity provider {p}" for p in _as_list(principal["Federated"])]
    users = {u["Arn"]: u for u in details.get("UserDetailList", [])}
    roles = {r["Arn"]: r for r in details.get("RoleDetailList", [])}
    groups = {g["GroupName"]: g for g in details.get("GroupDetailList", [])}
    for principal in sorted(trusted - {"*"} - root - denied):
        if principal in users or principal in roles:
            found.principals[principal] = "named in its trust policy"
        elif principal.startswith(f"arn:{partition}:iam::{account}:"):
            continue  # a principal of this account that no longer exists: it assumes nothing
        elif re.fullmatch(r"[A-Z0-9]{21}", principal):
            continue  # a deleted principal, as IAM rewrites it in the trust policy
        else:
            found.outside.append(principal)
    if not trusted & root:
        return found
    # Trusting the account delegates the decision to the identity policies of its principals.
    group_grants: dict[str, str] = {}
    for name, group in groups.items():
        own, unread = policies.of(group, "GroupPolicyList")
        how, unread = _identity_grant(group, own, unread, role_arn, policies)
        if how:
            group_grants[name] = how
            found.principals[group["Arn"]] = how
        elif unread:
            found.unknown.append(f"group {name}: cannot read {', '.join(unread)}")
    for arn, user in users.items():
        own, unread = policies.of(user, "UserPolicyList")
        for name in user.get("GroupList", []):
            group_own, group_unread = policies.of(groups.get(name, {}), "GroupPolicyList")
            own += group_own
            unread += group_unread
        how, unread = _identity_grant(user, own, unread, role_arn, policies)
        through = [g for g in user.get("GroupList", []) if g in group_grants]
        if how:
            found.principals.setdefault(arn, how + (f" through group {', '.join(through)}"
                                                    if through else ""))
        elif unread:
            found.unknown.append(f"user {user.get('UserName')}: cannot read {', '.join(unread)}")
    for arn, other in roles.items():
        if arn == role_arn:
            continue
        own, unread = policies.of(other, "RolePolicyList")
        how, unread = _identity_grant(other, own, unread, role_arn, policies)
        if how:
            found.principals.setdefault(arn, how)
        elif unread:
            found.unknown.append(f"role {other.get('RoleName')}: cannot read {', '.join(unread)}")
    return found


# No API says which roles are the benchmark's Master and Manager: the user names them.
UNNAMED = ("name the roles to check with the ini options cis_iam_master_role and "
           "cis_iam_manager_role")


def master_manager_roles(details: Mapping[str, Any], master: str | None, manager: str | None,
                         account_arn: str) -> Judgement:
    """Each role's permissions and assumers; who may assume both (see the module docstring).

    `details` is GetAccountAuthorizationDetails' answer, AWS managed policies (which may grant
    sts:AssumeRole: AdministratorAccess, PowerUserAccess...) under "AWSManagedPolicies". Until
    both roles are named (cis_iam_master_role, cis_iam_manager_role) there is nothing to judge:
    a person must name them.
    """
    if not (master and manager):
        return Judgement([], UNNAMED)
    try:
        return _master_manager_roles(details, master, manager, account_arn)
    except MalformedPolicy as exc:
        # A document the roles rest on cannot be read: the split of duties is unknown.
        return Judgement([Finding.unknown(account_arn, str(exc))])


def _master_manager_roles(details: Mapping[str, Any], master: str, manager: str,
                          account_arn: str) -> Judgement:
    account = account_arn.split(":")[4]
    partition = account_arn.split(":")[1]
    roles = {r["RoleName"]: r for r in details.get("RoleDetailList", [])}
    policies_by_arn = {p["Arn"]: p for p in [*details.get("AWSManagedPolicies", []),
                                             *details.get("Policies", [])]}
    findings: list[Finding] = []
    who: dict[str, Assumers] = {}
    for kind, name in (("master", master), ("manager", manager)):
        role = roles.get(name)
        if role is None:
            findings.append(Finding.of(f"{account_arn.rsplit(':', 1)[0]}:role/{name}", False,
                                       f"IAM {kind.title()} role {name} does not exist"))
            continue
        try:
            who[kind] = assumers(role, details, policies_by_arn, account, partition)
            findings.append(_judge_role(kind, role, policies_by_arn, who[kind]))
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            # A document of a shape IAM does not write: no verdict stands on it.
            who.pop(kind, None)
            findings.append(Finding.unknown(role["Arn"], f"unreadable policy ({exc})"))
    if len(who) < 2:
        return Judgement(findings)
    findings += _both(who["master"], who["manager"], master, manager, account_arn)
    outside = sorted(set(who["master"].outside) | set(who["manager"].outside))
    review = (f"{master} and {manager} also trust principals outside this account "
              f"({', '.join(outside)}): check there that no one may assume both") if outside \
        else None
    return Judgement(findings, review)


def _both(master: Assumers, manager: Assumers, master_name: str, manager_name: str,
          account_arn: str) -> list[Finding]:
    """No user, group or role may assume both roles (the benchmark's two-person rule)."""
    both = sorted(set(master.principals) & set(manager.principals))
    findings = [Finding.of(arn, False, f"may assume both {master_name} "
                                       f"({master.principals[arn]}) and {manager_name} "
                                       f"({manager.principals[arn]})") for arn in both]
    if master.anyone or manager.anyone:
        open_to_all = master_name if master.anyone else manager_name
        findings.append(Finding.of(account_arn, False, "a trust policy allows any principal "
                                                       f"(*): anyone may assume {open_to_all}"))
    if findings:
        return findings
    if master.unknown or manager.unknown:
        return [Finding.unknown(account_arn, "cannot tell who may assume both roles: "
                                + "; ".join(master.unknown + manager.unknown))]
    return [Finding.of(account_arn, True, f"no user, group or role of the account may assume "
                                          f"both {master_name} and {manager_name}")]
