"""Synthetic accounts for the benchmark, written through boto3 to a moto server.

The account grows in place: `seed_users(clients, 0, 10)` then `seed_users(clients, 10, 100)`
gives the 100-user account, so each size is seeded once. Every region gets the same resources,
so that each audited region should cost the same number of calls.

Nothing here reaches into moto's internals: a real account could be seeded the same way (but
this module only ever talks to the local endpoint it is given). The building blocks are the
package's shared account builders (pytest_cis_aws.demo.seed_*), as the demo's and the tests' are.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from pytest_cis_aws.demo.common import allow, bucket, document, trust
from pytest_cis_aws.demo.seed_iam import security_contact, user_with_console
from pytest_cis_aws.demo.seed_logging import log_group_arn, recorder, rotating_key, trail
from pytest_cis_aws.demo.seed_monitoring import alarm, metric_filter, topic
from pytest_cis_aws.demo.seed_networking import (
    WORLD4,
    WORLD6,
    flow_logs_to_log_group,
    peer,
    security_group,
    tcp,
    vpc,
)
from pytest_cis_aws.rules.metric_filters import REFERENCE_PATTERNS

ACCOUNT = "123456789012"
HOME = "us-east-1"
# The 17 commercial regions enabled for every account (no opt-in), in audit order.
REGIONS = (
    "us-east-1", "us-east-2", "us-west-1", "us-west-2", "eu-west-1", "eu-west-2", "eu-west-3",
    "eu-central-1", "eu-north-1", "ap-south-1", "ap-northeast-1", "ap-northeast-2",
    "ap-northeast-3", "ap-southeast-1", "ap-southeast-2", "ca-central-1", "sa-east-1",
)
USERS_PER_GROUP = 100  # one group and one customer policy per 100 users
USERS_PER_ROLE = 50
MFA_EVERY = 4  # users 0, 4, 8, ... have a virtual MFA device
SEED_THREADS = 4
LOGS_ROLE = f"arn:aws:iam::{ACCOUNT}:role/bench-cloudtrail-to-logs"
FLOW_LOGS_ROLE = f"arn:aws:iam::{ACCOUNT}:role/bench-flow-logs"
NAMESPACE = "CISBenchmark"


class Clients:
    """One boto3 client per (service, region), all pointed at the local endpoint."""

    def __init__(self, endpoint_url: str, credentials: Mapping[str, str] | None = None) -> None:
        """`credentials` (boto3.Session keyword arguments): another account's, e.g. from
        sts:AssumeRole; by default the environment's."""
        import boto3
        from botocore.config import Config

        self.endpoint_url = endpoint_url
        self._session = boto3.Session(region_name=HOME, **(credentials or {}))
        self._config = Config(max_pool_connections=2 * SEED_THREADS,
                              retries={"mode": "standard", "max_attempts": 3})
        self._clients: dict[tuple[str, str], Any] = {}
        self._lock = threading.Lock()

    def __call__(self, service: str, region: str = HOME) -> Any:
        with self._lock:  # creating clients from one session is not thread-safe
            key = (service, region)
            if key not in self._clients:
                self._clients[key] = self._session.client(
                    service, region_name=region, endpoint_url=self.endpoint_url,
                    config=self._config)
            return self._clients[key]


def parallel(items: Iterable[Any], work: Callable[[Any], None]) -> None:
    with ThreadPoolExecutor(max_workers=SEED_THREADS) as pool:
        for _ in pool.map(work, items):
            pass  # re-raises the first failure


def _allow(action: str, sid: str) -> dict[str, Any]:
    return allow(action, Sid=sid)


def _born(start: int, stop: int, every: int) -> range:
    """The numbers k whose index k * every falls in [start, stop)."""
    return range(-(-start // every), -(-stop // every))


def assigned_mfa_devices(users: int) -> int:
    """Virtual MFA devices assigned in the account of `users` users (see `_user`)."""
    return len(range(0, users, MFA_EVERY))


def user_name(index: int) -> str:
    return f"user-{index:05d}"


def policy_arn(number: int) -> str:
    return f"arn:aws:iam::{ACCOUNT}:policy/bench-policy-{number:03d}"


# IAM --------------------------------------------------------------------------------------------

def seed_account_settings(clients: Clients) -> None:
    """Account-wide settings: a password policy and a security contact."""
    clients("iam").update_account_password_policy(
        MinimumPasswordLength=14, RequireSymbols=True, RequireNumbers=True,
        RequireUppercaseCharacters=True, RequireLowercaseCharacters=True,
        AllowUsersToChangePassword=True, MaxPasswordAge=90, PasswordReusePrevention=24)
    security_contact(clients, "Security team", "SOC", "+10000000000")


def _policy(iam: Any, number: int) -> None:
    # Policy 0 grants *:* (a 1.24 finding); odd ones get a second, default version.
    action = "*" if number == 0 else "s3:Get*"
    iam.create_policy(PolicyName=f"bench-policy-{number:03d}",
                      PolicyDocument=document(_allow(action, "First")))
    if number % 2:
        iam.create_policy_version(PolicyArn=policy_arn(number), SetAsDefault=True,
                                  PolicyDocument=document(_allow("s3:List*", "Second")))


def _group(iam: Any, number: int) -> None:
    name = f"bench-group-{number:03d}"
    iam.create_group(GroupName=name)
    iam.attach_group_policy(GroupName=name, PolicyArn=policy_arn(number))
    iam.put_group_policy(GroupName=name, PolicyName="inline",
                         PolicyDocument=document(_allow("ec2:Describe*", "Inline")))


def _role(iam: Any, number: int) -> None:
    name = f"bench-role-{number:03d}"
    iam.create_role(RoleName=name, AssumeRolePolicyDocument=trust(f"arn:aws:iam::{ACCOUNT}:root"))
    iam.attach_role_policy(RoleName=name, PolicyArn=policy_arn(number // 2))
    iam.put_role_policy(RoleName=name, PolicyName="inline",
                        PolicyDocument=document(_allow("logs:Describe*", "Inline")))


def _user(iam: Any, index: int) -> None:
    """Half have a console password (half of those MFA), a third a key, some policies."""
    name = user_name(index)
    if index % 2 == 0:  # MFA_EVERY is even: every user with MFA has a console password
        user_with_console(iam, name, mfa=index % MFA_EVERY == 0)
    else:
        iam.create_user(UserName=name)
    for _ in range((index % 3 == 0) + (index % 15 == 0)):
        iam.create_access_key(UserName=name)
    if index % 5 == 0:
        iam.put_user_policy(UserName=name, PolicyName="direct",
                            PolicyDocument=document(_allow("sqs:*", "Direct")))
    if index % 7 == 0:
        iam.attach_user_policy(UserName=name, PolicyArn=policy_arn(index // USERS_PER_GROUP))
    if index % 2 == 1:
        iam.add_user_to_group(GroupName=f"bench-group-{index // USERS_PER_GROUP:03d}",
                              UserName=name)


def seed_users(clients: Clients, start: int, stop: int) -> None:
    """Users [start, stop), with the groups, roles and customer policies that come with them."""
    iam = clients("iam")
    for number in _born(start, stop, USERS_PER_GROUP):
        _policy(iam, number)
    parallel(_born(start, stop, USERS_PER_GROUP), lambda n: _group(iam, n))
    parallel(_born(start, stop, USERS_PER_ROLE), lambda n: _role(iam, n))
    parallel(range(start, stop), lambda i: _user(iam, i))


def complete_credential_report(clients: Clients) -> None:
    """Generate the report up front: every audit then finds it COMPLETE (one call each)."""
    iam = clients("iam")
    for _ in range(10):
        if iam.generate_credential_report()["State"] == "COMPLETE":
            return
    raise RuntimeError("moto never completed the credential report")


# One region -------------------------------------------------------------------------------------

def _keys(clients: Clients, region: str) -> str:
    """Two customer keys, the first rotated; returns its ARN (the trail encrypts with it)."""
    rotated = rotating_key(clients, region, "bench key 1")
    clients("kms", region).create_key(Description="bench key 2")
    return rotated


def _trail(clients: Clients, region: str, key_arn: str) -> str:
    """The region's trail (in us-east-1 the multi-region one), logging to its own log group."""
    name = "bench-org-trail" if region == HOME else f"bench-trail-{region}"
    group = f"bench-cloudtrail-{region}"
    bucket(clients, f"bench-trail-logs-{region}", region)
    clients("logs", region).create_log_group(logGroupName=group)
    trail(clients, region, name, f"bench-trail-logs-{region}", IsMultiRegionTrail=region == HOME,
          EnableLogFileValidation=True, KmsKeyId=key_arn,
          IncludeGlobalServiceEvents=region == HOME,
          CloudWatchLogsLogGroupArn=log_group_arn(region, group), CloudWatchLogsRoleArn=LOGS_ROLE)
    return group


def _topics(clients: Clients, region: str) -> str:
    """A subscribed alarm topic (returned) and an unused one."""
    arn = topic(clients, region, "bench-alarms", "secops@example.com",
                "https://hooks.example.com/cis")
    topic(clients, region, "bench-unused")
    return arn


def _alarm_chains(clients: Clients, region: str, group: str, topic_arn: str) -> None:
    """3.1–3.14: the benchmark's filter on the trail's log group, an alarm, the topic."""
    for meaning, pattern in REFERENCE_PATTERNS.items():  # keyed by meaning: vpc_changes, ...
        metric = f"cis-{meaning.replace('_', '-')}"
        metric_filter(clients, region, group, metric, pattern, namespace=NAMESPACE)
        alarm(clients, region, f"alarm-{metric}", metric, [topic_arn], namespace=NAMESPACE)


def _config(clients: Clients, region: str) -> None:
    bucket(clients, f"bench-config-{region}", region)
    recorder(clients, region, {"allSupported": True, "includeGlobalResourceTypes": region == HOME},
             role=f"arn:aws:iam::{ACCOUNT}:role/bench-config", bucket=f"bench-config-{region}")


def _security_groups(ec2: Any, vpc_id: str, open_ssh: bool) -> None:
    inside = [{"CidrIp": "10.0.0.0/8"}]
    security_group(ec2, vpc_id, "web", *(tcp(port, ipv4=WORLD4, ipv6=WORLD6) for port in (80, 443)))
    security_group(ec2, vpc_id, "admin", tcp(22, ipv4=WORLD4 if open_ssh else inside),
                   tcp(3389, ipv4=inside))


def _network(clients: Clients, region: str) -> None:
    """Two VPCs with two security groups each, flow logs on one, a peering between them."""
    ec2 = clients("ec2", region)
    vpcs = [vpc(ec2, f"10.{n}.0.0/16") for n in (1, 2)]
    for number, vpc_id in enumerate(vpcs):
        _security_groups(ec2, vpc_id, open_ssh=number == 0)
    clients("logs", region).create_log_group(logGroupName="bench-flow-logs")
    flow_logs_to_log_group(ec2, vpcs[:1], "bench-flow-logs", FLOW_LOGS_ROLE)
    peer(ec2, vpcs[0], vpcs[1], "10.2.0.0/16")


def seed_region(clients: Clients, region: str) -> None:
    key = _keys(clients, region)
    group = _trail(clients, region, key)
    _alarm_chains(clients, region, group, _topics(clients, region))
    _config(clients, region)
    _network(clients, region)


def seed_regions(clients: Clients, regions: Iterable[str]) -> None:
    parallel(regions, lambda region: seed_region(clients, region))
