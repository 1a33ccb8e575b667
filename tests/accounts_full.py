"""One account, in us-east-1 and eu-west-1, where every stock check can be decided and passes.

The fault-injection, least-privilege and secrets tests audit it whole: a check that still passes
when its data is broken is then a real finding, not a check that would have passed anyway. It
reuses the compliant account of each section; section 3's alarm chains hang on the log group of
section 2's multi-region trail (the two sections' builders each create a trail named "main").
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

import accounts_iam
import accounts_logging
import accounts_monitoring as mon
import accounts_networking
from pytest_cis_aws.demo.seed_monitoring import ALARMED

US, EU = "us-east-1", "eu-west-1"
REGIONS_ARG = f"--cis-regions={US},{EU}"
# Checks that no API can decide (or, 1.21, can fail but not pass): they end "manual" on a
# compliant account too.
MANUAL = frozenset({"1.15", "1.19", "1.21", "3.15", "4.5"})
# What moto cannot answer (the Cost and Usage Report API for 1.17, the account's contact details
# for 1.19), as AWS would: the fault harness answers these calls in moto's place.
CANNED = {
    "cur:DescribeReportDefinitions": {"ReportDefinitions": [{
        "ReportName": "cis-billing", "TimeUnit": "DAILY", "Format": "textORcsv",
        "Compression": "GZIP", "AdditionalSchemaElements": [], "S3Bucket": "cis-billing",
        "S3Prefix": "cur/", "S3Region": US}]},
    "account:GetContactInformation": {"ContactInformation": {
        "FullName": "Example Corp Cloud Team", "AddressLine1": "1 Main Street", "City": "Dublin",
        "CountryCode": "IE", "PostalCode": "D01", "PhoneNumber": "+353100000000"}},
}
INI = """
[pytest]
cis_iam_master_role = iam-master
cis_iam_manager_role = iam-manager
"""


def _alarm_chains(client: Callable[..., Any]) -> None:
    """Section 3's compliant chains, on the log group section 2's trail "main" sends to."""
    client("logs", US).create_log_group(logGroupName="cloudtrail")
    alarms_us = mon.topic(client, US, "cis-alarms", "secops@example.com")
    alarms_eu = mon.topic(client, EU, "cis-alarms-eu", "https://hooks.example.com/cis")
    for number, watched in enumerate(ALARMED):
        mon.chain(client, watched, mon.styled(number, watched),
                  [alarms_eu if number % 3 else alarms_us], math=number % 2 == 1)


def compliant(client: Callable[..., Any], monkeypatch: pytest.MonkeyPatch) -> None:
    accounts_iam.compliant(client, monkeypatch)
    accounts_logging.compliant(client, monkeypatch)
    accounts_networking.compliant(client)
    _alarm_chains(client)
