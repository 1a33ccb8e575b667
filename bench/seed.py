"""Synthetic accounts for the benchmark, written through boto3 to a moto server.

The account grows in place: `seed_users(clients, 0, 10)` then `seed_users(clients, 10, 100)`
gives the 100-user account, so each size is seeded once. Every region gets the same resources,
so that each audited region should cost the same number of calls.

Nothing here reaches into moto's internals: a real account could be seeded the same way (but
this module only ever talks to the local endpoint it is given).
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from typing import Any

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


def _document(*statements: dict[str, Any]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def _allow(action: str, sid: str) -> dict[str, Any]:
    return {"Sid": sid, "Effect": "Allow", "Action": action, "Resource": "*"}


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
    clients("account").put_alternate_contact(
        AlternateContactType="SECURITY", Name="Security team", Title="SOC",
        EmailAddress="security@example.com", PhoneNumber="+10000000000")


def _policy(iam: Any, number: int) -> None:
    # Policy 0 grants *:* (a 1.24 finding); odd ones get a second, default version.
    action = "*" if number == 0 else "s3:Get*"
    iam.create_policy(PolicyName=f"bench-policy-{number:03d}",
                      PolicyDocument=_document(_allow(action, "First")))
    if number % 2:
        iam.create_policy_version(PolicyArn=policy_arn(number), SetAsDefault=True,
                                  PolicyDocument=_document(_allow("s3:List*", "Second")))


def _group(iam: Any, number: int) -> None:
    name = f"bench-group-{number:03d}"
    iam.create_group(GroupName=name)
    iam.attach_group_policy(GroupName=name, PolicyArn=policy_arn(number))
    iam.put_group_policy(GroupName=name, PolicyName="inline",
                         PolicyDocument=_document(_allow("ec2:Describe*", "Inline")))


def _role(iam: Any, number: int) -> None:
    name = f"bench-role-{number:03d}"
    trust = _document({"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
                       "Action": "sts:AssumeRole"})
    iam.create_role(RoleName=name, AssumeRolePolicyDocument=trust)
    iam.attach_role_policy(RoleName=name, PolicyArn=policy_arn(number // 2))
    iam.put_role_policy(RoleName=name, PolicyName="inline",
                        PolicyDocument=_document(_allow("logs:Describe*", "Inline")))


def _mfa(iam: Any, name: str) -> None:
    serial = iam.create_virtual_mfa_device(VirtualMFADeviceName=name)["VirtualMFADevice"][
        "SerialNumber"]
    iam.enable_mfa_device(UserName=name, SerialNumber=serial, AuthenticationCode1="123456",
                          AuthenticationCode2="654321")


def _user(iam: Any, index: int) -> None:
    """Half have a console password (half of those MFA), a third a key, some policies."""
    name = user_name(index)
    iam.create_user(UserName=name)
    if index % 2 == 0:
        iam.create_login_profile(UserName=name, Password="Correct-Horse-9!")
    if index % MFA_EVERY == 0:
        _mfa(iam, name)
    for _ in range((index % 3 == 0) + (index % 15 == 0)):
        iam.create_access_key(UserName=name)
    if index % 5 == 0:
        iam.put_user_policy(UserName=name, PolicyName="direct",
                            PolicyDocument=_document(_allow("sqs:*", "Direct")))
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

def _bucket(clients: Clients, region: str, name: str) -> None:
    extra = {} if region == HOME else {"CreateBucketConfiguration": {"LocationConstraint": region}}
    clients("s3", region).create_bucket(Bucket=name, **extra)


def _keys(clients: Clients, region: str) -> str:
    """Two customer keys, the first rotated; returns its ARN (the trail encrypts with it)."""
    kms = clients("kms", region)
    arns = [kms.create_key(Description=f"bench key {n}")["KeyMetadata"]["Arn"] for n in (1, 2)]
    kms.enable_key_rotation(KeyId=arns[0])
    return str(arns[0])


def _trail(clients: Clients, region: str, key_arn: str) -> str:
    """The region's trail (in us-east-1 the multi-region one), logging to its own log group."""
    name = "bench-org-trail" if region == HOME else f"bench-trail-{region}"
    group = f"bench-cloudtrail-{region}"
    _bucket(clients, region, f"bench-trail-logs-{region}")
    clients("logs", region).create_log_group(logGroupName=group)
    cloudtrail = clients("cloudtrail", region)
    cloudtrail.create_trail(
        Name=name, S3BucketName=f"bench-trail-logs-{region}", IsMultiRegionTrail=region == HOME,
        EnableLogFileValidation=True, KmsKeyId=key_arn, IncludeGlobalServiceEvents=region == HOME,
        CloudWatchLogsLogGroupArn=f"arn:aws:logs:{region}:{ACCOUNT}:log-group:{group}:*",
        CloudWatchLogsRoleArn=LOGS_ROLE)
    cloudtrail.start_logging(Name=name)
    return group


def _topics(clients: Clients, region: str) -> str:
    """A subscribed alarm topic (returned) and an unused one."""
    sns = clients("sns", region)
    arn = str(sns.create_topic(Name="bench-alarms")["TopicArn"])
    sns.subscribe(TopicArn=arn, Protocol="email", Endpoint="secops@example.com")
    sns.subscribe(TopicArn=arn, Protocol="https", Endpoint="https://hooks.example.com/cis")
    sns.create_topic(Name="bench-unused")
    return arn


def _alarm_chains(clients: Clients, region: str, group: str, topic: str) -> None:
    """3.1–3.14: the benchmark's filter on the trail's log group, an alarm, the topic."""
    logs, cloudwatch = clients("logs", region), clients("cloudwatch", region)
    for meaning, pattern in REFERENCE_PATTERNS.items():  # keyed by meaning: vpc_changes, ...
        metric = f"cis-{meaning.replace('_', '-')}"
        logs.put_metric_filter(
            logGroupName=group, filterName=metric, filterPattern=pattern,
            metricTransformations=[{"metricName": metric, "metricNamespace": NAMESPACE,
                                    "metricValue": "1"}])
        cloudwatch.put_metric_alarm(
            AlarmName=f"alarm-{metric}", AlarmActions=[topic], MetricName=metric,
            Namespace=NAMESPACE, Statistic="Sum", Period=300, EvaluationPeriods=1,
            Threshold=1.0, ComparisonOperator="GreaterThanOrEqualToThreshold")


def _config(clients: Clients, region: str) -> None:
    config = clients("config", region)
    _bucket(clients, region, f"bench-config-{region}")
    config.put_configuration_recorder(ConfigurationRecorder={
        "name": "default", "roleARN": f"arn:aws:iam::{ACCOUNT}:role/bench-config",
        "recordingGroup": {"allSupported": True, "includeGlobalResourceTypes": region == HOME}})
    config.put_delivery_channel(DeliveryChannel={"name": "default",
                                                 "s3BucketName": f"bench-config-{region}"})
    config.start_configuration_recorder(ConfigurationRecorderName="default")


def _security_groups(ec2: Any, vpc: str, open_ssh: bool) -> None:
    web = ec2.create_security_group(GroupName="web", Description="web", VpcId=vpc)["GroupId"]
    ec2.authorize_security_group_ingress(GroupId=web, IpPermissions=[
        {"IpProtocol": "tcp", "FromPort": port, "ToPort": port,
         "IpRanges": [{"CidrIp": "0.0.0.0/0"}], "Ipv6Ranges": [{"CidrIpv6": "::/0"}]}
        for port in (80, 443)])
    admin = ec2.create_security_group(GroupName="admin", Description="admin",
                                      VpcId=vpc)["GroupId"]
    ec2.authorize_security_group_ingress(GroupId=admin, IpPermissions=[
        {"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22,
         "IpRanges": [{"CidrIp": "0.0.0.0/0" if open_ssh else "10.0.0.0/8"}]},
        {"IpProtocol": "tcp", "FromPort": 3389, "ToPort": 3389,
         "IpRanges": [{"CidrIp": "10.0.0.0/8"}]}])


def _network(clients: Clients, region: str) -> None:
    """Two VPCs with two security groups each, flow logs on one, a peering between them."""
    ec2, logs = clients("ec2", region), clients("logs", region)
    vpcs = [ec2.create_vpc(CidrBlock=f"10.{n}.0.0/16")["Vpc"]["VpcId"] for n in (1, 2)]
    for number, vpc in enumerate(vpcs):
        _security_groups(ec2, vpc, open_ssh=number == 0)
    logs.create_log_group(logGroupName="bench-flow-logs")
    ec2.create_flow_logs(ResourceIds=[vpcs[0]], ResourceType="VPC", TrafficType="ALL",
                         LogDestinationType="cloud-watch-logs", LogGroupName="bench-flow-logs",
                         DeliverLogsPermissionArn=FLOW_LOGS_ROLE)
    peering = ec2.create_vpc_peering_connection(VpcId=vpcs[0], PeerVpcId=vpcs[1])[
        "VpcPeeringConnection"]["VpcPeeringConnectionId"]
    ec2.accept_vpc_peering_connection(VpcPeeringConnectionId=peering)
    table = ec2.describe_route_tables(Filters=[{"Name": "vpc-id", "Values": [vpcs[0]]}])[
        "RouteTables"][0]["RouteTableId"]
    ec2.create_route(RouteTableId=table, DestinationCidrBlock="10.2.0.0/16",
                     VpcPeeringConnectionId=peering)


def seed_region(clients: Clients, region: str) -> None:
    key = _keys(clients, region)
    group = _trail(clients, region, key)
    _alarm_chains(clients, region, group, _topics(clients, region))
    _config(clients, region)
    _network(clients, region)


def seed_regions(clients: Clients, regions: Iterable[str]) -> None:
    parallel(regions, lambda region: seed_region(clients, region))
