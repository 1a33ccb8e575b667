"""Two IAM account states for end-to-end runs: one that complies with section 1, one that
does not. Each non-compliant state is the smallest change that should fail its check.

Built with the package's shared builders (pytest_cis_aws.demo.seed_iam) and moto recipes
(aws_state, over demo.moto_patches)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from aws_state import (
    ACCOUNT,
    age_user,
    assign_root_virtual_mfa,
    days_ago,
    inject_managed_policy,
    install_root_row,
    root_row,
    set_root_mfa,
)
from pytest_cis_aws.demo.common import allow, document, trust
from pytest_cis_aws.demo.seed_iam import (
    MFA_PRESENT,
    duties,
    duty_role,
    instance_profile,
    security_contact,
    support_role,
    user_with_console,
)
from pytest_cis_aws.rules.iam_roles import MANAGER_ONLY, MASTER_ONLY, READS

MFA = MFA_PRESENT
GOOD_POLICY = {
    "MinimumPasswordLength": 14, "RequireSymbols": True, "RequireNumbers": True,
    "RequireUppercaseCharacters": True, "RequireLowercaseCharacters": True,
    "AllowUsersToChangePassword": True, "MaxPasswordAge": 90, "PasswordReusePrevention": 24,
}
_trust = trust  # other test modules build roles with these
_role_policy = duties


def _instance(client: Any, profile: str | None) -> None:
    ec2 = client("ec2", "us-east-1")
    image = ec2.describe_images(Owners=["amazon"], MaxResults=5)["Images"][0]["ImageId"]
    extra = {"IamInstanceProfile": {"Name": profile}} if profile else {}
    ec2.run_instances(ImageId=image, MinCount=1, MaxCount=1, InstanceType="t3.micro", **extra)


def compliant(client: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    iam = client("iam")
    install_root_row(monkeypatch, root_row(password_last_used=days_ago(40), mfa=True))
    set_root_mfa(True)
    iam.update_account_password_policy(**GOOD_POLICY)

    user_with_console(iam, "alice", mfa=True)
    iam.create_access_key(UserName="alice")
    age_user("alice", created=days_ago(400), password_last_used=days_ago(2),
             keys_created=[days_ago(30)], keys_last_used=[days_ago(1)])
    iam.create_user(UserName="deploy")  # no console: a key is fine
    iam.create_access_key(UserName="deploy")
    age_user("deploy", keys_created=[days_ago(10)], keys_last_used=[days_ago(1)])

    iam.create_group(GroupName="admins")
    iam.add_user_to_group(GroupName="admins", UserName="alice")
    policy = iam.create_policy(PolicyName="ReadStuff", PolicyDocument=json.dumps({
        "Version": "2012-10-17",  # one statement, not in a list: as AWS allows
        "Statement": {"Effect": "Allow", "Action": "s3:Get*", "Resource": "*"}}))
    iam.attach_group_policy(GroupName="admins", PolicyArn=policy["Policy"]["Arn"])

    duty_role(iam, "iam-master", f"arn:aws:iam::{ACCOUNT}:user/alice", MASTER_ONLY + READS,
              MANAGER_ONLY)
    duty_role(iam, "iam-manager", f"arn:aws:iam::{ACCOUNT}:user/deploy", MANAGER_ONLY + READS,
              MASTER_ONLY)

    support_role(iam, "support", ACCOUNT, inject_managed_policy("AWSSupportAccess"))
    security_contact(client, "Security team", "SOC", "+10000000000")
    instance_profile(iam, "web", trust(ACCOUNT))
    _instance(client, "web")


def noncompliant(client: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    iam = client("iam")
    install_root_row(monkeypatch, root_row(password_last_used=days_ago(0.1), key1=True,
                                           key1_last_used=days_ago(3), mfa=True))
    set_root_mfa(True)
    assign_root_virtual_mfa(iam)  # 1.14: root MFA is virtual
    iam.update_account_password_policy(MinimumPasswordLength=8, MaxPasswordAge=365)

    user_with_console(iam, "bob", mfa=False)  # 1.2
    age_user("bob", created=days_ago(200))  # 1.3: password never used, set 200 days ago
    iam.create_access_key(UserName="bob")  # 1.23: console user, key never used
    age_user("bob", keys_created=[days_ago(120)])  # 1.4: not rotated
    iam.put_user_policy(UserName="bob", PolicyName="direct",
                        PolicyDocument=document(allow("ec2:*")))  # 1.16
    iam.create_policy(PolicyName="God", PolicyDocument=json.dumps({  # 1.24
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": ["*"], "Resource": ["*"]}]}))

    iam.create_role(RoleName="iam-master",  # 1.18: no policies, manager missing
                    AssumeRolePolicyDocument=trust(f"arn:aws:iam::{ACCOUNT}:user/bob"))
    _instance(client, None)  # 1.21


# The outcome each check must reach on each account under moto.
EXPECTED = {
    "1.1": ("passed", "failed"),
    "1.2": ("passed", "failed"),
    "1.3": ("passed", "failed"),
    "1.4": ("passed", "failed"),
    **{f"1.{n}": ("passed", "failed") for n in range(5, 12)},
    "1.12": ("passed", "failed"),
    "1.13": ("passed", "passed"),
    "1.14": ("passed", "failed"),
    "1.15": ("skipped", "skipped"),
    "1.16": ("passed", "failed"),
    "1.17": ("error", "error"),  # moto has no Cost and Usage Report API: honest error
    "1.18": ("passed", "failed"),
    "1.19": ("skipped", "skipped"),
    "1.20": ("passed", "failed"),
    "1.21": ("skipped", "failed"),  # every instance has a role: what is on them is manual
    "1.22": ("passed", "failed"),
    "1.23": ("passed", "failed"),
    "1.24": ("passed", "failed"),
}
