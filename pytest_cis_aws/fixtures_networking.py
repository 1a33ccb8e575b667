"""Fixtures for the networking section: per-region inventories, fetched once per run."""

from __future__ import annotations

from typing import Any

import pytest

from .fixtures import regional
from .read import Envelope, Read
from .run import CisRun


@pytest.fixture(scope="session")
def ec2_security_groups(cis_run: CisRun) -> dict[str, Envelope]:
    """Security groups per selected region: one sweep shared by 4.1, 4.2 and 4.4."""
    from .aws import collect_networking

    return regional(cis_run, "ec2_security_groups", collect_networking.security_groups)


@pytest.fixture(scope="session")
def ec2_prefix_lists(cis_run: CisRun,
                     ec2_security_groups: dict[str, Envelope]) -> dict[str, Envelope]:
    """Entries of every prefix list a security group's inbound rule names, per selected region:
    {region: Read of {prefix list id: Read of its CIDRs}}, each in its wire form."""
    from .aws import collect_networking

    def fetch(aws: Any, region: str) -> dict[str, Envelope]:
        read = Read.from_dict(ec2_security_groups.get(region, {}))
        groups = read.value or []
        return collect_networking.prefix_list_entries(
            aws, region, collect_networking.referenced_prefix_lists(groups))

    return regional(cis_run, "ec2_prefix_lists", fetch)


@pytest.fixture(scope="session")
def ec2_vpcs(cis_run: CisRun) -> dict[str, Envelope]:
    """VPCs per selected region: one sweep shared by 4.3 and 4.4."""
    from .aws import collect_networking

    return regional(cis_run, "ec2_vpcs", collect_networking.vpcs)


@pytest.fixture(scope="session")
def vpc_flow_logs(cis_run: CisRun, ec2_vpcs: dict[str, Envelope]) -> dict[str, Envelope]:
    """VPCs and flow logs per selected region: {region: Read of {"vpcs", "flow_logs"}}.

    A region where either read failed carries that read's error.
    """
    from .aws import collect_networking
    from .errors import DataUnavailable

    logs = regional(cis_run, "ec2_flow_logs", collect_networking.flow_logs)
    joined: dict[str, Envelope] = {}
    for region, found in ec2_vpcs.items():
        unread = Read[Any](error=DataUnavailable("ec2:DescribeFlowLogs", "not read",
                                                 region=region))
        vpcs = Read.from_dict(found)
        flow_logs = Read.from_dict(logs[region]) if region in logs else unread
        failed = next((read for read in (vpcs, flow_logs) if not read.ok), None)
        joined[region] = (failed or Read({"vpcs": vpcs.value, "flow_logs": flow_logs.value})
                          ).to_dict()
    return joined


@pytest.fixture(scope="session")
def vpc_peering_routes(cis_run: CisRun) -> dict[str, Envelope]:
    """Route tables through VPC peering connections, and the peerings, per selected region."""
    from .aws import collect_networking

    return regional(cis_run, "vpc_peering_routes", collect_networking.peering_routes)
