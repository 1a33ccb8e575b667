"""Section 4's building blocks: VPCs, security groups and their rules, flow logs, peerings.

Each takes an EC2 client of one region and only calls the EC2 API.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

WORLD4 = [{"CidrIp": "0.0.0.0/0"}]
WORLD6 = [{"CidrIpv6": "::/0"}]


def tcp(low: int, high: int | None = None, *, ipv4: Sequence[dict[str, str]] = (),
        ipv6: Sequence[dict[str, str]] = ()) -> dict[str, Any]:
    """An ingress rule for TCP ports `low`-`high` (one port without `high`) from `ipv4` and
    `ipv6` ranges."""
    return {"IpProtocol": "tcp", "FromPort": low, "ToPort": low if high is None else high,
            "IpRanges": list(ipv4), "Ipv6Ranges": list(ipv6)}


def vpc(ec2: Any, cidr: str, name: str | None = None) -> str:
    """A VPC (tagged Name=`name`, if given); returns its id."""
    tags = {} if name is None else {"TagSpecifications": [{
        "ResourceType": "vpc", "Tags": [{"Key": "Name", "Value": name}]}]}
    return str(ec2.create_vpc(CidrBlock=cidr, **tags)["Vpc"]["VpcId"])


def default_vpc(ec2: Any) -> str:
    return str(ec2.describe_vpcs(Filters=[{"Name": "is-default", "Values": ["true"]}])["Vpcs"][0][
        "VpcId"])


def security_group(ec2: Any, vpc_id: str, name: str, *rules: dict[str, Any],
                   description: str | None = None) -> str:
    """A security group allowing `rules` in (its description: its name unless given)."""
    group_id = str(ec2.create_security_group(GroupName=name, Description=description or name,
                                             VpcId=vpc_id)["GroupId"])
    ec2.authorize_security_group_ingress(GroupId=group_id, IpPermissions=list(rules))
    return group_id


def close_default_groups(ec2: Any) -> None:
    """Revoke every rule, in and out, of every default security group of the region."""
    for found in ec2.describe_security_groups(Filters=[
            {"Name": "group-name", "Values": ["default"]}])["SecurityGroups"]:
        if found["IpPermissionsEgress"]:
            ec2.revoke_security_group_egress(GroupId=found["GroupId"],
                                             IpPermissions=found["IpPermissionsEgress"])
        if found["IpPermissions"]:
            ec2.revoke_security_group_ingress(GroupId=found["GroupId"],
                                              IpPermissions=found["IpPermissions"])


def flow_logs_to_bucket(ec2: Any, vpc_ids: list[str], bucket: str,
                        traffic: str = "ALL") -> dict[str, Any]:
    """Flow logs of `vpc_ids` delivered to an S3 bucket; CreateFlowLogs' answer."""
    return dict(ec2.create_flow_logs(ResourceIds=vpc_ids, ResourceType="VPC", TrafficType=traffic,
                                     LogDestinationType="s3",
                                     LogDestination=f"arn:aws:s3:::{bucket}"))


def flow_logs_to_log_group(ec2: Any, vpc_ids: list[str], log_group: str, role_arn: str,
                           traffic: str = "ALL") -> dict[str, Any]:
    """Flow logs of `vpc_ids` delivered to a CloudWatch Logs group; CreateFlowLogs' answer."""
    return dict(ec2.create_flow_logs(ResourceIds=vpc_ids, ResourceType="VPC", TrafficType=traffic,
                                     LogDestinationType="cloud-watch-logs",
                                     LogGroupName=log_group, DeliverLogsPermissionArn=role_arn))


def peer(ec2: Any, requester: str, accepter: str, route_to: str) -> str:
    """Peer two VPCs and route the requester's main table to `route_to` through the peering;
    returns the peering's id."""
    pcx = str(ec2.create_vpc_peering_connection(VpcId=requester, PeerVpcId=accepter)[
        "VpcPeeringConnection"]["VpcPeeringConnectionId"])
    ec2.accept_vpc_peering_connection(VpcPeeringConnectionId=pcx)
    table = ec2.describe_route_tables(Filters=[{"Name": "vpc-id", "Values": [requester]}])[
        "RouteTables"][0]["RouteTableId"]
    ec2.create_route(RouteTableId=table, DestinationCidrBlock=route_to,
                     VpcPeeringConnectionId=pcx)
    return pcx
