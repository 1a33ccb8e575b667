"""Fixtures for the monitoring section: the alarm chain behind the trails, and every SNS topic.

Each log group's filters, each region's alarms and each topic's subscriptions are read once per
run (even under xdist), and shared by 3.1–3.14 and 3.15.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

import pytest

from .fixtures import _shared, regional
from .read import Envelope
from .read import split as regional_split
from .run import CisRun

if TYPE_CHECKING:
    from .rules.logging import Trails
    from .rules.metric_filters import Mode
    from .rules.monitoring import AlarmSetup, Inventory



def _key(kind: str, name: str) -> str:
    # The store flattens punctuation in its file names ('/' and '_' alike), so two log groups
    # such as "/trail" and "_trail" would share a file; a digest of the name keeps them apart.
    return f"{kind}/{name}/{hashlib.sha256(name.encode()).hexdigest()[:12]}"


def _each(run: CisRun, kind: str, names: Iterable[str],
          fetch: Callable[[str], object], unit: str) -> dict[str, Envelope]:
    """{name: Read in its wire form}: fetched concurrently, each once per run."""
    from .aws.fanout import per_region

    reads = per_region(sorted(set(names)),
                       lambda name: _shared(run, _key(kind, name), lambda: fetch(name)),
                       run.settings.max_workers, label=kind.replace("/", " ").replace("_", " "),
                       unit=unit)
    # The form the store hands out for everything else: what the rules decode (read.py).
    return {name: read.to_dict() for name, read in reads.items()}


def topic_subscriptions(run: CisRun, topics: Iterable[str]) -> dict[str, Envelope]:
    """{topic ARN: Read of its subscriptions (None: no such topic)}, each topic read once."""
    from .aws import collect_monitoring

    return _each(run, "sns/subscriptions", topics,
                 lambda arn: collect_monitoring.subscriptions(run.aws, arn), unit="topics")


@pytest.fixture(scope="session")
def cis_metric_filter_match(cis_run: CisRun) -> Mode:
    """How a metric filter must compare with the benchmark's: covers (default) or equivalent
    (ini cis_metric_filter_match)."""
    return cis_run.settings.metric_filter_match  # type: ignore[return-value]


@pytest.fixture(scope="session")
def monitoring_inventory(cis_run: CisRun, cloudtrail: Trails, aws_account_id: str) -> Inventory:
    """Filters of the trails' log groups, alarms of their regions, subscriptions of the topics
    those alarms notify: everything 3.1–3.14 follow, read once."""
    from .aws import collect_monitoring as collect
    from .rules import monitoring

    groups = {group.arn: group for group in monitoring.log_groups(cloudtrail, aws_account_id)}
    filters = _each(cis_run, "logs/metric_filters", groups.keys(),
                    lambda arn: collect.metric_filters(cis_run.aws, groups[arn].region,
                                                       groups[arn].name),
                    unit="log groups")
    alarms = _each(cis_run, "cloudwatch/alarms", monitoring.alarm_regions(groups.values()),
                   lambda region: collect.alarms(cis_run.aws, region), unit="regions")
    topics = monitoring.alarm_topics(groups.values(), monitoring.Inventory(filters, alarms))
    return monitoring.Inventory(filters, alarms, topic_subscriptions(cis_run, topics))


@pytest.fixture(scope="session")
def alarm_setup(cloudtrail: Trails, monitoring_inventory: Inventory, aws_account_id: str,
                cis_metric_filter_match: Mode) -> AlarmSetup:
    """What 3.1–3.14 judge: the trails, the chain read behind them, the filter match mode."""
    from .rules.monitoring import AlarmSetup

    return AlarmSetup(cloudtrail, monitoring_inventory, aws_account_id, cis_metric_filter_match)


@pytest.fixture(scope="session")
def monitoring_alarm_topics(cloudtrail: Trails, monitoring_inventory: Inventory,
                            aws_account_id: str) -> dict[str, list[str]]:
    """{topic ARN: names of the alarms on the trails' metric filters that notify it}."""
    from .rules import monitoring

    return monitoring.alarm_topics(monitoring.log_groups(cloudtrail, aws_account_id),
                                   monitoring_inventory)


@pytest.fixture(scope="session")
def sns_topics(cis_run: CisRun) -> dict[str, Envelope]:
    """The SNS topic ARNs of every selected region."""
    from .aws import collect_monitoring

    return regional(cis_run, "sns_topics", collect_monitoring.topics)


@pytest.fixture(scope="session")
def sns_subscriptions(cis_run: CisRun, sns_topics: dict[str, Envelope],
                      monitoring_alarm_topics: dict[str, list[str]]) -> dict[str, Any]:
    """Subscriptions of every listed topic and of every topic the monitoring alarms notify."""
    listed, _ = regional_split(sns_topics)
    wanted = {topic for topics in listed.values() for topic in topics}
    return topic_subscriptions(cis_run, wanted | set(monitoring_alarm_topics))
