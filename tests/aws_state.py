"""Recipes for account state moto cannot produce through the API (moto_coverage.md §7), as the
tests use them: the recipes themselves are the package's `demo.moto_patches`, shared with the
demo, in one place to mend when moto changes."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

import pytest

from pytest_cis_aws.demo import moto_patches
from pytest_cis_aws.demo.common import ACCOUNT
from pytest_cis_aws.demo.moto_patches import ROOT_ARN, age_user, root_row

__all__ = ["ACCOUNT", "ROOT_ARN", "age_user", "assign_root_virtual_mfa", "backend", "days_ago",
           "inject_managed_policy", "install_root_row", "now", "root_row", "set_root_mfa"]


def now() -> datetime:
    return datetime.now(timezone.utc)


def days_ago(days: float) -> datetime:
    return now() - timedelta(days=days)


def backend() -> Any:
    return moto_patches.iam_backend()


def install_root_row(monkeypatch: pytest.MonkeyPatch, row: str) -> None:
    moto_patches.credential_report_with_root(monkeypatch.setattr, row)


def set_root_mfa(enabled: bool) -> None:
    moto_patches.root_mfa(enabled)


def assign_root_virtual_mfa(iam: Any) -> str:
    return moto_patches.assign_root_virtual_mfa(iam, enabled_on=datetime(2020, 1, 1))


def inject_managed_policy(name: str) -> str:
    return moto_patches.managed_policy(name)
