"""End to end, sections 2 and 4 together (one run per account, to keep wall time low): an account
with nothing in it, where each check says what an empty population means, and an account on the
edges of the text (event selectors as evidence, an unreadable trail bucket, SSH from a prefix
list that holds 0.0.0.0/0)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

import accounts_logging
import accounts_networking
from aws_state import ACCOUNT
from runs import by_resource, run_checks

ARGS = ("--cis-section=logging,networking", "--cis-level=2",
        "--cis-regions=us-east-1,eu-west-1", "-rA")
US, EU = "us-east-1", "eu-west-1"


def test_an_account_with_nothing_in_it(pytester: pytest.Pytester,
                                       setup_client: Callable[..., Any],
                                       monkeypatch: pytest.MonkeyPatch) -> None:
    accounts_logging.without_anything(setup_client, monkeypatch)
    accounts_networking.nothing(setup_client)
    run = run_checks(pytester, *ARGS)
    assert run.outcomes == {**accounts_logging.EMPTY, **accounts_networking.EMPTY}, (
        run.result.stdout.str())
    found = run.findings
    # No trail: the checks about CloudTrail's logs fail and point at 2.1 (no vacuous pass).
    assert by_resource(found["2.1"]) == {
        f"account {ACCOUNT}": (False, "no trail in the audited regions")}
    for rec in ("2.2", "2.3", "2.4", "2.6", "2.7"):
        ((resource, (compliant, reason)),) = by_resource(found[rec]).items()
        assert (resource, compliant) == (f"account {ACCOUNT}", False), rec
        assert reason.startswith("no trail in the audited regions, so ") and reason.endswith(
            "(see 2.1)"), rec
    config = by_resource(found["2.5"])
    assert config[f"region {EU}"] == (False, "no configuration recorder")
    # Legitimately empty populations pass, and say so region by region.
    assert by_resource(found["2.8"]) == {
        f"region {r}": (True, f"no customer-managed CMKs in {r}") for r in (US, EU)}
    said = {
        "4.1": "no security groups in {r}", "4.2": "no security groups in {r}",
        "4.3": "no VPCs in {r}", "4.4": "no VPCs in {r}, so no default security group",
        "4.5": "no route through a VPC peering connection in {r} (0 peering connection(s))",
    }
    for rec, text in said.items():
        assert by_resource(found[rec]) == {
            f"region {r}": (True, text.format(r=r)) for r in (US, EU)}, rec


def test_an_account_on_the_edges_of_the_text(pytester: pytest.Pytester,
                                             setup_client: Callable[..., Any],
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    accounts_logging.write_only_trail_bucket_gone(setup_client, monkeypatch)
    accounts_networking.prefix_listed_ssh(setup_client)
    run = run_checks(pytester, *ARGS)
    assert run.outcomes == {**accounts_logging.WRITE_ONLY, **accounts_networking.PREFIX_LISTED}, (
        run.result.stdout.str())
    found = run.findings
    # 2.1: the selectors are shown, and the verdict is v1.1.0's.
    ((_, (ok, reason)),) = by_resource(found["2.1"]).items()
    assert ok is True and reason == (
        "multi-region and logging; its event selectors skip read management events (not judged "
        "by v1.1.0; later CIS versions require all management events)")
    # A bucket that cannot be read is an error naming the read, never a pass.
    for rec in ("2.3", "2.6"):
        ((resource, (ok, reason)),) = by_resource(found[rec]).items()
        assert (resource, ok) == ("arn:aws:s3:::cis-trail-gone", None), rec
        assert "could not read s3:GetBucket" in reason and "NoSuchBucket" in reason, rec
        assert reason.endswith("(if the bucket belongs to another account, audit it there)")
    assert [f["reason"] for f in found["2.8"]] == [
        f"no customer-managed CMKs in {EU}", "not judged: disabled key",
        f"no enabled symmetric customer-managed CMK in {US} (the keys listed are not judged)"]
    # 4.1: SSH from a prefix list that holds 0.0.0.0/0 is SSH from the world.
    (corp,) = [f for f in found["4.1"] if f["compliant"] is False]
    assert corp["reason"].startswith("corp-ssh in vpc-")
    assert "port 22 open by tcp 22 from pl-" in corp["reason"]
    assert corp["reason"].endswith(" (the list holds 0.0.0.0/0)")
    assert by_resource(found["4.2"])[f"region {EU}"] == (True, f"no security groups in {EU}")
