"""Nothing judged is nothing proven: a check with no finding errs unless it says, with `empty=`,
why an empty population complies — and then that sentence is its evidence in the JSON."""

from __future__ import annotations

import json

import pytest

from pytest_cis_aws import Finding, assert_compliant
from pytest_cis_aws.errors import CouldNotEvaluate
from pytest_cis_aws.findings import NOTHING_JUDGED, CheckRecord, recording


def test_no_finding_and_no_word_on_it_is_an_error() -> None:
    with recording(CheckRecord()), pytest.raises(CouldNotEvaluate, match="nothing was judged"):
        assert_compliant([])


def test_no_finding_passes_when_the_check_says_why_and_that_is_recorded() -> None:
    with recording(CheckRecord()) as record:
        assert_compliant(iter(()), empty="no S3 buckets in the account")
    assert record.notes == ["no S3 buckets in the account"]
    assert record.findings == []


def test_empty_says_nothing_when_there_are_findings() -> None:
    with recording(CheckRecord()) as record, pytest.raises(pytest.fail.Exception):
        assert_compliant([Finding.of("arn:x", False, "bad")], empty="none")
    assert record.notes == []


def test_end_to_end_an_organisation_check_on_an_empty_population(pytester: pytest.Pytester,
                                                                  moto: None) -> None:
    pytester.makepyfile(test_org="""
        import pytest
        from pytest_cis_aws import assert_compliant

        @pytest.mark.cis(id="ORG-1", level=1, title="Buckets have owners")
        def test_silent():
            assert_compliant([])

        @pytest.mark.cis(id="ORG-2", level=1, title="Users are in groups")
        def test_said():
            assert_compliant([], empty="no IAM users")
    """)
    result = pytester.runpytest("--cis-no-stock", "--cis-regions=us-east-1",
                                "--cis-json=out.json", "--junitxml=out.xml")
    outcomes = {r["id"]: r for r in json.loads((pytester.path / "out.json").read_text())
                ["results"]}
    assert outcomes["ORG-1"]["outcome"] == "error"
    assert NOTHING_JUDGED.split(":")[0] in outcomes["ORG-1"]["reason"]
    assert outcomes["ORG-2"]["outcome"] == "passed"
    assert outcomes["ORG-2"]["notes"] == ["no IAM users"]
    assert "<error" in (pytester.path / "out.xml").read_text()
    result.assert_outcomes(passed=1, errors=1)
