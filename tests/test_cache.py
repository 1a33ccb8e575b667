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


# -- the key: another endpoint, identity, role or region list never reuses an entry ------------

SCOPE = {"endpoint_url": None, "caller": "arn:aws:iam::123456789012:user/alice",
         "account": "123456789012", "partition": "aws", "role_arn": None, "org_role": None,
         "external_id": None, "profile": None, "regions": ["us-east-1"], "plugin": "0.1.0"}


@pytest.mark.parametrize(("field", "other"), [
    ("endpoint_url", "http://127.0.0.1:5000"),
    ("caller", "arn:aws:sts::123456789012:assumed-role/auditor/pytest-cis-aws"),
    ("account", "210987654321"),
    ("partition", "aws-us-gov"),
    ("role_arn", "arn:aws:iam::123456789012:role/auditor"),
    ("org_role", "OrganizationAccountAccessRole"),
    ("external_id", "other-id"),
    ("profile", "prod"),
    ("regions", ["us-east-1", "eu-west-1"]),
    ("plugin", "0.2.0"),
])
def test_an_entry_is_found_only_within_its_scope(tmp_path: Path, field: str, other: object
                                                 ) -> None:
    CrossRunCache(tmp_path, ttl=60, scope=SCOPE).save("123456789012/iam/x", '{"value": 1}')
    assert CrossRunCache(tmp_path, ttl=60, scope=dict(SCOPE)).load(
        "123456789012/iam/x") == '{"value": 1}'
    elsewhere = CrossRunCache(tmp_path, ttl=60, scope={**SCOPE, field: other})
    assert elsewhere.load("123456789012/iam/x") is None


def _scope(**settings: object) -> str:
    """The scope digest a run with these settings (and a known caller) keys its entries by."""
    from types import SimpleNamespace

    from pytest_cis_aws.aws.cache import scope_digest
    from pytest_cis_aws.aws.session import Identity
    from pytest_cis_aws.run import CisRun
    from pytest_cis_aws.settings import Settings

    caller = str(settings.pop("caller", "arn:aws:iam::123456789012:user/alice"))
    run = CisRun(SimpleNamespace(), Settings(active=True, **settings))  # type: ignore[arg-type]
    run._identity = Identity(account=caller.split(":")[4], arn=caller)
    return scope_digest(run._cache_scope())


def test_a_run_scopes_its_entries_by_endpoint_identity_role_and_regions(
        monkeypatch: pytest.MonkeyPatch, moto: None) -> None:
    base = _scope()
    assert _scope() == base  # the same run twice: the same entries
    others = {
        "endpoint": _scope(endpoint_url="http://127.0.0.1:5000"),
        "caller": _scope(caller="arn:aws:iam::123456789012:user/bob"),
        "partition": _scope(caller="arn:aws-cn:iam::123456789012:user/alice"),
        "account": _scope(caller="arn:aws:iam::210987654321:user/alice"),
        "role": _scope(role_arn="arn:aws:iam::123456789012:role/auditor"),
        "org role": _scope(org_role="OrganizationAccountAccessRole"),
        "external id": _scope(org_role="OrganizationAccountAccessRole",
                              external_id="x"),
        "regions": _scope(regions=("eu-west-1",)),
        "all regions": _scope(all_regions=True),
        "demo": _scope(demo=True),
    }
    monkeypatch.setenv("AWS_ENDPOINT_URL_IAM", "http://127.0.0.1:5001")
    others["endpoint environment"] = _scope()
    assert base not in others.values()
    assert len(set(others.values())) == len(others)


# -- private files, cleared on request, shown in the header --------------------------------------

CACHED = ("--cis-id=1.2,1.5,1.16,4.1", "--cis-regions=us-east-1", "--cis-api-stats",
          "--cis-cache-ttl=600", "-p", "cacheprovider")


def _mode(path: Path) -> int:
    return path.stat().st_mode & 0o777


def test_second_run_reuses_the_first_runs_data_kept_private(pytester: pytest.Pytester,
                                                            moto: None) -> None:
    directory = pytester.path / ".pytest_cache" / "d" / "cis_aws"
    directory.mkdir(parents=True, mode=0o755)
    (directory / "old.json").write_text("{}")
    (directory / "old.json").chmod(0o644)  # left readable by an older version
    header = f"  cross-run cache: {directory} (private: 0700, entries 0600)"

    first = pytester.runpytest(*CACHED)
    first.stdout.fnmatch_lines([header])
    assert {"GetCredentialReport", "GetAccountAuthorizationDetails",
            "DescribeSecurityGroups"} <= _calls(first)
    assert _mode(directory) == 0o700
    entries = sorted(directory.iterdir())
    assert len(entries) == 6  # the old one and the five this run fetched
    assert {_mode(path) for path in entries} == {0o600}

    second = pytester.runpytest(*CACHED, "--cis-json=out.json")
    # only who-am-I and where: the account data comes from the first run
    assert _calls(second) == {"GetCallerIdentity", "DescribeRegions"}
    second.stdout.fnmatch_lines([header, "cross-run cache: 5 pieces of data reused from an "
                                 "earlier run, the oldest * s old"])
    assert second.parseoutcomes() == first.parseoutcomes()
    assert json.loads((pytester.path / "out.json").read_text())["cache"]["reused"] == 5

    # Another identity (an assumed role) in the same account: nothing reused.
    role = pytester.runpytest(*CACHED, "--cis-role-arn=arn:aws:iam::123456789012:role/auditor")
    assert {"GetCredentialReport", "GetAccountAuthorizationDetails"} <= _calls(role)
    assert "pieces of data reused" not in role.stdout.str()

    cleared = pytester.runpytest(*CACHED, "--cis-cache-clear")
    cleared.stdout.fnmatch_lines(["  cache_clear: empty the cross-run cache first (from command "
                                  "line)",
                                  f"  cross-run cache: {directory} (private: 0700, entries 0600; "
                                  "emptied, 11 entries removed)"])
    assert {"GetCredentialReport", "GetAccountAuthorizationDetails"} <= _calls(cleared)
    assert "pieces of data reused" not in cleared.stdout.str()
    assert len(list(directory.iterdir())) == 5


def test_a_cache_directory_that_is_a_link_is_refused(pytester: pytest.Pytester,
                                                     moto: None) -> None:
    elsewhere = pytester.path / "elsewhere"
    elsewhere.mkdir()
    (pytester.path / ".pytest_cache" / "d").mkdir(parents=True)
    (pytester.path / ".pytest_cache" / "d" / "cis_aws").symlink_to(elsewhere)
    result = pytester.runpytest(*CACHED)
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["ERROR: --cis-cache-ttl: cross-run cache: */cis_aws is a "
                                 "symbolic link; refusing to keep AWS data there"])
    assert "GetCallerIdentity" not in result.stdout.str()
    assert list(elsewhere.iterdir()) == []


def test_a_cache_directory_of_someone_else_is_refused(tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    import os

    from pytest_cis_aws.aws.cache import UnsafeCache, secure_directory

    monkeypatch.setattr(os, "getuid", lambda: os.stat(tmp_path).st_uid + 1)
    with pytest.raises(UnsafeCache, match=r"belongs to user id \d+, not to you"):
        secure_directory(tmp_path)


def test_links_planted_in_the_directory_are_never_followed(tmp_path: Path) -> None:
    from pytest_cis_aws.aws.cache import clear

    target = tmp_path / "target.json"
    target.write_text("precious")
    directory = tmp_path / "cache"
    directory.mkdir(mode=0o700)
    cache = CrossRunCache(directory, ttl=60, scope=SCOPE)
    name = cache._name("acct/iam/x")
    (directory / name).symlink_to(target)
    assert cache.load("acct/iam/x") is None  # not read through the link
    cache.save("acct/iam/x", '{"value": 1}')  # replaces the link, writes nothing through it
    assert target.read_text() == "precious"
    assert not (directory / name).is_symlink() and _mode(directory / name) == 0o600
    (directory / "link").symlink_to(target)
    assert clear(directory) == 2
    assert list(directory.iterdir()) == [] and target.read_text() == "precious"


def test_an_answer_with_a_failed_part_is_not_kept(tmp_path: Path) -> None:
    cache = CrossRunCache(tmp_path, ttl=60)
    failed = {"us-east-1": {"value": []},
              "eu-west-1": {"error": DataUnavailable("ec2:DescribeInstances", "timeout",
                                                     region="eu-west-1").to_dict()}}
    assert RunStore(cache=cache).get("acct/regional/ec2", lambda: failed) == failed
    assert list(tmp_path.iterdir()) == []
    assert RunStore(cache=cache).get("acct/regional/ec2", lambda: {"us-east-1": {"value": []}}
                                     ) == {"us-east-1": {"value": []}}
    assert len(list(tmp_path.iterdir())) == 1


def test_entries_keep_the_external_id_off_disk(tmp_path: Path) -> None:
    cache = CrossRunCache(tmp_path, ttl=60, scope={**SCOPE, "external_id": "sekrit-external-id"})
    RunStore(cache=cache).get("acct/iam/x", lambda: {"a": 1})
    (entry,) = tmp_path.iterdir()
    assert "sekrit" not in entry.read_text()
