"""CIS section 4: Networking (4.1 - 4.5)."""

from __future__ import annotations

from typing import Any

from pytest_cis_aws import assert_compliant
from pytest_cis_aws.checks import conclude
from pytest_cis_aws.findings import check
from pytest_cis_aws.read import split as regional_split
from pytest_cis_aws.rules import networking

Regional = dict[str, Any]  # a `regional` fixture's data: each region's value or its error


@check("networking.ssh_open_to_world")
def test_4_1_no_ssh_from_anywhere(ec2_security_groups: Regional,
                                  ec2_prefix_lists: Regional) -> None:
    lists, _ = regional_split(ec2_prefix_lists)  # a region not read: its lists are unknown
    assert_compliant(networking.ssh_open_to_world(*regional_split(ec2_security_groups), lists))


@check("networking.rdp_open_to_world")
def test_4_2_no_rdp_from_anywhere(ec2_security_groups: Regional,
                                  ec2_prefix_lists: Regional) -> None:
    lists, _ = regional_split(ec2_prefix_lists)
    assert_compliant(networking.rdp_open_to_world(*regional_split(ec2_security_groups), lists))


@check("networking.vpcs_without_flow_logs")
def test_4_3_vpc_flow_logging_enabled(vpc_flow_logs: Regional, aws_account_id: str) -> None:
    assert_compliant(networking.vpcs_without_flow_logs(*regional_split(vpc_flow_logs),
                                                       aws_account_id))


@check("networking.default_groups_with_rules")
def test_4_4_default_security_group_restricts_all_traffic(ec2_security_groups: Regional,
                                                          ec2_vpcs: Regional,
                                                          aws_account_id: str) -> None:
    assert_compliant(networking.default_groups_with_rules(
        *regional_split(ec2_security_groups), *regional_split(ec2_vpcs), aws_account_id))


@check("networking.peering_routes")
def test_4_5_vpc_peering_routes_least_access(vpc_peering_routes: Regional) -> None:
    conclude(networking.judge_peering_routes(*regional_split(vpc_peering_routes)))
