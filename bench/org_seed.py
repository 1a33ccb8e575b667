"""A synthetic AWS Organization for the benchmark: N member accounts, each with a little state.

The management account (the fake credentials' 123456789012) creates the organization and its
accounts, then assumes `OrganizationAccountAccessRole` in each member, as the audit will, and
writes that member's state with the temporary credentials (moto keeps each account apart).
Compliance varies with the member's index, so the accounts reach different results:

* IAM: 2-5 users; even ones have a console password, with MFA in even-numbered accounts; the
  second has an access key; every third account attaches an inline policy to a user. A strong
  password policy in accounts 1, 4, 7, ..., a weak one in 2, 5, 8, ..., none in the others.
* A customer KMS key in us-east-1, rotated except in every fourth account.
* A multi-region trail (own bucket, log file validation) in every fourth account.
* In each audited region: a VPC with a security group, SSH open to the world in every fifth
  account; flow logs on the VPC in odd-numbered accounts.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from seed import Clients, complete_credential_report, parallel

from pytest_cis_aws.demo.common import bucket
from pytest_cis_aws.demo.seed_iam import user_with_console
from pytest_cis_aws.demo.seed_logging import trail
from pytest_cis_aws.demo.seed_networking import flow_logs_to_log_group, security_group, tcp, vpc

MANAGEMENT = "123456789012"
ROLE = "OrganizationAccountAccessRole"
ORG_REGIONS = ("us-east-1", "eu-west-1")
STRONG_POLICY = {"MinimumPasswordLength": 14, "RequireSymbols": True, "RequireNumbers": True,
                 "RequireUppercaseCharacters": True, "RequireLowercaseCharacters": True,
                 "MaxPasswordAge": 90, "PasswordReusePrevention": 24}
WEAK_POLICY = {"MinimumPasswordLength": 8, "RequireNumbers": True}


@dataclass(frozen=True)
class Member:
    """One member account and what its index decides about it."""

    index: int
    account: str

    @property
    def users(self) -> int:
        return 2 + self.index % 4

    @property
    def password_policy(self) -> dict[str, Any] | None:
        return (None, STRONG_POLICY, WEAK_POLICY)[self.index % 3]

    @property
    def mfa(self) -> bool:
        return self.index % 2 == 0

    @property
    def user_policy(self) -> bool:
        return self.index % 3 == 0

    @property
    def rotated_key(self) -> bool:
        return self.index % 4 != 3

    @property
    def trail(self) -> bool:
        return self.index % 4 == 0

    @property
    def open_ssh(self) -> bool:
        return self.index % 5 == 0

    @property
    def flow_logs(self) -> bool:
        return self.index % 2 == 1


def create_organization(management: Clients, accounts: int) -> list[Member]:
    """The organization and its member accounts, in creation order."""
    org = management("organizations")
    org.create_organization(FeatureSet="ALL")
    members = []
    for index in range(accounts):
        status = org.create_account(Email=f"member-{index:03d}@example.com",
                                    AccountName=f"member-{index:03d}")["CreateAccountStatus"]
        if status["State"] != "SUCCEEDED":
            raise RuntimeError(f"moto did not create account {index}: {status}")
        members.append(Member(index, status["AccountId"]))
    return members


def member_clients(management: Clients, account: str) -> Clients:
    """Clients in `account`, through the organization role (as the audit gets there)."""
    creds = management("sts").assume_role(RoleArn=f"arn:aws:iam::{account}:role/{ROLE}",
                                          RoleSessionName="bench-seed")["Credentials"]
    return Clients(management.endpoint_url, {
        "aws_access_key_id": creds["AccessKeyId"],
        "aws_secret_access_key": creds["SecretAccessKey"],
        "aws_session_token": creds["SessionToken"]})


def _document(action: str) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": action, "Resource": "*"}]})


def _user(iam: Any, member: Member, number: int) -> None:
    name = f"member-user-{number}"
    if number % 2 == 0:
        user_with_console(iam, name, mfa=member.mfa)
    else:
        iam.create_user(UserName=name)
    if number == 1:
        iam.create_access_key(UserName=name)
    if number == 0 and member.user_policy:
        iam.put_user_policy(UserName=name, PolicyName="direct", PolicyDocument=_document("s3:*"))


def seed_iam(clients: Clients, member: Member) -> None:
    iam = clients("iam")
    for number in range(member.users):
        _user(iam, member, number)
    if member.password_policy is not None:
        iam.update_account_password_policy(**member.password_policy)


def seed_kms(clients: Clients, member: Member) -> None:
    kms = clients("kms")
    key = kms.create_key(Description="member key")["KeyMetadata"]["KeyId"]
    if member.rotated_key:
        kms.enable_key_rotation(KeyId=key)


def seed_trail(clients: Clients, member: Member) -> None:
    if not member.trail:
        return
    logs = f"trail-logs-{member.account}"
    bucket(clients, logs, "us-east-1")
    trail(clients, "us-east-1", "org-member-trail", logs, IsMultiRegionTrail=True,
          EnableLogFileValidation=True, IncludeGlobalServiceEvents=True)


def seed_network(clients: Clients, member: Member, region: str) -> None:
    ec2 = clients("ec2", region)
    vpc_id = vpc(ec2, "10.1.0.0/16")
    security_group(ec2, vpc_id, "admin", tcp(22, ipv4=[
        {"CidrIp": "0.0.0.0/0" if member.open_ssh else "10.0.0.0/8"}]))
    if member.flow_logs:
        clients("logs", region).create_log_group(logGroupName="flow-logs")
        flow_logs_to_log_group(ec2, [vpc_id], "flow-logs",
                               f"arn:aws:iam::{member.account}:role/flow-logs")


def seed_member(management: Clients, member: Member) -> None:
    clients = member_clients(management, member.account)
    seed_iam(clients, member)
    seed_kms(clients, member)
    seed_trail(clients, member)
    for region in ORG_REGIONS:
        seed_network(clients, member, region)
    complete_credential_report(clients)


def seed_organization(management: Clients, accounts: int,
                      progress: Callable[[str], None] = lambda _: None) -> list[Member]:
    members = create_organization(management, accounts)
    progress(f"  organization of {len(members)} accounts created")
    parallel(members, lambda member: seed_member(management, member))
    return members
