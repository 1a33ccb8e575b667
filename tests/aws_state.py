"""Recipes for account state moto cannot produce through the API (moto_coverage.md §7).

They reach into moto's internals, so they all live here, in one place to mend when moto changes.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from types import SimpleNamespace
from typing import Any

import pytest
from moto.iam.aws_managed_policies import aws_managed_policies_data
from moto.iam.models import AWSManagedPolicy, IAMBackend, iam_backends

ACCOUNT = "123456789012"
ROOT_ARN = f"arn:aws:iam::{ACCOUNT}:root"
DATE = "%Y-%m-%dT%H:%M:%S+00:00"


def now() -> datetime:
    return datetime.now(timezone.utc)


def days_ago(days: float) -> datetime:
    return now() - timedelta(days=days)


def backend() -> IAMBackend:
    return iam_backends[ACCOUNT]["aws"]


def _date(value: datetime | str) -> str:
    return value if isinstance(value, str) else value.strftime(DATE)


def root_row(*, password_last_used: datetime | str = "no_information",
             key1: bool = False, key1_last_used: datetime | str = "N/A",
             key2: bool = False, key2_last_used: datetime | str = "N/A",
             mfa: bool = True, created: datetime | str = "2015-01-01T00:00:00+00:00") -> str:
    """The <root_account> line AWS writes (moto writes none)."""
    rotated = "2016-01-01T00:00:00+00:00"
    fields = [
        "<root_account>", ROOT_ARN, _date(created), "not_supported", _date(password_last_used),
        "not_supported", "not_supported", str(mfa).lower(),
        str(key1).lower(), rotated if key1 else "N/A", _date(key1_last_used), "N/A", "N/A",
        str(key2).lower(), rotated if key2 else "N/A", _date(key2_last_used), "N/A", "N/A",
        "false", "N/A", "false", "N/A",
    ]
    return ",".join(fields)


def install_root_row(monkeypatch: pytest.MonkeyPatch, row: str) -> None:
    original = IAMBackend.get_credential_report

    def with_root(self: IAMBackend) -> str:
        head, _, rest = original(self).partition("\n")
        return head + "\n" + row + "\n" + rest

    monkeypatch.setattr(IAMBackend, "get_credential_report", with_root)


def set_root_mfa(enabled: bool) -> None:
    backend().account_summary._account_mfa_enabled = 1 if enabled else 0


def assign_root_virtual_mfa(iam: Any) -> str:
    serial = iam.create_virtual_mfa_device(
        VirtualMFADeviceName="root-account-mfa-device")["VirtualMFADevice"]["SerialNumber"]
    device = backend().virtual_mfa_devices[serial]
    device.enable_date = datetime(2020, 1, 1)
    device.user = SimpleNamespace(path="/", name="", id=ACCOUNT, arn=ROOT_ARN,
                                  create_date=datetime(2015, 1, 1), password_last_used=None,
                                  tags=None, permissions_boundary=None)
    return serial


def inject_managed_policy(name: str) -> str:
    data = json.loads(aws_managed_policies_data)
    be = backend()
    policy = AWSManagedPolicy.from_data(name, ACCOUNT, be.region_name, data[name])
    be.managed_policies[policy.arn] = policy
    return policy.arn


def age_user(name: str, *, created: datetime | None = None,
             password_last_used: datetime | None = None,
             keys_created: list[datetime] | None = None,
             keys_last_used: list[datetime | None] | None = None) -> None:
    user = backend().users[name]
    if created is not None:
        user.create_date = created
    if password_last_used is not None:
        user.password_last_used = password_last_used
    for key, when in zip(user.access_keys, keys_created or []):
        key.create_date = when
    for key, when in zip(user.access_keys, keys_last_used or []):
        key.last_used = when
