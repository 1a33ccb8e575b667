"""Section 1's building blocks: users, MFA, groups, roles, the security contact.

Each takes a client (or the client factory) and only calls the IAM and Account APIs; the dates
and root's state that no API sets are `moto_patches`' job.
"""

from __future__ import annotations

from typing import Any

from .common import Clients, allow, document, trust

PASSWORD = "Correct-Horse-9!"  # meets any password policy the accounts set
MFA_PRESENT = {"Bool": {"aws:MultiFactorAuthPresent": "true"}}


def virtual_mfa(iam: Any, user: str) -> str:
    """A virtual MFA device named after `user`, enabled for them; returns its serial."""
    serial = str(iam.create_virtual_mfa_device(VirtualMFADeviceName=user)["VirtualMFADevice"][
        "SerialNumber"])
    iam.enable_mfa_device(UserName=user, SerialNumber=serial, AuthenticationCode1="123456",
                          AuthenticationCode2="654321")
    return serial


def user_with_console(iam: Any, name: str, *, mfa: bool, path: str = "/",
                      password: str = PASSWORD) -> None:
    """A user who can sign in to the console, with or without a virtual MFA device."""
    iam.create_user(UserName=name, Path=path)
    iam.create_login_profile(UserName=name, Password=password)
    if mfa:
        virtual_mfa(iam, name)


def customer_policy(iam: Any, name: str, *statements: dict[str, Any], path: str = "/") -> str:
    """A customer managed policy; returns its ARN."""
    return str(iam.create_policy(PolicyName=name, Path=path,
                                 PolicyDocument=document(*statements))["Policy"]["Arn"])


def group_with_policy(iam: Any, name: str, policy_arn: str) -> None:
    iam.create_group(GroupName=name)
    iam.attach_group_policy(GroupName=name, PolicyArn=policy_arn)


def duties(allow_actions: tuple[str, ...], deny_actions: tuple[str, ...], *,
           mfa: bool = True) -> str:
    """An IAM master's or manager's policy (1.18): its own IAM actions (with MFA, if `mfa`),
    and the other duty's denied."""
    condition: dict[str, Any] = {"Condition": MFA_PRESENT} if mfa else {}
    return document(allow([f"iam:{a}" for a in allow_actions], **condition),
                    {"Effect": "Deny", "Action": [f"iam:{a}" for a in deny_actions],
                     "Resource": "*"})


def duty_role(iam: Any, name: str, assumed_by: str, allow_actions: tuple[str, ...],
              deny_actions: tuple[str, ...], *, mfa: bool = True) -> None:
    """A role `assumed_by` (an ARN) holding one duty of 1.18 as its inline policy "duties"."""
    iam.create_role(RoleName=name, AssumeRolePolicyDocument=trust(assumed_by))
    iam.put_role_policy(RoleName=name, PolicyName="duties",
                        PolicyDocument=duties(allow_actions, deny_actions, mfa=mfa))


def support_role(iam: Any, name: str, account: str, support_policy_arn: str) -> None:
    """1.22: a role of the account's own principals with AWS's support policy attached."""
    iam.create_role(RoleName=name, AssumeRolePolicyDocument=trust(account))
    iam.attach_role_policy(RoleName=name, PolicyArn=support_policy_arn)


def instance_profile(iam: Any, name: str, trust_document: str) -> None:
    """A role and the instance profile of the same name that carries it."""
    iam.create_role(RoleName=name, AssumeRolePolicyDocument=trust_document)
    iam.create_instance_profile(InstanceProfileName=name)
    iam.add_role_to_instance_profile(InstanceProfileName=name, RoleName=name)


def security_contact(clients: Clients, name: str, title: str, phone: str,
                     email: str = "security@example.com") -> None:
    """1.19's security contact (the Account API's alternate contact)."""
    clients("account").put_alternate_contact(
        AlternateContactType="SECURITY", Name=name, Title=title, EmailAddress=email,
        PhoneNumber=phone)
