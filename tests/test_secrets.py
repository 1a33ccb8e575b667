"""Secrets never appear in any output; access key ids in findings show their last four characters.

The runs use recognisable credentials (canaries) and the most talkative options pytest has, then
search everything they printed and every file they left behind: reports, the JUnit XML, the JSON,
the debug log, .pytest_cache (the cross-run cache lives there) and the temporary directories.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

import faults
from pytest_cis_aws.findings import Finding
from pytest_cis_aws.text import mask_key_ids, printable

KEY_ID = "AKIACANARY000000WXYZ"
SECRET = "SECRETCANARY" + "s" * 28
TOKEN = "TOKENCANARY" + "t" * 300
MASKED = "*" * 16 + "WXYZ"
CANARIES = {"env": {"AWS_ACCESS_KEY_ID": KEY_ID, "AWS_SECRET_ACCESS_KEY": SECRET,
                    "AWS_SESSION_TOKEN": TOKEN}}
TALKATIVE = ("--cis-level=2", "--cis-regions=us-east-1", "-vv", "-rA", "--showlocals",
             "--tb=long", "--cis-api-stats", "--cis-cache-ttl=600", "--debug=debug.log",
             "--html=report.html", "--cis-json=findings.json", "--junitxml=junit.xml")
# An organisation check that handles an access key id, as one listing keys would.
ORG_CHECK = f"""
import pytest
from pytest_cis_aws import Finding, assert_compliant


@pytest.mark.cis(id="ORG-K1", level=1, section="iam")
def test_keys(aws_session):
    key = "{KEY_ID}"
    assert_compliant([Finding.of(f"arn:aws:iam::123456789012:user/ci/key/{{key}}", False,
                                 f"access key {{key}} unused for 200 days")])
"""


INPUTS = {"conftest.py", "test_org.py"}  # written by the test, not by the run


def everything_written(result: pytest.RunResult, root: Path) -> dict[str, str]:
    """What the run printed, and the text of every file under `root` (binary ones decoded)."""
    found = {"stdout": result.stdout.str(), "stderr": result.stderr.str()}
    for path in root.rglob("*"):
        if path.is_file() and path.name not in INPUTS:
            found[str(path.relative_to(root))] = path.read_bytes().decode("utf-8", "replace")
    return found


def _leaks(written: dict[str, str], secrets: list[str]) -> list[tuple[str, str]]:
    return [(name, secret[:12]) for name, text in written.items() for secret in secrets
            if secret in text]


def _run(pytester: pytest.Pytester, *args: str, injector: faults.Injector) -> pytest.RunResult:
    pytester.makeconftest(faults.CONFTEST)
    pytester.makepyfile(test_org=ORG_CHECK)
    faults.ACTIVE = injector
    try:
        return pytester.runpytest(*TALKATIVE, *args)
    finally:
        faults.ACTIVE = None


@pytest.fixture
def canary_credentials(monkeypatch: pytest.MonkeyPatch, moto: None) -> None:
    for name, value in CANARIES["env"].items():
        monkeypatch.setenv(name, value)


def test_no_credential_in_any_output(pytester: pytest.Pytester, canary_credentials: None) -> None:
    # A denied source: errors, with their tracebacks and local variables.
    injector = faults.Injector(faults={"iam:GetAccountPasswordPolicy": faults.DENIED},
                               canned={"cur:DescribeReportDefinitions": {"ReportDefinitions": []}})
    result = _run(pytester, injector=injector)
    written = everything_written(result, pytester.path)
    # The run did write all this, and did fail and error (tracebacks were shown).
    assert {"report.html", "findings.json", "junit.xml", "debug.log"} <= set(written)
    assert any(name.startswith(".pytest_cache/d/cis_aws") for name in written), sorted(written)
    result.stdout.fnmatch_lines(["*ERROR at setup of test_1_5_*", "*FAILED*test_org.py*"])
    assert _leaks(written, [SECRET, TOKEN, KEY_ID]) == []
    # The organisation's finding named the key: every report shows it masked.
    for name in ("stdout", "report.html", "findings.json", "junit.xml"):
        assert MASKED in written[name], name


def test_no_assumed_role_credential_in_any_output(pytester: pytest.Pytester,
                                                  canary_credentials: None) -> None:
    """--cis-role-arn: the role's temporary credentials (which xdist workers are handed) stay in
    memory too."""
    from moto.sts.models import sts_backends

    injector = faults.Injector(canned={"cur:DescribeReportDefinitions": {"ReportDefinitions": []}})
    result = _run(pytester, "--cis-role-arn=arn:aws:iam::123456789012:role/cis-auditor",
                  injector=injector)
    result.stdout.fnmatch_lines(["  account: 123456789012 (arn:aws:sts::123456789012:assumed-role/"
                                 "cis-auditor/pytest-cis-aws)"])
    # What moto issued to the run when it assumed the role.
    (role,) = sts_backends["123456789012"]["aws"].assumed_roles
    written = everything_written(result, pytester.path)
    assert _leaks(written, [role.secret_access_key, role.session_token, SECRET, TOKEN]) == []


@pytest.mark.parametrize(("text", "shown"), [
    (KEY_ID, MASKED),
    (f"key {KEY_ID}, and ASIAEXAMPLE00000ABCD.", f"key {MASKED}, and {'*' * 16}ABCD."),
    (f"arn:aws:iam::123456789012:user/u/key/{KEY_ID}", f"arn:aws:iam::123456789012:user/u/key/"
                                                         f"{MASKED}"),
    # Not access key ids: other prefixes, other lengths, part of a longer word.
    ("AIDACANARY000000WXYZ", "AIDACANARY000000WXYZ"),
    ("AKIACANARY000000WXY", "AKIACANARY000000WXY"),
    (f"X{KEY_ID}", f"X{KEY_ID}"),
    (f"{KEY_ID}9", f"{KEY_ID}9"),
])
def test_access_key_ids_are_masked_but_their_last_four(text: str, shown: str) -> None:
    assert mask_key_ids(text) == shown
    assert printable(text, 500) == shown
    finding = Finding.of(text, False, f"because {text}")
    assert (finding.resource, finding.reason) == (shown, f"because {shown}")
    assert Finding.unknown(text, text).to_dict()["resource"] == shown


def test_masking_survives_the_json_and_junit_reports(pytester: pytest.Pytester,
                                                     moto: None) -> None:
    injector = faults.Injector()
    pytester.makepyfile(test_org=ORG_CHECK)
    pytester.makeconftest(faults.CONFTEST)
    faults.ACTIVE = injector
    try:
        result = pytester.runpytest("--cis-no-stock", "--cis-regions=us-east-1",
                                    "--cis-json=f.json", "--junitxml=j.xml")
    finally:
        faults.ACTIVE = None
    result.assert_outcomes(failed=1)
    (finding,) = json.loads((pytester.path / "f.json").read_text())["results"][0]["findings"]
    assert finding["resource"].endswith(f"/key/{MASKED}")
    assert finding["reason"] == f"access key {MASKED} unused for 200 days"
    failure = next(ET.parse(pytester.path / "j.xml").iter("failure"))
    assert MASKED in (failure.text or "") and KEY_ID not in (failure.text or "")
