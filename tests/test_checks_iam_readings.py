"""End to end, the readings of section 1 that the two accounts of accounts_iam do not reach:
1.21's instance states and its empty population, 1.18's layouts, and the explicit evidence of
an empty population."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from runs import by_resource, run_checks

US = "us-east-1"


def _image(client: Callable[..., Any]) -> str:
    ec2 = client("ec2", US)
    return str(ec2.describe_images(Owners=["amazon"], MaxResults=5)["Images"][0]["ImageId"])


def _instance(client: Callable[..., Any], profile: str | None = None) -> str:
    extra = {"IamInstanceProfile": {"Name": profile}} if profile else {}
    answer = client("ec2", US).run_instances(ImageId=_image(client), MinCount=1, MaxCount=1,
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
