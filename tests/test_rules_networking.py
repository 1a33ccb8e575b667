"""Section 4 rules on plain data: port ranges, protocols, IPv6, empty regions, shared VPCs,
peering routes of every width."""

from __future__ import annotations

from typing import Any

import pytest

from pytest_cis_aws.errors import DataUnavailable
from pytest_cis_aws.findings import Finding
from pytest_cis_aws.rules import networking as rules
from pytest_cis_aws.rules.judgement import Judgement

ACCOUNT = "123456789012"
US, EU = "us-east-1", "eu-west-1"
DENIED = DataUnavailable("ec2:DescribeSecurityGroups", "UnauthorizedOperation", region=EU)


def rule(protocol: str, low: int | None = None, high: int | None = None, *,
         v4: tuple[str, ...] = (), v6: tuple[str, ...] = (),
         groups: tuple[str, ...] = ()) -> dict[str, Any]:
    found: dict[str, Any] = {
        "IpProtocol": protocol, "IpRanges": [{"CidrIp": c} for c in v4],
        "Ipv6Ranges": [{"CidrIpv6": c} for c in v6],
        "UserIdGroupPairs": [{"GroupId": g} for g in groups], "PrefixListIds": []}
    if low is not None:
        found.update(FromPort=low, ToPort=low if high is None else high)
    return found


def group(group_id: str, *ingress: dict[str, Any], name: str = "app", vpc: str = "vpc-1",
          egress: tuple[dict[str, Any], ...] = ()) -> dict[str, Any]:
    return {"GroupId": group_id, "GroupName": name, "VpcId": vpc, "OwnerId": ACCOUNT,
            "IpPermissions": list(ingress), "IpPermissionsEgress": list(egress)}


def verdicts(findings: list[Finding]) -> dict[str, tuple[bool | None, str]]:
    return {f.resource.rsplit("/", 1)[-1]: (f.compliant, f.reason) for f in findings}


# 4.1, 4.2 ---------------------------------------------------------------------------------------

@pytest.mark.parametrize(("permission", "port", "reaches"), [
    (rule("tcp", 0, 1024), 22, True),
    (rule("tcp", 0, 1024), 3389, False),
    (rule("tcp", 3000, 4000), 3389, True),
    (rule("tcp", 3000, 4000), 22, False),
    (rule("tcp", 22), 22, True),
    (rule("tcp", 3389), 3389, True),
    (rule("tcp", 23, 3388), 22, False),
    (rule("tcp", 23, 3388), 3389, False),
    (rule("tcp", 0, 21), 22, False),
    (rule("tcp", 0, 65535), 3389, True),
    (rule("6", 20, 30), 22, True),  # the protocol by number
    (rule("-1"), 22, True),  # all traffic has no ports
    (rule("-1"), 3389, True),
    # The text names a port and a source, not a protocol: udp counts too.
    (rule("udp", 0, 65535), 22, True),
    (rule("udp", 3389), 3389, True),
    (rule("17", 3380, 3390), 3389, True),
    (rule("udp", 53), 22, False),
    (rule("icmp", -1, -1), 22, False),  # icmp has types, not ports
    (rule("icmp", 22, 22), 22, False),  # ... even when a type number looks like the port
    (rule("icmpv6", -1, -1), 3389, False),
    (rule("58"), 22, False),
    (rule("132"), 22, True),  # SCTP: AWS ignores the ports and admits all of them
    (rule("47"), 22, False),  # GRE has no ports
    (rule("tcp"), 22, True),  # ports missing: assume the widest range, never a silent pass
    (rule("udp", -1, -1), 3389, True),
])
def test_reaches_port(permission: dict[str, Any], port: int, reaches: bool) -> None:
    assert rules.reaches_port(permission, port) is reaches


def test_open_to_the_world_over_ipv4_and_ipv6_names_the_cidr_and_the_rule() -> None:
    groups = {US: [
        group("sg-range", rule("tcp", 0, 1024, v4=("0.0.0.0/0",))),
        group("sg-all6", rule("-1", v6=("::/0",)), name="anything"),
        group("sg-both", rule("tcp", 22, v4=("0.0.0.0/0", "10.0.0.0/8"), v6=("::/0",))),
        group("sg-inside", rule("tcp", 22, v4=("10.0.0.0/8", "0.0.0.0/1")),
              rule("tcp", 22, groups=("sg-bastion",))),
        group("sg-https", rule("tcp", 443, v4=("0.0.0.0/0",), v6=("::/0",))),
    ]}
    assert verdicts(rules.port_open_to_world(groups, {}, rules.SSH)) == {
        "sg-range": (False, "app in vpc-1: port 22 open by tcp 0-1024 from 0.0.0.0/0"),
        "sg-all6": (False, "anything in vpc-1: port 22 open by all traffic from ::/0"),
        "sg-both": (False, "app in vpc-1: port 22 open by tcp 22 from 0.0.0.0/0, "
                           "tcp 22 from ::/0"),
        "sg-inside": (True, "app in vpc-1: no inbound rule lets 0.0.0.0/0 or ::/0 reach port 22"),
        "sg-https": (True, "app in vpc-1: no inbound rule lets 0.0.0.0/0 or ::/0 reach port 22"),
    }


def test_a_world_source_is_any_slash_zero_and_groups_are_not_the_world() -> None:
    assert rules.is_world("0.0.0.0/0") and rules.is_world("::/0")
    assert rules.is_world("0:0:0:0:0:0:0:0/0")
    assert not rules.is_world("0.0.0.0/1") and not rules.is_world("10.0.0.0/8")
    assert not rules.is_world("sg-123") and not rules.is_world("pl-123")


def prefix_listed(protocol: str, low: int | None, pl: str) -> dict[str, Any]:
    found = rule(protocol, low)
    found["PrefixListIds"] = [{"PrefixListId": pl}]
    return found


def test_a_prefix_list_source_is_judged_by_its_entries() -> None:
    denied = DataUnavailable("ec2:GetManagedPrefixListEntries", "UnauthorizedOperation",
                             region=US)
    lists = {US: {"pl-corp": {"value": ["203.0.113.0/24"]},
                  "pl-any": {"value": ["10.0.0.0/8", "::/0"]},
                  "pl-hidden": {"error": denied.to_dict()}}}
    groups = {US: [group("sg-corp", prefix_listed("tcp", 22, "pl-corp")),
                   group("sg-any", prefix_listed("-1", None, "pl-any")),
                   group("sg-hidden", prefix_listed("tcp", 22, "pl-hidden")),
                   group("sg-hidden-https", prefix_listed("tcp", 443, "pl-hidden")),
                   group("sg-unlisted", prefix_listed("tcp", 22, "pl-gone")),
                   group("sg-both", prefix_listed("tcp", 22, "pl-hidden"),
                         rule("tcp", 22, v4=("0.0.0.0/0",)))]}
    assert verdicts(rules.port_open_to_world(groups, {}, rules.SSH, lists)) == {
        "sg-corp": (True, "app in vpc-1: no inbound rule lets 0.0.0.0/0 or ::/0 reach port 22"),
        "sg-any": (False, "app in vpc-1: port 22 open by all traffic from pl-any (the list holds "
                          "::/0)"),
        "sg-hidden": (None, "app in vpc-1: port 22 reachable from a prefix list whose entries are "
                            f"unknown: tcp 22 from pl-hidden ({denied})"),
        "sg-hidden-https": (True, "app in vpc-1: no inbound rule lets 0.0.0.0/0 or ::/0 reach "
                                  "port 22"),
        "sg-unlisted": (None, "app in vpc-1: port 22 reachable from a prefix list whose entries "
                              "are unknown: tcp 22 from pl-gone (its entries were not read)"),
        # A rule known to be open fails, whatever the unknown list holds.
        "sg-both": (False, "app in vpc-1: port 22 open by tcp 22 from 0.0.0.0/0"),
    }


def test_udp_and_all_traffic_rules_open_the_port_too() -> None:
    groups = {US: [group("sg-udp", rule("udp", 3389, v4=("0.0.0.0/0",))),
                   group("sg-any", rule("-1", v6=("::/0",))),
                   group("sg-ping", rule("icmp", -1, -1, v4=("0.0.0.0/0",)))]}
    assert verdicts(rules.port_open_to_world(groups, {}, rules.RDP)) == {
        "sg-udp": (False, "app in vpc-1: port 3389 open by udp 3389 from 0.0.0.0/0"),
        "sg-any": (False, "app in vpc-1: port 3389 open by all traffic from ::/0"),
        "sg-ping": (True, "app in vpc-1: no inbound rule lets 0.0.0.0/0 or ::/0 reach port 3389"),
    }


def test_no_region_audited_is_unknown_for_every_networking_rule() -> None:
    for found in (rules.port_open_to_world({}, {}, rules.SSH),
                  rules.vpcs_without_flow_logs({}, {}, ACCOUNT),
                  rules.default_groups_with_rules({}, {}, {}, {}, ACCOUNT),
                  rules.peering_routes({}, {})):
        assert [(f.compliant, f.reason) for f in found] == [(None, rules.NO_REGION)]


def test_rdp_is_judged_on_its_own_port() -> None:
    groups = {US: [group("sg-1", rule("tcp", 3000, 4000, v4=("0.0.0.0/0",)),
                         rule("tcp", 22, v4=("0.0.0.0/0",)))]}
    assert verdicts(rules.port_open_to_world(groups, {}, rules.RDP)) == {
        "sg-1": (False, "app in vpc-1: port 3389 open by tcp 3000-4000 from 0.0.0.0/0")}


def test_findings_carry_the_group_arn_and_region() -> None:
    (found,) = rules.port_open_to_world({EU: [group("sg-9", rule("-1", v4=("0.0.0.0/0",)))]}, {},
                                        rules.SSH)
    assert found.resource == f"arn:aws:ec2:{EU}:{ACCOUNT}:security-group/sg-9"
    assert found.region == EU


def test_an_unread_region_is_unknown_and_the_others_still_judged() -> None:
    groups = {US: [group("sg-open", rule("tcp", 22, v4=("0.0.0.0/0",)))],
              "ap-south-1": []}
    found = rules.port_open_to_world(groups, {EU: DENIED}, rules.SSH)
    assert [(f.resource.rsplit("/", 1)[-1], f.region, f.compliant) for f in found] == [
        ("region eu-west-1", EU, None),
        ("region ap-south-1", "ap-south-1", True),  # read, and nothing in it: said so
        ("sg-open", US, False),
    ]
    assert "ec2:DescribeSecurityGroups" in found[0].reason


# 4.4 --------------------------------------------------------------------------------------------

MOTO_DEFAULT_EGRESS = rule("-1", v4=("0.0.0.0/0",))


def default_verdicts(groups: dict[str, list[dict[str, Any]]],
                     vpcs: dict[str, list[dict[str, Any]]] | None = None,
                     errors: dict[str, Exception] | None = None,
                     vpc_errors: dict[str, Exception] | None = None) -> dict[str, Any]:
    if vpcs is None:  # every default group's VPC
        vpcs = {region: [vpc(g["VpcId"]) for g in found if g["GroupName"] == "default"]
                for region, found in groups.items()}
    return verdicts(rules.default_groups_with_rules(
        groups, errors or {}, vpcs,
        vpc_errors or {}, ACCOUNT))


def test_default_groups() -> None:
    groups = {US: [
        group("sg-moto", name="default", egress=(MOTO_DEFAULT_EGRESS,)),  # moto: egress only
        group("sg-aws", rule("-1", groups=("sg-aws",)), name="default", vpc="vpc-2",
              egress=(MOTO_DEFAULT_EGRESS,)),  # AWS: also all traffic from itself
        group("sg-closed", name="default", vpc="vpc-3"),
        group("sg-open", rule("tcp", 22, v4=("0.0.0.0/0",))),  # not a default group: not judged
    ]}
    assert default_verdicts(groups) == {
        "sg-moto": (False, "default group of vpc-1 allows outbound all traffic to 0.0.0.0/0"),
        "sg-aws": (False, "default group of vpc-2 allows inbound all traffic from sg-aws, "
                          "outbound all traffic to 0.0.0.0/0"),
        "sg-closed": (True, "default group of vpc-3 has no inbound or outbound rule"),
    }


def test_a_region_without_vpcs_has_no_default_group_to_judge() -> None:
    assert default_verdicts({EU: []}) == {
        "region eu-west-1": (True, "no VPCs in eu-west-1, so no default security group")}


def test_a_vpc_whose_default_group_is_not_listed_is_unknown_unless_shared() -> None:
    groups = {US: [group("sg-d", name="default", vpc="vpc-1")]}
    got = default_verdicts(groups, {US: [vpc("vpc-1"), vpc("vpc-lost"), vpc("vpc-ram", "999")]})
    assert got == {
        "sg-d": (True, "default group of vpc-1 has no inbound or outbound rule"),
        "vpc-lost": (None, "no default security group listed for this VPC"),
        "vpc-ram": (True, "not judged: VPC shared by account 999"),
    }


def test_default_groups_need_both_reads_of_a_region() -> None:
    denied_vpcs = DataUnavailable("ec2:DescribeVpcs", "UnauthorizedOperation", region=EU)
    groups = {US: [group("sg-d", name="default")], EU: [group("sg-e", name="default")]}
    got = default_verdicts(groups, {US: [vpc("vpc-1")]}, vpc_errors={EU: denied_vpcs})
    assert got == {"region eu-west-1": (None, str(denied_vpcs)),
                   "sg-d": (True, "default group of vpc-1 has no inbound or outbound rule")}


# 4.3 --------------------------------------------------------------------------------------------

def vpc(vpc_id: str, owner: str = ACCOUNT) -> dict[str, Any]:
    return {"VpcId": vpc_id, "OwnerId": owner}


def flow(log_id: str, resource: str, traffic: str = "REJECT", status: str = "ACTIVE",
         **extra: Any) -> dict[str, Any]:
    return {"FlowLogId": log_id, "ResourceId": resource, "TrafficType": traffic,
            "FlowLogStatus": status, "DeliverLogsStatus": "SUCCESS", **extra}


def test_flow_logs_per_vpc() -> None:
    data = {US: {"vpcs": [vpc("vpc-reject"), vpc("vpc-all"), vpc("vpc-none"),
                          vpc("vpc-subnet-only"), vpc("vpc-failing"), vpc("vpc-shared", "999")],
                 "flow_logs": [
                     flow("fl-123", "vpc-reject"),
                     flow("fl-2", "vpc-all", "ALL"), flow("fl-3", "vpc-all", "ACCEPT"),
                     flow("fl-4", "subnet-1"),
                     flow("fl-5", "vpc-failing", DeliverLogsStatus="FAILED",
                          DeliverLogsErrorMessage="Access error"),
                 ]},
            EU: {"vpcs": [], "flow_logs": []}}
    assert verdicts(rules.vpcs_without_flow_logs(data, {}, ACCOUNT)) == {
        "vpc-reject": (True, "flow log fl-123 (REJECT) active"),
        "vpc-all": (True, "flow log fl-2 (ALL), flow log fl-3 (ACCEPT) active"),
        "vpc-none": (False, "no flow log"),
        "vpc-subnet-only": (False, "no flow log"),  # a subnet's flow log is not the VPC's
        "vpc-failing": (True, "flow log fl-5 (REJECT) [delivery FAILED: Access error] active"),
        "vpc-shared": (True, "not judged: VPC shared by account 999"),
        "region eu-west-1": (True, "no VPCs in eu-west-1"),
    }


def test_an_inactive_flow_log_fails_and_says_its_status() -> None:
    data = {US: {"vpcs": [vpc("vpc-1")], "flow_logs": [flow("fl-9", "vpc-1", status="INACTIVE")]}}
    assert verdicts(rules.vpcs_without_flow_logs(data, {}, ACCOUNT)) == {
        "vpc-1": (False, "flow log fl-9 (REJECT) is INACTIVE")}


def test_flow_logs_of_an_unread_region_are_unknown() -> None:
    denied = DataUnavailable("ec2:DescribeFlowLogs", "UnauthorizedOperation", region=EU)
    found = rules.vpcs_without_flow_logs({US: {"vpcs": [vpc("vpc-1")], "flow_logs": []}},
                                         {EU: denied}, ACCOUNT)
    assert [(f.region, f.compliant) for f in found] == [(EU, None), (US, False)]


# 4.5 --------------------------------------------------------------------------------------------

def peering(pcx: str, requester: tuple[str, str], accepter: tuple[str, str],
            **accepter_extra: Any) -> dict[str, Any]:
    return {"VpcPeeringConnectionId": pcx,
            "RequesterVpcInfo": {"VpcId": requester[0], "CidrBlock": requester[1]},
            "AccepterVpcInfo": {"VpcId": accepter[0], "CidrBlock": accepter[1], **accepter_extra}}


def table(table_id: str, vpc_id: str, *routes: dict[str, Any]) -> dict[str, Any]:
    return {"RouteTableId": table_id, "VpcId": vpc_id, "OwnerId": ACCOUNT,
            "Routes": [{"DestinationCidrBlock": "10.0.0.0/16", "GatewayId": "local"}, *routes]}


def via(pcx: str, destination: str, **extra: Any) -> dict[str, Any]:
    key = "DestinationIpv6CidrBlock" if ":" in destination else "DestinationCidrBlock"
    return {key: destination, "VpcPeeringConnectionId": pcx, "State": "active", **extra}


@pytest.mark.parametrize(("destination", "verdict"), [
    ("10.1.0.0/16", (False, "vpc-a: route 10.1.0.0/16 via pcx-1 covers the whole peer VPC vpc-b "
                            "(10.1.0.0/16)")),
    ("10.0.0.0/8", (False, "vpc-a: route 10.0.0.0/8 via pcx-1 covers the whole peer VPC vpc-b "
                           "(10.1.0.0/16, 10.2.0.0/16)")),
    ("10.1.1.0/24", (True, "vpc-a: route 10.1.1.0/24 via pcx-1 reaches part of peer VPC vpc-b "
                           "(10.1.0.0/16, 10.2.0.0/16, 2600:1f18::/56)")),
    ("10.2.0.0/16", (False, "vpc-a: route 10.2.0.0/16 via pcx-1 covers the whole peer VPC vpc-b "
                            "(10.2.0.0/16)")),  # a secondary CIDR block of the peer
    ("2600:1f18::/56", (False, "vpc-a: route 2600:1f18::/56 via pcx-1 covers the whole peer VPC "
                               "vpc-b (2600:1f18::/56)")),
    ("2600:1f18::/64", (True, "vpc-a: route 2600:1f18::/64 via pcx-1 reaches part of peer VPC "
                              "vpc-b (10.1.0.0/16, 10.2.0.0/16, 2600:1f18::/56)")),
])
def test_peering_routes_are_flagged_when_they_cover_the_whole_peer(
        destination: str, verdict: tuple[bool, str]) -> None:
    connection = peering("pcx-1", ("vpc-a", "10.0.0.0/16"), ("vpc-b", "10.1.0.0/16"),
                         CidrBlockSet=[{"CidrBlock": "10.1.0.0/16"}, {"CidrBlock": "10.2.0.0/16"}],
                         Ipv6CidrBlockSet=[{"Ipv6CidrBlock": "2600:1f18::/56"}])
    data = {US: {"route_tables": [table("rtb-1", "vpc-a", via("pcx-1", destination))],
                 "peering_connections": [connection]}}
    assert verdicts(rules.peering_routes(data, {})) == {"rtb-1": verdict}


def test_the_peer_is_the_other_side_whichever_side_routes() -> None:
    connection = peering("pcx-1", ("vpc-a", "10.0.0.0/16"), ("vpc-b", "10.1.0.0/16"))
    data = {US: {"route_tables": [table("rtb-b", "vpc-b", via("pcx-1", "10.0.0.0/16"))],
                 "peering_connections": [connection]}}
    assert verdicts(rules.peering_routes(data, {})) == {"rtb-b": (
        False, "vpc-b: route 10.0.0.0/16 via pcx-1 covers the whole peer VPC vpc-a (10.0.0.0/16)")}


def test_peering_routes_that_cannot_be_compared_are_unknown() -> None:
    data = {US: {"route_tables": [table(
        "rtb-1", "vpc-a", via("pcx-gone", "10.9.0.0/16", State="blackhole"),
        {"DestinationPrefixListId": "pl-1", "VpcPeeringConnectionId": "pcx-1"})],
        "peering_connections": [peering("pcx-1", ("vpc-a", "10.0.0.0/16"),
                                        ("vpc-b", "10.1.0.0/16"))]}}
    found = rules.peering_routes(data, {})
    assert [(f.compliant, f.reason) for f in found] == [
        (None, "vpc-a: route 10.9.0.0/16 via pcx-gone [blackhole]: peering connection not found "
               "in us-east-1"),
        (None, "vpc-a: route pl-1 via pcx-1: prefix-list destination, compare it by hand"),
    ]


def test_peering_review_sums_up_for_the_reader() -> None:
    flagged = Finding.of("arn:rtb-1", False, "covers", US)
    narrow = Finding.of("arn:rtb-2", True, "part", US)
    unread = Finding.unknown("region eu-west-1", "denied", EU)
    assert rules.peering_review([flagged, narrow, unread]) == (
        "review 2 route(s) through VPC peering connections (1 covering a whole peer VPC): is each "
        "as narrow as its purpose needs?")
    assert rules.peering_routes_found([flagged, narrow, unread]) == [flagged, narrow]


def test_a_region_with_no_peering_route_says_so() -> None:
    data = {US: {"route_tables": [], "peering_connections": [
        peering("pcx-1", ("vpc-a", "10.0.0.0/16"), ("vpc-b", "10.1.0.0/16"))]},
            EU: {"route_tables": [], "peering_connections": []}}
    assert verdicts(rules.peering_routes(data, {})) == {
        "region eu-west-1": (True, "no route through a VPC peering connection in eu-west-1 "
                                   "(0 peering connection(s))"),
        "region us-east-1": (True, "no route through a VPC peering connection in us-east-1 "
                                   "(1 peering connection(s))"),
    }


# 4.5 whole: what the check ends on ---------------------------------------------------------------

def test_peering_routes_judged_an_unread_region_is_an_error_before_any_review() -> None:
    data = {US: {"route_tables": [table("rtb-1", "vpc-a", via("pcx-1", "10.1.0.0/16"))],
                 "peering_connections": [peering("pcx-1", ("vpc-a", "10.0.0.0/16"),
                                                 ("vpc-b", "10.1.0.0/16"))]}}
    denied = DataUnavailable("ec2:DescribeRouteTables", "AccessDenied", region=EU)
    unread = rules.judge_peering_routes(data, {EU: denied})
    assert (unread.review, [f.resource for f in unread.findings]) == (None, ["region eu-west-1"])
    review = rules.judge_peering_routes(data, {})
    assert review.findings == [] and review.evidence == rules.peering_routes(data, {})
    assert review.review == rules.peering_review(review.evidence)
    quiet = {US: {"route_tables": [], "peering_connections": []}}
    assert rules.judge_peering_routes(quiet, {}) == Judgement(rules.peering_routes(quiet, {}))


def test_ssh_and_rdp_are_the_port_rule_on_their_ports() -> None:
    groups = {US: [group("sg-1", rule("tcp", 0, 65535, v4=("0.0.0.0/0",)))]}
    assert rules.ssh_open_to_world(groups, {}) == rules.port_open_to_world(groups, {}, rules.SSH)
    assert rules.rdp_open_to_world(groups, {}) == rules.port_open_to_world(groups, {}, rules.RDP)
