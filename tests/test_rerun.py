"""Stock checks are ordinary pytest items to rerun: --lf, --ff, --sw, --sw-skip, --nf and a pasted
node id work on them, wherever the plugin is installed, with one id for each check.

The runs share a moto account (tests/test_run.py's way, cheaper than seeding --cis-demo); only
the xdist run, whose workers are processes of their own, audits the demo account. What acts at
collection only is read from --co runs, which make no AWS call.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from typing import Any

import pytest

from pytest_cis_aws import plugin, selection, stock
from pytest_cis_aws.checks import (  # noqa: F401  (imported once here, not in every pytester run)
    cis_aws_1_iam,
    cis_aws_2_logging,
    cis_aws_3_monitoring,
    cis_aws_4_networking,
)

REPO = Path(__file__).parents[1]
IAM = "pytest_cis_aws/checks/cis_aws_1_iam.py"  # the same prefix wherever the package lies
ID_1_2 = f"{IAM}::test_1_2_mfa_enabled_for_console_users"
ID_1_3 = f"{IAM}::test_1_3_credentials_unused_90_days_disabled"
ID_1_5 = f"{IAM}::test_1_5_password_policy_requires_uppercase"
ID_1_13 = f"{IAM}::test_1_13_root_mfa_enabled"
ORG_OK, ORG_BAD = "checks/test_org.py::test_org_ok", "checks/test_org.py::test_org_bad"
ORG_NEW = "checks/test_new.py::test_org_new"

# On an empty moto account 1.2 passes (no user), 1.5 (no password policy) and 1.13 fail.
MOTO_IDS = "1.2,1.5,1.13"


def organisation_repo(pytester: pytest.Pytester, ids: str) -> None:
    """A compliance repository like example_suite/: its own rootdir, testpaths and tests."""
    pytester.makepyprojecttoml(f"""
        [tool.pytest.ini_options]
        testpaths = ["checks"]
        cis_level = "1"
        cis_id = "{ids}"
        cis_regions = "us-east-1"
    """)
    pytester.mkdir("checks")
    (pytester.path / "checks" / "test_org.py").write_text(
        "def test_org_ok():\n    pass\n\n\ndef test_org_bad():\n    assert False\n")


def ran(result: pytest.RunResult) -> dict[str, str]:
    """Node id -> outcome of every test that ran, in the order they ran."""
    reports = result.reprec.getreports("pytest_runtest_logreport")  # type: ignore[attr-defined]
    return {r.nodeid: r.outcome for r in reports if r.when == "call"}


def printed_failures(result: pytest.RunResult) -> list[str]:
    """The node ids of the short summary's FAILED lines, as a user would copy them."""
    return re.findall(r"^FAILED (\S+)", result.stdout.str(), re.M)


def would_run(pytester: pytest.Pytester, *args: str) -> list[str]:
    """What a run would run, in order: collection (where --lf, --ff, --nf, --sw and the
    arguments act) without auditing anything."""
    result = pytester.runpytest_inprocess("--co", "-q", *args)
    assert result.ret == 0, result.stdout.str() + result.stderr.str()
    return [line for line in result.stdout.lines if "::" in line]


def test_reruns_in_an_organisation_repository(pytester: pytest.Pytester, moto: None) -> None:
    # The stock modules lie outside this rootdir, as they do for an installed plugin.
    organisation_repo(pytester, MOTO_IDS)

    # Stepwise steps over the first failure (the organisation's) and stops at the second.
    first = pytester.runpytest_inprocess("--sw", "--sw-skip")
    assert list(ran(first).items()) == [(ORG_OK, "passed"), (ORG_BAD, "failed"),
                                        (ID_1_2, "passed"), (ID_1_5, "failed")]
    assert printed_failures(first) == [ORG_BAD, ID_1_5]
    known = json.loads((pytester.path / ".pytest_cache/v/cache/nodeids").read_text())
    assert {ID_1_2, ID_1_5, ID_1_13} <= set(known)

    # Before, --lf skipped the stock module with the files that had no failure.
    last_failed = pytester.runpytest_inprocess("--lf")
    assert ran(last_failed) == {ORG_BAD: "failed", ID_1_5: "failed"}
    last_failed.stdout.fnmatch_lines(["run-last-failure: rerun previous 2 failures "
                                      "(skipped 3 files)"])

    # The next --sw resumes at the stock check it stopped on; --ff puts the failures first.
    assert would_run(pytester, "--sw") == [ID_1_5, ID_1_13]
    assert would_run(pytester, "--ff") == [ORG_BAD, ID_1_5, ORG_OK, ID_1_2, ID_1_13]
    # A printed id pasted as it is, beside a new test that --nf puts first.
    (pytester.path / "checks" / "test_new.py").write_text("def test_org_new():\n    pass\n")
    assert would_run(pytester, "--nf", printed_failures(first)[-1], "checks") == [
        ORG_NEW, ORG_OK, ORG_BAD, ID_1_5]


def test_pasted_id_of_one_accounts_check(pytester: pytest.Pytester,
                                         setup_client: Any) -> None:
    org = setup_client("organizations")
    org.create_organization(FeatureSet="ALL")
    member = org.create_account(Email="m@example.com", AccountName="m")["CreateAccountStatus"]
    one = f"{ID_1_5}[{member['AccountId']}]"  # as org mode prints it
    assert would_run(pytester, "--cis-org-role=OrganizationAccountAccessRole", one) == [one]


def test_stock_modules_installed_inside_the_rootdir(pytester: pytest.Pytester, moto: None,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """A virtualenv inside the repository (a non-editable install): the same ids, reruns."""
    installed = pytester.path / ".venv/lib/python3/site-packages/pytest_cis_aws/checks"
    installed.mkdir(parents=True)
    for module in selection.CHECKS_DIR.glob("*.py"):
        shutil.copy(module, installed)
    for where in (selection, plugin, stock):
        monkeypatch.setattr(where, "CHECKS_DIR", installed)
    organisation_repo(pytester, MOTO_IDS)

    first = pytester.runpytest_inprocess()
    assert printed_failures(first) == [ORG_BAD, ID_1_5, ID_1_13]
    reports = first.reprec.getreports("pytest_runtest_logreport")  # type: ignore[attr-defined]
    assert {Path(r.location[0]).parent for r in reports if r.nodeid.startswith(IAM)} == {
        installed.relative_to(pytester.path)}  # the copies ran, not the checkout
    assert would_run(pytester, "--lf") == [ORG_BAD, ID_1_5, ID_1_13]
    assert would_run(pytester, ID_1_2, ID_1_13) == [ID_1_2, ID_1_13]


def test_reruns_in_the_plugins_own_repository(pytester: pytest.Pytester, moto: None,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    # Here the ids name real files: pytest's own resolution, untouched.
    monkeypatch.chdir(REPO)
    args = ("--cis-level=1", "--cis-regions=us-east-1",
            "-o", f"cache_dir={pytester.path / 'cache'}")  # not the checkout's .pytest_cache
    first = pytester.runpytest_inprocess(*args, f"--cis-id={MOTO_IDS}")
    assert printed_failures(first) == [ID_1_5, ID_1_13]
    assert would_run(pytester, *args, "--lf") == [ID_1_5, ID_1_13]
    assert would_run(pytester, *args, ID_1_2) == [ID_1_2]  # not the whole checks directory


@pytest.mark.slow  # two xdist runs of the demo account: `pytest -m slow` (CI runs it)
def test_reruns_under_xdist(pytester: pytest.Pytester) -> None:
    organisation_repo(pytester, "1.2,1.3,1.5")  # the demo: 1.2 and 1.3 fail, 1.5 passes

    def run(*args: str) -> pytest.RunResult:
        return pytester.runpytest_subprocess("--cis-demo", "-p", "xdist", "-n", "2",
                                             "--color=no", *args, timeout=240)

    first = run()
    assert sorted(printed_failures(first)) == [ORG_BAD, ID_1_2, ID_1_3]
    first.stdout.fnmatch_lines(["*3 failed, 2 passed*"])
    # Each worker reads the pasted id from the command line and filters its own collection.
    again = run("--lf", ID_1_3, "checks")
    assert sorted(printed_failures(again)) == [ORG_BAD, ID_1_3]
    again.stdout.fnmatch_lines(["*2 failed in*"])
