"""Fixtures for the logging section: per-region inventories, fetched once per run."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from .fixtures import _shared, regional
from .read import Envelope
from .read import split as regional_split
from .run import CisRun

if TYPE_CHECKING:
    from .rules.logging import Trails


def _run_key(run: CisRun, name: str) -> str:
    # Derived from the per-region data, so it is keyed by the same region list.
    return f"{name}/{','.join(run.regions().selected)}"


@pytest.fixture(scope="session")
def cloudtrail_trails(cis_run: CisRun) -> dict[str, Envelope]:
    """DescribeTrails in every selected region, shadow copies of multi-region trails included."""
    from .aws import collect_logging

    return regional(cis_run, "cloudtrail_trails", collect_logging.trails)


@pytest.fixture(scope="session")
def cloudtrail(cis_run: CisRun, cloudtrail_trails: dict[str, Envelope]) -> Trails:
    """Every trail once, with its status and event selectors read in its home region."""
    from .aws import collect_logging
    from .rules.logging import Trails

    by_region, unread = regional_split(cloudtrail_trails)
    trails = Trails.of(by_region, unread)
    states = _shared(cis_run, _run_key(cis_run, "cloudtrail/trail_states"),
                     lambda: collect_logging.trail_states(cis_run.aws, trails.trails,
                                                          cis_run.settings.max_workers))
    read, unread_states = regional_split(states)
    return Trails.of(by_region, unread, read, unread_states)


@pytest.fixture(scope="session")
def cloudtrail_buckets(cis_run: CisRun, cloudtrail: Trails) -> dict[str, dict[str, Envelope]]:
    """ACL, policy and access logging of every trail bucket: {bucket: {part: value or error}}."""
    from .aws import collect_logging

    # Ask in the home region of a trail that uses the bucket: usually where the bucket lives.
    wanted = {name: users[0]["HomeRegion"] for name, users in cloudtrail.buckets().items()}
    return _shared(cis_run, _run_key(cis_run, "s3/trail_buckets"),
                   lambda: collect_logging.buckets(cis_run.aws, wanted,
                                                   cis_run.settings.max_workers))


@pytest.fixture(scope="session")
def config_recorders(cis_run: CisRun) -> dict[str, Envelope]:
    """AWS Config recorders, their status and delivery channels, per selected region."""
    from .aws import collect_logging

    return regional(cis_run, "config_recorders", collect_logging.config_recorders)


@pytest.fixture(scope="session")
def kms_keys(cis_run: CisRun) -> dict[str, Envelope]:
    """KMS keys with their description and rotation status, per selected region."""
    from .aws import collect_logging

    return regional(cis_run, "kms_keys", collect_logging.kms_keys)
