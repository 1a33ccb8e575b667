"""Secrets never appear in any output; access key ids in findings show their last four characters.

The runs use recognisable credentials (canaries) and the most talkative options pytest has, then
search everything they printed and every file they left behind: reports, the JUnit XML, the JSON,
the debug log, .pytest_cache (the cross-run cache lives there) and the temporary directories.
"""

from __future__ import annotations

import json
import logging
import sys
import xml.etree.ElementTree as ET
from pathlib import Path
from urllib.parse import quote

import pytest

import faults
from pytest_cis_aws.findings import Finding
from pytest_cis_aws.redact import REDACTED, RedactingFilter, Redaction, redact
from pytest_cis_aws.text import mask_key_ids, printable

KEY_ID = "AKIACANARY000000WXYZ"
SECRET = "SECRETCANARY" + "s" * 28
TOKEN = "TOKENCANARY" + "t" * 300
MASKED = "*" * 16 + "WXYZ"
CANARIES = {"env": {"AWS_ACCESS_KEY_ID": KEY_ID, "AWS_SECRET_ACCESS_KEY": SECRET,
                    "AWS_SESSION_TOKEN": TOKEN}}
TALKATIVE = ("--cis-level=2", "--cis-regions=us-east-1", "-vv", "-rA", "--showlocals",
             "--tb=long", "--cis-api-stats", "--cis-cache-ttl=600", "--debug=debug.log",
             "--html=report.html", "--cis-json=findings.json", "--junitxml=junit.xml",
             "--cis-ocsf=ocsf.json", "--cis-csv=findings.csv", "--cis-markdown=summary.md")
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


INPUTS = {"conftest.py", "test_org.py", "test_logging.py"}  # written by the test, not the run


def everything_written(result: pytest.RunResult, root: Path) -> dict[str, str]:
    """What the run printed, and the text of every file under `root` (binary ones decoded)."""
    found = {"stdout": result.stdout.str(), "stderr": result.stderr.str()}
    for path in root.rglob("*"):
        # Not the test's own files (nor their bytecode): they hold the canaries on purpose.
        if path.is_file() and path.name not in INPUTS and "__pycache__" not in path.parts:
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
    for name in ("stdout", "report.html", "findings.json", "junit.xml", "ocsf.json",
                 "findings.csv"):
        assert MASKED in written[name], name
    assert "summary.md" in written  # names no resource of a failure without a baseline


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


# -- at DEBUG, with every output on ------------------------------------------------------------

ROLE = "arn:aws:iam::123456789012:role/cis-auditor"
EVERY_OUTPUT = ("--cis-id=1.5,1.16,2.1,3.1,4.1,ORG-K1,ORG-LOG", "--cis-regions=us-east-1",
                f"--cis-role-arn={ROLE}", "--cis-api-stats", "--cis-json=findings.json",
                "--log-level=DEBUG", "-o", "log_cli=true", "--log-file=run.log",
                "-o", "junit_logging=all", "--junitxml=junit.xml", "--html=report.html",
                "--debug=debug.log", "-rA", "-vv", "-p", "xdist", "-n", "2")
# An organisation test that logs credentials through a botocore logger nobody has created yet
# (a filter on "botocore" alone would not see it), and reads them back from caplog.
LOGGING_CHECK = f"""
import logging

import pytest


@pytest.mark.cis(id="ORG-LOG", level=1, section="iam")
def test_logs_credentials(caplog):
    logging.getLogger("botocore.late.child").debug(
        "handing out %s", {{"aws_access_key_id": "{KEY_ID}", "aws_secret_access_key": "{SECRET}",
                           "aws_session_token": "{TOKEN}"}})
    assert "{SECRET}" not in caplog.text and "{TOKEN}" not in caplog.text
    assert "aws_secret_access_key': '{REDACTED}'" in caplog.text
"""


def _forms(secret: str) -> list[str]:
    """A secret as it could be printed: whole, URL-encoded, or a piece of it cut short."""
    middle = len(secret) // 2
    return [secret, quote(secret, safe=""), secret[middle - 10:middle + 10]]


def test_no_credential_at_debug_in_any_output(pytester: pytest.Pytester, moto_server: str,
                                              canary_credentials: None) -> None:
    """log_cli at DEBUG, --log-file, junit_logging=all, pytest-html's captured logs, the JSON,
    two xdist workers, and an assumed role whose credentials botocore logs as it receives them."""
    from moto.sts.models import sts_backends

    pytester.makepyfile(test_org=ORG_CHECK, test_logging=LOGGING_CHECK)
    result = pytester.runpytest_subprocess(*EVERY_OUTPUT, f"--cis-endpoint-url={moto_server}",
                                           timeout=240)
    result.stdout.fnmatch_lines(["*live log sessionstart*", "*2 workers*"])
    assert result.ret == pytest.ExitCode.TESTS_FAILED, result.stdout.str()[-3000:]
    roles = [r for r in sts_backends["123456789012"]["aws"].assumed_roles if r.role_arn == ROLE]
    assert roles, "the run assumed the role"
    written = everything_written(result, pytester.path)
    # botocore spoke at DEBUG into every output, signed requests and AssumeRole's answer too,
    # and what would have been a credential reads [redacted].
    for name in ("stdout", "run.log", "junit.xml", "report.html"):
        assert "X-Amz-Security-Token" in written[name] and REDACTED in written[name], name
    assert f"<SecretAccessKey>{REDACTED}</SecretAccessKey>" in written["stdout"]
    secrets = [SECRET, TOKEN, KEY_ID]
    for role in roles:
        secrets += [role.secret_access_key, role.session_token, role.access_key_id]
    assert _leaks(written, [form for secret in secrets for form in _forms(secret)]) == []
    assert "junit.xml" in written and "findings.json" in written and "debug.log" in written


# -- the filter, shape by shape ------------------------------------------------------------------

AKID = "AKIAIOSFODNN7EXAMPLE"
ASID = "ASIAQWERTYUIOP123456"
SIG = "fe5f80f77d5fa3beca038a248ff027d0445342fe2855ddc963176630326f1024"
LONG_TOKEN = "FQoGZXIvYXdzEBYaD+/9LongSessionToken/with+base64=="
SECRET_KEY = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"


@pytest.mark.parametrize(("text", "expected"), [
    # The headers botocore logs as it sends a signed request (a dict of bytes).
    (f"headers={{'X-Amz-Date': b'20261201T000000Z', 'X-Amz-Security-Token': b'{LONG_TOKEN}', "
     f"'Authorization': b'AWS4-HMAC-SHA256 Credential={AKID}/20261201/us-east-1/sts/aws4_request, "
     f"SignedHeaders=host;x-amz-date;x-amz-security-token, Signature={SIG}'}}",
     f"headers={{'X-Amz-Date': b'20261201T000000Z', 'X-Amz-Security-Token': b'{REDACTED}', "
     f"'Authorization': b'AWS4-HMAC-SHA256 Credential=****************MPLE/20261201/us-east-1/"
     f"sts/aws4_request, SignedHeaders=host;x-amz-date;x-amz-security-token, "
     f"Signature={REDACTED}'}}"),
    # Its canonical request and signature.
    (f"CanonicalRequest:\nPOST\n/\n\nhost:sts.amazonaws.com\nx-amz-security-token:{LONG_TOKEN}"
     f"\n\nhost;x-amz-security-token\nabc",
     f"CanonicalRequest:\nPOST\n/\n\nhost:sts.amazonaws.com\nx-amz-security-token:{REDACTED}"
     f"\n\nhost;x-amz-security-token\nabc"),
    (f"Signature:\n{SIG}", f"Signature:\n{REDACTED}"),
    # A presigned URL (urllib3 logs the request line).
    (f'"GET /b/k?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential={AKID}%2F20261201%2Fus-east-1'
     f'%2Fs3%2Faws4_request&X-Amz-Security-Token={quote(LONG_TOKEN, safe="")}&X-Amz-Signature={SIG}'
     f' HTTP/1.1" 200 0',
     f'"GET /b/k?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=****************MPLE%2F20261201'
     f'%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Security-Token={REDACTED}&X-Amz-Signature='
     f'{REDACTED} HTTP/1.1" 200 0'),
    (f"https://b.s3.amazonaws.com/k?AWSAccessKeyId={AKID}&Signature=dGhpcyBpcyBhIHNpZw%3D%3D"
     f"&x-amz-security-token=abc%2Bdef",
     f"https://b.s3.amazonaws.com/k?AWSAccessKeyId=****************MPLE&Signature={REDACTED}"
     f"&x-amz-security-token={REDACTED}"),
    # AssumeRole's answer, as botocore logs the body (repr of bytes).
    (f"Response body:\nb'<AssumeRoleResponse><AssumeRoleResult><Credentials><AccessKeyId>{ASID}"
     f"</AccessKeyId><SecretAccessKey>{SECRET_KEY}</SecretAccessKey><SessionToken>{LONG_TOKEN}"
     f"</SessionToken></Credentials>'",
     f"Response body:\nb'<AssumeRoleResponse><AssumeRoleResult><Credentials><AccessKeyId>"
     f"****************3456</AccessKeyId><SecretAccessKey>{REDACTED}</SecretAccessKey>"
     f"<SessionToken>{REDACTED}</SessionToken></Credentials>'"),
    # JSON answers: STS in JSON, SSO's GetRoleCredentials, ECR's authorization token.
    (f'b\'{{"Credentials":{{"AccessKeyId":"{ASID}","SecretAccessKey":"{SECRET_KEY}",'
     f'"SessionToken":"{LONG_TOKEN}"}}}}\'',
     f'b\'{{"Credentials":{{"AccessKeyId":"****************3456","SecretAccessKey":"{REDACTED}",'
     f'"SessionToken":"{REDACTED}"}}}}\''),
    (f'{{"roleCredentials": {{"accessKeyId": "{ASID}", "secretAccessKey": "{SECRET_KEY}", '
     f'"sessionToken": "{LONG_TOKEN}"}}}}',
     f'{{"roleCredentials": {{"accessKeyId": "****************3456", "secretAccessKey": '
     f'"{REDACTED}", "sessionToken": "{REDACTED}"}}}}'),
    ('{"authorizationData": [{"authorizationToken": "QVdTOnNlY3JldA=="}]}',
     f'{{"authorizationData": [{{"authorizationToken": "{REDACTED}"}}]}}'),
    # Credentials as Python and the environment spell them.
    (f"{{'aws_access_key_id': '{AKID}', 'aws_secret_access_key': '{SECRET_KEY}', "
     f"'aws_session_token': '{LONG_TOKEN}'}}",
     f"{{'aws_access_key_id': '****************MPLE', 'aws_secret_access_key': '{REDACTED}', "
     f"'aws_session_token': '{REDACTED}'}}"),
    (f"AWS_SECRET_ACCESS_KEY={SECRET_KEY} AWS_SESSION_TOKEN={LONG_TOKEN}",
     f"AWS_SECRET_ACCESS_KEY={REDACTED} AWS_SESSION_TOKEN={REDACTED}"),
    # Signature version 2.
    (f"Authorization: AWS {AKID}:frJIUN8DYpKDtOLCwo//yllqDzg=",
     f"Authorization: AWS ****************MPLE:{REDACTED}"),
    # Left alone: operation and event names, pagination tokens, the list of signed headers.
    ("Event before-parameter-build.sts.GetSessionToken: calling handler <function x>",
     "Event before-parameter-build.sts.GetSessionToken: calling handler <function x>"),
    ("{'NextToken': 'abc', 'SignatureVersion': 'v4', 'SignedHeaders': 'host;x-amz-date'}",
     "{'NextToken': 'abc', 'SignatureVersion': 'v4', 'SignedHeaders': 'host;x-amz-date'}"),
])
def test_each_shape_of_credential_is_redacted(text: str, expected: str) -> None:
    assert redact(text) == expected
    assert redact(expected) == expected  # twice is harmless: records pass several filters


def _record(msg: object, *args: object, exc_info: object = None,
            name: str = "botocore.endpoint") -> logging.LogRecord:
    return logging.LogRecord(name, logging.DEBUG, __file__, 1, msg, args or None,
                             exc_info)  # type: ignore[arg-type]


def test_the_filter_redacts_records_with_dict_and_bytes_arguments() -> None:
    record = _record("Sending http request: %s %s", {"X-Amz-Security-Token": LONG_TOKEN.encode()},
                     b"<SecretAccessKey>" + SECRET_KEY.encode() + b"</SecretAccessKey>")
    assert RedactingFilter().filter(record) is True  # never drops a record
    message = record.getMessage()
    assert LONG_TOKEN not in message and SECRET_KEY not in message
    assert message == (f"Sending http request: {{'X-Amz-Security-Token': b'{REDACTED}'}} "
                       f"b'<SecretAccessKey>{REDACTED}</SecretAccessKey>'")
    assert record.args is None

    # A single dict argument (logging's "%(name)s" form) and a format string that is wrong.
    mapping = _record("token %(t)s", {"t": f"X-Amz-Security-Token={LONG_TOKEN}"})
    RedactingFilter().filter(mapping)
    assert mapping.getMessage() == f"token X-Amz-Security-Token={REDACTED}"
    broken = _record("%s %s", f"aws_session_token={LONG_TOKEN}")
    RedactingFilter().filter(broken)
    assert LONG_TOKEN not in broken.getMessage()

    # A record that needs nothing is left as it was.
    plain = _record("Setting %s timeout as %s", "sts", (5, 30))
    RedactingFilter().filter(plain)
    assert plain.args == ("sts", (5, 30))


def test_the_filter_redacts_tracebacks() -> None:
    try:
        raise RuntimeError(f"could not sign with {AKID}: aws_secret_access_key={SECRET_KEY}")
    except RuntimeError:
        record = _record("failed", exc_info=sys.exc_info())
    RedactingFilter().filter(record)
    text = logging.Formatter().format(record)
    assert SECRET_KEY not in text and AKID not in text and "****************MPLE" in text


def test_redaction_reaches_child_loggers_and_comes_off_again() -> None:
    import io

    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    parent = logging.getLogger("botocore")
    parent.addHandler(handler)
    level = parent.level
    parent.setLevel(logging.DEBUG)
    redaction = Redaction()
    try:
        redaction.sweep()
        assert redaction.filter in handler.filters and redaction.filter in parent.filters
        # Created after the sweep: its records reach botocore's handler, which redacts them.
        logging.getLogger("botocore.brand.new").debug("token %s", {"SessionToken": LONG_TOKEN})
        assert LONG_TOKEN not in stream.getvalue() and REDACTED in stream.getvalue()
        redaction.uninstall()
        assert redaction.filter not in handler.filters and redaction.filter not in parent.filters
        assert not any(redaction.filter in logging.getLogger(name).filters
                       for name in logging.Logger.manager.loggerDict)
    finally:
        redaction.uninstall()
        parent.removeHandler(handler)
        parent.setLevel(level)


def test_the_plugin_takes_its_filter_off_when_the_run_ends(pytester: pytest.Pytester,
                                                           moto: None) -> None:
    pytester.makepyfile(test_org=ORG_CHECK)
    pytester.runpytest("--cis-no-stock", "--cis-regions=us-east-1", "--log-level=DEBUG")
    for name in ("botocore", "botocore.endpoint", "urllib3", ""):
        logger = logging.getLogger(name)
        for target in (logger, *logger.handlers):
            assert not any(isinstance(f, RedactingFilter) for f in target.filters), name
