"""What the organisation's checks share: their settings and one fixture built on the plugin's.

The plugin's fixtures (aws_client, cis_regions, iam_authorization_details, security_contact, ...)
are available here and in every check, as in the stock checks.
"""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import BotoCoreError, ClientError

from pytest_cis_aws import AwsClientFactory


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addini("org_security_mailbox", "where AWS must send security notices (ORG-4)")
    parser.addini("org_world_open_ports", "ports a security group may open to the world (ORG-2)",
                  type="linelist", default=["443"])


@pytest.fixture(scope="session")
def org_settings(pytestconfig: pytest.Config) -> dict[str, Any]:
    return {
        "security_mailbox": pytestconfig.getini("org_security_mailbox"),
        "world_open_ports": {int(port) for port in pytestconfig.getini("org_world_open_ports")},
    }


@pytest.fixture(scope="session")
def s3_bucket_tags(aws_client: AwsClientFactory) -> dict[str, dict[str, str] | str]:
    """Every bucket with its tags ({} when it has none), or why they could not be read.

    Read once per session. Each bucket is asked in its own region, as S3 expects.
    """
    s3 = aws_client("s3")
    found: dict[str, dict[str, str] | str] = {}
    for bucket in s3.list_buckets()["Buckets"]:
        name = bucket["Name"]
        try:
            region = s3.get_bucket_location(Bucket=name)["LocationConstraint"] or "us-east-1"
            tags = aws_client("s3", region).get_bucket_tagging(Bucket=name)["TagSet"]
            found[name] = {tag["Key"]: tag["Value"] for tag in tags}
        except ClientError as exc:
            if exc.response["Error"]["Code"] == "NoSuchTagSet":
                found[name] = {}
            else:
                found[name] = f"could not read its tags: {exc}"
        except BotoCoreError as exc:
            found[name] = f"could not read its tags: {exc}"
    return found
