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
def vpc_flow_logs(cis_run: CisRun) -> dict[str, Any]:
    """VPCs and flow logs per selected region: {region: {"value": {"vpcs", "flow_logs"}}}."""
    from .aws import collect_networking

    return regional(cis_run, "vpc_flow_logs", collect_networking.vpc_flow_logs)


@pytest.fixture(scope="session")
def vpc_peering_routes(cis_run: CisRun) -> dict[str, Any]:
    """Route tables through VPC peering connections, and the peerings, per selected region."""
    from .aws import collect_networking

    return regional(cis_run, "vpc_peering_routes", collect_networking.peering_routes)
