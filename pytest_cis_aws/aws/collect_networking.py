"""Collectors for the networking section (CIS 4.x); each runs once per region on the fan-out pool.

Security groups are swept once per region and shared by 4.1, 4.2 and 4.4.
"""

from __future__ import annotations

from typing import Any

from .collect_regional import _paginate
from .session import Aws


def security_groups(aws: Aws, region: str) -> list[dict[str, Any]]:
    return _paginate(aws, "ec2", "describe_security_groups", region, "SecurityGroups",
                     "ec2:DescribeSecurityGroups")


def vpcs(aws: Aws, region: str) -> list[dict[str, Any]]:
    """The region's VPCs: shared by 4.3 (flow logs) and 4.4 (each VPC's default group)."""
    return _paginate(aws, "ec2", "describe_vpcs", region, "Vpcs", "ec2:DescribeVpcs")


def flow_logs(aws: Aws, region: str) -> list[dict[str, Any]]:
    """The region's flow logs (of VPCs, subnets and interfaces alike)."""
    return _paginate(aws, "ec2", "describe_flow_logs", region, "FlowLogs", "ec2:DescribeFlowLogs")


def vpc_flow_logs(aws: Aws, region: str) -> dict[str, list[dict[str, Any]]]:
    """The region's VPCs and its flow logs (of VPCs, subnets and interfaces alike)."""
    return {"vpcs": vpcs(aws, region), "flow_logs": flow_logs(aws, region)}


def peering_routes(aws: Aws, region: str) -> dict[str, list[dict[str, Any]]]:
    """Route tables that route through a VPC peering connection, and the region's peerings."""
    tables = _paginate(aws, "ec2", "describe_route_tables", region, "RouteTables",
                       "ec2:DescribeRouteTables")
    peerings = _paginate(aws, "ec2", "describe_vpc_peering_connections", region,
                         "VpcPeeringConnections", "ec2:DescribeVpcPeeringConnections")
    return {
        # Only the tables 4.5 reads: a region can hold thousands of route tables.
        "route_tables": [t for t in tables
                         if any(r.get("VpcPeeringConnectionId") for r in t.get("Routes", []))],
        "peering_connections": peerings,
    }
