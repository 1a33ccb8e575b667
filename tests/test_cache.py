"""--cis-cache-ttl: reuse data from an earlier run, show its age, keep no failures."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pytest_cis_aws.aws.cache import CrossRunCache
from pytest_cis_aws.aws.store import RunStore
from pytest_cis_aws.errors import DataUnavailable
from runs import api_calls


def _calls(result: pytest.RunResult) -> set[str]:
    return {key.partition(":")[2] for key in api_calls(result)}


def test_second_run_reuses_the_first_runs_data(pytester: pytest.Pytester, moto: None) -> None:
    args = ("--cis-id=1.2,1.5,1.16,4.1", "--cis-regions=us-east-1", "--cis-api-stats",
            "--cis-cache-ttl=600", "-p", "cacheprovider")
    first = pytester.runpytest(*args)
    assert {"GetCredentialReport", "GetAccountAuthorizationDetails",
            "DescribeSecurityGroups"} <= _calls(first)
    second = pytester.runpytest(*args, "--cis-json=out.json")
    # only who-am-I and where: the account data comes from the first run
    assert _calls(second) == {"GetCallerIdentity", "DescribeRegions"}
    second.stdout.fnmatch_lines(["cross-run cache: 4 pieces of data reused from an earlier run, "
                                 "the oldest * s old"])
    first_outcomes = first.parseoutcomes()
    assert second.parseoutcomes() == first_outcomes
    assert json.loads((pytester.path / "out.json").read_text())["cache"]["reused"] == 4


def test_cache_is_off_by_default(pytester: pytest.Pytester, moto: None) -> None:
    args = ("--cis-id=1.5", "--cis-regions=us-east-1", "--cis-api-stats", "-p", "cacheprovider")
    pytester.runpytest(*args)
    assert "GetAccountPasswordPolicy" in _calls(pytester.runpytest(*args))


def test_cache_needs_the_cache_provider(pytester: pytest.Pytester, moto: None) -> None:
    result = pytester.runpytest("--cis-id=1.5", "--cis-cache-ttl=60", "-p", "no:cacheprovider")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["ERROR: --cis-cache-ttl needs pytest's cache, which is off*"])


def test_entries_expire_and_failures_are_never_kept(tmp_path: Path) -> None:
    now = [1000.0]
    cache = CrossRunCache(tmp_path, ttl=60, clock=lambda: now[0])
    RunStore(cache=cache).get("acct/iam/summary", lambda: {"Users": 3})
    now[0] += 30
    assert RunStore(cache=cache).get("acct/iam/summary", lambda: pytest.fail("refetched")) == {
        "Users": 3}
    assert cache.reused_ages == [30.0]
    now[0] += 31  # 61 s old: stale
    assert RunStore(cache=cache).get("acct/iam/summary", lambda: {"Users": 4}) == {"Users": 4}

    def denied() -> None:
        raise DataUnavailable("iam:GetAccountSummary", "AccessDenied")

    with pytest.raises(DataUnavailable):
        RunStore(cache=cache).get("acct/iam/denied", denied)
    assert RunStore(cache=cache).get("acct/iam/denied", lambda: "now readable") == "now readable"


def test_entries_hold_no_credentials(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cache = CrossRunCache(tmp_path, ttl=60)
    RunStore(cache=cache).get("acct/iam/x", lambda: {"a": 1})
    for path in tmp_path.iterdir():
        text = path.read_text()
        assert "testing" not in text and "aws_secret" not in text.lower()
