"""Hostile data: names, tags and descriptions are chosen by whoever can write to the account.

They reach the reports through the stock checks (a security group's name and tags, an SNS
subscriber, a topic) and through an organisation's own findings. Whatever they hold, the terminal
gets no escape sequence or bidi control, the HTML no markup, and the JSON and JUnit XML files
stay valid.
"""

from __future__ import annotations

import html
import json
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import accounts_networking as net
import faults

SCRIPT = "<script>alert(1)</script>"
IMG = '"><img src=x onerror=alert(2)>'
ANSI = "\x1b[31mRED\x1b[0m\x1b]0;pwned\x07\x1b[2J"
BIDI = "\u202eevil\u202c\u2066isolated\u2069\u200f"
ZERO_WIDTH = "in\u200bvis\u200dible\ufeff"
CONTROL = "nul\x00bs\x08vt\x0bus\x1fdel\x7f"
NEWLINE = "ok\r\nPASSED forged line"
UNICODE = "🔥💀 مرحبا 日本"
LONG = "A" * 5000
HOSTILE = " ".join((SCRIPT, IMG, ANSI, BIDI, ZERO_WIDTH, CONTROL, NEWLINE, UNICODE, LONG))
# What must never reach a terminal raw: escapes, C0/C1 controls, bidi and zero-width format chars.
RAW = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]")

ORG_CHECKS = f"""
import pytest
from pytest_cis_aws import Finding, assert_compliant, manual

HOSTILE = {HOSTILE!r}


@pytest.mark.cis(id="ORG-H1", level=1, section="iam")
def test_fails():
    assert_compliant([Finding.of(HOSTILE, False, HOSTILE, region="us-east-1")])


@pytest.mark.cis(id="ORG-H2", level=1, section="iam")
def test_unknown():
    assert_compliant([Finding.unknown(HOSTILE, HOSTILE)])


@pytest.mark.cis(id="ORG-H3", level=1, section="iam")
def test_manual():
    manual(HOSTILE, [Finding.unknown(HOSTILE, HOSTILE)])
"""


def _rename_groups(parsed: dict[str, Any]) -> bool:
    for group in parsed.get("SecurityGroups", []):
        group.update(GroupName=HOSTILE, Description=HOSTILE,
                     Tags=[{"Key": "Name", "Value": HOSTILE}])
    return True


def _hostile_topics(parsed: dict[str, Any]) -> bool:
    parsed["Topics"].append({"TopicArn": f"arn:aws:sns:us-east-1:123456789012:{HOSTILE}"})
    return True


def _hostile_subscribers(parsed: dict[str, Any]) -> bool:
    for subscription in parsed.get("Subscriptions", []):
        subscription["Endpoint"] = f"https://example.com/{HOSTILE}"
    return True


# The answers AWS (or whatever answers in its place) gives, with hostile names in them.
DAMAGE = {
    "ec2:DescribeSecurityGroups": _rename_groups,
    "sns:ListTopics": _hostile_topics,
    "sns:ListSubscriptionsByTopic": _hostile_subscribers,
}


@pytest.fixture
def outputs(pytester: pytest.Pytester, setup_client: Callable[..., Any]) -> dict[str, Any]:
    """One run (stock checks fed hostile answers, and organisation checks with hostile findings)
    and everything it wrote."""
    ec2 = setup_client("ec2")
    vpc = ec2.describe_vpcs()["Vpcs"][0]["VpcId"]
    net.group(ec2, vpc, "web", net.tcp(22, 22))  # 4.1 fails: its name lands in the table
    sns = setup_client("sns")
    topic = sns.create_topic(Name="alerts")["TopicArn"]
    sns.subscribe(TopicArn=topic, Protocol="https", Endpoint="https://example.com/hook")
    pytester.makeconftest(faults.CONFTEST)
    pytester.makepyfile(test_org=ORG_CHECKS)
    files = {"html": pytester.path / "report.html", "json": pytester.path / "findings.json",
             "junit": pytester.path / "junit.xml", "ocsf": pytester.path / "ocsf.json",
             "csv": pytester.path / "findings.csv", "markdown": pytester.path / "summary.md"}
    faults.ACTIVE = faults.Injector(faults={
        op: faults.Fault("hostile", damage=damage) for op, damage in DAMAGE.items()})
    try:
        result = pytester.runpytest(
            "--cis-id=4.1,4.4,3.15,ORG-H1,ORG-H2,ORG-H3", "--cis-regions=us-east-1", "-rA",
            "-vv", f"--html={files['html']}", f"--cis-json={files['json']}",
            f"--junitxml={files['junit']}", f"--cis-ocsf={files['ocsf']}",
            f"--cis-csv={files['csv']}", f"--cis-markdown={files['markdown']}")
    finally:
        faults.ACTIVE = None
    return {"result": result, **{k: Path(v).read_text(encoding="utf-8") for k, v in files.items()}}


def test_every_hostile_string_reached_a_report(outputs: dict[str, Any]) -> None:
    """The test means something only if the hostile data did get into the findings."""
    data = json.loads(outputs["json"])
    by_id = {r["id"]: r for r in data["results"]}
    assert {k: by_id[k]["outcome"] for k in ("4.1", "4.4", "3.15", "ORG-H1", "ORG-H2",
                                             "ORG-H3")} == {
        # 4.4: every group renamed, so the VPC's default group is not in the answer: unknown.
        "4.1": "failed", "4.4": "error", "3.15": "manual", "ORG-H1": "failed",
        "ORG-H2": "error", "ORG-H3": "manual"}
    reasons = " ".join(f["reason"] for r in data["results"] for f in r["findings"])
    assert SCRIPT in reasons and "https://example.com/<script>" in reasons


def test_terminal_output_is_neutralised(outputs: dict[str, Any]) -> None:
    result = outputs["result"]
    text = result.stdout.str() + result.stderr.str()
    assert RAW.findall(text) == []
    assert "\nPASSED forged line" not in text  # a newline in a name cannot forge a line
    # Shown escaped, and cut short: a 5,000-character name does not flood the log.
    assert "\\x1b[31mRED" in text and "\\u202eevil" in text
    assert max(map(len, text.splitlines())) < 1000
    assert "A" * 1000 not in text


def test_html_report_escapes_markup(outputs: dict[str, Any]) -> None:
    page = outputs["html"]
    for markup in (SCRIPT, IMG, "<img src=x", "<script>alert"):
        assert markup not in page
    # pytest-html keeps the results in an attribute, HTML-escaped; once unescaped it is JSON
    # whose strings still carry no markup that a browser would run.
    blob = html.unescape(re.search(r'data-jsonblob="([^"]*)"', page).group(1))
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in blob
    assert SCRIPT not in json.dumps(json.loads(blob), ensure_ascii=False)


def test_json_file_is_valid_and_faithful(outputs: dict[str, Any]) -> None:
    text = outputs["json"]
    assert text.isascii() and RAW.findall(text) == []  # every control char escaped
    findings = [f for r in json.loads(text)["results"] for f in r["findings"]]
    org = [f for f in findings if f["resource"] == HOSTILE]
    assert org and all(f["reason"] == HOSTILE for f in org)  # data kept whole, for machines


def test_junit_xml_parses(outputs: dict[str, Any]) -> None:
    root = ET.fromstring(outputs["junit"].encode("utf-8"))
    cases = {case.get("name"): case for case in root.iter("testcase")}
    failure = cases["test_4_1_no_ssh_from_anywhere"].find("failure")
    assert failure is not None and "\\x1b[31mRED" in (failure.text or "")
    assert "\x1b" not in outputs["junit"] and "\x00" not in outputs["junit"]


def test_ocsf_events_are_valid_and_faithful(outputs: dict[str, Any]) -> None:
    from schemas import validate_ocsf

    text = outputs["ocsf"]
    assert text.isascii()
    events = json.loads(text)
    for event in events:
        validate_ocsf(event)
    named = [e for e in events if e["resources"][0].get("name") == HOSTILE]
    assert named and all(e["compliance"]["status_detail"] == HOSTILE for e in named)


def test_csv_keeps_names_as_text(outputs: dict[str, Any]) -> None:
    import csv
    import io

    text = outputs["csv"]
    assert RAW.findall(text.replace("\r\n", "\n")) == []  # no escape reaches a terminal
    rows = list(csv.DictReader(io.StringIO(text, newline="")))
    assert {r["id"] for r in rows} >= {"4.1", "ORG-H1", "ORG-H2", "ORG-H3"}
    assert any(SCRIPT in r["resource"] and "\\x1b[31mRED" in r["resource"] for r in rows)
    assert not any(cell.startswith(("=", "+", "-", "@")) for r in rows for cell in r.values())


def test_markdown_summary_has_no_markup_from_the_account(outputs: dict[str, Any]) -> None:
    import cmarkgfm
    from cmarkgfm.cmark import Options

    text = outputs["markdown"]
    assert RAW.findall(text) == [] and max(map(len, text.splitlines())) < 1000
    page = cmarkgfm.github_flavored_markdown_to_html(text, options=Options.CMARK_OPT_UNSAFE)
    assert "<script" not in page and "<img" not in page
    assert "| 4.1 |" in text and "| ORG-H1 |" in text and "### Manual (check by hand): 2" in text
