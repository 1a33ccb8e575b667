"""ORG-3 and ORG-4: people get permissions through groups; AWS knows where to send alerts."""

from __future__ import annotations

from typing import Any

import pytest

from pytest_cis_aws import Finding, assert_compliant


@pytest.mark.cis(id="ORG-3", level=1, section="iam", title="Every IAM user is in a group")
def test_every_user_is_in_a_group(iam_authorization_details: dict[str, list[dict[str, Any]]]
                                  ) -> None:
    assert_compliant([
        Finding.of(user["Arn"], bool(user.get("GroupList")),
                   f"member of {', '.join(user['GroupList'])}" if user.get("GroupList")
                   else "in no group")
        for user in iam_authorization_details["UserDetailList"]
    ], empty="no IAM users")


# Level 2: `pytest --cis-level=1` leaves it out.
@pytest.mark.cis(id="ORG-4", level=2, section="iam",
                 title="The security contact is the security team's mailbox")
def test_security_contact_is_the_team_mailbox(security_contact: dict[str, Any] | None,
                                              aws_account_id: str,
                                              org_settings: dict[str, Any]) -> None:
    expected = org_settings["security_mailbox"]
    actual = (security_contact or {}).get("EmailAddress")
    assert_compliant([Finding.of(
        f"arn:aws:iam::{aws_account_id}:root", actual == expected,
        f"security contact {actual or 'missing'} (expected {expected})")])
