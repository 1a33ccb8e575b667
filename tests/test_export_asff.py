"""--cis-asff: the Findings list `aws securityhub batch-import-findings` takes, validated with
botocore's own BatchImportFindings input model; on hand-built documents (no AWS, no run)."""

from __future__ import annotations

import json
from typing import Any

import pytest

import export_docs as docs
from pytest_cis_aws.report import asff
from pytest_cis_aws.report.items import items
from schemas import validate_asff

CIS_TYPE = ("Software and Configuration Checks/Industry and Regulatory Standards/"
            "CIS AWS Foundations Benchmark")


def render(doc: dict[str, Any]) -> list[dict[str, Any]]:
    text = asff.render(doc)
    assert text.isascii()
    findings = json.loads(text)
    assert isinstance(findings, list)  # what --findings file://... takes
    validate_asff(findings)
    return findings


@pytest.fixture(scope="module")
def single() -> dict[str, Any]:
    return docs.single()


@pytest.fixture(scope="module")
def findings(single: dict[str, Any]) -> list[dict[str, Any]]:
    return render(single)


def by_resource(findings: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {f["Resources"][0]["Id"] + " " + f["GeneratorId"].rsplit("/", 1)[1]: f
            for f in findings}


def test_every_field_security_hub_requires(findings: list[dict[str, Any]],
                                          single: dict[str, Any]) -> None:
    first = findings[0]
    assert first["SchemaVersion"] == "2018-10-08"
    assert first["ProductArn"] == \
        "arn:aws:securityhub:eu-west-1:123456789012:product/123456789012/default"
    assert first["GeneratorId"] == "pytest-cis-aws/cis-aws-foundations-benchmark/v/1.1.0/1.2"
    assert first["AwsAccountId"] == "123456789012"
    assert first["Types"] == [CIS_TYPE] == first["FindingProviderFields"]["Types"]
    assert first["CreatedAt"] == first["UpdatedAt"] and first["CreatedAt"].endswith("Z")
    assert first["Title"] == "1.2 MFA is enabled for every IAM user with a console password"
    assert first["Description"].startswith("arn:aws:iam::123456789012:user/alice does not "
                                            "comply with 1.2")
    assert first["Remediation"]["Recommendation"]["Text"].startswith("Register an MFA device")
    assert first["Compliance"] == {"Status": "FAILED", "RelatedRequirements": [
        "CIS AWS Foundations Benchmark v1.1.0/1.2"]}
    assert (first["RecordState"], first["Workflow"]) == ("ACTIVE", {"Status": "NEW"})
    assert first["Resources"] == [{"Type": "AwsIamUser", "Partition": "aws",
                                   "Id": "arn:aws:iam::123456789012:user/alice"}]
    # Ids: the items' stable ids, unique, so a later PASSED finding resolves this FAILED one
    ids = [f["Id"] for f in findings]
    assert len(set(ids)) == len(ids)
    assert set(ids) >= {f"pytest-cis-aws/{i.id}" for i in items(single)}


def test_each_outcome_has_its_status_workflow_and_severity(
        findings: list[dict[str, Any]]) -> None:
    got = {key: (f["Compliance"]["Status"], f["Workflow"]["Status"], f["Severity"]["Label"])
           for key, f in by_resource(findings).items()}
    acct = "AWS::::Account:123456789012"
    assert got == {
        "arn:aws:iam::123456789012:user/alice 1.2": ("FAILED", "NEW", "HIGH"),
        "arn:aws:iam::123456789012:user/bob 1.2": ("PASSED", "RESOLVED", "INFORMATIONAL"),
        f"{docs.HOSTILE} 1.2": ("FAILED", "NEW", "HIGH"),
        "arn:aws:iam::123456789012:root 1.14": ("FAILED", "SUPPRESSED", "MEDIUM"),
        f"{acct} 1.5": ("NOT_AVAILABLE", "NEW", "HIGH"),
        "arn:aws:cloudtrail:eu-west-1:123456789012:trail/t 2.1": ("NOT_AVAILABLE", "NEW",
                                                                   "HIGH"),
        f"{acct} 1.15": ("WARNING", "NEW", "LOW"),
        "arn:aws:ec2:eu-west-1:123456789012:security-group/sg-1 4.1": ("PASSED", "RESOLVED",
                                                                        "INFORMATIONAL"),
        f"{acct} 2.6": ("PASSED", "RESOLVED", "INFORMATIONAL"),  # passed on no resource
        "arn:aws:s3:::bucket-123456789012 ORG-1": ("FAILED", "NEW", "HIGH"),
    }
    waived = by_resource(findings)["arn:aws:iam::123456789012:root 1.14"]
    assert waived["Note"]["Text"] == "waived: SEC-1: ordered"
    org = by_resource(findings)["arn:aws:s3:::bucket-123456789012 ORG-1"]
    assert org["GeneratorId"] == "pytest-cis-aws/organization/ORG-1"
    assert org["Types"] == ["Software and Configuration Checks"]
    assert "RelatedRequirements" not in org["Compliance"]
    assert org["Resources"][0]["Type"] == "AwsS3Bucket"


@pytest.mark.parametrize("arn, region, expected", [
    ("arn:aws:iam::123456789012:root", None, {"Type": "AwsAccount"}),
    ("arn:aws:iam::123456789012:role/a/b", None, {"Type": "AwsIamRole"}),
    ("arn:aws:iam::123456789012:policy/p", None, {"Type": "AwsIamPolicy"}),
    ("arn:aws:kms:eu-west-1:123456789012:key/k", None,
     {"Type": "AwsKmsKey", "Region": "eu-west-1"}),
    ("arn:aws:ec2:eu-west-1:123456789012:vpc/vpc-1", "eu-west-1",
     {"Type": "AwsEc2Vpc", "Region": "eu-west-1"}),
    ("arn:aws:sns:us-east-1:123456789012:alerts", None,
     {"Type": "AwsSnsTopic", "Region": "us-east-1"}),
    ("arn:aws:cloudwatch:us-east-1:123456789012:alarm:a", None,
     {"Type": "AwsCloudWatchAlarm", "Region": "us-east-1"}),
    ("arn:aws:logs:us-east-1:123456789012:log-group:g", None,
     {"Type": "Other", "Region": "us-east-1"}),
    ("arn:aws-cn:s3:::b", None, {"Type": "AwsS3Bucket", "Partition": "aws-cn"}),
    ("region eu-west-1", "eu-west-1", {"Type": "Other", "Region": "eu-west-1"}),
    ("<root_account>", "global", {"Type": "Other"}),
])
def test_the_resource_type_comes_from_the_arn(arn: str, region: str | None,
                                              expected: dict[str, str]) -> None:
    got = asff.resource(arn, region, "123456789012", "eu-west-1")
    assert got == {"Id": arn, "Partition": "aws", **expected}


def test_an_organization_gives_each_account_its_own_findings() -> None:
    findings = render(docs.organization())
    accounts = {f["AwsAccountId"] for f in findings}
    assert accounts == {docs.ACCOUNT, docs.OTHER}
    for f in findings:  # each account imports its own, into its own default product
        assert f["ProductArn"].endswith(f":{f['AwsAccountId']}:product/{f['AwsAccountId']}/"
                                        "default")
    assert len({f["Id"] for f in findings}) == len(findings) == 20


def test_a_baseline_is_told_and_what_disappeared_is_archived() -> None:
    doc = docs.with_baseline(docs.single())
    findings = render(doc)
    changes = {f["Resources"][0]["Id"]: f["ProductFields"].get("pytest-cis-aws/baseline")
               for f in findings}
    assert changes["arn:aws:iam::123456789012:user/alice"] == "new"
    assert changes["arn:aws:iam::123456789012:root"] == "unchanged"
    archived = findings[-1]
    assert (archived["Id"], archived["RecordState"], archived["Compliance"]["Status"],
            archived["Workflow"]["Status"]) == (
        "pytest-cis-aws/" + "0" * 32, "ARCHIVED", "PASSED", "RESOLVED")
    assert archived["Description"].startswith("arn:aws:iam::123456789012:user/carol is no "
                                              "longer listed by 1.3; it was failed")
    # resolved and still listed (now passing): the current finding, not a second one
    doc["resolved"][0]["id"] = doc["results"][0]["findings"][1]["id"]
    assert [f["RecordState"] for f in render(doc)].count("ARCHIVED") == 0


def test_hostile_and_long_text_stay_valid_and_within_limits() -> None:
    long = docs.result("1.2", "failed", [docs.finding(docs.HOSTILE, False, "x" * 5000)])
    long["title"] = "t" * 400
    findings = render(docs.document([long]))  # validate_asff checks the limits
    text = asff.render(docs.document([long]))
    assert "\x1b" not in text and "\u202e" not in text and "\\u202e" in text
    (f,) = findings
    assert f["Resources"][0]["Id"] == docs.HOSTILE
    assert len(f["Description"]) == 1024 and f["Description"].endswith("\u2026")
    assert len(f["Title"]) == 256


def test_empty_incomplete_or_unknown_account_documents() -> None:
    assert asff.render({}) == "[]" == asff.render(docs.empty())
    unknown = docs.document(docs.rows(None), account="unknown")
    assert render(unknown) == []  # Security Hub cannot take a finding without its account
    china = render(docs.document(docs.rows(None), regions=("cn-north-1",)))
    assert {f["ProductArn"].split(":")[1] for f in china} == {"aws-cn"}
    nowhere = render(docs.document(docs.rows(None), regions=()))
    assert {f["ProductArn"].split(":")[3] for f in nowhere} == {"us-east-1"}


def test_a_resource_judged_twice_is_one_finding() -> None:
    (finding,) = render(docs.judged_twice())
    assert finding["Compliance"]["Status"] == "FAILED"
    assert "access key 1 never used; access key 2: no dates" in finding["Description"]
