"""--cis-demo end to end: the simulated account reaches a known mix of outcomes, in one process
and under xdist, never touches the network, shows hostile names harmlessly, and leaves the
process as it found it."""

from __future__ import annotations

import contextlib
import gc
import json
import os
import socket
import sys
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import BotoCoreError
from botocore.httpsession import URLLib3Session
from moto.cloudtrail.models import TrailStatus
from moto.iam.models import IAMBackend

from pytest_cis_aws import demo

# The outcome of every stock check on the demo account with --cis-level=2, and why.
EXPECTED = {
    "1.1": "passed",  # root last used 12 days ago
    "1.2": "failed",  # bob and carol sign in without MFA
    "1.3": "failed",  # bob's password unused for 200 days, the legacy key for 200
    "1.4": "failed",  # bob's key is 120 days old, the legacy key 400
    "1.5": "passed", "1.6": "passed",
    "1.7": "failed",  # the password policy requires no symbol
    "1.8": "passed", "1.9": "passed",
    "1.10": "failed",  # it remembers 5 passwords, not 24
    "1.11": "passed",
    "1.12": "passed",
    "1.13": "passed",
    "1.14": "failed",  # root's MFA is a virtual device
    "1.15": "manual",
    "1.16": "failed",  # ci-deploy and the legacy user hold their own policies
    "1.17": "passed",  # the demo answers the Cost and Usage Report call moto lacks
    "1.18": "manual",  # no cis_iam_master_role / cis_iam_manager_role given
    "1.19": "manual",
    "1.20": "passed",
    "1.21": "failed",  # the eu-central-1 instance has no role
    "1.22": "passed",
    "1.23": "failed",  # bob's key was never used
    "1.24": "failed",  # AdministratorAccess-Custom and break-glass allow "*" on "*"
    "2.1": "passed",
    "2.2": "failed",  # eu-app-trail does not validate its log files
    "2.3": "passed",
    "2.4": "passed",
    "2.5": "failed",  # eu-west-1 records some types only, eu-central-1 nothing
    "2.6": "failed",  # eu-app-trail's bucket has no access logging
    "2.7": "passed",
    "2.8": "failed",  # the analytics key does not rotate
    **{f"3.{n}": "passed" for n in (1, 2, 3, 4, 5, 6, 10, 12, 13, 14)},
    "3.7": "failed",  # its alarm notifies a topic nobody subscribed to
    "3.8": "failed",  # no filter
    "3.9": "failed",  # the filter misses PutDeliveryChannel and PutConfigurationRecorder
    "3.11": "failed",  # no alarm on the filter's metric
    "3.15": "manual",
    "4.1": "failed",  # bastion and temp-debug open SSH to 0.0.0.0/0 (eu-west-1)
    "4.2": "failed",  # windows-jump opens RDP to ::/0 (eu-central-1)
    "4.3": "failed",  # eu-west-1's VPC has no flow log
    "4.4": "passed",
    "4.5": "manual",  # one route covers a whole peer VPC: for a person to judge
}

# In every process of a run: each socket connection attempt is written down, then refused.
NO_SOCKETS = """
import os
import socket

ORIGINALS = {{name: getattr(socket.socket, name) for name in ("connect", "connect_ex")}}


def refuse(sock, address, *args):
    with open(os.path.join({directory!r}, "connections.txt"), "a") as attempts:
        attempts.write(repr(address) + "\\n")
    raise OSError(f"this test run has no network (tried {{address!r}})")


# From import on, before any plugin's pytest_configure (where --cis-demo starts).
for name in ORIGINALS:
    setattr(socket.socket, name, refuse)


def pytest_unconfigure(config):
    for name, original in ORIGINALS.items():
        setattr(socket.socket, name, original)
"""


def demo_run(pytester: pytest.Pytester, *args: str,
             in_subprocess: bool = False) -> tuple[dict[str, Any], pytest.RunResult]:
    """Run `pytest --cis-demo ARGS`; return the --cis-json document and the run."""
    report = pytester.path / "cis.json"
    run = pytester.runpytest_subprocess if in_subprocess else pytester.runpytest
    result = run("--cis-demo", f"--cis-json={report}", "--color=no", *args)
    assert report.exists(), result.stdout.str() + result.stderr.str()
    return json.loads(report.read_text()), result


def outcomes(document: dict[str, Any]) -> dict[str, str]:
    return {r["id"]: r["outcome"] for r in document["results"]}


def connections(pytester: pytest.Pytester) -> list[str]:
    attempts = pytester.path / "connections.txt"
    return attempts.read_text().splitlines() if attempts.exists() else []


@pytest.fixture
def no_network(pytester: pytest.Pytester) -> None:
    """A conftest that refuses (and records) every socket connection, in every process."""
    pytester.makeconftest(NO_SOCKETS.format(directory=str(pytester.path)))


@pytest.fixture
def real_account_settings(monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """What a real workstation has: a profile that is not there, an endpoint that would leak."""
    settings = {"AWS_PROFILE": "production-admin",
                "AWS_ENDPOINT_URL": "https://aws-proxy.example.com"}
    for name, value in settings.items():
        monkeypatch.setenv(name, value)
    return settings


@pytest.mark.usefixtures("no_network", "real_account_settings")
def test_every_check_reaches_its_demo_outcome_without_network(pytester: pytest.Pytester) -> None:
    document, result = demo_run(pytester, "--cis-level=2", "-rA")
    got = outcomes(document)
    assert got == EXPECTED, result.stdout.str()
    assert connections(pytester) == []
    assert document["regions"] == list(demo.REGIONS)
    result.stdout.fnmatch_lines(["*regions: us-east-1,eu-west-1,eu-central-1 (from --cis-demo)*"])
    by_section: dict[str, set[str]] = {}
    for rec_id, outcome in got.items():
        by_section.setdefault(rec_id.split(".")[0], set()).add(outcome)
    assert all({"passed", "failed"} <= seen for seen in by_section.values()), by_section
    assert [rec_id for rec_id, outcome in got.items() if outcome == "error"] == []


def test_hostile_names_are_neutralised_on_the_terminal(pytester: pytest.Pytester) -> None:
    _, result = demo_run(pytester, "--cis-id=1.2,1.16,2.5,4.1")
    output = result.stdout.str() + result.stderr.str()
    assert "\x1b" not in output  # no ANSI escape reaches the terminal
    assert "\u202e" not in output  # nor a right-to-left override
    for shown in (
        "user/<script>alert(1)</script>/carol",  # markup is harmless on a terminal: kept
        "deploy\\u202e<script>alert(1)</script>",  # 1.16: the override, spelled out
        "recorder recorder\\x1b[31m<script>alert(1)</script> does not record",  # 2.5
        "temp-debug\\nPASSED <script>alert(1)</script> \\u202egnp.exe",  # 4.1: one line
    ):
        assert shown in output, shown
    assert not [line for line in result.outlines if line.startswith("PASSED <script>")]
    long_name = next(line for line in result.outlines if "temp-debug" in line)
    assert long_name.endswith("…")  # 239 characters, cut at 200


def test_user_named_regions_are_kept_and_real_account_options_ignored(
        pytester: pytest.Pytester) -> None:
    document, result = demo_run(pytester, "--cis-regions=eu-west-1", "--cis-id=4.1",
                                "--cis-profile=production-admin")
    assert document["regions"] == ["eu-west-1"]
    (check,) = document["results"]
    assert check["outcome"] == "failed"
    assert {f["region"] for f in check["findings"]} == {"eu-west-1"}
    result.stdout.fnmatch_lines(["*--cis-demo audits the simulated account; ignoring "
                                 "--cis-profile"])


def test_without_moto_the_demo_is_a_usage_error(pytester: pytest.Pytester,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "moto", None)  # `import moto` now raises ImportError
    result = pytester.runpytest("--cis-demo")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(
        ["ERROR: --cis-demo needs moto: pip install 'pytest-cis-aws[demo]'"])


@pytest.mark.usefixtures("real_account_settings")
def test_the_run_leaves_the_process_as_it_found_it(pytester: pytest.Pytester,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    before = {name: value for name, value in os.environ.items() if name.startswith("AWS_")}
    patched = (IAMBackend.get_credential_report, TrailStatus.description, URLLib3Session.send)
    frozen = gc.get_freeze_count()
    document, _ = demo_run(pytester, "--cis-id=1.20")
    assert outcomes(document) == {"1.20": "passed"}
    assert gc.get_freeze_count() == frozen  # the collector sees the heap again
    assert {n: v for n, v in os.environ.items() if n.startswith("AWS_")} == before
    assert "MOTO_EC2_LOAD_DEFAULT_AMIS" not in os.environ
    assert (IAMBackend.get_credential_report, TrailStatus.description,
            URLLib3Session.send) == patched
    # moto is stopped: a call now goes for the network (refused here) instead of the mock.
    tried: list[Any] = []

    def refuse(sock: socket.socket, address: Any) -> None:
        tried.append(address)
        raise OSError("no network in this test")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.delenv("AWS_PROFILE")  # back, as it should be, but it does not exist here
    sts = boto3.client("sts", region_name="us-east-1", endpoint_url="http://127.0.0.1:9",
                       config=Config(retries={"total_max_attempts": 1}))
    with pytest.raises(BotoCoreError, match="Could not connect"):
        sts.get_caller_identity()
    assert tried


@contextlib.contextmanager
def simulated() -> Iterator[None]:
    with contextlib.ExitStack() as stack:
        demo.simulate(stack)
        yield


def test_requests_moto_cannot_serve_are_refused_not_sent() -> None:
    with simulated():
        # bcm-data-exports lives outside *.amazonaws.com: moto lets it through (moto_coverage G16)
        exports = boto3.client("bcm-data-exports", region_name="us-east-1")
        with pytest.raises(BotoCoreError, match="--cis-demo sends nothing over the network; "
                                                "refused https://bcm-data-exports"):
            exports.list_exports()


def inventory() -> dict[str, list[str]]:
    """Ids moto draws at random: security groups, VPCs, instances, keys, access keys."""
    found: dict[str, list[str]] = {}
    for region in demo.REGIONS:
        ec2 = boto3.client("ec2", region_name=region)
        found[region] = sorted(
            [g["GroupId"] for g in ec2.describe_security_groups()["SecurityGroups"]]
            + [v["VpcId"] for v in ec2.describe_vpcs()["Vpcs"]]
            + [i["InstanceId"] for r in ec2.describe_instances()["Reservations"]
               for i in r["Instances"]]
            + [k["KeyId"] for k in boto3.client("kms", region_name=region).list_keys()["Keys"]])
    iam = boto3.client("iam")
    found["iam"] = sorted(k["AccessKeyId"] for u in iam.list_users()["Users"]
                          for k in iam.list_access_keys(UserName=u["UserName"])[
                              "AccessKeyMetadata"])
    return found


@pytest.mark.slow  # an end-to-end xdist run: `pytest -m slow` (CI runs it)
def test_every_process_seeds_the_same_account() -> None:
    # xdist workers share what one of them read, so their accounts must match id for id.
    with simulated():
        first = inventory()
    with simulated():
        second = inventory()
    assert first == second
    assert len(first["eu-west-1"]) == 6  # 4 groups, 1 VPC, 1 key: the inventory saw the seed


@pytest.mark.slow  # an end-to-end xdist run: `pytest -m slow` (CI runs it)
@pytest.mark.usefixtures("no_network")
def test_xdist_workers_reach_the_same_outcomes(pytester: pytest.Pytester) -> None:
    document, result = demo_run(pytester, "--cis-level=2", "-p", "xdist", "-n", "2",
                                in_subprocess=True)
    assert outcomes(document) == EXPECTED, result.stdout.str()
    assert connections(pytester) == []
    result.stdout.fnmatch_lines(["*2 workers*"])


@pytest.fixture
def seeds(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """Record each seeding instead of running it: what is asserted is whether it happens."""
    seeded: list[Any] = []
    monkeypatch.setattr(demo, "seed_account", seeded.append)
    return seeded


def test_collecting_does_not_seed_the_account(pytester: pytest.Pytester,
                                              seeds: list[Any]) -> None:
    for listing in (("--collect-only",), ("--co", "-q")):
        result = pytester.runpytest("--cis-demo", "--cis-level=2", *listing)
        assert result.ret == pytest.ExitCode.OK, result.stdout.str()
        result.stdout.fnmatch_lines(["*52 tests collected*"])
    assert seeds == []


def test_the_account_is_seeded_once_on_the_first_call(seeds: list[Any]) -> None:
    with simulated():
        assert seeds == []
        sts = boto3.client("sts", region_name="us-east-1")
        sts.get_caller_identity()
        sts.get_caller_identity()
        assert len(seeds) == 1


def test_a_failed_seeding_fails_every_call(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(stack: contextlib.ExitStack) -> None:
        raise RuntimeError("moto changed")

    monkeypatch.setattr(demo, "seed_account", broken)
    with simulated():
        sts = boto3.client("sts", region_name="us-east-1")
        for _ in range(2):  # half an account is never audited
            with pytest.raises(demo.DemoAccountUnavailable,
                               match="could not build the simulated account: moto changed"):
                sts.get_caller_identity()
