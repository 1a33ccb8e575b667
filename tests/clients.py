"""Unguarded boto3 clients for arranging account state in moto (writes allowed)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import boto3


def client_maker(clients: dict[tuple[str, str], Any]) -> Callable[..., Any]:
    """A `client(service, region="us-east-1")` that builds each client once, kept in `clients`
    (the session's `_setup_clients`, so function- and module-scoped builders share them)."""

    def make(service: str, region: str = "us-east-1") -> Any:
        key = (service, region)
        if key not in clients:
            clients[key] = boto3.client(service, region_name=region)
        return clients[key]

    return make
