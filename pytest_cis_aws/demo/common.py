"""What every account builder shares: the client factory they take, policy documents, buckets.

The builders (`seed_iam`, `seed_logging`, `seed_monitoring`, `seed_networking`) only call AWS
APIs through the clients they are given: the demo passes moto's in-process clients, the tests
theirs, the benchmark clients pointed at a moto server. A real account could be built the same
way. What moto cannot produce through its API lives apart, in `moto_patches`.
"""

from __future__ import annotations

import json
from typing import Any, Protocol

ACCOUNT = "123456789012"  # moto's default account
HOME = "us-east-1"  # where S3 takes no location constraint


class Clients(Protocol):
    """`clients(service, region)`: a boto3 client allowed to write (boto3 clients are untyped)."""

    def __call__(self, service: str, region: str = ...) -> Any: ...


def document(*statements: dict[str, Any]) -> str:
    """An IAM policy document of `statements`."""
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def allow(action: str | list[str], resource: str = "*", **extra: Any) -> dict[str, Any]:
    return {"Effect": "Allow", "Action": action, "Resource": resource, **extra}


def trust(principal: str) -> str:
    """A role trust policy: `principal` (an account or ARN) may assume the role."""
    return document({"Effect": "Allow", "Principal": {"AWS": principal},
                     "Action": "sts:AssumeRole"})


def bucket(clients: Clients, name: str, region: str, *, acl: str = "private",
           owner: str | None = None) -> None:
    """A bucket in `region`, tagged with its `owner` when one is given."""
    s3 = clients("s3", region)
    where = {} if region == HOME else {"CreateBucketConfiguration": {"LocationConstraint": region}}
    s3.create_bucket(Bucket=name, ACL=acl, **where)
    if owner is not None:
        s3.put_bucket_tagging(Bucket=name, Tagging={"TagSet": [{"Key": "owner", "Value": owner}]})
