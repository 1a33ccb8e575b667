"""The demo account: a realistic mix across us-east-1, eu-west-1 and eu-central-1, built from
the shared builders, the same in every process.

Every section has recommendations that pass and recommendations that fail, and some resource
names are hostile on purpose (`hostile.HOSTILE`), so the reports can be seen to neutralise them.
The order of the calls is part of the account: moto draws its ids from a seeded generator.
"""

from __future__ import annotations

import contextlib
import gc
from datetime import datetime, timedelta, timezone
from typing import Any, NamedTuple

from . import moto_patches as moto
from .common import ACCOUNT, allow, bucket, document, trust
from .hostile import HOSTILE
from .seed_iam import (
    customer_policy,
    duty_role,
    group_with_policy,
    instance_profile,
    security_contact,
    user_with_console,
)
from .seed_logging import access_logging, log_group_arn, recorder, rotating_key, trail
from .seed_monitoring import NAMESPACE, alarm, metric_filter, topic
from .seed_networking import (
    WORLD4,
    WORLD6,
    close_default_groups,
    default_vpc,
    flow_logs_to_bucket,
    peer,
    security_group,
    tcp,
    vpc,
)

REGIONS = ("us-east-1", "eu-west-1", "eu-central-1")
US, EU, DE = REGIONS
SEED = 110  # benchmark v1.1.0: moto's random ids are the same in every process


class Setup:
    """Unguarded clients for writing the account (the audit's own clients are read-only), and
    the stack that undoes the demo, for the patches of moto."""

    def __init__(self, stack: contextlib.ExitStack) -> None:
        import boto3

        from ..aws.session import _botocore_session

        self.stack = stack
        self.setattr = moto.stack_setattr(stack)
        self.now = datetime.now(timezone.utc)
        # The audit's botocore session factory: service models are parsed once per process.
        self._session = boto3.Session(region_name=US, botocore_session=_botocore_session())
        self._clients: dict[tuple[str, str], Any] = {}

    def __call__(self, service: str, region: str = US) -> Any:
        if (service, region) not in self._clients:
            self._clients[(service, region)] = self._session.client(service, region_name=region)  # type: ignore[call-overload]  # a name held in a variable
        return self._clients[(service, region)]

    def ago(self, days: float) -> datetime:
        return self.now - timedelta(days=days)


def seed_account(stack: contextlib.ExitStack) -> None:
    """Write the demo account into the running mock, the same in every process."""
    from moto.moto_api._internal import mock_random

    mock_random.seed(SEED)  # moto draws every id from it: same ids in every xdist worker
    moto.kms_key_pairs_on_first_use(stack)
    moto.instance_type_offerings_on_demand()
    moto.collect_garbage_less(stack)
    setup = Setup(stack)
    seed_iam(setup)
    seed_logging(setup)
    seed_monitoring(setup)
    seed_networking(setup)
    seed_buckets(setup)
    gc.freeze()  # moto's models and the account: alive until the demo ends


# IAM ------------------------------------------------------------------------------------------

PASSWORD_POLICY = {  # right on length, case, numbers and expiry; wrong on symbols and reuse
    "MinimumPasswordLength": 14, "RequireUppercaseCharacters": True,
    "RequireLowercaseCharacters": True, "RequireNumbers": True, "RequireSymbols": False,
    "AllowUsersToChangePassword": True, "MaxPasswordAge": 90, "PasswordReusePrevention": 5,
}
PASSWORD = "Demo-Password-2024!"


def seed_iam(setup: Setup) -> None:
    iam = setup("iam")
    iam.update_account_password_policy(**PASSWORD_POLICY)
    _seed_root(setup)
    _seed_groups(setup)
    _seed_users(setup)
    _seed_roles(setup)
    security_contact(setup, "Security Operations", "SOC on call", "+44 20 7946 0000")
    iam.generate_credential_report()  # as if AWS had made one recently: the audit need not wait


def _seed_root(setup: Setup) -> None:
    """Root signed in 12 days ago, has no access key, and its MFA is a virtual device."""
    moto.credential_report_with_root(setup.setattr,
                                     moto.root_row(password_last_used=setup.ago(12)))
    setup.stack.enter_context(moto.report_generated_now())
    moto.root_mfa(True)
    moto.assign_root_virtual_mfa(setup("iam"), enabled_on=datetime(2019, 6, 1))


def _seed_groups(setup: Setup) -> None:
    iam = setup("iam")
    admin = customer_policy(iam, "AdministratorAccess-Custom", allow("*"))
    customer_policy(iam, "break-glass", allow("*:*"), path=HOSTILE["policy_path"])
    readonly = customer_policy(iam, "DeveloperReadOnly",
                               allow(["ec2:Describe*", "s3:Get*", "s3:List*", "logs:Get*"]))
    group_with_policy(iam, "admins", admin)
    group_with_policy(iam, "developers", readonly)


def _seed_users(setup: Setup) -> None:
    """Console users with and without MFA, old and fresh keys, a key never used."""
    _user(setup, "alice", console=True, mfa=True, group="admins", created=400,
          password_used=1, keys=((20, 0),))
    _user(setup, "bob", console=True, group="developers", created=200, keys=((120, None),))
    _user(setup, "carol", path=HOSTILE["user_path"], console=True, group="developers",
          created=30, password_used=3)
    _user(setup, HOSTILE["unicode_user"], console=True, mfa=True, group="developers",
          created=60, password_used=5)
    _user(setup, "ci-deploy", path="/automation/", created=300, keys=((10, 0),))
    _user(setup, HOSTILE["long_user"], created=800, keys=((400, 200),))
    iam = setup("iam")
    iam.put_user_policy(UserName="ci-deploy", PolicyName=HOSTILE["inline_policy"],
                        PolicyDocument=document(allow(["s3:PutObject", "ecr:*"])))
    iam.attach_user_policy(UserName=HOSTILE["long_user"],
                           PolicyArn=f"arn:aws:iam::{ACCOUNT}:policy/DeveloperReadOnly")


def _user(setup: Setup, name: str, *, path: str = "/", console: bool = False, mfa: bool = False,
          group: str | None = None, created: float, password_used: float | None = None,
          keys: tuple[tuple[float, float | None], ...] = ()) -> None:
    """A user `created` days ago; keys as (created, last used) days ago, None: never used."""
    iam = setup("iam")
    if console:
        user_with_console(iam, name, mfa=mfa, path=path, password=PASSWORD)
    else:
        iam.create_user(UserName=name, Path=path)
    if group:
        iam.add_user_to_group(GroupName=group, UserName=name)
    for _ in keys:
        iam.create_access_key(UserName=name)
    moto.age_user(name, created=setup.ago(created),
                  password_last_used=None if password_used is None else setup.ago(password_used),
                  keys_created=[setup.ago(made) for made, _ in keys],
                  keys_last_used=[None if used is None else setup.ago(used) for _, used in keys])


def _seed_roles(setup: Setup) -> None:
    iam = setup("iam")
    support = moto.managed_policy("AWSSupportAccess", moto.SUPPORT_ACCESS)
    iam.create_role(RoleName="support", AssumeRolePolicyDocument=trust(ACCOUNT))
    iam.attach_role_policy(RoleName="support", PolicyArn=support)
    instance_profile(iam, "web-server", document(
        {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"},
         "Action": "sts:AssumeRole"}))
    _seed_master_manager_roles(setup)


def _seed_master_manager_roles(setup: Setup) -> None:
    """1.18 (when the ini names them): the master role is right, the manager skips MFA."""
    from ..rules.iam_roles import MANAGER_ONLY, MASTER_ONLY, READS

    iam = setup("iam")
    duty_role(iam, "iam-master", f"arn:aws:iam::{ACCOUNT}:user/alice", MASTER_ONLY + READS,
              MANAGER_ONLY, mfa=True)
    duty_role(iam, "iam-manager", f"arn:aws:iam::{ACCOUNT}:user/bob", MANAGER_ONLY + READS,
              MASTER_ONLY, mfa=False)


# Logging --------------------------------------------------------------------------------------

TRAIL_LOG_GROUP = "CloudTrail/DefaultLogGroup"
EU_LOG_GROUP = "eu-app-trail"
TRAIL_BUCKET = f"demo-cloudtrail-{ACCOUNT}"
ACCESS_LOG_BUCKET = f"demo-access-logs-{ACCOUNT}"
EU_TRAIL_BUCKET = f"demo-eu-app-trail-{ACCOUNT}"
CONFIG_BUCKET = f"demo-config-{ACCOUNT}"
FLOW_LOG_BUCKET = f"demo-flow-logs-{ACCOUNT}"
LOGS_ROLE = f"arn:aws:iam::{ACCOUNT}:role/CloudTrail_CloudWatchLogs_Role"


def seed_logging(setup: Setup) -> None:
    _seed_keys(setup)
    _seed_trail_buckets(setup)
    _seed_trails(setup)
    _seed_config(setup)


def _trail_key(setup: Setup, region: str) -> str:
    return rotating_key(setup, region, "CloudTrail log files", alias="alias/cloudtrail")


def _seed_keys(setup: Setup) -> None:
    """A data key that does not rotate, and keys 2.8 does not judge (the trail keys rotate)."""
    frankfurt = setup("kms", DE)
    frankfurt.create_key(Description="analytics data")
    frankfurt.create_key(Description="code signing", KeySpec="RSA_2048", KeyUsage="SIGN_VERIFY")
    us = setup("kms", US)
    old = us.create_key(Description=HOSTILE["key_description"])["KeyMetadata"]["KeyId"]
    us.disable_key(KeyId=old)
    managed = us.create_key(Description="Default key that protects my S3 objects when no other "
                                        "key is defined")["KeyMetadata"]["KeyId"]
    moto.make_aws_managed(US, managed)


def _cloudtrail_may_write(setup: Setup, name: str, region: str) -> None:
    setup("s3", region).put_bucket_policy(Bucket=name, Policy=document(
        {"Sid": "AWSCloudTrailAclCheck", "Effect": "Allow",
         "Principal": {"Service": "cloudtrail.amazonaws.com"}, "Action": "s3:GetBucketAcl",
         "Resource": f"arn:aws:s3:::{name}"},
        {"Sid": "AWSCloudTrailWrite", "Effect": "Allow",
         "Principal": {"Service": "cloudtrail.amazonaws.com"}, "Action": "s3:PutObject",
         "Resource": f"arn:aws:s3:::{name}/AWSLogs/{ACCOUNT}/*"}))


def _seed_trail_buckets(setup: Setup) -> None:
    bucket(setup, ACCESS_LOG_BUCKET, US, acl="log-delivery-write", owner="security")
    bucket(setup, TRAIL_BUCKET, US, owner="security")
    _cloudtrail_may_write(setup, TRAIL_BUCKET, US)
    access_logging(setup, US, TRAIL_BUCKET, ACCESS_LOG_BUCKET, "cloudtrail/")
    bucket(setup, EU_TRAIL_BUCKET, EU)  # private, but no access logging and no owner tag
    _cloudtrail_may_write(setup, EU_TRAIL_BUCKET, EU)


def _seed_trails(setup: Setup) -> None:
    """A multi-region trail that does everything right; a regional one without validation."""
    moto.cloudwatch_delivered(setup.setattr, hours_ago=2, now=setup.now)
    setup("iam").create_role(
        RoleName="CloudTrail_CloudWatchLogs_Role", AssumeRolePolicyDocument=document(
            {"Effect": "Allow", "Principal": {"Service": "cloudtrail.amazonaws.com"},
             "Action": "sts:AssumeRole"}))
    for region, group in ((US, TRAIL_LOG_GROUP), (EU, EU_LOG_GROUP)):
        setup("logs", region).create_log_group(logGroupName=group)
    trail(setup, US, "org-trail", TRAIL_BUCKET, IsMultiRegionTrail=True,
          IncludeGlobalServiceEvents=True, EnableLogFileValidation=True,
          KmsKeyId=_trail_key(setup, US),
          CloudWatchLogsLogGroupArn=log_group_arn(US, TRAIL_LOG_GROUP),
          CloudWatchLogsRoleArn=LOGS_ROLE,
          selectors={"EventSelectors": [{"ReadWriteType": "All",
                                         "IncludeManagementEvents": True}]})
    trail(setup, EU, "eu-app-trail", EU_TRAIL_BUCKET, KmsKeyId=_trail_key(setup, EU),
          CloudWatchLogsLogGroupArn=log_group_arn(EU, EU_LOG_GROUP),
          CloudWatchLogsRoleArn=LOGS_ROLE)


def _seed_config(setup: Setup) -> None:
    """us-east-1 records everything; eu-west-1 some types only; eu-central-1 nothing."""
    bucket(setup, CONFIG_BUCKET, US, owner="security")
    _recorder(setup, US, "default", {"allSupported": True, "includeGlobalResourceTypes": True})
    _recorder(setup, EU, HOSTILE["recorder"], {
        "allSupported": False, "includeGlobalResourceTypes": False,
        "resourceTypes": ["AWS::EC2::Instance", "AWS::EC2::SecurityGroup"]})


def _recorder(setup: Setup, region: str, name: str, group: dict[str, Any]) -> None:
    recorder(setup, region, group, name=name, role=f"arn:aws:iam::{ACCOUNT}:role/aws-config",
             bucket=CONFIG_BUCKET)
    moto.recorder_status(region, name, "SUCCESS")


# Monitoring -----------------------------------------------------------------------------------

ALARM_TOPIC = "cis-security-alarms"
QUIET_TOPIC = "cis-unrouted-alarms"  # nobody subscribed


class Watch(NamedTuple):
    """One alarm chain of the demo: its filter's pattern, the metric it counts into and the
    alarm on that metric (named as people name them), and the topic the alarm notifies, or
    None: no alarm on the metric."""

    pattern: str
    metric: str
    alarm: str
    topic: str | None


# The benchmark's patterns, written the ways people write them: its exact text, reformatted over
# several lines, clauses reordered, values quoted or not; some wrong on purpose. Keyed by what
# each alarm watches (seed_monitoring.ALARMED).
WATCHES: dict[str, Watch] = {
    "unauthorized_api_calls": Watch(
        '{ ($.errorCode = "*UnauthorizedOperation") || ($.errorCode = "AccessDenied*") }',
        "cis-3-1", "CIS 3.1 cis-3-1", ALARM_TOPIC),
    "console_signin_without_mfa": Watch(
        '{\n  ($.eventName = "ConsoleLogin") &&\n  ($.additionalEventData.MFAUsed != "Yes")\n}',
        "cis-3-2", "CIS 3.2 cis-3-2", ALARM_TOPIC),
    "root_account_usage": Watch(
        '{ $.eventType != "AwsServiceEvent" && $.userIdentity.invokedBy NOT EXISTS && '
        '$.userIdentity.type = "Root" }', "cis-3-3", "CIS 3.3 cis-3-3", ALARM_TOPIC),
    "iam_policy_changes": Watch(
        '{($.eventName="DeleteGroupPolicy")||($.eventName="DeleteRolePolicy")||'
        '($.eventName="DeleteUserPolicy")||($.eventName="PutGroupPolicy")||'
        '($.eventName="PutRolePolicy")||($.eventName="PutUserPolicy")||'
        '($.eventName="CreatePolicy")||($.eventName="DeletePolicy")||'
        '($.eventName="CreatePolicyVersion")||($.eventName="DeletePolicyVersion")||'
        '($.eventName="AttachRolePolicy")||($.eventName="DetachRolePolicy")||'
        '($.eventName="AttachUserPolicy")||($.eventName="DetachUserPolicy")||'
        '($.eventName="AttachGroupPolicy")||($.eventName="DetachGroupPolicy")}',
        "cis-3-4", "CIS 3.4 cis-3-4", ALARM_TOPIC),
    "cloudtrail_configuration_changes": Watch(
        "{ ($.eventName = StopLogging) || ($.eventName = DeleteTrail) ||"
        " ($.eventName = UpdateTrail) || ($.eventName = CreateTrail) ||"
        " ($.eventName = StartLogging) }", "cis-3-5", "CIS 3.5 cis-3-5", ALARM_TOPIC),
    "console_authentication_failures": Watch(
        '{ ($.eventName = ConsoleLogin) && ($.errorMessage = "Failed authentication") }',
        "cis-3-6", "CIS 3.6 cis-3-6", ALARM_TOPIC),
    "cmk_disabled_or_scheduled_for_deletion": Watch(
        "{ ($.eventSource = kms.amazonaws.com) && (($.eventName = DisableKey) || "
        "($.eventName = ScheduleKeyDeletion)) }", "cis-3-7", "CIS 3.7 cis-3-7", QUIET_TOPIC),
    # s3_bucket_policy_changes: no filter at all
    "aws_config_changes": Watch(  # misses two events
        "{ ($.eventSource = config.amazonaws.com) && (($.eventName = StopConfigurationRecorder)"
        " || ($.eventName = DeleteDeliveryChannel)) }", "cis-3-9", "CIS 3.9 cis-3-9",
        ALARM_TOPIC),
    "security_group_changes": Watch(
        "{ ($.eventName = AuthorizeSecurityGroupIngress) || "
        "($.eventName = AuthorizeSecurityGroupEgress) || "
        "($.eventName = RevokeSecurityGroupIngress) || "
        "($.eventName = RevokeSecurityGroupEgress) || "
        "($.eventName = CreateSecurityGroup) || ($.eventName = DeleteSecurityGroup) }",
        "cis-3-10", "CIS 3.10 cis-3-10", ALARM_TOPIC),
    "nacl_changes": Watch(
        "{ ($.eventName = CreateNetworkAcl) || ($.eventName = CreateNetworkAclEntry) || "
        "($.eventName = DeleteNetworkAcl) || ($.eventName = DeleteNetworkAclEntry) || "
        "($.eventName = ReplaceNetworkAclEntry) || "
        "($.eventName = ReplaceNetworkAclAssociation) }", "cis-3-11", "CIS 3.11 cis-3-11",
        None),
    "network_gateway_changes": Watch(
        "{ ($.eventName = CreateCustomerGateway) || ($.eventName = DeleteCustomerGateway) ||"
        " ($.eventName = AttachInternetGateway) || ($.eventName = CreateInternetGateway) ||"
        " ($.eventName = DeleteInternetGateway) || ($.eventName = DetachInternetGateway) }",
        "cis-3-12", "CIS 3.12 cis-3-12", ALARM_TOPIC),
    "route_table_changes": Watch(
        '{ ($.eventName = "CreateRoute") || ($.eventName = "CreateRouteTable") || '
        '($.eventName = "ReplaceRoute") || ($.eventName = "ReplaceRouteTableAssociation")'
        ' || ($.eventName = "DeleteRouteTable") || ($.eventName = "DeleteRoute") || '
        '($.eventName = "DisassociateRouteTable") }', "cis-3-13", HOSTILE["alarm"], ALARM_TOPIC),
    "vpc_changes": Watch(
        "{ ($.eventName = CreateVpc) || ($.eventName = DeleteVpc) || "
        "($.eventName = ModifyVpcAttribute) || ($.eventName = AcceptVpcPeeringConnection) ||"
        " ($.eventName = CreateVpcPeeringConnection) || "
        "($.eventName = DeleteVpcPeeringConnection) || "
        "($.eventName = RejectVpcPeeringConnection) || ($.eventName = AttachClassicLinkVpc)"
        " || ($.eventName = DetachClassicLinkVpc) || ($.eventName = DisableVpcClassicLink)"
        " || ($.eventName = EnableVpcClassicLink) }", "cis-3-14", "CIS 3.14 cis-3-14",
        ALARM_TOPIC),
}
METRIC_NAMESPACE = NAMESPACE


def seed_monitoring(setup: Setup) -> None:
    """Metric filters on the multi-region trail's log group, alarms, topics, a subscriber."""
    # moto confirms the subscription at once
    topics = {ALARM_TOPIC: topic(setup, US, ALARM_TOPIC, "security-alerts@example.com"),
              QUIET_TOPIC: topic(setup, US, QUIET_TOPIC)}
    for watch in WATCHES.values():
        metric_filter(setup, US, TRAIL_LOG_GROUP, watch.metric, watch.pattern)
        if watch.topic is not None:
            alarm(setup, US, watch.alarm, watch.metric, [topics[watch.topic]])


# Networking -----------------------------------------------------------------------------------

AMI = "ami-0demo0000000000"  # moto does not check images exist (MOTO_ENABLE_AMI_VALIDATION)


def seed_networking(setup: Setup) -> None:
    bucket(setup, FLOW_LOG_BUCKET, DE, owner="network")
    _seed_us_network(setup)
    _seed_eu_network(setup)
    _seed_frankfurt_network(setup)


def _flow_logs(ec2: Any) -> None:
    vpcs = [found["VpcId"] for found in ec2.describe_vpcs()["Vpcs"]]
    flow_logs_to_bucket(ec2, vpcs, FLOW_LOG_BUCKET)


def _seed_us_network(setup: Setup) -> None:
    """Only HTTPS open to the world, flow logs everywhere, closed default groups, a peering."""
    ec2 = setup("ec2", US)
    app, shared = vpc(ec2, "10.0.0.0/16", "app"), vpc(ec2, "10.1.0.0/16", "shared-services")
    security_group(ec2, app, "web", tcp(443, ipv4=WORLD4, ipv6=WORLD6),
                   description="HTTPS from anywhere")
    security_group(ec2, app, "internal-db", tcp(5432, ipv4=[{"CidrIp": "10.0.0.0/16"}]),
                   description="PostgreSQL from the app VPC")
    peer(ec2, app, shared, "10.1.0.0/16")  # the whole peer VPC: 4.5 asks a person to look
    close_default_groups(ec2)
    _flow_logs(ec2)
    ec2.run_instances(ImageId=AMI, MinCount=1, MaxCount=1, InstanceType="t3.micro",
                      IamInstanceProfile={"Name": "web-server"})


def _seed_eu_network(setup: Setup) -> None:
    """SSH open to the world (twice), no flow logs."""
    ec2 = setup("ec2", EU)
    default = default_vpc(ec2)
    security_group(ec2, default, "bastion", tcp(22, ipv4=WORLD4),
                   description="SSH for the on-call engineers")
    security_group(ec2, default, HOSTILE["group_name"], tcp(22, ipv4=WORLD4),
                   description=HOSTILE["group_description"])
    security_group(ec2, default, "alb", tcp(443, ipv4=WORLD4),
                   description="HTTPS load balancer")
    close_default_groups(ec2)


def _seed_frankfurt_network(setup: Setup) -> None:
    """RDP open to ::/0, flow logs on every VPC, an instance without a role."""
    ec2 = setup("ec2", DE)
    analytics = vpc(ec2, "10.20.0.0/16", "analytics")
    security_group(ec2, analytics, "windows-jump", tcp(3389, ipv6=WORLD6),
                   description="RDP jump host")
    close_default_groups(ec2)
    _flow_logs(ec2)
    ec2.run_instances(ImageId=AMI, MinCount=1, MaxCount=1, InstanceType="t3.micro")


# More buckets for the organisation checks (example_suite: every bucket has an owner tag) -----

def seed_buckets(setup: Setup) -> None:
    bucket(setup, f"demo-website-assets-{ACCOUNT}", US, owner=HOSTILE["owner_tag"])
    bucket(setup, f"demo-scratch-{ACCOUNT}", EU)  # nobody owns it
