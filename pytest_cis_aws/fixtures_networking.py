"""Fixtures for the networking section: per-region inventories, fetched once per run."""

from __future__ import annotations

from typing import Any

import pytest

from .fixtures import regional
from .run import CisRun


@pytest.fixture(scope="session")
def ec2_security_groups(cis_run: CisRun) -> dict[str, Any]:
    """Security groups per selected region: one sweep shared by 4.1, 4.2 and 4.4."""
    from .aws import collect_networking

    return regional(cis_run, "ec2_security_groups", collect_networking.security_groups)


@pytest.fixture(scope="session")
def ec2_prefix_lists(cis_run: CisRun, ec2_security_groups: dict[str, Any]) -> dict[str, Any]:
    """Entries of every prefix list a security group's inbound rule names, per selected region:
    {region: {"value": {prefix list id: {"value": [CIDR]} | {"error": ...}}}}."""
    from .aws import collect_networking

    def fetch(aws: Any, region: str) -> dict[str, Any]:
        groups = ec2_security_groups.get(region, {}).get("value") or []
        return collect_networking.prefix_list_entries(
            aws, region, collect_networking.referenced_prefix_lists(groups))

    return regional(cis_run, "ec2_prefix_lists", fetch)


@pytest.fixture(scope="session")
def ec2_vpcs(cis_run: CisRun) -> dict[str, Any]:
    """VPCs per selected region: one sweep shared by 4.3 and 4.4."""
    from .aws import collect_networking

    return regional(cis_run, "ec2_vpcs", collect_networking.vpcs)


@pytest.fixture(scope="session")
def vpc_flow_logs(cis_run: CisRun, ec2_vpcs: dict[str, Any]) -> dict[str, Any]:
    """VPCs and flow logs per selected region: {region: {"value": {"vpcs", "flow_logs"}}}.

    A region where either read failed carries that read's error.
    """
    from .aws import collect_networking
    from .errors import DataUnavailable

    logs = regional(cis_run, "ec2_flow_logs", collect_networking.flow_logs)
    joined: dict[str, Any] = {}
    for region, found in ec2_vpcs.items():
        unread = DataUnavailable("ec2:DescribeFlowLogs", "not read", region=region)
        parts = (found, logs.get(region, {"error": unread.to_dict()}))
        failed = next((part for part in parts if "value" not in part), None)
        joined[region] = failed if failed is not None else {
            "value": {"vpcs": found["value"], "flow_logs": parts[1]["value"]}}
    return joined


@pytest.fixture(scope="session")
def vpc_peering_routes(cis_run: CisRun) -> dict[str, Any]:
    """Route tables through VPC peering connections, and the peerings, per selected region."""
    from .aws import collect_networking

    return regional(cis_run, "vpc_peering_routes", collect_networking.peering_routes)
