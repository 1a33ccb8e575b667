"""Parsing the credential report: typed rows, sentinels understood, the root row kept apart."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from pytest_cis_aws import credential_report as cr

HEADER = ("user,arn,user_creation_time,password_enabled,password_last_used,password_last_changed,"
          "password_next_rotation,mfa_active,access_key_1_active,access_key_1_last_rotated,"
          "access_key_1_last_used_date,access_key_1_last_used_region,"
          "access_key_1_last_used_service,access_key_2_active,access_key_2_last_rotated,"
          "access_key_2_last_used_date,access_key_2_last_used_region,"
          "access_key_2_last_used_service,cert_1_active,cert_1_last_rotated,cert_2_active,"
          "cert_2_last_rotated")
ROOT = ("<root_account>,arn:aws:iam::123456789012:root,2015-01-01T00:00:00+00:00,not_supported,"
        "2024-05-01T10:00:00+00:00,not_supported,not_supported,true,false,N/A,N/A,N/A,N/A,false,"
        "N/A,N/A,N/A,N/A,false,N/A,false,N/A")
ALICE = ("alice,arn:aws:iam::123456789012:user/alice,2020-01-01T00:00:00+00:00,true,"
         "no_information,2020-01-02T00:00:00+00:00,N/A,false,true,2020-01-03T00:00:00+00:00,N/A,"
         "N/A,N/A,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A")


def test_root_row_is_kept_apart_from_users() -> None:
    report = cr.parse("\n".join([HEADER, ROOT, ALICE]))
    assert report.root is not None and report.root.is_root
    assert [u.user for u in report.users] == ["alice"]
    assert report.root.password_enabled is None  # not_supported


def test_sentinels_are_not_dates() -> None:
    alice = cr.parse("\n".join([HEADER, ALICE])).users[0]
    assert alice.password_last_used.at is None and alice.password_last_used.raw == "no_information"
    assert alice.access_keys[0].last_used.raw == "N/A"
    assert alice.access_keys[0].last_rotated.at == datetime(2020, 1, 3, tzinfo=timezone.utc)
    assert [k.slot for k in alice.active_keys] == [1]


def test_dates_are_timezone_aware() -> None:
    report = cr.parse("\n".join([HEADER, ROOT]))
    assert report.root is not None
    assert report.root.password_last_used.at is not None
    assert report.root.password_last_used.at.tzinfo is not None


def test_missing_root_row_is_none() -> None:
    assert cr.parse("\n".join([HEADER, ALICE])).root is None


def test_missing_columns_are_reported() -> None:
    with pytest.raises(cr.MalformedReport, match=r"lacks columns: .*mfa_active"):
        cr.parse("user,arn\nalice,arn:aws:iam::1:user/alice")


def test_garbage_date_is_malformed_not_a_crash() -> None:
    with pytest.raises(cr.MalformedReport, match="not a date"):
        cr.parse("\n".join([HEADER, ALICE.replace("2020-01-03T00:00:00+00:00", "yesterday")]))
