"""Section 3 rules: Monitoring (metric filters, alarms, SNS). Pure: data in, findings out.

Each alarm (v1.1.0's 3.1–3.14) follows one chain from a trail to a person:

    logging trail → its CloudWatch Logs group (own region and account)
    → a metric filter whose pattern catches what the benchmark asks (judged by meaning)
    → the filter's metric → an alarm on it → the alarm's SNS topic → a confirmed subscription

v1.1.0 starts the chain at "the log group configured for use with CloudTrail" (audit step 1),
not at a multi-region trail: a single-region trail that logs to CloudWatch Logs counts, and the
finding says which regions' events its log group sees (later CIS versions require a multi-region
trail). Global service events (IAM, console sign-ins) reach a single-region trail only when it
includes them; without them the four alarms of GLOBAL_EVENTS (3.2, 3.3, 3.4 and 3.6) cannot
alarm, so such a trail does not count for those four. A trail that is not logging delivers
nothing and does not count, nor does one whose event selectors leave out events the alarm
counts (write-only selectors drop the refused reads of 3.1; excluding kms.amazonaws.com drops
3.7): the selectors are read against the same corpus the filters are judged on.

The alarms are named by meaning (``unauthorized_api_calls``, ...: metric_filters.py), never by a
benchmark's id; the two reasons that cite the recommendation take its id from the caller
(``cited_as``), which reads it from the benchmark being run.

The account complies when any trail has the whole chain. Otherwise every trail's finding names
the first link missing on its most complete path, and an account where no logging trail sends
to CloudWatch Logs fails (there is nothing to alarm on: not a pass). Data that could not be read
on a path makes the verdict unknown unless another trail passes: a path we cannot see may be the
one that works.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import Any

from ..finding import Finding
from ..read import Envelope, Read
from .judgement import Judgement
from .logging import Trail, Trails, account_resource, unread_regions
from .metric_filters import CORPUS, RULE_PREFIX, FilterJudgement, Mode, judge

Part = Envelope  # a Read (read.py) in its wire form

# The alarms by meaning, in the benchmark's order (v1.1.0: 3.1 … 3.14).
ALARMED: tuple[str, ...] = tuple(CORPUS)
PENDING = "PendingConfirmation"  # the SubscriptionArn of a subscription nobody confirmed yet
NO_CHAIN_START = "no logging trail sends to CloudWatch Logs"
NO_REGION = "no region's trails were listed, so no chain could be followed"
# The alarms whose events come from global services (IAM, console sign-in): a single-region
# trail sees them only with IncludeGlobalServiceEvents (v1.1.0: 3.2, 3.3, 3.4, 3.6).
GLOBAL_EVENTS = frozenset({"console_signin_without_mfa", "root_account_usage",
                           "iam_policy_changes", "console_authentication_failures"})


# The data ---------------------------------------------------------------------------------------

@dataclass(frozen=True)
class LogGroup:
    """A CloudWatch Logs group, as a trail's CloudWatchLogsLogGroupArn names it."""

    partition: str
    region: str
    account: str
    name: str

    @classmethod
    def parse(cls, arn: str) -> LogGroup | None:
        # arn:PARTITION:logs:REGION:ACCOUNT:log-group:NAME[:*]; a name cannot contain ':'.
        parts = arn.split(":")
        if len(parts) not in (7, 8) or parts[0] != "arn" or parts[2] != "logs" \
                or parts[5] != "log-group" or not all(parts[3:5]) or not parts[6]:
            return None
        return cls(parts[1], parts[3], parts[4], parts[6])

    @property
    def arn(self) -> str:
        return f"arn:{self.partition}:logs:{self.region}:{self.account}:log-group:{self.name}"

    def __str__(self) -> str:
        return f"log group {self.name} ({self.region})"


@dataclass(frozen=True)
class Inventory:
    """What the chains read, each piece once: {"value": ...} or {"error": ...} per key."""

    filters: Mapping[str, Part] = field(default_factory=dict)  # LogGroup.arn -> filters or None
    alarms: Mapping[str, Part] = field(default_factory=dict)  # region -> metric alarms
    subscriptions: Mapping[str, Part] = field(default_factory=dict)  # topic ARN -> subs or None


@dataclass(frozen=True)
class AlarmSetup:
    """Everything 3.1–3.14 judge: the trails, what was read behind them, and how strictly."""

    trails: Trails
    inventory: Inventory
    account: str
    mode: Mode = "covers"


def _read(part: Part | None) -> tuple[Any, str | None]:
    """(value, why it is missing); a value of None means "does not exist", not "not read"."""
    if part is None:
        return None, "not read"
    read = Read.from_dict(part)
    return read.value, read.reason


def topic_name(arn: str) -> str:
    return arn.rsplit(":", 1)[-1]


def _is_topic(arn: str) -> bool:
    parts = arn.split(":")
    return len(parts) == 6 and parts[0] == "arn" and parts[2] == "sns" and all(parts[3:])


def _metrics(log_filter: Mapping[str, Any]) -> list[tuple[str, str]]:
    return [(t.get("metricNamespace", ""), t.get("metricName", ""))
            for t in log_filter.get("metricTransformations", [])]


def _on_metric(alarm: Mapping[str, Any], metric: tuple[str, str]) -> bool:
    namespace, name = metric
    if (alarm.get("Namespace"), alarm.get("MetricName")) == (namespace, name):
        return True
    return any((m.get("Namespace"), m.get("MetricName")) == (namespace, name)
               for m in alarm.get("Metrics", []))


# What to read -----------------------------------------------------------------------------------

def _starts_chain(trail: Trail, trails: Trails) -> bool:
    state, _ = trails.state(trail)
    return state is not None and state.get("status", {}).get("IsLogging") is True


def log_groups(trails: Trails, account: str) -> list[LogGroup]:
    """The log groups to read: those of logging trails (any scope), in the audited account."""
    found = set()
    for trail in trails.trails:
        group = LogGroup.parse(str(trail.get("CloudWatchLogsLogGroupArn") or ""))
        if group is not None and group.account == account and _starts_chain(trail, trails):
            found.add(group)
    return sorted(found, key=lambda g: g.arn)


def alarm_regions(groups: Iterable[LogGroup]) -> list[str]:
    """An alarm can only watch a metric of its own region: the log groups' regions."""
    return sorted({group.region for group in groups})


def alarm_topics(groups: Iterable[LogGroup], inventory: Inventory) -> dict[str, list[str]]:
    """SNS topics notified by alarms on the metrics of these log groups' filters, by alarm name."""
    users: dict[str, set[str]] = {}
    for group in groups:
        filters, _ = _read(inventory.filters.get(group.arn))
        alarms, _ = _read(inventory.alarms.get(group.region))
        metrics = {metric for f in filters or [] for metric in _metrics(f)}
        for alarm in alarms or []:
            if not any(_on_metric(alarm, metric) for metric in metrics):
                continue
            for action in alarm.get("AlarmActions", []):
                if _is_topic(action):
                    users.setdefault(action, set()).add(str(alarm.get("AlarmName")))
    return {topic: sorted(names) for topic, names in sorted(users.items())}


# One path of the chain --------------------------------------------------------------------------

# How far a path got before it ended; a failing path that got further explains the gap best.
TRAIL, LOG_GROUP, FILTER, ALARM, TOPIC, WHOLE = range(6)


@dataclass(frozen=True)
class Path:
    """One path from a trail towards a subscriber: where it ends and why."""

    ok: bool | None  # True: the whole chain; False: a link is missing; None: could not read
    end: str  # the sentence naming the missing link, or the last link found
    depth: int
    links: tuple[str, ...] = ()  # the links found before `end`, outermost first
    notes: tuple[str, ...] = ()  # liberties the filter needed to count (a wider filter, ...)
    extra: int = 0  # near misses the filter also matches: 0 for the benchmark's own pattern

    def after(self, link: str, *notes: str, extra: int = 0) -> Path:
        return replace(self, links=(link, *self.links), notes=(*notes, *self.notes),
                       extra=self.extra + extra)

    @property
    def rank(self) -> tuple[bool, bool, int, int, bool]:
        # A pass beats an unknown (which may hide a pass), which beats the deepest failure;
        # among equals, the filter closest to the benchmark's explains the verdict best.
        return self.ok is True, self.ok is None, self.depth, -self.extra, not self.notes

    @property
    def reason(self) -> str:
        if self.ok is True:
            said = " → ".join((*self.links, self.end))
        else:
            said = f"{' → '.join(self.links)}: {self.end}" if self.links else self.end
        return "; ".join((said, *self.notes))


def _best(paths: Iterable[Path], otherwise: Path) -> Path:
    return max(paths, key=lambda p: p.rank, default=otherwise)


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def _topic_path(topic: str, inventory: Inventory) -> Path:
    subscriptions, missing = _read(inventory.subscriptions.get(topic))
    name = f"topic {topic_name(topic)}"
    if missing:
        return Path(None, f"could not read the subscriptions of {name}: {missing}", TOPIC)
    if subscriptions is None:
        return Path(False, f"{name} does not exist", TOPIC)
    confirmed = [s for s in subscriptions if s.get("SubscriptionArn") != PENDING]
    if confirmed:
        return Path(True, f"{name} ({_plural(len(confirmed), 'confirmed subscriber')})", WHOLE)
    pending = len(subscriptions) - len(confirmed)
    waiting = f" ({_plural(pending, 'subscription')} pending confirmation)" if pending else ""
    return Path(False, f"{name} has no confirmed subscriber{waiting}", TOPIC)


def _alarm_path(alarm: Mapping[str, Any], inventory: Inventory) -> Path:
    name = f"alarm {alarm.get('AlarmName')}"
    actions = list(alarm.get("AlarmActions", []))
    if not actions:
        return Path(False, f"{name} has no actions", ALARM)
    if alarm.get("ActionsEnabled") is False:
        return Path(False, f"{name} has its actions disabled", ALARM)
    topics = [action for action in actions if _is_topic(action)]
    if not topics:
        return Path(False, f"{name} notifies no SNS topic (actions: {', '.join(actions)})", ALARM)
    return _best((_topic_path(t, inventory).after(name) for t in topics), otherwise=Path(
        False, f"{name} notifies no SNS topic", ALARM))


def _metric_path(region: str, metric: tuple[str, str], inventory: Inventory) -> Path:
    alarms, missing = _read(inventory.alarms.get(region))
    if missing:
        return Path(None, f"could not read the alarms of {region}: {missing}", FILTER)
    watching = [alarm for alarm in alarms or [] if _on_metric(alarm, metric)]
    return _best((_alarm_path(alarm, inventory) for alarm in watching), otherwise=Path(
        False, f"no alarm on metric {'/'.join(metric)}", FILTER))


def _liberties(name: str, judgement: FilterJudgement) -> tuple[str, ...]:
    """What a reader should know about a filter that counts although it is not the benchmark's."""
    return (f"note: filter {name}: {judgement.note}",) if judgement.extra or judgement.tolerated \
        else ()


def _filter_path(group: LogGroup, log_filter: Mapping[str, Any], judgement: FilterJudgement,
                 inventory: Inventory) -> Path:
    name = str(log_filter.get("filterName"))
    paths = [_metric_path(group.region, metric, inventory).after(
        f"filter {name} (metric {'/'.join(metric)})") for metric in _metrics(log_filter)]
    found = _best(paths, otherwise=Path(False, f"filter {name} publishes no metric", FILTER))
    return found.after(str(group), *_liberties(name, judgement), extra=len(judgement.extra))


@lru_cache(maxsize=4096)
def _judge(meaning: str, pattern: str, mode: Mode) -> FilterJudgement:
    return judge(meaning, pattern, mode)  # pure and repeated: 14 checks read the same filters


def _closest(meaning: str, judged: list[tuple[Mapping[str, Any], FilterJudgement]]) -> str:
    """The filter nearest to counting, and what it lacks; or that none comes near.

    A specific filter (no routine match) that misses at most half the counted events is taken
    for the recommendation's own; otherwise a filter that would alarm on routine activity (a
    catch-all) explains the verdict better than one written for another recommendation.
    """
    required = sum(1 for event in CORPUS[meaning] if event.required)
    read = [(f, j) for f, j in judged if j.error is None]
    specific = [(f, j) for f, j in read if not j.routine and len(j.missed) < required]
    noisy = [(f, j) for f, j in read if j.routine]
    best = min(specific, key=lambda pair: (len(pair[1].missed), len(pair[1].extra)),
               default=None)
    if noisy and (best is None or 2 * len(best[1].missed) > required):
        best = min(noisy, key=lambda pair: (len(pair[1].missed), len(pair[1].routine)))
    if best is None and len(read) < len(judged):
        best = next((f, j) for f, j in judged if j.error is not None)
    if best is None:
        return (f"none of its {_plural(len(judged), 'filter')} catches any event the "
                "benchmark's pattern catches")
    log_filter, judgement = best
    return f"closest is filter {log_filter.get('filterName')}: {judgement.note}"


def _log_group_path(meaning: str, group: LogGroup, setup: AlarmSetup) -> Path:
    filters, missing = _read(setup.inventory.filters.get(group.arn))
    if missing:
        return Path(None, f"could not read the metric filters of {group}: {missing}", LOG_GROUP)
    if filters is None:
        return Path(False, f"{group} does not exist", LOG_GROUP)
    if not filters:
        return Path(False, f"{group} has no metric filter", LOG_GROUP)
    judged = [(f, _judge(meaning, str(f.get("filterPattern", "")), setup.mode))
              for f in filters]
    matching = [(f, j) for f, j in judged if j.satisfies]
    if not matching:
        return Path(False, f"no metric filter on {group} matches: {_closest(meaning, judged)}",
                    LOG_GROUP)
    return _best((_filter_path(group, f, j, setup.inventory) for f, j in matching),
                 otherwise=Path(False, f"no metric filter on {group} matches", LOG_GROUP))


def _scope(trail: Trail) -> str:
    """Which regions' events the trail's log group receives."""
    if trail.get("IsMultiRegionTrail") is True:
        return "multi-region"
    home = trail.get("HomeRegion")
    if trail.get("IncludeGlobalServiceEvents") is False:
        return f"single-region ({home}), without global service events"
    return f"single-region ({home})"


def _sees(trail: Trail) -> str:
    """The note of a single-region trail's chain: what its alarms can see."""
    home = trail.get("HomeRegion")
    seen = f"{home} only" if trail.get("IncludeGlobalServiceEvents") is False else \
        f"{home} and global services (IAM, STS, console sign-in) only"
    return (f"note: {_trail_name(trail)} is a single-region trail: its log group sees the events "
            f"of {seen}; v1.1.0 asks for the log group of a trail, later CIS versions require "
            "a multi-region trail")


# What a trail's event selectors let through ------------------------------------------------------

Event = Mapping[str, Any]
_TESTS: dict[str, Callable[[str, str], bool]] = {
    "Equals": str.__eq__, "StartsWith": str.startswith, "EndsWith": str.endswith}
# The advanced selector fields a management-event selector can use that a CloudTrail event
# answers by itself; any other field cannot be judged against the corpus.
_EVENT_FIELDS = frozenset({"eventCategory", "readOnly", "eventSource", "eventName", "eventType"})


def _is_read(event: Event) -> bool:
    # CloudTrail marks reads readOnly=true; the corpus leaves the field out only on writes and
    # sign-ins, which selectors treat as writes.
    return event.get("readOnly") is True


def _classic(selectors: Iterable[Mapping[str, Any]]) -> Callable[[Event], bool]:
    kinds = {"All": (True, False), "ReadOnly": (True,), "WriteOnly": (False,)}
    accepted = [(kinds.get(str(s.get("ReadWriteType", "All")), ()),
                 set(s.get("ExcludeManagementEventSources") or ()))
                for s in selectors if s.get("IncludeManagementEvents", True) is True]
    return lambda event: any(_is_read(event) in reads and event.get("eventSource") not in skip
                             for reads, skip in accepted)


def _field_value(event: Event, field: str) -> str:
    if field == "eventCategory":
        return "Management"  # every event the corpus holds is a management event
    if field == "readOnly":
        return "true" if _is_read(event) else "false"
    return str(event.get(field, ""))


def _field_matches(field_selector: Mapping[str, Any], value: str) -> bool:
    wanted = [(_TESTS[op], v) for op in _TESTS for v in field_selector.get(op) or ()]
    unwanted = [(_TESTS[op], v) for op in _TESTS for v in field_selector.get(f"Not{op}") or ()]
    if wanted and not any(test(value, str(v)) for test, v in wanted):
        return False
    return not any(test(value, str(v)) for test, v in unwanted)


def _advanced(selectors: Iterable[Mapping[str, Any]]) -> Callable[[Event], bool]:
    """Raises ValueError naming a field no event answers (then the trail cannot be judged)."""
    management = []
    for selector in selectors:
        fields = list(selector.get("FieldSelectors") or ())
        category: Mapping[str, Any] = next(
            (f for f in fields if f.get("Field") == "eventCategory"), {})
        if not _field_matches(category, "Management"):
            continue  # a data-event selector: it records no management event
        for field_selector in fields:
            if field_selector.get("Field") not in _EVENT_FIELDS:
                raise ValueError(
                    f"advanced event selector field {field_selector.get('Field')!r}")
        management.append(fields)
    return lambda event: any(all(_field_matches(f, _field_value(event, str(f["Field"])))
                                 for f in fields) for fields in management)


def _left_out(meaning: str, state: Mapping[str, Any]) -> list[str]:
    """Labels of the events the alarm counts that the trail's event selectors do not record."""
    advanced, classic = state.get("AdvancedEventSelectors"), state.get("EventSelectors")
    if not advanced and not classic:
        return []  # no selector at all: CloudTrail records every management event
    records = _advanced(advanced) if advanced else _classic(classic or ())
    return [e.label for e in CORPUS[meaning] if e.required and not records(e.event)]


def _trail_path(meaning: str, trail: Trail, setup: AlarmSetup, cited_as: str) -> Path:
    scope = _scope(trail)
    state, missing = setup.trails.state(trail)
    if state is None:
        return Path(None, f"{scope}, but its status could not be read: {missing}", TRAIL)
    if state.get("status", {}).get("IsLogging") is not True:
        return Path(False, f"{scope}, but not logging", TRAIL)
    arn = str(trail.get("CloudWatchLogsLogGroupArn") or "")
    if not arn:
        return Path(False, f"{scope} and logging, but not sent to CloudWatch Logs", TRAIL)
    try:
        left_out = _left_out(meaning, state)
    except ValueError as exc:
        return Path(None, f"could not evaluate: {exc} cannot be read against events", LOG_GROUP)
    if left_out:
        more = f" (and {len(left_out) - 1} more)" if len(left_out) > 1 else ""
        return Path(False, f"{scope} and logging, but its event selectors do not record events "
                           f"{cited_as} counts, such as {left_out[0]}{more}", LOG_GROUP)
    if meaning in GLOBAL_EVENTS and trail.get("IsMultiRegionTrail") is not True \
            and trail.get("IncludeGlobalServiceEvents") is False:
        return Path(False, f"{scope}: the IAM and console sign-in events {cited_as} alarms on "
                           "never reach its log group", LOG_GROUP)
    group = LogGroup.parse(arn)
    if group is None:
        return Path(None, f"could not evaluate: unreadable log group ARN {arn}", LOG_GROUP)
    if group.account != setup.account:
        return Path(None, f"could not evaluate: sends to {group} in account {group.account}, "
                          f"not the audited account {setup.account}", LOG_GROUP)
    path = _log_group_path(meaning, group, setup)
    if path.ok and trail.get("IsMultiRegionTrail") is not True:
        return replace(path, notes=(*path.notes, _sees(trail)))
    return path


# The alarms (3.1 - 3.14) ----------------------------------------------------------------------

def _trail_name(trail: Trail) -> str:
    return str(trail.get("Name") or trail["TrailARN"].rsplit("/", 1)[-1])


def _finding(trail: Trail, ok: bool | None, reason: str) -> Finding:
    return Finding(trail["TrailARN"], ok, reason, trail.get("HomeRegion"))


def alarmed(meaning: str, setup: AlarmSetup, *, cited_as: str) -> list[Finding]:
    """Some trail's events reach a confirmed subscriber through a filter for the alarm `meaning`
    ("unauthorized_api_calls", ...; v1.1.0's 3.1–3.14).

    One finding per trail. When a trail has the chain, the others are listed for the record as
    compliant ("does not count"), as 2.1 does; otherwise each names its first missing link.
    `cited_as` is the id the running benchmark gives the alarm ("3.1"): a reason that says which
    events a trail leaves out cites it.
    """
    if meaning not in ALARMED:
        raise KeyError(f"no alarm {meaning!r}; known: {', '.join(ALARMED)}")
    if not setup.trails.read_regions and not setup.trails.unread:
        # No region was audited: an empty list of trails here is not "no trail".
        return [Finding.unknown(account_resource(setup.account), NO_REGION)]
    judged = [(trail, _trail_path(meaning, trail, setup, cited_as))
              for trail in setup.trails.trails]
    winner = next((trail for trail, path in judged if path.ok), None)
    if winner is not None:
        return [_finding(trail, True, path.reason if path.ok else
                         f"does not count ({path.reason}); {_trail_name(winner)} has the chain")
                for trail, path in judged]
    unread = unread_regions(setup.trails.unread)
    if any(path.ok is None for _, path in judged):
        # A path we could not read may be the one that works: neither pass nor fail.
        return [_finding(trail, None, path.reason if path.ok is None else
                         f"{path.reason}; another trail could not be evaluated")
                for trail, path in judged] + unread
    findings = [_finding(trail, False, path.reason) for trail, path in judged]
    if all(path.depth == TRAIL for _, path in judged) and setup.trails.read_regions:
        findings.append(Finding.of(account_resource(setup.account), False, NO_CHAIN_START))
    return findings + unread


@dataclass(frozen=True)
class Alarm:
    """The rule of one alarm, named by meaning: ``alarm("unauthorized_api_calls")`` is the rule
    ``monitoring.alarm.unauthorized_api_calls``, whichever id a benchmark gives it."""

    meaning: str

    def __post_init__(self) -> None:
        if self.meaning not in ALARMED:
            raise KeyError(f"no alarm {self.meaning!r}; known: {', '.join(ALARMED)}")

    @property
    def rule(self) -> str:
        return RULE_PREFIX + self.meaning

    def __call__(self, setup: AlarmSetup, *, cited_as: str) -> list[Finding]:
        return alarmed(self.meaning, setup, cited_as=cited_as)


def alarm(meaning: str) -> Alarm:
    """The rule of the alarm `meaning` (a KeyError naming the known ones if there is none)."""
    return Alarm(meaning)


# 3.15 -------------------------------------------------------------------------------------------

def _describe_subscription(subscription: Mapping[str, Any]) -> str:
    state = "pending confirmation" if subscription.get("SubscriptionArn") == PENDING \
        else "confirmed"
    return (f"{subscription.get('Protocol')} {subscription.get('Endpoint')} "
            f"(subscriber account {subscription.get('Owner')}, {state})")


def unattended_topics(used: Mapping[str, list[str]],
                      subscriptions: Mapping[str, Part]) -> list[str]:
    """Topics the monitoring alarms notify that have no confirmed subscriber (or do not exist)."""
    return [topic for topic in used if _topic_path(topic, Inventory(
        subscriptions=subscriptions)).ok is False]


def _topic_evidence(topic: str, subscriptions: Mapping[str, Part],
                    used: Mapping[str, list[str]]) -> Finding:
    found, missing = _read(subscriptions.get(topic))
    owner = topic.split(":")[4]
    if missing:
        said = f"could not read its subscriptions: {missing}"
    elif found is None:
        said = "does not exist"
    else:
        said = "; ".join(_describe_subscription(s) for s in found) or "no subscriptions"
    parts = [f"owner {owner}", said]
    if topic in used:
        parts.insert(0, f"notified by monitoring alarm(s) {', '.join(used[topic])}")
        if _topic_path(topic, Inventory(subscriptions=subscriptions)).ok is False:
            parts.insert(0, "FLAGGED: monitoring alarms notify it, but no confirmed subscriber")
    return Finding.unknown(topic, "; ".join(parts), topic.split(":")[3])


def subscriber_evidence(topics: Mapping[str, Iterable[str]], unread: Mapping[str, Exception],
                        subscriptions: Mapping[str, Part],
                        used: Mapping[str, list[str]]) -> list[Finding]:
    """3.15: every topic with its subscribers, for a person to judge (never a verdict).

    `topics` are the topics listed per region; the topics the alarms notify are added when they
    live elsewhere (another region or account), so none of them escapes review.
    """
    listed = {topic for region_topics in topics.values() for topic in region_topics}
    everything = sorted(listed | set(used))
    return unread_regions(unread) + [_topic_evidence(t, subscriptions, used) for t in everything]


def incomplete_review(evidence: list[Finding], subscriptions: Mapping[str, Part]) -> list[Finding]:
    """The evidence a reviewer would be missing: regions whose topics, and topics whose
    subscriptions, could not be read. A review of the rest would look complete and is not."""
    return [f for f in evidence if f.resource.startswith("region ")
            or not Read.from_dict(subscriptions.get(f.resource) or {}).ok]


def review_reason(evidence: list[Finding], used: Mapping[str, list[str]],
                  subscriptions: Mapping[str, Part]) -> str:
    """The manual outcome of 3.15: what to review, and the alarm topics nobody would hear."""
    topics = [f for f in evidence if not f.resource.startswith("region ")]
    said = (f"review the subscribers of {_plural(len(topics), 'SNS topic')} (listed in the "
            "findings): each endpoint should be one that ought to receive these messages")
    unattended = unattended_topics(used, subscriptions)
    if unattended:
        names = ", ".join(topic_name(t) for t in unattended)
        said += f"; monitoring alarms notify topics with no confirmed subscriber: {names}"
    return said


def subscriber_review(topics: Mapping[str, Iterable[str]], unread: Mapping[str, Exception],
                      subscriptions: Mapping[str, Part],
                      used: Mapping[str, list[str]]) -> Judgement:
    """3.15 whole: every topic and its subscribers for a person to review. Where part of what
    they would review could not be read, an error naming it (every finding is unknown), not a
    review that looks complete."""
    evidence = subscriber_evidence(topics, unread, subscriptions, used)
    gaps = incomplete_review(evidence, subscriptions)
    if gaps:
        return Judgement(gaps + [f for f in evidence if f not in gaps])
    return Judgement([], review_reason(evidence, used, subscriptions), evidence)

