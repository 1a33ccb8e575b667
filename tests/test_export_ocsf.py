"""--cis-ocsf: OCSF Compliance Finding events, validated against the class's JSON Schema as
generated from OCSF's own schema export (pinned version) by ocsf-json-schema."""

from __future__ import annotations

import copy
import json
from typing import Any

import jsonschema
import pytest

from export_samples import ACCOUNT, HOSTILE, OTHER, document, organisation, with_baseline
from pytest_cis_aws.report import ocsf
from pytest_cis_aws.report.items import items
from schemas import ocsf_export, validate_ocsf


def by_resource(events: list[dict[str, Any]]) -> dict[tuple[str, str], dict[str, Any]]:
    return {(e["compliance"]["control"], e["resources"][0].get("uid") or
             e["resources"][0].get("name")): e for e in events}


def caption(enum_owner: dict[str, Any], attribute: str, value: int) -> str:
    return str(enum_owner["attributes"][attribute]["enum"][str(value)]["caption"])


@pytest.mark.parametrize("doc", [document(), with_baseline(document()), organisation(),
                                 document([])], ids=["one", "baseline", "organisation", "empty"])
def test_every_event_is_a_valid_compliance_finding(doc: dict[str, Any]) -> None:
    events = json.loads(ocsf.render(doc))
    assert len(events) == len(list(items(doc))) + sum(  # one per item, plus the gone ones
        r["id"] not in {i.id for i in items(doc)} for r in doc.get("resolved", []))
    export = ocsf_export()
    cls = export["classes"]["compliance_finding"]
    compliance = export["objects"]["compliance"]
    for event in events:
        validate_ocsf(event)
        assert (event["class_uid"], event["category_uid"]) == (2003, 2)
        assert event["type_uid"] == event["class_uid"] * 100 + event["activity_id"]
        assert event["metadata"]["version"] == ocsf.OCSF_VERSION == export["version"]
        # every *_id and its caption sibling say the same thing, as the pinned schema words it
        for attribute, sibling in [("activity_id", "activity_name"), ("status_id", "status"),
                                   ("severity_id", "severity")]:
            assert event[sibling] == caption(cls, attribute, event[attribute]), attribute
        status_id = event["compliance"]["status_id"]
        if status_id != 99:  # Other: the source's own word
            assert event["compliance"]["status"] == caption(compliance, "status_id", status_id)


def test_the_validator_is_strict() -> None:
    event = ocsf.events(document())[0]
    for breaks in [lambda e: e.pop("compliance"), lambda e: e["compliance"].pop("standards"),
                   lambda e: e.update(surprise=1), lambda e: e["compliance"].update(status_id=7),
                   lambda e: e["cloud"].pop("provider"), lambda e: e["finding_info"].pop("uid"),
                   lambda e: e.update(class_uid=2004)]:
        broken = copy.deepcopy(event)
        breaks(broken)
        with pytest.raises(jsonschema.ValidationError):
            validate_ocsf(broken)


def test_each_state_maps_to_its_compliance_status_severity_and_finding_status() -> None:
    doc = document()
    events = by_resource(ocsf.events(doc))
    iam = f"arn:aws:iam::{ACCOUNT}"

    def said(key: tuple[str, str]) -> tuple[Any, ...]:
        e = events[key]
        return (e["compliance"]["status_id"], e["compliance"]["status"], e["status"],
                e["severity"], e["compliance"]["status_code"])

    assert said(("1.2", f"{iam}:user/alice")) == (3, "Fail", "New", "Medium", "failed")
    assert said(("1.2", f"{iam}:user/bob")) == (1, "Pass", "New", "Informational", "passed")
    assert said(("1.2", f"{iam}:user/eve")) == (2, "Warning", "New", "Medium", "error")
    assert said(("1.14", f"{iam}:root")) == (3, "Fail", "Suppressed", "Medium", "waived")
    assert events[("1.14", f"{iam}:root")]["status_detail"].startswith("waived: hardware MFA")
    # a result no finding explains is about the account itself
    assert said(("1.5", ACCOUNT)) == (2, "Warning", "New", "Medium", "error")
    assert said(("1.15", ACCOUNT)) == (99, "Manual", "New", "Low", "manual")
    assert events[("1.5", ACCOUNT)]["resources"] == [{"uid": ACCOUNT, "type": "AWS Account"}]
    assert events[("1.5", ACCOUNT)]["compliance"]["status_detail"].startswith("AccessDenied")


def test_what_identifies_the_check_the_resource_and_the_account() -> None:
    events = by_resource(ocsf.events(document()))
    trail = f"arn:aws:cloudtrail:us-east-1:{ACCOUNT}:trail/main"
    e = events[("2.1", trail)]
    assert e["cloud"] == {"provider": "AWS", "region": "us-east-1", "account": {
        "uid": ACCOUNT, "type_id": 10, "type": "AWS Account"}}
    assert e["resources"] == [{"uid": trail, "type": "cloudtrail:trail", "cloud_partition": "aws",
                               "region": "us-east-1"}]
    assert e["compliance"]["standards"] == ["CIS AWS Foundations Benchmark v1.1.0"]
    assert e["compliance"]["requirements"] == ["CIS AWS Foundations Benchmark v1.1.0/2.1"]
    assert e["finding_info"]["title"] == "2.1 Ensure CloudTrail is enabled in all regions"
    assert "\n\nCLI: aws cloudtrail" in e["remediation"]["desc"]
    assert e["unmapped"]["cis"]["section"] == "logging" and e["unmapped"]["cis"]["level"] == 1
    # an organisation's own check is not claimed to be part of the benchmark
    org = next(v for (rec, _), v in events.items() if rec == "ORG-1")
    assert org["compliance"]["standards"] == [ocsf.ORGANISATION_STANDARD]
    assert "requirements" not in org["compliance"] and "remediation" not in org


def test_ids_are_stable_across_runs_and_each_event_is_its_own() -> None:
    first, later = document(), document()
    later["generated_at"] = "2026-12-02T22:00:00+00:00"
    a, b = ocsf.events(first), ocsf.events(later)
    assert [e["finding_info"]["uid"] for e in a] == [e["finding_info"]["uid"] for e in b] == [
        i.id for i in items(first)]
    assert b[0]["time"] - a[0]["time"] == 86_400_000  # milliseconds since the epoch
    uids = [e["metadata"]["uid"] for e in a + b]
    assert len(set(uids)) == len(uids)


def test_a_baseline_comparison_creates_updates_and_closes_findings() -> None:
    doc = with_baseline(document())
    events = by_resource(ocsf.events(doc))
    iam = f"arn:aws:iam::{ACCOUNT}"
    assert events[("1.2", f"{iam}:user/alice")]["activity_name"] == "Create"  # new
    assert events[("1.2", f"{iam}:user/eve")]["activity_name"] == "Update"  # unchanged
    bob = events[("1.2", f"{iam}:user/bob")]  # failed in the baseline, passes now
    assert (bob["activity_name"], bob["status"], bob["compliance"]["status"]) == (
        "Close", "Resolved", "Pass")
    gone = next(e for e in events.values() if e["finding_info"]["uid"] == "f" * 32)
    assert (gone["type_uid"], gone["status"], gone["compliance"]["status_code"]) == (
        200303, "Resolved", "resolved")
    assert gone["resources"][0]["region"] == "eu-west-1" and gone["cloud"]["region"] == "eu-west-1"


def test_hostile_names_survive_as_data() -> None:
    text = ocsf.render(document())
    assert text.isascii()
    (event,) = [e for e in json.loads(text) if e["compliance"]["control"] == "4.1"]
    assert event["resources"][0]["uid"] == HOSTILE


def test_an_organisation_document_gives_each_event_its_own_account() -> None:
    accounts = {e["cloud"]["account"]["uid"] for e in ocsf.events(organisation())}
    assert accounts == {ACCOUNT, OTHER}
