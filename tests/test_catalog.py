"""Pin the recommendation catalog to the CIS AWS Foundations Benchmark v1.1.0."""

from __future__ import annotations

import re
from dataclasses import FrozenInstanceError

import pytest

from pytest_cis_aws.catalog import (
    CATALOG,
    DEFAULT,
    Recommendation,
    get,
    recommendations,
    section_of,
)

EXPECTED_IDS = [
    *(f"1.{n}" for n in range(1, 25)),
    *(f"2.{n}" for n in range(1, 9)),
    *(f"3.{n}" for n in range(1, 16)),
    *(f"4.{n}" for n in range(1, 6)),
]

LEVEL_2 = {
    "1.14",
    "1.21",
    "2.2",
    "2.7",
    "2.8",
    "3.6",
    "3.7",
    "3.9",
    "3.10",
    "3.11",
    "4.3",
    "4.4",
    "4.5",
}
NOT_SCORED = {"1.15", "1.21", "1.23", "3.15", "4.5"}
NOT_AUTOMATED = {"1.15", "1.19", "3.15", "4.5"}

PERMISSION = re.compile(r"^[a-z0-9-]+:(Describe|Get|List|Generate)[A-Za-z0-9]*$")


def test_exactly_52_ids_in_benchmark_order() -> None:
    assert len(EXPECTED_IDS) == 52
    assert list(CATALOG) == EXPECTED_IDS
    assert [rec.id for rec in recommendations()] == EXPECTED_IDS


def test_catalog_keys_match_ids_and_order_follows_sort_key() -> None:
    assert all(key == rec.id for key, rec in CATALOG.items())
    keys = [rec.sort_key for rec in recommendations()]
    assert keys == sorted(keys)
    assert get("1.10").sort_key == (1, 10)
    assert get("1.9").sort_key < get("1.10").sort_key


def test_level_2_set() -> None:
    assert {rec.id for rec in recommendations() if rec.level == 2} == LEVEL_2
    assert {rec.level for rec in recommendations()} == {1, 2}


def test_not_scored_set() -> None:
    assert {rec.id for rec in recommendations() if not rec.scored} == NOT_SCORED


def test_not_automated_set() -> None:
    assert {rec.id for rec in recommendations() if not rec.automated} == NOT_AUTOMATED


def test_section_matches_id_prefix() -> None:
    for rec in recommendations():
        prefix = rec.id.split(".")[0]
        assert rec.section_number == prefix
        assert rec.section == DEFAULT.sections[prefix], rec.id


def test_sections_and_titles() -> None:
    assert DEFAULT.sections == {"1": "iam", "2": "logging", "3": "monitoring", "4": "networking"}
    assert DEFAULT.section_titles == {
        "iam": "Identity and Access Management",
        "logging": "Logging",
        "monitoring": "Monitoring",
        "networking": "Networking",
    }


@pytest.mark.parametrize("rec_id", EXPECTED_IDS)
def test_entry_is_complete(rec_id: str) -> None:
    rec = get(rec_id)
    assert isinstance(rec, Recommendation)
    assert rec.title.strip()
    assert "\n" not in rec.title
    assert rec.remediation.strip()
    assert rec.permissions
    assert isinstance(rec.permissions, tuple)
    assert len(set(rec.permissions)) == len(rec.permissions)
    assert isinstance(rec.cli, str)
    for line in rec.cli.splitlines():
        assert line.startswith("aws "), (rec_id, line)


@pytest.mark.parametrize("rec_id", EXPECTED_IDS)
def test_permissions_are_read_only_actions(rec_id: str) -> None:
    for permission in get(rec_id).permissions:
        assert PERMISSION.match(permission), (rec_id, permission)


def test_metric_filter_cli_uses_fixed_patterns() -> None:
    for n in range(1, 15):
        cli = get(f"3.{n}").cli
        assert "aws logs put-metric-filter" in cli
        assert "--filter-pattern '{" in cli
        assert "aws cloudwatch put-metric-alarm" in cli
        assert "$eventSource" not in cli
        assert "$eventName" not in cli
        assert '\\"' not in cli
    assert "($.eventSource = kms.amazonaws.com)" in get("3.7").cli
    assert "($.eventName = PutBucketAcl)" in get("3.8").cli
    assert "ReplaceNetworkAclEntry" in get("3.11").cli


def test_get_unknown_id_raises_key_error_naming_it() -> None:
    with pytest.raises(KeyError, match=r"9\.9"):
        get("9.9")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("IAM", "iam"),
        (" 2 ", "logging"),
        ("networking", "networking"),
        ("1", "iam"),
        ("Monitoring", "monitoring"),
        ("4", "networking"),
    ],
)
def test_section_of_accepts_numbers_and_names(value: str, expected: str) -> None:
    assert section_of(value) == expected


@pytest.mark.parametrize("value", ["billing", "", "5", "1.1"])
def test_section_of_rejects_unknown(value: str) -> None:
    with pytest.raises(ValueError, match="section"):
        section_of(value)


def test_catalog_is_read_only() -> None:
    with pytest.raises(TypeError):
        CATALOG["9.9"] = get("1.1")  # type: ignore[index]
    with pytest.raises(TypeError):
        del CATALOG["1.1"]  # type: ignore[attr-defined]
    assert len(CATALOG) == 52


def test_recommendation_is_frozen() -> None:
    with pytest.raises(FrozenInstanceError):
        get("1.1").title = "changed"  # type: ignore[misc]
