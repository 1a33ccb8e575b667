"""CIS section 2: Logging (2.1 - 2.8)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pytest_cis_aws import assert_compliant
from pytest_cis_aws.findings import check
from pytest_cis_aws.read import split as regional_split
from pytest_cis_aws.rules import logging
from pytest_cis_aws.rules.logging import Trails

Buckets = dict[str, Any]  # the trails' buckets by name: what was read of each
Regional = dict[str, Any]  # a `regional` fixture's data: each region's value or its error


@check("logging.multi_region_trail")
def test_2_1_cloudtrail_enabled_in_all_regions(cloudtrail: Trails, aws_account_id: str) -> None:
    assert_compliant(logging.multi_region_trail(cloudtrail, aws_account_id),
                     note=logging.LATER_VERSIONS_2_1)


@check("logging.log_file_validation")
def test_2_2_cloudtrail_log_file_validation_enabled(cloudtrail: Trails,
                                                    aws_account_id: str) -> None:
    assert_compliant(logging.log_file_validation(cloudtrail, aws_account_id))


@check("logging.public_trail_buckets")
def test_2_3_cloudtrail_bucket_not_public(cloudtrail: Trails, cloudtrail_buckets: Buckets,
                                          aws_account_id: str) -> None:
    assert_compliant(logging.public_trail_buckets(cloudtrail, cloudtrail_buckets, aws_account_id))


@check("logging.cloudwatch_logs_delivery")
def test_2_4_cloudtrail_integrated_with_cloudwatch_logs(cloudtrail: Trails, cis_now: datetime,
                                                        aws_account_id: str) -> None:
    assert_compliant(logging.cloudwatch_logs_delivery(cloudtrail, cis_now, aws_account_id))


@check("logging.config_in_every_region")
def test_2_5_config_enabled_in_all_regions(config_recorders: Regional,
                                           aws_account_id: str) -> None:
    assert_compliant(logging.config_in_every_region(*regional_split(config_recorders),
                                                    aws_account_id))


@check("logging.trail_bucket_access_logging")
def test_2_6_cloudtrail_bucket_access_logging_enabled(cloudtrail: Trails,
                                                      cloudtrail_buckets: Buckets,
                                                      aws_account_id: str) -> None:
    assert_compliant(logging.trail_bucket_access_logging(cloudtrail, cloudtrail_buckets,
                                                         aws_account_id))


@check("logging.kms_encryption")
def test_2_7_cloudtrail_logs_encrypted_with_kms(cloudtrail: Trails, aws_account_id: str) -> None:
    assert_compliant(logging.kms_encryption(cloudtrail, aws_account_id))


@check("logging.customer_key_rotation")
def test_2_8_customer_kms_keys_rotated(kms_keys: Regional) -> None:
    assert_compliant(logging.customer_key_rotation(*regional_split(kms_keys)))
