"""ORG-2: nothing but HTTPS is open to the whole internet, in any audited region."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any

import pytest
from botocore.exceptions import BotoCoreError, ClientError

from pytest_cis_aws import AwsClientFactory, Finding, assert_compliant

WORLD = ("0.0.0.0/0", "::/0")


def describe(rule: Mapping[str, Any]) -> str:
    """E.g. "tcp 22", "udp 1000-2000", "all traffic"."""
    protocol, low, high = rule.get("IpProtocol"), rule.get("FromPort"), rule.get("ToPort")
    if protocol == "-1":
        return "all traffic"
    return f"{protocol} {low}" if low == high else f"{protocol} {low}-{high}"


def world_open_rules(group: Mapping[str, Any], allowed_ports: Collection[int]) -> list[str]:
    """The inbound rules of a group that open anything but an allowed TCP port to everyone."""
    found = []
    for rule in group.get("IpPermissions", []):
        peers = [r.get("CidrIp") for r in rule.get("IpRanges", [])]
        peers += [r.get("CidrIpv6") for r in rule.get("Ipv6Ranges", [])]
        allowed = rule.get("IpProtocol") == "tcp" and rule.get("FromPort") == rule.get("ToPort") \
            and rule.get("FromPort") in allowed_ports
        if not allowed:
            found += [f"{describe(rule)} from {peer}" for peer in peers if peer in WORLD]
    return found


@pytest.mark.cis(id="ORG-2", level=1, section="networking",
                 title="Only HTTPS is open to the world")
def test_only_https_is_open_to_the_world(aws_client: AwsClientFactory,
                                         cis_regions: tuple[str, ...],
                                         org_settings: dict[str, Any]) -> None:
    findings: list[Finding] = []
    for region in cis_regions:
        try:
            paginator = aws_client("ec2", region).get_paginator("describe_security_groups")
            groups = [g for page in paginator.paginate() for g in page["SecurityGroups"]]
        except (BotoCoreError, ClientError) as exc:  # this region is unknown, not compliant
            findings.append(Finding.unknown(f"region {region}", f"could not read: {exc}", region))
            continue
        for group in groups:
            arn = f"arn:aws:ec2:{region}:{group['OwnerId']}:security-group/{group['GroupId']}"
            rules = world_open_rules(group, org_settings["world_open_ports"])
            findings.append(Finding.of(
                arn, not rules, f"{group['GroupName']}: " + (
                    "open to the world: " + ", ".join(rules) if rules
                    else "nothing but allowed ports open to the world"), region))
    assert_compliant(findings, empty="no security groups in the audited regions")
