"""Auditing a whole AWS Organization: one set of checks per account, shards, merge."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import boto3
import pytest

from pytest_cis_aws.cli import main as cli_main
from pytest_cis_aws.cli import merge
from runs import api_calls

MANAGEMENT = "123456789012"
ROLE = "OrganizationAccountAccessRole"
GOOD_POLICY = {"MinimumPasswordLength": 14, "RequireSymbols": True, "RequireNumbers": True,
               "RequireUppercaseCharacters": True, "RequireLowercaseCharacters": True,
               "MaxPasswordAge": 90, "PasswordReusePrevention": 24}

DENY_ROLE_IN = """
import pytest
from pytest_cis_aws.run import get_run

@pytest.fixture(scope="session", autouse=True)
def role_missing_in_one_account(request):
    from botocore.awsrequest import AWSResponse

    def denied(params, **kwargs):
        # `params` is the serialized request: the role ARN sits in its body
        if ":{account}:" in str(params.get("body")):
            return (AWSResponse("https://sts.amazonaws.com", 403, {{}}, None),
                    {{"Error": {{"Code": "AccessDenied", "Message": "role does not exist"}},
                      "ResponseMetadata": {{"HTTPStatusCode": 403}}}})

    sts = get_run(request.config).aws.client("sts")
    sts.meta.events.register("before-call.sts.AssumeRole", denied)
"""


def _member_client(account: str, service: str) -> Any:
    creds = boto3.client("sts", region_name="us-east-1").assume_role(
        RoleArn=f"arn:aws:iam::{account}:role/{ROLE}", RoleSessionName="setup")["Credentials"]
    return boto3.client(service, region_name="us-east-1", aws_access_key_id=creds["AccessKeyId"],
                        aws_secret_access_key=creds["SecretAccessKey"],
                        aws_session_token=creds["SessionToken"])


@pytest.fixture
def organization(setup_client: Callable[..., Any]) -> dict[str, str]:
    """Three member accounts: one compliant, one without a password policy, one whose role is
    missing (denied in the inner run)."""
    org = setup_client("organizations")
    org.create_organization(FeatureSet="ALL")
    accounts = {}
    for name in ("good", "bad", "norole"):
        status = org.create_account(Email=f"{name}@example.com", AccountName=name)
        accounts[name] = status["CreateAccountStatus"]["AccountId"]
    _member_client(accounts["good"], "iam").update_account_password_policy(**GOOD_POLICY)
    return accounts


def _outcomes(result: pytest.RunResult) -> dict[tuple[str, str], str]:
    found = {}
    for report in result.reprec.getreports("pytest_runtest_logreport"):  # type: ignore[attr-defined]
        cis = getattr(report, "cis", None)
        if not cis or (report.when == "teardown" and report.passed):
            continue
        key = (cis["account"], cis["id"])
        if report.when == "setup" and report.failed:
            found[key] = "error"
        elif report.when == "call" or report.skipped:
            found.setdefault(key, report.outcome)
    return found


ARGS = ("--cis-org-role", ROLE, "--cis-id=1.5,1.9", "--cis-regions=us-east-1",
        f"--cis-exclude-accounts={MANAGEMENT}")


def test_every_check_runs_once_per_account(pytester: pytest.Pytester,
                                           organization: dict[str, str]) -> None:
    pytester.makeconftest(DENY_ROLE_IN.format(account=organization["norole"]))
    out = pytester.path / "org.json"
    result = pytester.runpytest(*ARGS, f"--cis-json={out}", "-v")
    good, bad, norole = organization["good"], organization["bad"], organization["norole"]
    assert _outcomes(result) == {
        (good, "1.5"): "passed", (good, "1.9"): "passed",
        (bad, "1.5"): "failed", (bad, "1.9"): "failed",
        (norole, "1.5"): "error", (norole, "1.9"): "error",
    }
    result.stdout.fnmatch_lines(
        [f"*test_1_5_password_policy_requires_uppercase[[]{good}[]] PASSED*"])
    result.stdout.fnmatch_lines([
        f"*could not read sts:AssumeRole: AccessDenied: role does not exist (needs permission "
        f"sts:AssumeRole on arn:aws:iam::{norole}:role/{ROLE})*"])
    data = json.loads(out.read_text())
    assert data["accounts"] == sorted([good, bad, norole])
    assert data["score_by_account"][good]["1"] == {"passed": 2, "evaluated": 2}
    assert data["score_by_account"][bad]["1"] == {"passed": 0, "evaluated": 2}
    assert data["score"]["1"] == {"passed": 2, "evaluated": 4}
    assert {r["account"] for r in data["results"]} == {good, bad, norole}
    result.stdout.fnmatch_lines(["*account*level 1*level 2*", f"*{good}*2/2 (100%)*",
                                 "Organization total:", "Level 1: 2/4 *"])


def _collected_accounts(pytester: pytest.Pytester, *args: str) -> list[str]:
    result = pytester.runpytest(*ARGS, "--co", "-q", *args)
    return sorted({line.rsplit("[", 1)[1].rstrip("]") for line in result.stdout.lines
                   if "::test_1_5_" in line})


def test_shards_cover_every_account_exactly_once(pytester: pytest.Pytester,
                                                 organization: dict[str, str]) -> None:
    everyone = _collected_accounts(pytester)
    assert everyone == sorted(organization.values())
    shards = [_collected_accounts(pytester, f"--cis-shard={k}/2") for k in (1, 2)]
    assert sorted(shards[0] + shards[1]) == everyone
    assert not set(shards[0]) & set(shards[1])
    assert _collected_accounts(pytester, f"--cis-accounts={organization['bad']}") == [
        organization["bad"]]


def test_merged_shards_equal_a_single_run(pytester: pytest.Pytester,
                                          organization: dict[str, str]) -> None:
    pytester.makeconftest(DENY_ROLE_IN.format(account=organization["norole"]))
    pytester.runpytest(*ARGS, "--cis-json=all.json")
    for k in (1, 2):
        pytester.runpytest(*ARGS, f"--cis-shard={k}/2", f"--cis-json=part{k}.json")
    assert cli_main(["merge", "part1.json", "part2.json", "-o", "merged.json",
                     "--html", "org.html"]) == 0
    single = json.loads((pytester.path / "all.json").read_text())
    merged = json.loads((pytester.path / "merged.json").read_text())
    for key in ("results", "score", "accounts", "score_by_account", "level", "complete",
                "collected", "not_run"):
        assert merged[key] == single[key], key
    assert "Organization total" in (pytester.path / "org.html").read_text()
    # Each shard says which slice of which selection it is; one alone is an incomplete merge.
    part2 = json.loads((pytester.path / "part2.json").read_text())
    everyone = sorted(organization.values())
    assert part2["shard"] == {"index": 2, "count": 2, "accounts": everyone}
    assert "shard" not in single
    alone = merge([part2], ["part2.json"]).doc
    assert alone["complete"] is False
    assert alone["missing_shards"] == [{"index": 1, "count": 2, "accounts": everyone[::2]}]


def test_merge_of_nothing_is_a_clear_error(tmp_path: Any, capsys: Any) -> None:
    bad = tmp_path / "x.json"
    bad.write_text("{not json")
    assert cli_main(["merge", str(bad), "-o", str(tmp_path / "o.json")]) == 4
    assert capsys.readouterr().err.startswith(f"ERROR: {bad}: not JSON")
    with pytest.raises(ValueError, match="nothing to merge"):
        merge([])


def test_unknown_account_is_a_usage_error(pytester: pytest.Pytester,
                                          organization: dict[str, str]) -> None:
    result = pytester.runpytest("--cis-org-role", ROLE, "--cis-accounts=999999999999", "--co")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["ERROR: --cis-accounts: not active accounts of the "
                                 "organization: 999999999999"])


@pytest.mark.parametrize(("arg", "message"), [
    ("--cis-shard=3/2", "expected K/N with 1 <= K <= N"),
    ("--cis-accounts=12", "not an AWS account id: '12'"),
    ("--cis-accounts=@missing.txt", "cannot read missing.txt"),
    ("--cis-org-role=arn:aws:iam::1:role/x", "not an IAM role name"),
])
def test_bad_org_options(pytester: pytest.Pytester, arg: str, message: str) -> None:
    result = pytester.runpytest(arg, "--co")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines([f"*{message}*"])


def test_accounts_file(pytester: pytest.Pytester, organization: dict[str, str]) -> None:
    pytester.path.joinpath("accounts.txt").write_text(
        f"# the ones that matter\n{organization['good']}\n{organization['bad']}  # legacy\n")
    assert _collected_accounts(pytester, "--cis-accounts=@accounts.txt") == sorted(
        [organization["good"], organization["bad"]])


def _server_organization(endpoint: str) -> list[str]:
    def client(service: str, **creds: str) -> Any:
        return boto3.client(service, region_name="us-east-1", endpoint_url=endpoint, **creds)

    org = client("organizations")
    org.create_organization(FeatureSet="ALL")
    members = [org.create_account(Email=f"m{n}@example.com", AccountName=f"m{n}")[
        "CreateAccountStatus"]["AccountId"] for n in range(3)]
    creds = client("sts").assume_role(RoleArn=f"arn:aws:iam::{members[0]}:role/{ROLE}",
                                      RoleSessionName="setup")["Credentials"]
    client("iam", aws_access_key_id=creds["AccessKeyId"],
           aws_secret_access_key=creds["SecretAccessKey"],
           aws_session_token=creds["SessionToken"]).update_account_password_policy(**GOOD_POLICY)
    return members


@pytest.mark.slow  # an end-to-end xdist run: `pytest -m slow` (CI runs it)
def test_xdist_audits_accounts_in_parallel_with_the_same_results(
        pytester: pytest.Pytester, moto_server: str) -> None:
    members = _server_organization(moto_server)
    args = (*ARGS, f"--cis-endpoint-url={moto_server}", "--cis-api-stats")
    single = pytester.runpytest_subprocess(*args, "--cis-json=one.json", timeout=240)
    spread = pytester.runpytest_subprocess(*args, "--cis-json=four.json", "-p", "xdist",
                                           "-n", "2", timeout=240)
    spread.stdout.fnmatch_lines(["*2 workers*"])
    one, four = (json.loads((pytester.path / f).read_text()) for f in ("one.json", "four.json"))
    assert one["results"] == four["results"]
    assert one["score_by_account"][members[0]]["1"] == {"passed": 2, "evaluated": 2}
    single.stdout.re_match_lines([rf"\s+sts\s+AssumeRole\s+{len(members)}\s*$"])
    # Under xdist each worker assumes the role of an account it audits, at most once. (xdist's
    # loadgroup would keep an account on one worker, but xdist 3.8 cannot tag node ids on
    # pytest 9.2; the account's data is still fetched once, through the run store.)
    assumed = api_calls(spread)["sts:AssumeRole"]
    assert len(members) <= assumed <= 2 * len(members)
