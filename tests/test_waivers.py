"""Waivers: matched exactly or by glob, expired ones no longer apply, unused ones are listed."""

from __future__ import annotations

import json
from datetime import date

import pytest

from pytest_cis_aws import waivers
from pytest_cis_aws.report import gate
from pytest_cis_aws.report.terminal import waived_lines

ORG = """
import pytest
from pytest_cis_aws import Finding, assert_compliant

@pytest.mark.cis(id="1.16", level=1, section="iam")
def test_only_waived():
    assert_compliant([Finding.of("arn:aws:iam::123456789012:user/svc-build", False, "direct"),
                      Finding.of("arn:aws:iam::123456789012:user/alice", True, "ok")])

@pytest.mark.cis(id="4.1", level=1, section="networking")
def test_one_waived_one_not():
    assert_compliant([Finding.of("arn:aws:ec2:eu-west-1:1:security-group/sg-0abc1", False, "22"),
                      Finding.of("arn:aws:ec2:eu-west-1:1:security-group/sg-9999", False, "22")])

@pytest.mark.cis(id="4.2", level=1, section="networking")
def test_expired_waiver_does_not_apply():
    assert_compliant([Finding.of("arn:aws:ec2:eu-west-1:1:security-group/sg-old", False, "3389")])
"""

WAIVERS = """
[[waiver]]
id = "1.16"
resource = "arn:aws:iam::123456789012:user/svc-build"
reason = "CI user, tracked in SEC-7"
expires = 2099-01-01

[[waiver]]
id = "4.1"
resource = "arn:aws:ec2:eu-west-1:1:security-group/sg-0abc*"
reason = "bastion, tracked in SEC-142"

[[waiver]]
id = "4.2"
resource = "arn:aws:ec2:eu-west-1:1:security-group/sg-old"
reason = "old exception"
expires = 2020-01-01

[[waiver]]
id = "2.2"
resource = "arn:aws:cloudtrail:*"
reason = "never matches"
"""


def test_waivers_end_to_end(pytester: pytest.Pytester, moto: None) -> None:
    pytester.makepyfile(test_org=ORG)
    pytester.path.joinpath("waivers.toml").write_text(WAIVERS)
    out = pytester.path / "f.json"
    result = pytester.runpytest("--cis-no-stock", "--cis-waivers=waivers.toml",
                                f"--cis-json={out}", "--cis-regions=us-east-1", "-rxX")
    result.assert_outcomes(xfailed=1, failed=2)
    result.stdout.fnmatch_lines([
        # Each waived finding, with the waiver that accepts it, in the default summary.
        "waived: 2 findings accepted",
        "  1.16 arn:aws:iam::123456789012:user/svc-build: 1.16 arn:aws:iam::123456789012:"
        "user/svc-build until 2099-01-01: CI user, tracked in SEC-7",
        "  4.1 arn:aws:ec2:eu-west-1:1:security-group/sg-0abc1: 4.1 arn:aws:ec2:eu-west-1:1:"
        "security-group/sg-0abc*: bastion, tracked in SEC-142",
        "expired waiver: 4.2 arn:aws:ec2:eu-west-1:1:security-group/sg-old until 2020-01-01*",
        "unused waiver: 2.2 arn:aws:cloudtrail:*: never matches",
        "*XFAIL*test_only_waived*waived: 1 accepted exception(s)*CI user, tracked in SEC-7*",
    ])
    data = json.loads(out.read_text())
    by_id = {r["id"]: r for r in data["results"]}
    assert by_id["1.16"]["outcome"] == "waived"
    assert [f["waived"] for f in by_id["4.1"]["findings"]] == [True, False]
    assert by_id["4.1"]["outcome"] == "failed"
    assert by_id["4.2"]["outcome"] == "failed"  # expired: no longer applies
    assert len(data["waivers"]["unused"]) == 1 and len(data["waivers"]["expired"]) == 1
    assert "sg-9999" in result.stdout.str()


@pytest.mark.parametrize(("text", "message"), [
    ("[[waiver]\nid=", "not valid TOML"),
    ('[[waiver]]\nid = "9.9"\nresource = "x"\nreason = "r"', "waiver #1 (id 9.9): unknown "
                                                              "recommendation id '9.9'"),
    ('[[waiver]]\nid = "1.2"\nresource = "x"', "waiver #1 (id 1.2): missing or empty 'reason'"),
    ('[[waiver]]\nid = "1.2"\nresource = "x"\nreason = "r"\nexpires = "soon"',
     "expires must be a date like 2027-03-31"),
    ('[[waiver]]\nid = "1.2"\nresource = "x"\nreason = "r"\nowner = "me"', "unknown key(s) owner"),
    ('[waivers]\nid = "1.2"', "unknown table(s) waivers"),
])
def test_malformed_file_names_the_entry(tmp_path, text: str, message: str) -> None:
    path = tmp_path / "w.toml"
    path.write_text(text)
    with pytest.raises(pytest.UsageError, match="waivers file .*w.toml: .*" + _escape(message)):
        waivers.load(str(path))


def _escape(text: str) -> str:
    import re

    return re.escape(text)


def test_malformed_file_is_a_usage_error_for_the_run(pytester: pytest.Pytester) -> None:
    pytester.path.joinpath("w.toml").write_text('[[waiver]]\nid = "1.2"\n')
    result = pytester.runpytest("--cis-waivers=w.toml", "--co")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["ERROR: waivers file w.toml: waiver #1 (id 1.2): missing or "
                                 "empty 'resource'"])


def test_missing_file_is_a_usage_error(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest("--cis-waivers=nope.toml", "--co")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["ERROR: waivers file nope.toml: cannot read it*"])


def test_glob_and_expiry() -> None:
    w = waivers.Waiver(0, "4.1", "arn:*/sg-0abc*", "r", date(2027, 3, 31))
    assert w.covers("4.1", "arn:aws:ec2:x:1:security-group/sg-0abc12")
    assert not w.covers("4.2", "arn:aws:ec2:x:1:security-group/sg-0abc12")
    assert not w.expired(date(2027, 3, 31)) and w.expired(date(2027, 4, 1))


STRICT = """
import pytest
from pytest_cis_aws import Finding, assert_compliant

@pytest.mark.cis(id="1.16", level=1, section="iam")
def test_only_waived():
    assert_compliant([Finding.of("arn:aws:iam::123456789012:user/svc-build", False, "direct")])
"""


def test_strict_waivers_fail_an_otherwise_green_run(pytester: pytest.Pytester,
                                                    moto: None) -> None:
    pytester.makepyfile(test_org=STRICT)
    pytester.path.joinpath("waivers.toml").write_text(WAIVERS)
    result = pytester.runpytest("--cis-no-stock", "--cis-waivers=waivers.toml",
                                "--cis-regions=us-east-1", "--cis-strict-waivers")
    result.assert_outcomes(xfailed=1)  # nothing failed: only the stale waiver fails the run
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    result.stdout.fnmatch_lines([
        "--cis-strict-waivers: expired waiver 4.2 arn:aws:ec2:eu-west-1:1:security-group/sg-old"
        " until 2020-01-01: old exception: the run fails"])
    # 4.1 and 2.2 matched nothing, but their checks did not run: not called unused.
    assert "unused waiver 4.1" not in result.stdout.str()
    assert "--cis-strict-waivers: unused" not in result.stdout.str()


def _doc(expired: list[str], unused: list[str], outcomes: dict[str, str]) -> dict[str, object]:
    return {"waivers": {"expired": expired, "unused": unused}, "complete": True,
            "results": [{"id": rec, "outcome": outcome} for rec, outcome in outcomes.items()]}


@pytest.mark.parametrize(("doc", "stale"), [
    (_doc([], [], {"1.2": "passed"}), []),
    (_doc(["1.2 x until 2020-01-01: r"], [], {}), ["expired waiver 1.2 x until 2020-01-01: r"]),
    # unused, and its recommendation was judged: the waiver is stale
    (_doc([], ["4.1 sg-1: r"], {"4.1": "passed"}), ["unused waiver 4.1 sg-1: r"]),
    (_doc([], ["4.1 sg-1: r"], {"4.1": "failed"}), ["unused waiver 4.1 sg-1: r"]),
    # its check did not run, or could not read its data: nothing says it would not match
    (_doc([], ["4.1 sg-1: r"], {"1.2": "passed"}), []),
    (_doc([], ["4.1 sg-1: r"], {"4.1": "error"}), []),
    (_doc([], ["4.1 sg-1: r"], {"4.1": "manual"}), []),
])
def test_which_waivers_are_stale(doc: dict[str, object], stale: list[str]) -> None:
    assert gate.stale_waivers(doc) == stale
    verdict = gate.decide(doc, fail_on="none", strict_waivers=True)
    assert verdict.exit_status(0, 0) == (1 if stale else 0)
    assert gate.decide(doc, strict_waivers=False).exit_status(0, 0) == 0


@pytest.mark.parametrize("status", [2, 3, 4, 5])
def test_strict_waivers_keep_an_interrupted_or_broken_run_s_status(status: int) -> None:
    doc = _doc(["1.2 x until 2020-01-01: r"], [], {})
    assert gate.decide(doc, strict_waivers=True).exit_status(status, 0) == status


def test_waived_lines_are_capped_and_name_the_account() -> None:
    rows = [{"id": "4.1", "account": "111111111111", "outcome": "waived",
             "findings": [{"resource": f"sg-{n}", "waiver": "4.1 sg-*: bastion"}
                          for n in range(25)]},
            {"id": "ORG-1", "outcome": "waived", "reason": "our own xfail", "findings": []},
            {"id": "1.2", "outcome": "passed", "findings": [{"resource": "u", "waived": False}]}]
    lines = waived_lines(rows, limit=3)
    assert lines == ["waived: 26 findings accepted",
                     "  111111111111/4.1 sg-0: 4.1 sg-*: bastion",
                     "  111111111111/4.1 sg-1: 4.1 sg-*: bastion",
                     "  111111111111/4.1 sg-2: 4.1 sg-*: bastion",
                     "  ... and 23 more waived"]
    assert waived_lines(rows[2:]) == []
