"""Two networking account states, in us-east-1 and eu-west-1, for end-to-end runs: one that
complies with section 4, one that does not. moto gives every region a default VPC whose default
security group allows all outbound traffic (and, unlike AWS, no inbound rule: G14). The building
blocks are the package's shared ones (pytest_cis_aws.demo.seed_networking)."""

from __future__ import annotations

from typing import Any

from pytest_cis_aws.demo.seed_networking import (
    WORLD4,
    WORLD6,
    close_default_groups,
    flow_logs_to_bucket,
    peer,
    security_group,
    vpc,
)
from pytest_cis_aws.demo.seed_networking import tcp as tcp_from

US, EU = "us-east-1", "eu-west-1"
FLOW_BUCKET = "cis-flow-logs"


def tcp(low: int, high: int, *, v4: bool = True, v6: bool = False) -> dict[str, Any]:
    """TCP ports `low`-`high` open to the world, over IPv4 and/or IPv6."""
    return tcp_from(low, high, ipv4=WORLD4 if v4 else (), ipv6=WORLD6 if v6 else ())


def group(ec2: Any, vpc_id: str, name: str, *rules: dict[str, Any]) -> str:
    return security_group(ec2, vpc_id, name, *rules)


def default_group(ec2: Any, vpc_id: str) -> dict[str, Any]:
    return dict(ec2.describe_security_groups(Filters=[
        {"Name": "vpc-id", "Values": [vpc_id]},
        {"Name": "group-name", "Values": ["default"]}])["SecurityGroups"][0])


def flow_log(ec2: Any, vpc_id: str, traffic: str = "REJECT") -> str:
    answer = flow_logs_to_bucket(ec2, [vpc_id], FLOW_BUCKET, traffic)
    assert not answer["Unsuccessful"], answer
    return str(answer["FlowLogIds"][0])


def delete_default_vpc(ec2: Any) -> None:
    """Leave the region without any VPC (and so without any security group)."""
    for found in ec2.describe_vpcs(Filters=[{"Name": "is-default", "Values": ["true"]}])["Vpcs"]:
        subnets = ec2.describe_subnets(Filters=[{"Name": "vpc-id", "Values": [found["VpcId"]]}])
        for subnet in subnets["Subnets"]:
            ec2.delete_subnet(SubnetId=subnet["SubnetId"])
        ec2.delete_vpc(VpcId=found["VpcId"])


def prefix_list(ec2: Any, name: str, *cidrs: str) -> str:
    return str(ec2.create_managed_prefix_list(
        PrefixListName=name, MaxEntries=5, AddressFamily="IPv4",
        Entries=[{"Cidr": cidr} for cidr in cidrs])["PrefixList"]["PrefixListId"])


def from_list(port: int, pl_id: str) -> dict[str, Any]:
    return {"IpProtocol": "tcp", "FromPort": port, "ToPort": port,
            "PrefixListIds": [{"PrefixListId": pl_id}]}


def office(ec2: Any) -> list[dict[str, Any]]:
    """SSH and RDP from a prefix list of office addresses: not the world (its entries say so)."""
    pl_id = prefix_list(ec2, "office", "203.0.113.0/24")
    return [from_list(22, pl_id), from_list(3389, pl_id)]


def bastion(ec2: Any, vpc_id: str) -> str:
    return group(ec2, vpc_id, "bastion",
                 {"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "IpRanges": WORLD4})


def compliant(client: Any) -> None:
    client("s3", US).create_bucket(Bucket=FLOW_BUCKET)
    us, eu = client("ec2", US), client("ec2", EU)
    delete_default_vpc(eu)  # a region with no VPC at all
    app, other = vpc(us, "10.0.0.0/16"), vpc(us, "10.1.0.0/16")
    group(us, app, "web",
          tcp(443, 443, v6=True),  # the world may reach HTTPS, over IPv4 and IPv6
          tcp(0, 21), tcp(23, 3388), tcp(3390, 65535),  # ranges that stop just short
          {"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22,
           "IpRanges": [{"CidrIp": "10.0.0.0/8"}]},  # SSH from inside only
          {"IpProtocol": "icmp", "FromPort": -1, "ToPort": -1, "IpRanges": WORLD4},  # no ports
          {"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22,
           "UserIdGroupPairs": [{"GroupId": bastion(us, app)}]},  # SSH from a group's members
          *office(us))  # SSH and RDP from the office's addresses
    peer(us, app, other, "10.1.1.0/24")  # one subnet of the peer, not all of it
    close_default_groups(us)
    for found in us.describe_vpcs()["Vpcs"]:
        flow_log(us, found["VpcId"], "ALL")


def noncompliant(client: Any) -> None:
    client("s3", US).create_bucket(Bucket=FLOW_BUCKET)
    us = client("ec2", US)  # eu-west-1 keeps its untouched default VPC
    app, other = vpc(us, "10.0.0.0/16"), vpc(us, "10.1.0.0/16")
    group(us, app, "wide", tcp(0, 1024))  # 4.1
    group(us, app, "rdp-range", tcp(3000, 4000))  # 4.2
    group(us, app, "everything-v6", {"IpProtocol": "-1", "Ipv6Ranges": WORLD6})  # 4.1, 4.2
    group(us, app, "ssh-v6", tcp(22, 22, v4=False, v6=True))  # 4.1
    group(us, app, "rdp", tcp(3389, 3389))  # 4.2
    group(us, app, "rdp-udp", {"IpProtocol": "udp", "FromPort": 3389, "ToPort": 3389,
                               "IpRanges": WORLD4})  # 4.2: any protocol, not only tcp
    inside = default_group(us, app)["GroupId"]
    us.authorize_security_group_ingress(GroupId=inside, IpPermissions=[
        {"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22,
         "IpRanges": [{"CidrIp": "10.0.0.0/8"}]}])  # 4.4: inbound on a default group
    flow_log(us, app)  # REJECT only: enough for 4.3; the other VPCs have none
    peer(us, app, other, "10.1.0.0/16")  # the whole peer VPC: flagged for review


def prefix_listed_ssh(client: Any) -> None:
    """No VPC in eu-west-1; in us-east-1 one VPC, closed and logged, no peering, whose only SSH
    rule comes from a customer prefix list that holds 0.0.0.0/0: open to the world (4.1)."""
    client("s3", US).create_bucket(Bucket=FLOW_BUCKET)
    us = client("ec2", US)
    delete_default_vpc(client("ec2", EU))
    delete_default_vpc(us)
    app = vpc(us, "10.0.0.0/16")
    group(us, app, "corp-ssh", from_list(22, prefix_list(us, "corp", "0.0.0.0/0")))
    close_default_groups(us)
    flow_log(us, app)


def nothing(client: Any) -> None:
    """No VPC in either region: every population is legitimately empty."""
    delete_default_vpc(client("ec2", US))
    delete_default_vpc(client("ec2", EU))


# The outcome each check must reach on each account under moto.
EXPECTED = {
    "4.1": ("passed", "failed"),
    "4.2": ("passed", "failed"),
    "4.3": ("passed", "failed"),
    "4.4": ("passed", "failed"),
    "4.5": ("skipped", "skipped"),  # manual: a person judges "least access"
}
# ... with no VPC at all (every population empty, each said), and with SSH from a prefix list.
EMPTY = {f"4.{n}": "passed" for n in range(1, 6)}
PREFIX_LISTED = {**EMPTY, "4.1": "failed"}
