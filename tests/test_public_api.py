"""What `from pytest_cis_aws import ...` offers organisation checks (mypy checks the types)."""

from __future__ import annotations

import pytest_cis_aws


def test_every_name_in_all_is_importable() -> None:
    missing = [name for name in pytest_cis_aws.__all__ if not hasattr(pytest_cis_aws, name)]
    assert missing == []
    assert {"AwsClientFactory", "CredentialReport", "CredentialRow", "Finding",
            "assert_compliant", "manual"} <= set(pytest_cis_aws.__all__)
