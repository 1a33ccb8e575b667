"""Collectors for the logging section (CIS 2.x): CloudTrail, trail buckets, AWS Config, KMS.

Each returns JSON-able data. Trails are listed in every region (shadow copies included: a
multi-region trail is listed wherever it applies); a trail's status and event selectors are read
once, in its home region, where CloudTrail keeps them. A bucket is read once however many trails
deliver to it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from ..read import Envelope, Read
from .collect_regional import _paginate
from .errors import MalformedResponse, error_code, member, reading
from .fanout import RegionResults, per_region
from .session import Aws


def _part(operation: str, region: str | None, read: Callable[[], object]) -> Envelope:
    """One read whose failure is kept as data, so the reads beside it still count."""

    def attempt() -> object:
        with reading(operation, region=region):
            return read()

    return Read.attempt(attempt).to_dict()


def _without_metadata(answer: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in answer.items() if k != "ResponseMetadata"}


# CloudTrail -------------------------------------------------------------------------------------

def trails(aws: Aws, region: str) -> list[dict[str, Any]]:
    """DescribeTrails with shadow trails (it has no paginator: the answer is complete)."""
    with reading("cloudtrail:DescribeTrails", region=region):
        answer = aws.client("cloudtrail", region).describe_trails(includeShadowTrails=True)
        return [dict(trail) for trail in member(answer, "trailList")]


def trail_state(aws: Aws, trail: Mapping[str, Any]) -> dict[str, Any]:
    """GetTrailStatus and GetEventSelectors of one trail, asked in its home region."""
    arn, home = trail["TrailARN"], trail["HomeRegion"]
    client = aws.client("cloudtrail", home)
    with reading("cloudtrail:GetTrailStatus", region=home):
        status = _without_metadata(client.get_trail_status(Name=arn))
    with reading("cloudtrail:GetEventSelectors", region=home):
        selectors = client.get_event_selectors(TrailName=arn)
        if "EventSelectors" not in selectors and "AdvancedEventSelectors" not in selectors:
            # AWS always sends one kind; an answer with neither would read as "no selectors",
            # which means every management event is recorded.
            raise MalformedResponse("'EventSelectors'", kind="KeyError")
    return {
        "status": status,
        "EventSelectors": selectors.get("EventSelectors", []),
        "AdvancedEventSelectors": selectors.get("AdvancedEventSelectors", []),
    }


def trail_states(aws: Aws, trails: Iterable[Mapping[str, Any]],
                 max_workers: int) -> RegionResults[dict[str, Any]]:
    """{TrailARN: Read of its state}: one trail's failure stays its own."""
    by_arn = {trail["TrailARN"]: trail for trail in trails}
    # The fan-out is keyed by region name elsewhere; here by trail ARN, with the same isolation.
    return per_region(by_arn, lambda arn: trail_state(aws, by_arn[arn]), max_workers,
                      label="trail status", unit="trails")


# S3 buckets the trails deliver to ---------------------------------------------------------------

def _bucket_policy(s3: Any, name: str) -> str | None:
    from botocore.exceptions import ClientError

    try:
        return str(member(s3.get_bucket_policy(Bucket=name), "Policy"))
    except ClientError as exc:
        if error_code(exc) == "NoSuchBucketPolicy":
            return None  # no policy: it cannot make the bucket public
        raise


def bucket(aws: Aws, name: str, region: str) -> dict[str, Envelope]:
    """ACL grants, bucket policy (None when there is none) and access logging of one bucket.

    `region` is a guess (the home region of a trail using it); botocore follows S3's redirect
    when the bucket lives elsewhere.
    """
    s3 = aws.client("s3", region)
    return {
        "acl": _part("s3:GetBucketAcl", None,
                     lambda: member(s3.get_bucket_acl(Bucket=name), "Grants")),
        "policy": _part("s3:GetBucketPolicy", None, lambda: _bucket_policy(s3, name)),
        "logging": _part("s3:GetBucketLogging", None,
                         lambda: s3.get_bucket_logging(Bucket=name).get("LoggingEnabled")),
    }


def buckets(aws: Aws, wanted: Mapping[str, str],
            max_workers: int) -> dict[str, dict[str, Envelope]]:
    """Every bucket in `wanted` ({name: region to ask}) read once, concurrently."""
    results = per_region(wanted, lambda name: bucket(aws, name, wanted[name]), max_workers,
                         label="trail buckets", unit="buckets")
    # A bucket that failed as a whole (its client could not be made) fails in every part.
    return {name: result.value or {part: result.to_dict() for part in ("acl", "policy", "logging")}
            for name, result in results.items()}


# AWS Config -------------------------------------------------------------------------------------

def config_recorders(aws: Aws, region: str) -> dict[str, list[Any]]:
    """Recorders, their status and the delivery channels of one region (none is paginated)."""
    config = aws.client("config", region)
    with reading("config:DescribeConfigurationRecorders", region=region):
        recorders = member(config.describe_configuration_recorders(),
                           "ConfigurationRecorders")
    with reading("config:DescribeConfigurationRecorderStatus", region=region):
        statuses = member(config.describe_configuration_recorder_status(),
                          "ConfigurationRecordersStatus")
    with reading("config:DescribeDeliveryChannels", region=region):
        channels = member(config.describe_delivery_channels(), "DeliveryChannels")
    return {"recorders": recorders, "statuses": statuses, "channels": channels}


# KMS --------------------------------------------------------------------------------------------

def _rotatable(meta: Mapping[str, Any]) -> bool:
    # KMS keeps a rotation status only for these keys; asking about others fails on AWS
    # (UnsupportedOperation, KMSInvalidState) and is meaningless under moto (always false).
    return (meta.get("KeyManager") == "CUSTOMER" and meta.get("KeyState") == "Enabled"
            and meta.get("Origin") == "AWS_KMS"
            and (meta.get("KeySpec") or meta.get("CustomerMasterKeySpec")) == "SYMMETRIC_DEFAULT")


def _key(kms: Any, key: Mapping[str, Any], region: str) -> dict[str, Any]:
    # Per key: a key policy can deny this principal one key without hiding the others.
    arn = key.get("KeyArn") or key["KeyId"]
    found: dict[str, Any] = {
        "KeyId": key["KeyId"],
        "KeyArn": arn,
        "metadata": _part("kms:DescribeKey", region,
                          lambda: member(kms.describe_key(KeyId=arn), "KeyMetadata")),
    }
    meta = Read.from_dict(found["metadata"]).value
    if meta is not None and _rotatable(meta):
        found["rotation"] = _part("kms:GetKeyRotationStatus", region, lambda: bool(
            member(kms.get_key_rotation_status(KeyId=arn), "KeyRotationEnabled")))
    return found


def kms_keys(aws: Aws, region: str) -> list[dict[str, Any]]:
    """Every key of the region with its description and, where KMS has one, rotation status."""
    listed = _paginate(aws, "kms", "list_keys", region, "Keys", "kms:ListKeys")
    kms = aws.client("kms", region)
    return [_key(kms, key, region) for key in listed]
