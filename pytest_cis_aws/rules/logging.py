"""Section 2 rules: Logging (CloudTrail, its buckets, AWS Config, KMS). Pure: data in, findings out.

Trails are judged once each: `Trails` holds every trail of the account, shadow copies merged, with
the status and event selectors read in each trail's home region. A region or a trail that could not
be read makes only the findings that need it unknown.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any

from ..finding import Finding
from ..policy import parse_policy, statements
from ..read import Read

Trail = Mapping[str, Any]

DELIVERY_MAX_AGE = timedelta(hours=24)
PUBLIC_GROUPS = {
    "http://acs.amazonaws.com/groups/global/AllUsers": "AllUsers (everyone)",
    "http://acs.amazonaws.com/groups/global/AuthenticatedUsers":
        "AuthenticatedUsers (any AWS account)",
}
BOTH = frozenset({"read", "write"})


def account_resource(account: str) -> str:
    return f"account {account}"


def unread_regions(errors: Mapping[str, Exception]) -> list[Finding]:
    """One unknown finding per region whose data could not be read."""
    return [Finding.unknown(f"region {region}", str(exc), region)
            for region, exc in sorted(errors.items())]


def part_error(part: Mapping[str, Any] | None) -> str | None:
    """Why one piece of a collected record (a Read in its wire form) is missing."""
    if part is None:
        return "not read"
    return Read.from_dict(part).reason


# Trails -----------------------------------------------------------------------------------------

def unique_trails(by_region: Mapping[str, Iterable[Trail]]) -> list[Trail]:
    """Every trail once, by TrailARN: a multi-region trail shows up in every region it covers.

    The copy listed in the trail's home region is kept when there is one (it is the original).
    """
    chosen: dict[str, Trail] = {}
    for region, trails in sorted(by_region.items()):
        for trail in trails:
            arn = trail["TrailARN"]
            if arn not in chosen or trail.get("HomeRegion") == region:
                chosen[arn] = trail
    return [chosen[arn] for arn in sorted(chosen)]


@dataclass(frozen=True)
class Trails:
    """The account's trails as the logging checks judge them."""

    trails: tuple[Trail, ...]  # unique by TrailARN
    read_regions: tuple[str, ...] = ()  # DescribeTrails answered there
    unread: Mapping[str, Exception] = field(default_factory=dict)  # region -> why not
    states: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)  # TrailARN -> state
    unread_states: Mapping[str, Exception] = field(default_factory=dict)  # TrailARN -> why not

    @classmethod
    def of(cls, by_region: Mapping[str, Iterable[Trail]],
           unread: Mapping[str, Exception] | None = None,
           states: Mapping[str, Mapping[str, Any]] | None = None,
           unread_states: Mapping[str, Exception] | None = None) -> Trails:
        return cls(tuple(unique_trails(by_region)), tuple(sorted(by_region)), dict(unread or {}),
                   dict(states or {}), dict(unread_states or {}))

    def state(self, trail: Trail) -> tuple[Mapping[str, Any] | None, str | None]:
        """(status and selectors, or None; why they are missing, or None)."""
        arn = trail["TrailARN"]
        if arn in self.unread_states:
            return None, str(self.unread_states[arn])
        if arn not in self.states:
            return None, f"status not read in {trail.get('HomeRegion')}"
        return self.states[arn], None

    def buckets(self) -> dict[str, list[Trail]]:
        """Each trail bucket with the trails that deliver to it."""
        found: dict[str, list[Trail]] = {}
        for trail in self.trails:
            if trail.get("S3BucketName"):
                found.setdefault(trail["S3BucketName"], []).append(trail)
        return dict(sorted(found.items()))


def _name(trail: Trail) -> str:
    return str(trail.get("Name") or trail["TrailARN"].rsplit("/", 1)[-1])


def _finding(trail: Trail, ok: bool | None, reason: str) -> Finding:
    return Finding(trail["TrailARN"], ok, reason, trail.get("HomeRegion"))


# Fail closed: with nothing read there is nothing to pass on (the run also says so as a whole).
NO_REGION = "no region was audited: nothing was read, so nothing can be judged"


def _no_trail(account: str, what: str) -> Finding:
    # No vacuous pass: a recommendation about CloudTrail's logs has not been shown to hold in an
    # account that keeps none. It fails, as 2.1 does, and points at 2.1 for the cause.
    return Finding.of(account_resource(account), False,
                      f"no trail in the audited regions, so {what} (see 2.1)")


def _no_region(account: str) -> Finding:
    return Finding.unknown(account_resource(account), NO_REGION)


def _beyond_trails(trails: Trails, account: str, what: str) -> list[Finding]:
    """Regions whose trails could not be listed (unknown), or the failure of having no trail.

    With no trail found, a region that could not be read may hold the (single-region) trail the
    check would judge: the outcome is unknown, not a fail.
    """
    if trails.trails or trails.unread:
        return unread_regions(trails.unread)
    if not trails.read_regions:
        return [_no_region(account)]
    return [_no_trail(account, what)]


def _every_trail(trails: Trails, account: str, what: str,
                 judge: Callable[[Trail], tuple[bool | None, str]]) -> list[Finding]:
    """One finding per trail, then what lies beyond them."""
    findings = [_finding(trail, *judge(trail)) for trail in trails.trails]
    return findings + _beyond_trails(trails, account, what)


# 2.1 --------------------------------------------------------------------------------------------

def _classic_coverage(selectors: Iterable[Mapping[str, Any]]) -> set[str]:
    kinds = {"All": BOTH, "ReadOnly": {"read"}, "WriteOnly": {"write"}}
    covered: set[str] = set()
    for selector in selectors:
        # The API's default for IncludeManagementEvents is true; AWS always writes it back.
        if selector.get("IncludeManagementEvents", True) is True:
            covered |= kinds.get(selector.get("ReadWriteType", "All"), set())
    return covered


def _read_only_coverage(field_selector: Mapping[str, Any]) -> set[str]:
    equals = {str(v).lower() for v in field_selector.get("Equals", [])}
    not_equals = {str(v).lower() for v in field_selector.get("NotEquals", [])}
    covered = {"read"} if "true" in equals else set()
    covered |= {"write"} if "false" in equals else set()
    if not equals:
        covered = {kind for kind, flag in (("read", "true"), ("write", "false"))
                   if flag not in not_equals}
    return covered


def _advanced_coverage(selectors: Iterable[Mapping[str, Any]]) -> set[str]:
    covered: set[str] = set()
    for selector in selectors:
        fields = {f.get("Field"): f for f in selector.get("FieldSelectors", [])}
        category = fields.get("eventCategory", {})
        if "Management" not in category.get("Equals", []):
            continue
        covered |= _read_only_coverage(fields["readOnly"]) if "readOnly" in fields else BOTH
    return covered


def management_events_gap(state: Mapping[str, Any]) -> str | None:
    """What the trail's event selectors leave out of management events, or None if nothing."""
    advanced = state.get("AdvancedEventSelectors") or []
    classic = state.get("EventSelectors") or []
    if not advanced and not classic:
        return None  # no selector at all: AWS records every management event, read and write
    covered = _advanced_coverage(advanced) if advanced else _classic_coverage(classic)
    missing = BOTH - covered
    if not missing:
        return None
    if missing == BOTH:
        return "its event selectors record no management events"
    (kind,) = missing
    return f"its event selectors skip {kind} management events"


# v1.1.0's 2.1 asks for a trail that applies to all regions and is logging, nothing more.
LATER_VERSIONS_2_1 = ("CIS v1.1.0 asks for a multi-region trail that is logging; event selectors "
                      "are shown as evidence and do not change the verdict (CIS v1.2.0 and later "
                      "also require the trail to record all management events, read and write)")


def selectors_said(state: Mapping[str, Any]) -> str:
    """The trail's management-event selectors, as evidence (2.1 does not judge them)."""
    gap = management_events_gap(state)
    if gap is None:
        return "its event selectors record all management events (read and write)"
    return f"{gap} (not judged by v1.1.0; later CIS versions require all management events)"


def trail_qualifies(trail: Trail, trails: Trails) -> tuple[bool | None, str]:
    """Is this trail the one 2.1 asks for: multi-region and logging?"""
    if trail.get("IsMultiRegionTrail") is not True:
        return False, f"single-region trail (home {trail.get('HomeRegion')})"
    state, missing = trails.state(trail)
    if state is None:
        return None, f"multi-region, but its status could not be read: {missing}"
    if state.get("status", {}).get("IsLogging") is not True:
        return False, "multi-region, but not logging"
    return True, f"multi-region and logging; {selectors_said(state)}"


def multi_region_trail(trails: Trails, account: str) -> list[Finding]:
    """2.1: at least one trail qualifies. Every trail gets a finding saying why it does or not."""
    judged = [(trail, *trail_qualifies(trail, trails)) for trail in trails.trails]
    winner = next((trail for trail, ok, _ in judged if ok), None)
    if winner is not None:
        # The account complies; the other trails are listed for the record, not as offenders.
        return [_finding(trail, True, why if ok else f"does not count ({why}); "
                                                     f"{_name(winner)} qualifies")
                for trail, ok, why in judged]
    if any(ok is None for _, ok, _ in judged):
        # A trail we could not read may be the one that qualifies: the verdict is unknown.
        return [_finding(trail, None, why if ok is None else
                         f"does not qualify ({why}); another trail could not be read")
                for trail, ok, why in judged] + unread_regions(trails.unread)
    findings = [_finding(trail, False, why) for trail, ok, why in judged]
    if not judged and trails.read_regions:
        # A multi-region trail is listed in every region it covers, so one region read is enough
        # to know there is none; a region we could not read can only hide single-region trails.
        findings.append(Finding.of(account_resource(account), False,
                                   "no trail in the audited regions"))
    elif not judged and not trails.unread:
        findings.append(_no_region(account))
    return findings + unread_regions(trails.unread)


# 2.2, 2.7 ---------------------------------------------------------------------------------------

def log_file_validation(trails: Trails, account: str) -> list[Finding]:
    def judge(trail: Trail) -> tuple[bool, str]:
        ok = trail.get("LogFileValidationEnabled") is True
        return ok, "log file validation enabled" if ok else "log file validation disabled"

    return _every_trail(trails, account, "no log files whose validation could be judged", judge)


def kms_encryption(trails: Trails, account: str) -> list[Finding]:
    def judge(trail: Trail) -> tuple[bool, str]:
        key = trail.get("KmsKeyId")
        return bool(key), (f"log files encrypted with KMS key {key}" if key
                           else "log files not encrypted with a KMS key (SSE-KMS)")

    return _every_trail(trails, account, "no CloudTrail logs encrypted with a KMS key", judge)


# 2.4 --------------------------------------------------------------------------------------------

def _utc(when: datetime) -> datetime:
    return when if when.tzinfo else when.replace(tzinfo=timezone.utc)


def _log_group(arn: str) -> str:
    # arn:aws:logs:<region>:<account>:log-group:<name>:*
    parts = arn.split(":")
    return parts[6] if len(parts) > 6 and parts[5] == "log-group" else arn


def cloudwatch_logs_delivery(trails: Trails, now: datetime, account: str,
                             max_age: timedelta = DELIVERY_MAX_AGE) -> list[Finding]:
    """2.4: every trail sends to a CloudWatch Logs group, and delivered there recently."""
    hours = max_age.total_seconds() / 3600

    def judge(trail: Trail) -> tuple[bool | None, str]:
        group = trail.get("CloudWatchLogsLogGroupArn")
        if not group:
            return False, "not sent to CloudWatch Logs (no log group)"
        name = _log_group(group)
        state, missing = trails.state(trail)
        if state is None:
            return None, f"sends to {name}, but its status could not be read: {missing}"
        status = state.get("status", {})
        latest = status.get("LatestCloudWatchLogsDeliveryTime")
        error = status.get("LatestCloudWatchLogsDeliveryError")
        trouble = f" (last error: {error})" if error else ""
        if not isinstance(latest, datetime):
            return False, f"sends to {name}, but no delivery is recorded{trouble}"
        age = now - _utc(latest)
        said = f"last delivered to {name} {latest:%Y-%m-%d %H:%M} UTC"
        if age > max_age:
            return False, f"{said}, more than {hours:g} h ago{trouble}"
        return True, f"{said} ({age.total_seconds() / 3600:.0f} h ago)"

    return _every_trail(trails, account, "no CloudTrail events sent to CloudWatch Logs", judge)


# 2.3, 2.6 ---------------------------------------------------------------------------------------

def bucket_arn(name: str) -> str:
    return f"arn:aws:s3:::{name}"


def _users_of(trails: list[Trail]) -> str:
    return "bucket of trail " + ", ".join(_name(t) for t in trails)


# A trail bucket that cannot be read is usually another account's (a central logging account):
# the check ends in error, and the reader knows where to look.
ELSEWHERE = " (if the bucket belongs to another account, audit it there)"


def _bucketless(trails: Trails) -> list[Finding]:
    """Trails whose DescribeTrails entry names no bucket: AWS requires one, so the answer is
    not what it should be. Unknown, never skipped."""
    return [_finding(trail, None, "DescribeTrails names no S3 bucket for this trail")
            for trail in trails.trails if not trail.get("S3BucketName")]


def public_acl_grants(grants: Iterable[Mapping[str, Any]]) -> list[str]:
    found = []
    for grant in grants:
        uri = str(grant.get("Grantee", {}).get("URI", ""))
        group = PUBLIC_GROUPS.get(uri.replace("https://", "http://", 1))
        if group:
            found.append(f"ACL grants {grant.get('Permission', '?')} to {group}")
    return found


def _principal_is_public(principal: Any) -> bool:
    if principal == "*":
        return True
    if isinstance(principal, Mapping):
        aws = principal.get("AWS", [])
        return "*" in ([aws] if isinstance(aws, str) else list(aws))
    return False


def public_policy_statements(policy: str | Mapping[str, Any]) -> list[str]:
    """Allow statements whose principal is everyone ("*", {"AWS": "*"}, or a list with "*")."""
    document = parse_policy(policy, "s3:GetBucketPolicy")
    found = []
    for number, statement in enumerate(statements(document), 1):
        if statement.get("Effect") == "Allow" and _principal_is_public(statement.get("Principal")):
            label = statement.get("Sid") or f"#{number}"
            # CIS judges the principal alone; say when a condition might narrow it in practice.
            narrowed = " (with a Condition)" if statement.get("Condition") else ""
            found.append(f'policy statement {label} allows principal "*"{narrowed}')
    return found


def _public_parts(data: Mapping[str, Any]) -> tuple[list[str], list[str]]:
    """(what makes the bucket public, what could not be read)."""
    public: list[str] = []
    unread: list[str] = []
    for part, judge in (("acl", public_acl_grants), ("policy", public_policy_statements)):
        missing = part_error(data.get(part))
        if missing:
            unread.append(missing)
            continue
        value = Read.from_dict(data[part]).value
        if value is None:  # no bucket policy at all: nothing public in it
            continue
        try:
            public += judge(value)
        except (ValueError, TypeError, AttributeError) as exc:
            unread.append(f"unreadable bucket {part} ({type(exc).__name__}: {exc})")
    return public, unread


def public_trail_buckets(trails: Trails, buckets: Mapping[str, Mapping[str, Any]],
                         account: str) -> list[Finding]:
    """2.3: no trail bucket grants access to everyone, by ACL or by bucket policy."""
    findings = []
    for name, users in trails.buckets().items():
        public, unread = _public_parts(buckets.get(name, {}))
        if public:
            findings.append(Finding.of(bucket_arn(name), False,
                                       f"{_users_of(users)}: {'; '.join(public)}"))
        elif unread:
            # Often a bucket in another (logging) account: never a pass, never a fail.
            findings.append(Finding.unknown(bucket_arn(name), f"{_users_of(users)}: could not "
                                            f"evaluate: {'; '.join(unread)}{ELSEWHERE}"))
        else:
            findings.append(Finding.of(bucket_arn(name), True, f"{_users_of(users)}: no public "
                                                               "ACL grant or policy statement"))
    return findings + _bucketless(trails) + _beyond_trails(
        trails, account, "no CloudTrail logs whose bucket could be shown not to be public")


def trail_bucket_access_logging(trails: Trails, buckets: Mapping[str, Mapping[str, Any]],
                                account: str) -> list[Finding]:
    """2.6: every trail bucket has server access logging enabled."""
    findings = []
    for name, users in trails.buckets().items():
        part = buckets.get(name, {}).get("logging")
        missing = part_error(part)
        if missing:
            findings.append(Finding.unknown(bucket_arn(name), f"{_users_of(users)}: could not "
                                            f"evaluate: {missing}{ELSEWHERE}"))
            continue
        target = Read.from_dict(part or {}).value or {}
        ok = bool(target.get("TargetBucket"))
        where = f"s3://{target.get('TargetBucket')}/{target.get('TargetPrefix', '')}"
        reason = f"access logs go to {where}" if ok else "server access logging disabled"
        findings.append(Finding.of(bucket_arn(name), ok, f"{_users_of(users)}: {reason}"))
    return findings + _bucketless(trails) + _beyond_trails(
        trails, account, "no CloudTrail log bucket whose access logging could be judged")


# 2.5 --------------------------------------------------------------------------------------------

def _recorder_problems(recorder: Mapping[str, Any], status: Mapping[str, Any] | None) -> list[str]:
    problems = []
    if recorder.get("recordingGroup", {}).get("allSupported") is not True:
        problems.append("does not record all supported resource types")
    if status is None or status.get("recording") is not True:
        problems.append("is not recording")
    # The API documents Pending | Success | Failure | NotApplicable; moto writes upper case.
    elif str(status.get("lastStatus", "")).upper() in ("FAILURE", "FAILED"):
        problems.append(f"last recording failed ({status.get('lastErrorCode', 'no error code')})")
    return problems


def _channel_said(channel: Mapping[str, Any]) -> tuple[bool, str]:
    """(whether the channel names both destinations, what it says): audit steps 6 and 7."""
    name = f"delivery channel {channel.get('name', '?')}"
    bucket, topic = channel.get("s3BucketName"), channel.get("snsTopicARN")
    missing = [what for what, value in (("S3 bucket", bucket), ("SNS topic", topic)) if not value]
    if missing:
        named = f" (bucket {bucket})" if bucket else f" (topic {topic})" if topic else ""
        return False, f"{name} names no {' and no '.join(missing)}{named}"
    return True, f"{name} delivers to s3://{bucket} and notifies {topic}"


def _config_region(region: str, data: Mapping[str, Any]) -> tuple[Finding, bool]:
    """(the region's finding, whether a working recorder there records global resources).

    The audit's steps, per region: a recorder that records all supported resource types and is
    recording (its last status not a failure), and a delivery channel naming an S3 bucket (step 6)
    and an SNS topic (step 7). Whether they are the *correct* bucket and topic is the
    organisation's to confirm: the finding names them.
    """
    statuses = {s.get("name"): s for s in data.get("statuses", [])}
    channels = [_channel_said(c) for c in data.get("channels", [])]
    recorders = data.get("recorders", [])
    if not recorders:
        return Finding.of(f"region {region}", False, "no configuration recorder", region), False
    # One working recorder is enough: service-linked recorders beside it record a few types only.
    said, good, global_ok = [], False, False
    for recorder in recorders:
        status = statuses.get(recorder.get("name"))
        problems = _recorder_problems(recorder, status)
        good = good or not problems
        global_ok = global_ok or (not problems and recorder.get("recordingGroup", {}).get(
            "includeGlobalResourceTypes") is True)
        said.append(f"recorder {recorder.get('name')} " + (
            "; ".join(problems) if problems else
            # No problem means a status was read (none is "is not recording").
            f"records all supported resource types (last status "
            f"{(status or {}).get('lastStatus')})"))
    said += [text for _, text in channels] if channels else ["no delivery channel"]
    ok = good and any(delivers for delivers, _ in channels)
    return Finding.of(f"region {region}", ok, "; ".join(said), region), ok and global_ok


def config_in_every_region(by_region: Mapping[str, Mapping[str, Any]],
                           errors: Mapping[str, Exception], account: str) -> list[Finding]:
    """2.5: AWS Config records everything in every region, global resources in at least one."""
    findings = unread_regions(errors)
    global_regions = []
    for region, data in sorted(by_region.items()):
        finding, records_global = _config_region(region, data)
        findings.append(finding)
        if records_global:
            global_regions.append(region)
    resource = account_resource(account)
    if not by_region and not errors:
        return [_no_region(account)]
    if global_regions:
        findings.append(Finding.of(resource, True, "global resource types (IAM) recorded in "
                                                   + ", ".join(global_regions)))
    elif errors:
        findings.append(Finding.unknown(resource, "no region read records global resource types"
                                                  " (IAM); a region not read might"))
    else:
        findings.append(Finding.of(resource, False,
                                   "no region records global resource types (IAM)"))
    return findings


# 2.8 --------------------------------------------------------------------------------------------

def _key_spec(meta: Mapping[str, Any]) -> str:
    return str(meta.get("KeySpec") or meta.get("CustomerMasterKeySpec") or "?")


def rotation_not_judged(meta: Mapping[str, Any]) -> str | None:
    """Why 2.8 does not judge this key (it is not a customer-created rotatable key), or None."""
    if meta.get("KeyManager") != "CUSTOMER":
        return f"{str(meta.get('KeyManager', 'unknown')).title()} managed key"
    state = meta.get("KeyState")
    if state != "Enabled":
        return {"Disabled": "disabled key", "PendingDeletion": "key pending deletion"}.get(
            str(state), f"key state {state}")
    if meta.get("Origin") != "AWS_KMS":
        return f"key material from {meta.get('Origin')} (AWS cannot rotate it)"
    if _key_spec(meta) != "SYMMETRIC_DEFAULT":
        return f"{_key_spec(meta)} key (only symmetric keys rotate)"
    return None


def _key_finding(region: str, key: Mapping[str, Any]) -> Finding:
    arn = key.get("KeyArn") or key.get("KeyId", "?")
    missing = part_error(key.get("metadata"))
    if missing:
        return Finding.unknown(arn, missing, region)
    meta: Mapping[str, Any] = Read.from_dict(key["metadata"]).get()
    skipped = rotation_not_judged(meta)
    if skipped:
        return Finding.of(arn, True, f"not judged: {skipped}", region)
    missing = part_error(key.get("rotation"))
    if missing:
        return Finding.unknown(arn, f"rotation status: {missing}", region)
    enabled = Read.from_dict(key["rotation"]).value is True
    return Finding.of(arn, enabled,
                      "automatic rotation enabled" if enabled else "automatic rotation disabled",
                      region)


def _judged(finding: Finding) -> bool:
    return not finding.reason.startswith("not judged: ")


def customer_key_rotation(by_region: Mapping[str, Iterable[Mapping[str, Any]]],
                          errors: Mapping[str, Exception]) -> list[Finding]:
    """2.8: every enabled, symmetric, customer-created KMS key rotates; the others are listed.

    A region without such a key is a legitimately empty population (AWS managed keys are out of
    scope: AWS rotates them): it passes, and says so, so the reader sees it was read.
    """
    findings = unread_regions(errors)
    for region, keys in sorted(by_region.items()):
        keys = list(keys)
        found = [_key_finding(region, key) for key in keys]
        if not any(_judged(f) for f in found):
            customer = any((key.get("metadata") or {}).get("value", {}).get("KeyManager")
                           == "CUSTOMER" for key in keys)
            said = (f"no enabled symmetric customer-managed CMK in {region} (the keys listed are"
                    " not judged)" if customer else f"no customer-managed CMKs in {region}")
            found.append(Finding.of(f"region {region}", True, said, region))
        findings += found
    if not by_region and not errors:
        findings.append(Finding.unknown("account", NO_REGION))
    return findings
