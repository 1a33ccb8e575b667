"""Types for annotating your own checks with the plugin's fixtures.

    from pytest_cis_aws import AwsClientFactory, CredentialReport

    def test_org_check(aws_client: AwsClientFactory, cis_regions: tuple[str, ...]) -> None: ...

What boto3 answers stays `Any`/`dict[str, Any]`: the plugin does not depend on per-service stubs
(install `types-boto3[ec2,...]` and annotate a client yourself if you want them).
"""

from __future__ import annotations

from typing import Any, Protocol


class AwsClientFactory(Protocol):
    """The `aws_client` fixture: `aws_client("ec2", "eu-west-1")` gives the run's shared,
    read-only client for a service in a region (without a region: the session's home region)."""

    def __call__(self, service: str, region: str | None = None) -> Any: ...
