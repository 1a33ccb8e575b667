"""Section 2's building blocks: trails, their buckets and keys, Config recorders.

API calls only; CloudWatch Logs delivery times, recorder status and AWS managed keys, which
moto cannot produce through its API, are `moto_patches`' job.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .common import ACCOUNT, Clients


def log_group_arn(region: str, name: str, account: str = ACCOUNT) -> str:
    return f"arn:aws:logs:{region}:{account}:log-group:{name}:*"


def rotating_key(clients: Clients, region: str, description: str = "trail logs", *,
                 alias: str | None = None) -> str:
    """A customer managed KMS key with rotation on (e.g. for a trail); returns its ARN."""
    kms = clients("kms", region)
    key = kms.create_key(Description=description)["KeyMetadata"]
    kms.enable_key_rotation(KeyId=key["KeyId"])
    if alias is not None:
        kms.create_alias(AliasName=alias, TargetKeyId=key["KeyId"])
    return str(key["Arn"])


def access_logging(clients: Clients, region: str, name: str, target: str, prefix: str) -> None:
    """Server access logs of bucket `name` go to bucket `target`."""
    clients("s3", region).put_bucket_logging(Bucket=name, BucketLoggingStatus={
        "LoggingEnabled": {"TargetBucket": target, "TargetPrefix": prefix}})


def trail(clients: Clients, region: str, name: str, bucket_name: str, *, logging: bool = True,
          selectors: Mapping[str, Any] | None = None, **settings: Any) -> str:
    """Create a trail homed in `region` (its event `selectors`, the arguments of
    PutEventSelectors, if any) and start it unless told not to; returns its name."""
    cloudtrail = clients("cloudtrail", region)
    cloudtrail.create_trail(Name=name, S3BucketName=bucket_name, **settings)
    if selectors is not None:
        cloudtrail.put_event_selectors(TrailName=name, **selectors)
    if logging:
        cloudtrail.start_logging(Name=name)  # moto finds a trail here by name only
    return name


def recorder(clients: Clients, region: str, group: Mapping[str, Any], *, role: str,
             name: str = "default", bucket: str | None = None,
             topic: str | None = None) -> None:
    """A Config recorder of `group` (its recordingGroup); with a `bucket`, a delivery channel
    (notifying `topic`, if any) and the recorder started. Without one, it stays stopped."""
    config = clients("config", region)
    config.put_configuration_recorder(ConfigurationRecorder={
        "name": name, "roleARN": role, "recordingGroup": dict(group)})
    if bucket is None:
        return
    notify = {} if topic is None else {"snsTopicARN": topic}
    config.put_delivery_channel(DeliveryChannel={"name": "default", "s3BucketName": bucket,
                                                 **notify})
    config.start_configuration_recorder(ConfigurationRecorderName=name)
