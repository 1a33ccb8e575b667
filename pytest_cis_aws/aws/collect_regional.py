"""Collectors of per-region inventories; each runs once per region on the fan-out pool."""

from __future__ import annotations

from typing import Any

from .errors import reading
from .pages import every
from .session import Aws


def _paginate(aws: Aws, service: str, operation: str, region: str, result_key: str,
              permission: str, **kwargs: Any) -> list[Any]:
    with reading(permission, region=region):
        # Every page or an error: no page left unread, none read twice.
        return every(aws.client(service, region), operation, result_key, **kwargs)


def ec2_instances(aws: Aws, region: str) -> list[dict[str, Any]]:
    reservations = _paginate(
        aws, "ec2", "describe_instances", region, "Reservations", "ec2:DescribeInstances",
        Filters=[{"Name": "instance-state-name",
                  "Values": ["pending", "running", "stopping", "stopped"]}],
    )
    return [
        {
            "InstanceId": i["InstanceId"],
            "IamInstanceProfile": i.get("IamInstanceProfile"),
            "State": i.get("State", {}).get("Name"),
            "Tags": i.get("Tags", []),
            "OwnerId": r.get("OwnerId"),
        }
        for r in reservations
        for i in r.get("Instances", [])
    ]
