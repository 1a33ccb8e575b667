"""End to end, the readings of section 1 that the two accounts of accounts_iam do not reach:
1.21's instance states and its empty population, 1.18's layouts, and the explicit evidence of
an empty population."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

import accounts_iam
from aws_state import ACCOUNT, install_root_row, root_row
from pytest_cis_aws.rules.iam_roles import MANAGER_ONLY, MASTER_ONLY, READS
from runs import by_resource, run_checks

US = "us-east-1"


# One of moto's built-in images: naming it saves listing them (seconds per test).
IMAGE = "ami-12c6146b"


def _instance(client: Callable[..., Any], profile: str | None = None) -> str:
    extra = {"IamInstanceProfile": {"Name": profile}} if profile else {}
    answer = client("ec2", US).run_instances(ImageId=IMAGE, MinCount=1, MaxCount=1,
                                             InstanceType="t3.micro", **extra)
    return str(answer["Instances"][0]["InstanceId"])


def _profile(client: Callable[..., Any], name: str, role: str | None) -> None:
    iam = client("iam")
    iam.create_instance_profile(InstanceProfileName=name)
    if role:
        iam.create_role(RoleName=role, AssumeRolePolicyDocument='{"Version": "2012-10-17", '
                        '"Statement": [{"Effect": "Allow", "Principal": {"Service": '
                        '"ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}]}')
        iam.add_role_to_instance_profile(InstanceProfileName=name, RoleName=role)


def test_1_21_every_instance_with_a_role_is_manual_terminated_ones_do_not_count(
        pytester: pytest.Pytester, setup_client: Callable[..., Any]) -> None:
    _profile(setup_client, "web", "web-role")
    with_role = _instance(setup_client, "web")
    gone = _instance(setup_client)  # no role, but terminated: not an instance any more
    setup_client("ec2", US).terminate_instances(InstanceIds=[gone])
    run = run_checks(pytester, "--cis-id=1.21", f"--cis-regions={US},eu-west-1")
    assert run.outcomes == {"1.21": "skipped"}, run.result.stdout.str()
    assert run.skips["1.21"].startswith("manual: every EC2 instance has an IAM role (1 instance")
    found = by_resource(run.findings["1.21"])
    assert list(found) == [f"arn:aws:ec2:{US}:123456789012:instance/{with_role}"]
    assert found[next(iter(found))] == (True, "role web-role (instance profile web; running)")


def test_1_21_a_stopped_instance_without_a_role_fails_so_does_an_empty_profile(
        pytester: pytest.Pytester, setup_client: Callable[..., Any]) -> None:
    _profile(setup_client, "empty", None)
    stopped = _instance(setup_client)
    setup_client("ec2", US).stop_instances(InstanceIds=[stopped])
    empty = _instance(setup_client, "empty")
    run = run_checks(pytester, "--cis-id=1.21", f"--cis-regions={US}")
    assert run.outcomes == {"1.21": "failed"}, run.result.stdout.str()
    found = by_resource(run.findings["1.21"])
    arn = f"arn:aws:ec2:{US}:123456789012:instance/"
    assert found[arn + stopped] == (False, "no instance profile, so no IAM role (stopped)")
    assert found[arn + empty] == (False, "instance profile empty holds no IAM role (running)")


def test_1_21_no_instance_in_any_audited_region_passes_and_says_so(
        pytester: pytest.Pytester, setup_client: Callable[..., Any]) -> None:
    setup_client("iam").create_user(UserName="ops")
    run = run_checks(pytester, "--cis-id=1.21", f"--cis-regions={US},eu-west-1")
    assert run.outcomes == {"1.21": "passed"}, run.result.stdout.str()
    assert by_resource(run.findings["1.21"]) == {"EC2 instances": (
        True, f"no EC2 instances in the audited regions (eu-west-1, {US})")}


# -- 1.18 ---------------------------------------------------------------------------------------

INI_1_18 = """
[pytest]
cis_iam_master_role = iam-master
cis_iam_manager_role = iam-manager
"""


def _benchmark_layout(client: Callable[..., Any], *, alice_in: tuple[str, ...]) -> None:
    """The benchmark's remediation: both roles trust the account; groups say who may assume."""
    iam = client("iam")
    for role, allow, deny in (("iam-master", MASTER_ONLY + READS, MANAGER_ONLY),
                              ("iam-manager", MANAGER_ONLY + READS, MASTER_ONLY)):
        iam.create_role(RoleName=role, AssumeRolePolicyDocument=accounts_iam._trust(ACCOUNT))
        iam.put_role_policy(RoleName=role, PolicyName="duties",
                            PolicyDocument=accounts_iam._role_policy(allow, deny))
        group = role.replace("iam-", "") + "s"
        iam.create_group(GroupName=group)
        iam.put_group_policy(GroupName=group, PolicyName="assume", PolicyDocument=json.dumps({
            "Version": "2012-10-17", "Statement": {
                "Effect": "Allow", "Action": "sts:AssumeRole",
                "Resource": f"arn:aws:iam::{ACCOUNT}:role/{role}"}}))
    for name, groups in (("alice", alice_in), ("bob", ("managers",))):
        iam.create_user(UserName=name)
        for group in groups:
            iam.add_user_to_group(GroupName=group, UserName=name)


def test_1_18_the_benchmarks_own_layout_passes(
        pytester: pytest.Pytester, setup_client: Callable[..., Any]) -> None:
    _benchmark_layout(setup_client, alice_in=("masters",))
    pytester.makeini(INI_1_18)
    run = run_checks(pytester, "--cis-id=1.18", f"--cis-regions={US}")
    assert run.outcomes == {"1.18": "passed"}, run.result.stdout.str()
    found = by_resource(run.findings["1.18"])
    assert "may be assumed by group masters (allowed), user alice (allowed through group " \
           "masters)" in found["arn:aws:iam::123456789012:role/iam-master"][1]


def test_1_18_a_user_who_may_assume_both_fails(
        pytester: pytest.Pytester, setup_client: Callable[..., Any]) -> None:
    _benchmark_layout(setup_client, alice_in=("masters", "managers"))
    pytester.makeini(INI_1_18)
    run = run_checks(pytester, "--cis-id=1.18", f"--cis-regions={US}")
    assert run.outcomes == {"1.18": "failed"}, run.result.stdout.str()
    failing = {r for r, (ok, _) in by_resource(run.findings["1.18"]).items() if ok is False}
    assert failing == {"arn:aws:iam::123456789012:user/alice"}


# -- empty populations ----------------------------------------------------------------------------


def test_an_account_without_iam_users_passes_saying_so(
        pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch,
        setup_client: Callable[..., Any]) -> None:
    install_root_row(monkeypatch, root_row())
    setup_client("iam").create_role(RoleName="only-a-role",
                                    AssumeRolePolicyDocument=accounts_iam._trust(ACCOUNT))
    run = run_checks(pytester, "--cis-id=1.2,1.3,1.4,1.16,1.23,1.24", f"--cis-regions={US}")
    assert run.outcomes == dict.fromkeys(("1.2", "1.3", "1.4", "1.16", "1.23", "1.24"),
                                         "passed"), \
        run.result.stdout.str()
    assert {rec: [(f["resource"], f["reason"]) for f in found]
            for rec, found in run.findings.items()} == {
        "1.2": [("IAM users", "no console users: no IAM user has a console password")],
        "1.3": [("IAM users", "no IAM user has a console password or an active access key")],
        "1.4": [("IAM users", "no IAM user has an active access key")],
        "1.16": [("IAM users", "no IAM users")],
        "1.23": [("IAM users", "no console user has an access key")],
        "1.24": [("customer managed policies", "no customer managed policies")],
    }
