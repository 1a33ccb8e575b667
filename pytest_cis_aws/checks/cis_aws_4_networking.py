"""CIS section 4: Networking (4.1 - 4.5)."""

from __future__ import annotations

from pytest_cis_aws import assert_compliant, manual
from pytest_cis_aws.findings import check
from pytest_cis_aws.fixtures import regional_split
from pytest_cis_aws.rules import networking


@check("networking.ssh_open_to_world")
def test_4_1_no_ssh_from_anywhere(ec2_security_groups, ec2_prefix_lists):
    lists, _ = regional_split(ec2_prefix_lists)  # a region not read: its lists are unknown
    assert_compliant(networking.port_open_to_world(*regional_split(ec2_security_groups),
                                                   port=networking.SSH, prefix_lists=lists))


@check("networking.rdp_open_to_world")
def test_4_2_no_rdp_from_anywhere(ec2_security_groups, ec2_prefix_lists):
    lists, _ = regional_split(ec2_prefix_lists)
    assert_compliant(networking.port_open_to_world(*regional_split(ec2_security_groups),
                                                   port=networking.RDP, prefix_lists=lists))


@check("networking.vpcs_without_flow_logs")
def test_4_3_vpc_flow_logging_enabled(vpc_flow_logs, aws_account_id):
    assert_compliant(networking.vpcs_without_flow_logs(*regional_split(vpc_flow_logs),
                                                       aws_account_id))


@check("networking.default_groups_with_rules")
def test_4_4_default_security_group_restricts_all_traffic(ec2_security_groups, ec2_vpcs,
                                                          aws_account_id):
    assert_compliant(networking.default_groups_with_rules(
        *regional_split(ec2_security_groups), *regional_split(ec2_vpcs), aws_account_id))


@check("networking.peering_routes")
def test_4_5_vpc_peering_routes_least_access(vpc_peering_routes):
    evidence = networking.peering_routes(*regional_split(vpc_peering_routes))
    routes = networking.peering_routes_found(evidence)
    unread = [f for f in evidence if f.compliant is None and f not in routes]
    if unread:
        assert_compliant(unread)  # a region not read: error, its routes are unknown
    if routes:
        manual(networking.peering_review(evidence), evidence)
    assert_compliant(evidence)  # no route through a peering anywhere: the least access there is
