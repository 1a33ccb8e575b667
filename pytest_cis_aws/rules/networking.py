"""Section 4 rules: Networking (security groups, flow logs, peering routes). Pure: data in,
findings out.

Every rule takes per-region data (`{region: value}`) and the regions that could not be read
(`{region: exception}`); an unread region gives one unknown finding, the others are judged.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Mapping
from typing import Any

from ..finding import Finding
from ..read import Read
from .judgement import Judgement

SSH = 22
RDP = 3389
WORLD = ("0.0.0.0/0", "::/0")
PROTOCOLS = {"-1": "all traffic", "6": "tcp", "17": "udp", "1": "icmp", "58": "icmpv6"}
# 4.1 / 4.2 name a port and a source, not a protocol. A rule's FromPort/ToPort apply to tcp and
# udp; icmp and icmpv6 have types, not ports. For any other protocol AWS ignores the ports and
# admits all of that protocol: those with port numbers (SCTP, DCCP, UDP-Lite) reach every port,
# those without (GRE, ESP, ...) reach none.
RANGED = frozenset({"tcp", "udp"})
ALL_PORTS = frozenset({"all traffic", "132", "33", "136"})

Group = Mapping[str, Any]
Permission = Mapping[str, Any]


# Fail closed: with no region read there is nothing to pass on (the run also says so as a whole).
NO_REGION = "no region was audited: nothing was read, so nothing can be judged"


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
    """Does this rule let traffic of any protocol reach `port`? All traffic (-1) does; so does a
    tcp or udp range that includes it; icmp never does (it has no ports)."""
    name = protocol_name(permission)
    if name in ALL_PORTS:
        return True
    if name not in RANGED:
        return False
    low, high = permission.get("FromPort"), permission.get("ToPort")
    if low is None or high is None or low == -1:
        return True  # a tcp/udp rule always carries its ports: if not, assume the widest range
    return bool(low <= port <= high)


def is_world(peer: str) -> bool:
    """0.0.0.0/0 or ::/0, however written (a /0 block is every address of its family)."""
    if peer in WORLD:
        return True
    try:
        return ipaddress.ip_network(peer, strict=False).prefixlen == 0
    except ValueError:
        return False  # a security group or prefix list id


def world_open_rules(group: Group, port: int) -> list[str]:
    return [describe_rule(permission, peer)
            for permission in group.get("IpPermissions", [])
            if reaches_port(permission, port)
            for peer in sources(permission) if is_world(peer)]


PrefixLists = Mapping[str, Mapping[str, Any]]  # prefix list id -> {"value": [CIDR]} | {"error"}


def _prefix_list(pl_id: str, lists: PrefixLists) -> tuple[list[str] | None, str]:
    """(the list's /0 entries, or None when its entries are unknown; why they are unknown)."""
    part = lists.get(pl_id)
    if part is None:
        return None, "its entries were not read"
    read = Read.from_dict(part)
    if read.reason is not None:
        return None, read.reason
    return [cidr for cidr in read.value or () if is_world(str(cidr))], ""


def _through_prefix_lists(group: Group, port: int,
                          lists: PrefixLists) -> tuple[list[str], list[str]]:
    """(rules from a prefix list holding 0.0.0.0/0 or ::/0, rules from a list not read)."""
    open_rules: list[str] = []
    unknown: list[str] = []
    for permission in group.get("IpPermissions", []):
        if not reaches_port(permission, port):
            continue
        for entry in permission.get("PrefixListIds", []):
            if "PrefixListId" not in entry:
                continue
            pl_id = entry["PrefixListId"]
            worlds, why = _prefix_list(pl_id, lists)
            said = describe_rule(permission, pl_id)
            if worlds is None:
                unknown.append(f"{said} ({why})")
            elif worlds:
                open_rules.append(f"{said} (the list holds {', '.join(worlds)})")
    return open_rules, unknown


def _where(group: Group) -> str:
    return f"{group.get('GroupName', '?')} in {group.get('VpcId') or 'no VPC'}"


def _group_finding(region: str, group: Group, port: int, lists: PrefixLists) -> Finding:
    listed_open, listed_unknown = _through_prefix_lists(group, port, lists)
    open_rules = world_open_rules(group, port) + listed_open
    arn = group_arn(region, group)
    if open_rules:
        return Finding.of(arn, False, f"{_where(group)}: port {port} open by "
                          + ", ".join(open_rules), region)
    if listed_unknown:
        # A prefix list may hold 0.0.0.0/0: with its entries unknown, so is the verdict.
        return Finding.unknown(arn, f"{_where(group)}: port {port} reachable from a prefix list "
                               "whose entries are unknown: " + ", ".join(listed_unknown), region)
    return Finding.of(arn, True, f"{_where(group)}: no inbound rule lets 0.0.0.0/0 or ::/0 reach "
                                 f"port {port}", region)


def port_open_to_world(groups_by_region: Mapping[str, Iterable[Group]],
                       errors: Mapping[str, Exception], port: int,
                       prefix_lists: Mapping[str, PrefixLists] | None = None) -> list[Finding]:
    """4.1 / 4.2: no security group lets 0.0.0.0/0 or ::/0 reach `port`, by any protocol.

    A security group as the source admits only its members: not the world. A prefix list as the
    source is judged by its entries (`prefix_lists`: {region: {prefix list id: entries}}).
    """
    findings = unread_regions(errors)
    if not groups_by_region and not errors:
        findings.append(Finding.unknown("account", NO_REGION))
    for region, groups in sorted(groups_by_region.items()):
        listed = list(groups)
        if not listed:
            # Legitimately empty (every VPC has a default group, so this means no VPC).
            findings.append(_nothing_here(region, f"no security groups in {region}"))
        lists = (prefix_lists or {}).get(region, {})
        findings += [_group_finding(region, group, port, lists) for group in listed]
    return findings


def ssh_open_to_world(groups_by_region: Mapping[str, Iterable[Group]],
                      errors: Mapping[str, Exception],
                      prefix_lists: Mapping[str, PrefixLists] | None = None) -> list[Finding]:
    """4.1: no security group lets the world reach SSH (port 22)."""
    return port_open_to_world(groups_by_region, errors, SSH, prefix_lists)


def rdp_open_to_world(groups_by_region: Mapping[str, Iterable[Group]],
                      errors: Mapping[str, Exception],
                      prefix_lists: Mapping[str, PrefixLists] | None = None) -> list[Finding]:
    """4.2: no security group lets the world reach RDP (port 3389)."""
    return port_open_to_world(groups_by_region, errors, RDP, prefix_lists)


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
    if not by_region and not errors:
        findings.append(Finding.unknown("account", NO_REGION))
    for region, data in sorted(by_region.items()):
        vpcs = data.get("vpcs", [])
        if not vpcs:
            # Legitimately empty: a region without a VPC has no traffic to log.
            findings.append(_nothing_here(region, f"no VPCs in {region}"))
        logs = list(data.get("flow_logs", []))
        findings += [_vpc_flow_logs(region, vpc, logs, account) for vpc in vpcs]
    return findings


# 4.4 --------------------------------------------------------------------------------------------

def _peers(permission: Permission) -> list[str]:
    """The rule's sources, or "?" for a rule that names none (still a rule: it is listed)."""
    return [peer or "?" for peer in sources(permission)] or ["?"]


def _all_rules(group: Group) -> list[str]:
    inbound = [describe_rule(p, peer, "from")
               for p in group.get("IpPermissions", []) for peer in _peers(p)]
    outbound = [describe_rule(p, peer, "to")
                for p in group.get("IpPermissionsEgress", []) for peer in _peers(p)]
    return [f"inbound {r}" for r in inbound] + [f"outbound {r}" for r in outbound]


def _default_group_finding(region: str, group: Group) -> Finding:
    rules = _all_rules(group)
    vpc = group.get("VpcId") or "no VPC"
    return Finding.of(group_arn(region, group), not rules,
                      f"default group of {vpc} allows " + ", ".join(rules) if rules
                      else f"default group of {vpc} has no inbound or outbound rule", region)


def _vpc_without_default(region: str, vpc: Mapping[str, Any], account: str) -> Finding:
    owner = vpc.get("OwnerId")
    arn = ec2_arn(region, owner, "vpc", vpc["VpcId"])
    if owner and owner != account:
        # A VPC shared with this account (RAM): its default group is its owner's, and unseen here.
        return Finding.of(arn, True, f"not judged: VPC shared by account {owner}", region)
    # AWS gives every VPC a default group that cannot be deleted: its absence is unexpected.
    return Finding.unknown(arn, "no default security group listed for this VPC", region)


def default_groups_with_rules(groups_by_region: Mapping[str, Iterable[Group]],
                              errors: Mapping[str, Exception],
                              vpcs_by_region: Mapping[str, Iterable[Mapping[str, Any]]],
                              vpc_errors: Mapping[str, Exception],
                              account: str) -> list[Finding]:
    """4.4: the default security group of every VPC has no inbound and no outbound rule.

    Judged VPC by VPC: each VPC of the region must show its default group (a VPC whose group is
    missing from the answer is unknown, not skipped); a region with no VPC passes and says so.
    """
    findings = unread_regions({**vpc_errors, **errors})
    read = sorted(set(groups_by_region) & set(vpcs_by_region) - set(errors) - set(vpc_errors))
    if not read and not errors and not vpc_errors:
        findings.append(Finding.unknown("account", NO_REGION))
    for region in read:
        defaults = [g for g in groups_by_region[region] if g.get("GroupName") == "default"]
        vpcs = list(vpcs_by_region[region])
        if not vpcs and not defaults:
            findings.append(_nothing_here(region, f"no VPCs in {region}, so no default "
                                                  "security group"))
        findings += [_default_group_finding(region, group) for group in defaults]
        with_default = {g.get("VpcId") for g in defaults}
        findings += [_vpc_without_default(region, vpc, account) for vpc in vpcs
                     if vpc.get("VpcId") not in with_default]
    return findings


# 4.5 --------------------------------------------------------------------------------------------

def _peer_side(peering: Mapping[str, Any], vpc_id: str | None) -> Mapping[str, Any]:
    requester: Mapping[str, Any] = peering.get("RequesterVpcInfo", {})
    accepter: Mapping[str, Any] = peering.get("AccepterVpcInfo", {})
    return accepter if requester.get("VpcId") == vpc_id else requester


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
    peer VPC (or more). Whether that is "least access" is for a person to decide. A region with no
    such route says so (and how many peering connections it has)."""
    findings = unread_regions(errors)
    if not by_region and not errors:
        findings.append(Finding.unknown("account", NO_REGION))
    for region, data in sorted(by_region.items()):
        peerings = {p["VpcPeeringConnectionId"]: p for p in data.get("peering_connections", [])}
        found = []
        for table in data.get("route_tables", []):
            routes = [r for r in table.get("Routes", []) if r.get("VpcPeeringConnectionId")]
            found += [_peering_route(region, table, route, peerings) for route in routes]
        if not found:
            # Nothing routes to a peer: nothing is reachable through a peering, the least access.
            found.append(_nothing_here(region, f"no route through a VPC peering connection in "
                                               f"{region} ({len(peerings)} peering "
                                               "connection(s))"))
        findings += found
    return findings


def peering_routes_found(evidence: Iterable[Finding]) -> list[Finding]:
    """The routes among 4.5's evidence (not the regions' notes)."""
    return [f for f in evidence if f.resource.startswith("arn:")]


def peering_review(evidence: list[Finding]) -> str:
    """What the reader of 4.5 has to review, in one sentence."""
    routes = peering_routes_found(evidence)
    broad = [f for f in routes if f.compliant is False]
    return (f"review {len(routes)} route(s) through VPC peering connections ({len(broad)} "
            "covering a whole peer VPC): is each as narrow as its purpose needs?")


def judge_peering_routes(by_region: Mapping[str, Mapping[str, Any]],
                         errors: Mapping[str, Exception]) -> Judgement:
    """4.5 whole: a region not read is an error (its routes are unknown); any route through a
    peering is for a person to review, with every route as evidence; no such route anywhere is
    the least access there is."""
    evidence = peering_routes(by_region, errors)
    routes = peering_routes_found(evidence)
    unread = [f for f in evidence if f.compliant is None and f not in routes]
    if unread:
        return Judgement(unread)
    if routes:
        return Judgement([], peering_review(evidence), evidence)
    return Judgement(evidence)
