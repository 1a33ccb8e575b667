"""End to end: every section 4 check against a compliant and a non-compliant moto account, in two
regions, then the evidence the checks recorded."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

import accounts_networking
from runs import by_resource, run_checks

ARGS = ("--cis-section=networking", "--cis-level=2", "--cis-regions=us-east-1,eu-west-1", "-rA")


def reasons(findings: list[dict[str, Any]], compliant: bool | None) -> list[str]:
    return sorted(f["reason"] for f in findings if f["compliant"] is compliant)


@pytest.mark.parametrize("account", [0, 1], ids=["compliant", "noncompliant"])
def test_every_networking_check_reaches_its_outcome(
    account: int, pytester: pytest.Pytester, setup_client: Callable[..., Any],
) -> None:
    build = (accounts_networking.compliant, accounts_networking.noncompliant)[account]
    build(setup_client)
    run = run_checks(pytester, *ARGS)
    got, findings, result = run.outcomes, run.findings, run.result
    expected = {rec: pair[account] for rec, pair in accounts_networking.EXPECTED.items()}
    assert got == expected, result.stdout.str()
    (check_compliant_evidence if account == 0 else check_noncompliant_evidence)(findings)


def check_compliant_evidence(findings: dict[str, list[dict[str, Any]]]) -> None:
    # eu-west-1 has no VPC left: it is read and said, not silently skipped.
    for rec in ("4.1", "4.3", "4.4"):
        assert any(f["resource"] == "region eu-west-1" and f["compliant"] for f in findings[rec])
    web = next(f for f in findings["4.1"] if "web in vpc-" in f["reason"])
    assert web["compliant"] is True and web["region"] == "us-east-1"
    assert web["resource"].startswith("arn:aws:ec2:us-east-1:123456789012:security-group/sg-")
    assert all(f["reason"].startswith("flow log fl-") and "(ALL) active" in f["reason"]
               for f in findings["4.3"] if f["resource"].startswith("arn:"))
    assert by_resource(findings["4.5"])["region eu-west-1"] == (
        True, "no route through a VPC peering connection in eu-west-1 (0 peering connection(s))")
    (route,) = [f for f in findings["4.5"] if f["resource"].startswith("arn:")]
    assert route["compliant"] is True and "reaches part of peer VPC" in route["reason"]
    # SSH from a group's members is not from the world; icmp has no port 3389; RDP from a prefix
    # list of office addresses is not from the world either (its entries were read).
    assert any("web in vpc-" in f["reason"] and f["compliant"] for f in findings["4.2"])
    assert all(f["compliant"] for f in findings["4.2"])


def check_noncompliant_evidence(findings: dict[str, list[dict[str, Any]]]) -> None:
    ssh = reasons(findings["4.1"], False)
    assert len(ssh) == 3
    assert any("wide in vpc-" in r and "tcp 0-1024 from 0.0.0.0/0" in r for r in ssh)
    assert any("everything-v6" in r and "all traffic from ::/0" in r for r in ssh)
    assert any("ssh-v6" in r and "tcp 22 from ::/0" in r for r in ssh)
    rdp = reasons(findings["4.2"], False)
    assert len(rdp) == 4
    assert any(r.startswith("rdp-udp in vpc-") and "udp 3389 from 0.0.0.0/0" in r for r in rdp)
    assert any("rdp-range" in r and "tcp 3000-4000 from 0.0.0.0/0" in r for r in rdp)
    assert any(r.startswith("rdp in vpc-") and "tcp 3389 from 0.0.0.0/0" in r for r in rdp)
    # Two regions' default VPCs plus the two created ones: only the one with a flow log passes.
    assert reasons(findings["4.3"], False) == ["no flow log"] * 3
    passing = reasons(findings["4.3"], True)
    assert len(passing) == 1 and passing[0].endswith("(REJECT) active")
    defaults = reasons(findings["4.4"], False)
    assert len(defaults) == 4  # every default group keeps moto's all-traffic egress rule
    assert all("outbound all traffic to 0.0.0.0/0" in r for r in defaults)
    assert any("inbound tcp 22 from 10.0.0.0/8" in r for r in defaults)
    flagged = [f for f in findings["4.5"] if f["compliant"] is False]
    assert len(flagged) == 1 and "covers the whole peer VPC" in flagged[0]["reason"]
    assert "(10.1.0.0/16)" in flagged[0]["reason"]
