"""Zero audited regions, whatever the cause: every regional recommendation ends in error and
the header says why; the account-wide (IAM) recommendations are judged as usual."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from aws_state import install_root_row, root_row
from pytest_cis_aws import catalog
from pytest_cis_aws.aws.regions import NoAuditedRegions, Regions, audited, discover
from pytest_cis_aws.settings import Settings
from runs import run_checks

# Recommendations whose data is read region by region: trails are found by DescribeTrails in
# each region (2.x, and 3.x through them), Config, KMS, networking, and 1.21's instances.
REGIONAL = frozenset({"1.21"} | {rec.id for rec in catalog.CATALOG.values()
                                 if rec.section in ("logging", "monitoring", "networking")})
GLOBAL = frozenset(catalog.CATALOG) - REGIONAL

# Rewrites DescribeRegions' answer inside the inner run (after-call, before the plugin reads it).
CONFTEST = """
import pytest

MODE = {mode!r}


def _rewrite(parsed, **_):
    if MODE == "empty":
        parsed["Regions"] = []
    else:
        for region in parsed.get("Regions", []):
            region["OptInStatus"] = "not-opted-in"


@pytest.hookimpl(trylast=True)
def pytest_configure(config):
    from pytest_cis_aws.run import RUN_KEY

    run = config.stash.get(RUN_KEY, None)
    if run is not None:
        run.aws.session.events.register_first("after-call.ec2.DescribeRegions", _rewrite)
"""

CAUSES = {
    "none-enabled": ("none", (), "ec2:DescribeRegions lists no region enabled for the account"),
    "named-not-enabled": (None, ("--cis-regions=ap-east-1,me-south-1",),
                          "--cis-regions names no region enabled for the account (not enabled: "
                          "ap-east-1, me-south-1)"),
    "empty-answer": ("empty", (), "ec2:DescribeRegions listed no region of partition aws"),
}


@pytest.mark.parametrize("cause", list(CAUSES))
def test_no_audited_region_errs_every_regional_check(
    cause: str, pytester: pytest.Pytester, setup_client: Callable[..., Any],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    mode, args, why = CAUSES[cause]
    if mode is not None:
        pytester.makeconftest(CONFTEST.format(mode=mode))
    install_root_row(monkeypatch, root_row())
    setup_client("iam").create_user(UserName="ops")
    pytester.makepyfile(test_own="""
        def test_own_loop_over_regions(cis_regions):
            for region in cis_regions:
                pass  # would pass on no region, if the fixture handed out an empty tuple
    """)
    run = run_checks(pytester, "--cis-level=2", "--cis-json=out.json", *args)
    result = run.result
    result.stdout.fnmatch_lines([
        f"  audited regions: none ({why}): every regional recommendation ends in error"])
    # ... and the summary and the JSON say it after the run, where a reader of the report looks.
    result.stdout.fnmatch_lines([
        f"no region audited: {why}; every regional recommendation ended in error"])
    assert json.loads((pytester.path / "out.json").read_text())["no_regions"] == why
    if cause == "named-not-enabled":
        result.stdout.fnmatch_lines([
            "  named in --cis-regions but not enabled for the account (not audited): "
            "ap-east-1, me-south-1"])
    assert set(run.outcomes) == set(catalog.CATALOG), result.stdout.str()
    assert {rec for rec in REGIONAL if run.outcomes[rec] != "error"} == set()
    own = [r for r in result.reprec.getreports("pytest_runtest_logreport")  # type: ignore[attr-defined]
           if r.nodeid.endswith("test_own_loop_over_regions") and r.failed]
    assert [r.when for r in own] == ["setup"] and why in own[0].longreprtext
    said = [line for line in result.stdout.lines if "no region was audited" in line]
    assert said and not [line for line in said if "needs permission" in line]
    # The account-wide checks are judged as on any account with one user and no policy.
    assert {rec: run.outcomes[rec] for rec in GLOBAL if run.outcomes[rec] == "error"} == {
        "1.17": "error"}  # moto has no Cost and Usage Report API


# -- the rule itself ------------------------------------------------------------------------------


class _Ec2:
    def __init__(self, regions: list[dict[str, str]]) -> None:
        self.regions = regions

    def describe_regions(self, **_: Any) -> dict[str, Any]:
        return {"Regions": self.regions}


class _Aws:
    home_region = "us-east-1"

    def __init__(self, regions: list[dict[str, str]]) -> None:
        self.ec2 = _Ec2(regions)

    def client(self, service: str, region: str | None = None) -> Any:
        return self.ec2


OFFERED = [{"RegionName": "us-east-1", "OptInStatus": "opt-in-not-required"},
           {"RegionName": "eu-west-1", "OptInStatus": "opt-in-not-required"},
           {"RegionName": "ap-east-1", "OptInStatus": "not-opted-in"}]


@pytest.mark.parametrize(("offered", "named", "why"), [
    ([], None, "ec2:DescribeRegions listed no region of partition aws"),
    ([], ("eu-west-1",), "ec2:DescribeRegions listed no region of partition aws"),
    ([{"RegionName": "cn-north-1"}], None, "ec2:DescribeRegions listed no region of partition aws"),
    ([dict(r, OptInStatus="not-opted-in") for r in OFFERED], None,
     "ec2:DescribeRegions lists no region enabled for the account"),
    (OFFERED, ("ap-east-1",),
     "--cis-regions names no region enabled for the account (not enabled: ap-east-1)"),
])
def test_why_no_region(offered: list[dict[str, str]], named: tuple[str, ...] | None,
                       why: str) -> None:
    regions = discover(_Aws(offered), Settings(active=True, regions=named), "aws")  # type: ignore[arg-type]
    assert regions.selected == ()
    assert regions.none_audited() == why
    with pytest.raises(NoAuditedRegions, match="no region was audited: "):
        audited(regions)


def test_some_regions_audited() -> None:
    regions = discover(_Aws(OFFERED), Settings(active=True, regions=("ap-east-1", "eu-west-1")),
                       "aws")  # type: ignore[arg-type]
    assert audited(regions) == ("eu-west-1",)
    assert regions.skipped == ("ap-east-1",)
    assert regions.none_audited() is None
    # Handed to xdist workers as lists, rebuilt as tuples: the reason travels too.
    empty = discover(_Aws([]), Settings(active=True), "aws")  # type: ignore[arg-type]
    again = Regions(**{k: tuple(v) for k, v in empty.to_dict().items()})
    assert again == empty and again.none_audited() == empty.none_audited()


def test_a_named_region_that_is_not_enabled_is_shown_and_the_others_audited(
        pytester: pytest.Pytester, setup_client: Callable[..., Any]) -> None:
    setup_client("iam").create_user(UserName="ops")
    run = run_checks(pytester, "--cis-id=1.21", "--cis-regions=ap-east-1,us-east-1")
    run.result.stdout.fnmatch_lines([
        "  audited regions: us-east-1",
        "  named in --cis-regions but not enabled for the account (not audited): ap-east-1"])
    assert run.outcomes == {"1.21": "passed"}
    assert run.findings["1.21"][0]["reason"] == (
        "no EC2 instances in the audited regions (us-east-1)")
