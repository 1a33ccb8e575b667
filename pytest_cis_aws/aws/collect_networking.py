"""Collectors for the networking section (CIS 4.x); each runs once per region on the fan-out pool.

Security groups are swept once per region and shared by 4.1, 4.2 and 4.4.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from functools import partial
from typing import Any

from ..read import Envelope, Read
from .collect_regional import _paginate
from .errors import member, reading
from .session import Aws


def security_groups(aws: Aws, region: str) -> list[dict[str, Any]]:
    return _paginate(aws, "ec2", "describe_security_groups", region, "SecurityGroups",
                     "ec2:DescribeSecurityGroups")


def referenced_prefix_lists(groups: Iterable[Mapping[str, Any]]) -> list[str]:
    """The prefix lists the groups' inbound rules name as a source."""
    return sorted({entry["PrefixListId"] for group in groups
                   for permission in group.get("IpPermissions", [])
                   for entry in permission.get("PrefixListIds", []) if "PrefixListId" in entry})


def prefix_list_entries(aws: Aws, region: str,
                        ids: Iterable[str]) -> dict[str, Envelope]:
    """{prefix list id: Read of its CIDRs, in its wire form}: one list's failure stays its own.

    Only lists a security group names are read: a prefix list may hold 0.0.0.0/0, and then a rule
    from it is open to the world (4.1, 4.2).
    """
    def cidrs(pl_id: str) -> list[str]:
        operation = "ec2:GetManagedPrefixListEntries"
        entries = _paginate(aws, "ec2", "get_managed_prefix_list_entries", region, "Entries",
                            operation, PrefixListId=pl_id)
        with reading(operation, region=region):
            return [str(member(entry, "Cidr")) for entry in entries]

    return {pl_id: Read.attempt(partial(cidrs, pl_id)).to_dict() for pl_id in ids}


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
