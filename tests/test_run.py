"""Whole runs: credentials problems, a denied data source, xdist sharing, JUnit properties."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from typing import Any

import pytest

from runs import DENY_PASSWORD_POLICY, api_calls


def test_access_denied_on_one_source_errors_only_the_checks_that_need_it(
    pytester: pytest.Pytester, moto: None
) -> None:
    pytester.makeconftest(DENY_PASSWORD_POLICY)
    result = pytester.runpytest("--cis-id=1.2,1.5,1.9,1.11,1.16", "-rA")
    result.assert_outcomes(passed=2, errors=3)
    result.stdout.fnmatch_lines([
        "*ERROR at setup of test_1_5_password_policy_requires_uppercase*",
        "could not evaluate: could not read iam:GetAccountPasswordPolicy: AccessDenied: not for "
        "you (needs permission iam:GetAccountPasswordPolicy)",
    ])
    assert "Traceback" not in result.stdout.str()
    result.stdout.fnmatch_lines(["PASSED *test_1_2_*", "PASSED *test_1_16_*"])


def test_no_credentials_is_one_clear_message(pytester: pytest.Pytester,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    result = pytester.runpytest("--cis-level=1")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines([
        "ERROR: pytest-cis-aws could not identify the AWS account: NoCredentialsError: Unable to "
        "locate credentials. Check your credentials*"])
    assert "Traceback" not in result.stderr.str()


def test_unknown_profile_is_one_clear_message(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest("--cis-level=1", "--cis-profile=nope")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["ERROR: *could not identify the AWS account: ProfileNotFound*"
                                 "profile (nope) could not be found*"])


def test_unknown_region_is_a_usage_error(pytester: pytest.Pytester, moto: None) -> None:
    result = pytester.runpytest("--cis-id=1.21", "--cis-regions=eu-west-1,xx-nowhere-9")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["ERROR: --cis-regions: unknown region(s) for account "
                                 "123456789012: xx-nowhere-9"])


def test_collect_only_makes_no_aws_call(pytester: pytest.Pytester,
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    result = pytester.runpytest("--cis-level=2", "--co", "-q")
    assert result.ret == pytest.ExitCode.OK
    result.stdout.fnmatch_lines(["*test_1_24_no_full_admin_customer_policies"])


def test_junit_properties_without_xunit2_warning(pytester: pytest.Pytester, moto: None) -> None:
    xml = pytester.path / "junit.xml"
    result = pytester.runpytest("--cis-id=1.13,1.15", f"--junitxml={xml}")
    result.assert_outcomes(failed=1, skipped=1)
    assert "incompatible with junit_family" not in result.stdout.str()
    props = {
        case.get("name"): {p.get("name"): p.get("value") for p in case.iter("property")}
        for case in ET.parse(xml).iter("testcase")
    }
    assert props["test_1_13_root_mfa_enabled"] == {"cis_id": "1.13", "cis_level": "1",
                                                   "cis_section": "iam"}
    assert props["test_1_15_security_questions_registered"]["cis_id"] == "1.15"


# Checks that share the credential report, the authorization details and a regional sweep
# (moto server has no Cost and Usage Report or contact-information API to ask).
SHARED_DATA_CHECKS = "--cis-id=1.2,1.3,1.4,1.12,1.16,1.21,1.22,1.23,1.24,2.1,2.5,2.8,4.1,4.3"


@pytest.mark.slow  # an end-to-end xdist run: `pytest -m slow` (CI runs it)
def test_xdist_workers_share_one_credential_report(pytester: pytest.Pytester,
                                                   moto_server: str) -> None:
    args = (SHARED_DATA_CHECKS, "--cis-regions=us-east-1", f"--cis-endpoint-url={moto_server}",
            "--cis-api-stats", "-p", "xdist", "-n", "2")
    result = pytester.runpytest_subprocess(*args, timeout=240)
    calls = api_calls(result)
    assert calls["iam:GetCredentialReport"] == 1, result.stdout.str()
    assert calls["iam:GetAccountAuthorizationDetails"] == 1
    assert calls["sts:GetCallerIdentity"] == 1  # identified once, by the controller
    assert calls["ec2:DescribeRegions"] == 1
    result.stdout.fnmatch_lines(["*2 workers*"])


def _same_calls(result: Any) -> dict[str, int]:
    return api_calls(result)


@pytest.mark.slow  # an end-to-end xdist run: `pytest -m slow` (CI runs it)
def test_xdist_makes_the_same_calls_as_a_single_process(pytester: pytest.Pytester,
                                                        moto_server: str) -> None:
    # Two regions: the region fan-out runs on threads inside each worker.
    args = (SHARED_DATA_CHECKS, "--cis-regions=us-east-1,eu-west-1",
            f"--cis-endpoint-url={moto_server}", "--cis-api-stats")
    single = _same_calls(pytester.runpytest_subprocess(*args, timeout=240))
    # the report is COMPLETE by now: a second generation is one call shorter on both sides
    single = _same_calls(pytester.runpytest_subprocess(*args, timeout=240))
    spread = _same_calls(pytester.runpytest_subprocess(*args, "-p", "xdist", "-n", "3",
                                                       timeout=240))
    assert single == spread
    assert single["ec2:DescribeSecurityGroups"] == 2  # once per region
