"""Section 4 rules: Networking (security groups, flow logs, peering routes). Pure: data in,
findings out.

Every rule takes per-region data (`{region: value}`) and the regions that could not be read
(`{region: exception}`); an unread region gives one unknown finding, the others are judged.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Mapping
from typing import Any

from ..findings import Finding

SSH = 22
RDP = 3389
WORLD = ("0.0.0.0/0", "::/0")
PROTOCOLS = {"-1": "all traffic", "6": "tcp", "17": "udp", "1": "icmp", "58": "icmpv6"}

Group = Mapping[str, Any]
Permission = Mapping[str, Any]


def region_resource(region: str) -> str:
    return f"region {region}"


def unread_regions(errors: Mapping[str, Exception]) -> list[Finding]:
    return [Finding.unknown(region_resource(region), str(exc), region)
            for region, exc in sorted(errors.items())]


def _nothing_here(region: str, reason: str) -> Finding:
    # Listed so the reader sees the region was read, not skipped.
    return Finding.of(region_resource(region), True, reason, region)


def ec2_arn(region: str, owner: str | None, kind: str, resource_id: str) -> str:
    return f"arn:aws:ec2:{region}:{owner or ''}:{kind}/{resource_id}"


def group_arn(region: str, group: Group) -> str:
    return ec2_arn(region, group.get("OwnerId"), "security-group", group["GroupId"])


# Describing rules -------------------------------------------------------------------------------

def protocol_name(permission: Permission) -> str:
    protocol = str(permission.get("IpProtocol", "-1")).lower()
    return PROTOCOLS.get(protocol, protocol)


def _ports(permission: Permission) -> str:
    low, high = permission.get("FromPort"), permission.get("ToPort")
    if low is None or low == -1 or protocol_name(permission) in ("icmp", "icmpv6"):
        return ""
    return f" {low}" if low == high else f" {low}-{high}"


def sources(permission: Permission) -> list[str]:
    """Every peer of a rule: IPv4 and IPv6 ranges, security groups, prefix lists."""
    return ([r["CidrIp"] for r in permission.get("IpRanges", []) if "CidrIp" in r]
            + [r["CidrIpv6"] for r in permission.get("Ipv6Ranges", []) if "CidrIpv6" in r]
            + [p["GroupId"] for p in permission.get("UserIdGroupPairs", []) if "GroupId" in p]
            + [p["PrefixListId"] for p in permission.get("PrefixListIds", [])
               if "PrefixListId" in p])


def describe_rule(permission: Permission, peer: str, direction: str = "from") -> str:
    """E.g. "tcp 0-1024 from 0.0.0.0/0", "all traffic to ::/0"."""
    return f"{protocol_name(permission)}{_ports(permission)} {direction} {peer}"


# 4.1, 4.2 ---------------------------------------------------------------------------------------

def reaches_port(permission: Permission, port: int) -> bool:
    """Does this rule let TCP traffic reach `port`? All traffic (-1) does; so does a range."""
    name = protocol_name(permission)
    if name == "all traffic":
        return True
    if name != "tcp":
        return False
    # A TCP rule always carries its ports; if one is missing, assume the widest range.
    low = permission.get("FromPort", 0)
    high = permission.get("ToPort", 65535)
    return low <= port <= high


def world_open_rules(group: Group, port: int) -> list[str]:
    return [describe_rule(permission, peer)
            for permission in group.get("IpPermissions", [])
            if reaches_port(permission, port)
            for peer in sources(permission) if peer in WORLD]


def _where(group: Group) -> str:
    return f"{group.get('GroupName', '?')} in {group.get('VpcId') or 'no VPC'}"


def port_open_to_world(groups_by_region: Mapping[str, Iterable[Group]],
                       errors: Mapping[str, Exception], port: int) -> list[Finding]:
    """4.1 / 4.2: no security group lets 0.0.0.0/0 or ::/0 reach `port`."""
    findings = unread_regions(errors)
    for region, groups in sorted(groups_by_region.items()):
        listed = list(groups)
        if not listed:
            findings.append(_nothing_here(region, "no security group in this region"))
        for group in listed:
            open_rules = world_open_rules(group, port)
            reason = (f"{_where(group)}: port {port} open by " + ", ".join(open_rules)
                      if open_rules else
                      f"{_where(group)}: no inbound rule lets 0.0.0.0/0 or ::/0 reach port {port}")
            findings.append(Finding.of(group_arn(region, group), not open_rules, reason, region))
    return findings


# 4.3 --------------------------------------------------------------------------------------------

def _flow_log_said(log: Mapping[str, Any]) -> str:
    said = f"flow log {log.get('FlowLogId')} ({log.get('TrafficType', '?')})"
    delivery = log.get("DeliverLogsStatus")
    if delivery and delivery != "SUCCESS":
        said += f" [delivery {delivery}: {log.get('DeliverLogsErrorMessage', 'no message')}]"
    return said


def _vpc_flow_logs(region: str, vpc: Mapping[str, Any], logs: list[Mapping[str, Any]],
                   account: str) -> Finding:
    vpc_id = vpc["VpcId"]
    owner = vpc.get("OwnerId")
    arn = ec2_arn(region, owner, "vpc", vpc_id)
    if owner and owner != account:
        # A VPC shared with this account (RAM): its flow logs are its owner's to set and see.
        return Finding.of(arn, True, f"not judged: VPC shared by account {owner}", region)
    mine = [log for log in logs if log.get("ResourceId") == vpc_id]
    active = [log for log in mine if log.get("FlowLogStatus") == "ACTIVE"]
    if active:
        return Finding.of(arn, True, ", ".join(_flow_log_said(log) for log in active) + " active",
                          region)
    if mine:
        return Finding.of(arn, False, ", ".join(
            f"{_flow_log_said(log)} is {log.get('FlowLogStatus')}" for log in mine), region)
    return Finding.of(arn, False, "no flow log", region)


def vpcs_without_flow_logs(by_region: Mapping[str, Mapping[str, Any]],
                           errors: Mapping[str, Exception], account: str) -> list[Finding]:
    """4.3: every VPC of every region has an active flow log (any traffic type)."""
    findings = unread_regions(errors)
    for region, data in sorted(by_region.items()):
        vpcs = data.get("vpcs", [])
        if not vpcs:
            findings.append(_nothing_here(region, "no VPC in this region"))
        logs = list(data.get("flow_logs", []))
        findings += [_vpc_flow_logs(region, vpc, logs, account) for vpc in vpcs]
    return findings


# 4.4 --------------------------------------------------------------------------------------------

def _all_rules(group: Group) -> list[str]:
    inbound = [describe_rule(p, peer or "?", "from")
               for p in group.get("IpPermissions", []) for peer in sources(p) or [None]]
    outbound = [describe_rule(p, peer or "?", "to")
                for p in group.get("IpPermissionsEgress", []) for peer in sources(p) or [None]]
    return [f"inbound {r}" for r in inbound] + [f"outbound {r}" for r in outbound]


def default_groups_with_rules(groups_by_region: Mapping[str, Iterable[Group]],
                              errors: Mapping[str, Exception]) -> list[Finding]:
    """4.4: the default security group of every VPC has no inbound and no outbound rule."""
    findings = unread_regions(errors)
    for region, groups in sorted(groups_by_region.items()):
        defaults = [g for g in groups if g.get("GroupName") == "default"]
        if not defaults:
            findings.append(_nothing_here(region, "no VPC in this region, so no default group"))
        for group in defaults:
            rules = _all_rules(group)
            vpc = group.get("VpcId") or "no VPC"
            findings.append(Finding.of(
                group_arn(region, group), not rules,
                f"default group of {vpc} allows " + ", ".join(rules) if rules
                else f"default group of {vpc} has no inbound or outbound rule", region))
    return findings


# 4.5 --------------------------------------------------------------------------------------------

def _peer_side(peering: Mapping[str, Any], vpc_id: str | None) -> Mapping[str, Any]:
    requester = peering.get("RequesterVpcInfo", {})
    return peering.get("AccepterVpcInfo", {}) if requester.get("VpcId") == vpc_id else requester


def _peer_cidrs(info: Mapping[str, Any]) -> list[str]:
    blocks = [info.get("CidrBlock")]
    blocks += [b.get("CidrBlock") for b in info.get("CidrBlockSet", [])]
    blocks += [b.get("Ipv6CidrBlock") for b in info.get("Ipv6CidrBlockSet", [])]
    return list(dict.fromkeys(b for b in blocks if b))


def covered_peer_blocks(destination: str, peer_blocks: Iterable[str]) -> list[str]:
    """The peer VPC CIDR blocks the destination covers entirely (equal or wider)."""
    network = ipaddress.ip_network(destination, strict=False)
    covered = []
    for block in peer_blocks:
        peer = ipaddress.ip_network(block, strict=False)
        if peer.version == network.version and network.supernet_of(peer):  # type: ignore[arg-type]
            covered.append(block)
    return covered


def _peering_route(region: str, table: Mapping[str, Any], route: Mapping[str, Any],
                   peerings: Mapping[str, Mapping[str, Any]]) -> Finding:
    pcx = route["VpcPeeringConnectionId"]
    vpc = table.get("VpcId")
    arn = ec2_arn(region, table.get("OwnerId"), "route-table", table.get("RouteTableId", "?"))
    destination = route.get("DestinationCidrBlock") or route.get("DestinationIpv6CidrBlock")
    state = "" if route.get("State", "active") == "active" else f" [{route.get('State')}]"
    said = f"{vpc}: route {destination or route.get('DestinationPrefixListId')} via {pcx}{state}"
    if pcx not in peerings:
        return Finding.unknown(arn, f"{said}: peering connection not found in {region}", region)
    if not destination:
        return Finding.unknown(arn, f"{said}: prefix-list destination, compare it by hand", region)
    peer = _peer_side(peerings[pcx], vpc)
    blocks = _peer_cidrs(peer)
    covered = covered_peer_blocks(destination, blocks)
    if covered:
        return Finding.of(arn, False, f"{said} covers the whole peer VPC {peer.get('VpcId')} "
                                      f"({', '.join(covered)})", region)
    return Finding.of(arn, True, f"{said} reaches part of peer VPC {peer.get('VpcId')} "
                                 f"({', '.join(blocks) or 'CIDR unknown'})", region)


def peering_routes(by_region: Mapping[str, Mapping[str, Any]],
                   errors: Mapping[str, Exception]) -> list[Finding]:
    """4.5 evidence: every route through a VPC peering connection, flagged when it covers the whole
    peer VPC (or more). Whether that is "least access" is for a person to decide."""
    findings = unread_regions(errors)
    for region, data in sorted(by_region.items()):
        peerings = {p["VpcPeeringConnectionId"]: p for p in data.get("peering_connections", [])}
        for table in data.get("route_tables", []):
            routes = [r for r in table.get("Routes", []) if r.get("VpcPeeringConnectionId")]
            findings += [_peering_route(region, table, route, peerings) for route in routes]
    return findings


def peering_review(evidence: list[Finding]) -> str:
    """What the reader of 4.5 has to review, in one sentence."""
    unread = [f.region for f in evidence if f.region and f.resource == region_resource(f.region)]
    routes = [f for f in evidence if f.region not in unread]
    broad = [f for f in routes if f.compliant is False]
    said = (f"review {len(routes)} route(s) through VPC peering connections ({len(broad)} "
            "covering a whole peer VPC)" if routes else
            "no route goes through a VPC peering connection in the regions read")
    if unread:
        said += f" (could not read: {', '.join(unread)})"
    return said
