"""The 52 recommendations of the CIS Amazon Web Services Foundations Benchmark v1.1.0, as data.

Titles, remediation advice and CLI hints are written in this project's own words; levels, the
scored flag, thresholds, commands and metric filter patterns follow the benchmark text. This module
is imported while pytest starts, so it uses the standard library only and does no I/O.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Literal

Section = Literal["iam", "logging", "monitoring", "networking"]

SECTIONS: dict[str, Section] = {"1": "iam", "2": "logging", "3": "monitoring", "4": "networking"}

SECTION_TITLES: dict[Section, str] = {
    "iam": "Identity and Access Management",
    "logging": "Logging",
    "monitoring": "Monitoring",
    "networking": "Networking",
}

_SECTION_BY_NAME: dict[str, Section] = {name: name for name in SECTIONS.values()}


@dataclass(frozen=True)
class Recommendation:
    """One CIS recommendation: the compliant state, how to reach it, and what checking it reads."""

    id: str
    title: str
    section: Section
    level: int
    scored: bool
    automated: bool
    remediation: str
    cli: str
    permissions: tuple[str, ...]

    def __post_init__(self) -> None:
        number, _, _ = self.id.partition(".")
        if SECTIONS.get(number) != self.section:
            raise ValueError(f"recommendation {self.id!r} is not in section {self.section!r}")
        if self.level not in (1, 2):
            raise ValueError(f"recommendation {self.id!r}: level {self.level!r} is not 1 or 2")

    @property
    def sort_key(self) -> tuple[int, int]:
        major, minor = self.id.split(".")
        return (int(major), int(minor))

    @property
    def section_number(self) -> str:
        return self.id.split(".")[0]


# --- permissions shared by several checks -----------------------------------------------------

_CREDENTIAL_REPORT = ("iam:GenerateCredentialReport", "iam:GetCredentialReport")
_PASSWORD_POLICY = ("iam:GetAccountPasswordPolicy",)
_AUTHORIZATION_DETAILS = ("iam:GetAccountAuthorizationDetails",)
# Checks that judge every user: the report, held against the users IAM lists now.
_CREDENTIAL_REPORT_USERS = (*_CREDENTIAL_REPORT, *_AUTHORIZATION_DETAILS)
_REGIONS = ("ec2:DescribeRegions",)
_METRIC_FILTER_CHAIN = (
    "cloudtrail:DescribeTrails",
    "cloudtrail:GetTrailStatus",
    "cloudtrail:GetEventSelectors",
    "logs:DescribeMetricFilters",
    "cloudwatch:DescribeAlarms",
    "sns:ListSubscriptionsByTopic",
)

# --- CLI hints --------------------------------------------------------------------------------

# update-account-password-policy replaces the whole policy: any setting left off the command goes
# back to its default, so every password recommendation gets the complete command.
_PASSWORD_POLICY_CLI = (
    "aws iam update-account-password-policy --require-uppercase-characters"
    " --require-lowercase-characters --require-symbols --require-numbers"
    " --minimum-password-length 14 --password-reuse-prevention 24 --max-password-age 90"
)

_PASSWORD_POLICY_NOTE = (
    " Each update-account-password-policy call replaces the entire policy, so set every"
    " password requirement (1.5 to 1.11) in the same command."
)


def _any_event(names: tuple[str, ...], *, spaced: bool = True) -> str:
    """OR together `$.eventName` terms, formatted the way the benchmark writes them."""
    equals = " = " if spaced else "="
    return " || ".join(f"($.eventName{equals}{name})" for name in names)


# CloudWatch Logs filter patterns from the benchmark's remediation steps: the reference each
# 3.1-3.14 metric filter is judged against (rules/metric_filters.py). Fixes applied: the
# `\"` escapes in 3.1 and 3.6 (inside single quotes they would reach AWS as backslashes), the
# `$eventSource` / `$eventName` typos in the 3.7 and 3.8 audit steps, and 3.11 keeps the
# ReplaceNetworkAclEntry term that its remediation has and its audit step omits.
METRIC_FILTER_PATTERNS: dict[str, str] = {
    "3.1": '{ ($.errorCode = "*UnauthorizedOperation") || ($.errorCode = "AccessDenied*") }',
    "3.2": '{ ($.eventName = "ConsoleLogin") && ($.additionalEventData.MFAUsed != "Yes") }',
    "3.3": (
        '{ $.userIdentity.type = "Root" && $.userIdentity.invokedBy NOT EXISTS'
        ' && $.eventType != "AwsServiceEvent" }'
    ),
    "3.4": "{ "
    + _any_event(
        (
            "DeleteGroupPolicy",
            "DeleteRolePolicy",
            "DeleteUserPolicy",
            "PutGroupPolicy",
            "PutRolePolicy",
            "PutUserPolicy",
            "CreatePolicy",
            "DeletePolicy",
            "CreatePolicyVersion",
            "DeletePolicyVersion",
            "AttachRolePolicy",
            "DetachRolePolicy",
            "AttachUserPolicy",
            "DetachUserPolicy",
            "AttachGroupPolicy",
            "DetachGroupPolicy",
        ),
        spaced=False,
    )
    + " }",
    "3.5": "{ "
    + _any_event(("CreateTrail", "UpdateTrail", "DeleteTrail", "StartLogging", "StopLogging"))
    + " }",
    "3.6": '{ ($.eventName = ConsoleLogin) && ($.errorMessage = "Failed authentication") }',
    "3.7": "{ ($.eventSource = kms.amazonaws.com) && ("
    + _any_event(("DisableKey", "ScheduleKeyDeletion"), spaced=False)
    + ") }",
    "3.8": "{ ($.eventSource = s3.amazonaws.com) && ("
    + _any_event(
        (
            "PutBucketAcl",
            "PutBucketPolicy",
            "PutBucketCors",
            "PutBucketLifecycle",
            "PutBucketReplication",
            "DeleteBucketPolicy",
            "DeleteBucketCors",
            "DeleteBucketLifecycle",
            "DeleteBucketReplication",
        )
    )
    + ") }",
    "3.9": "{ ($.eventSource = config.amazonaws.com) && ("
    + _any_event(
        (
            "StopConfigurationRecorder",
            "DeleteDeliveryChannel",
            "PutDeliveryChannel",
            "PutConfigurationRecorder",
        ),
        spaced=False,
    )
    + ") }",
    "3.10": "{ "
    + _any_event(
        (
            "AuthorizeSecurityGroupIngress",
            "AuthorizeSecurityGroupEgress",
            "RevokeSecurityGroupIngress",
            "RevokeSecurityGroupEgress",
            "CreateSecurityGroup",
            "DeleteSecurityGroup",
        )
    )
    + " }",
    "3.11": "{ "
    + _any_event(
        (
            "CreateNetworkAcl",
            "CreateNetworkAclEntry",
            "DeleteNetworkAcl",
            "DeleteNetworkAclEntry",
            "ReplaceNetworkAclEntry",
            "ReplaceNetworkAclAssociation",
        )
    )
    + " }",
    "3.12": "{ "
    + _any_event(
        (
            "CreateCustomerGateway",
            "DeleteCustomerGateway",
            "AttachInternetGateway",
            "CreateInternetGateway",
            "DeleteInternetGateway",
            "DetachInternetGateway",
        )
    )
    + " }",
    "3.13": "{ "
    + _any_event(
        (
            "CreateRoute",
            "CreateRouteTable",
            "ReplaceRoute",
            "ReplaceRouteTableAssociation",
            "DeleteRouteTable",
            "DeleteRoute",
            "DisassociateRouteTable",
        )
    )
    + " }",
    "3.14": "{ "
    + _any_event(
        (
            "CreateVpc",
            "DeleteVpc",
            "ModifyVpcAttribute",
            "AcceptVpcPeeringConnection",
            "CreateVpcPeeringConnection",
            "DeleteVpcPeeringConnection",
            "RejectVpcPeeringConnection",
            "AttachClassicLinkVpc",
            "DetachClassicLinkVpc",
            "DisableVpcClassicLink",
            "EnableVpcClassicLink",
        )
    )
    + " }",
}


def _alarm_cli(rec_id: str, stem: str) -> str:
    """Metric filter, subscriber and alarm commands for one section 3 recommendation."""
    metric = f"<{stem}_metric>"
    return "\n".join(
        (
            "aws logs put-metric-filter --log-group-name <cloudtrail_log_group_name>"
            f" --filter-name {metric}"
            f" --metric-transformations metricName={metric},metricNamespace=CISBenchmark,"
            "metricValue=1"
            f" --filter-pattern '{METRIC_FILTER_PATTERNS[rec_id]}'",
            "aws sns create-topic --name <sns_topic_name>",
            "aws sns subscribe --topic-arn <sns_topic_arn> --protocol <protocol>"
            " --notification-endpoint <endpoint>",
            f"aws cloudwatch put-metric-alarm --alarm-name <{stem}_alarm> --metric-name {metric}"
            " --namespace CISBenchmark --statistic Sum --period 300 --evaluation-periods 1"
            " --threshold 1 --comparison-operator GreaterThanOrEqualToThreshold"
            " --alarm-actions <sns_topic_arn>",
        )
    )


def _alarm_remediation(events: str) -> str:
    return (
        "On the CloudWatch Logs group that receives CloudTrail events, add a metric filter that"
        f" counts {events}, and an alarm on that metric. Point the alarm at an SNS topic that has"
        " at least one subscriber, so someone is told when it fires."
    )


def _alarm(rec_id: str, title: str, level: int, events: str, stem: str) -> Recommendation:
    return Recommendation(
        id=rec_id,
        title=title,
        section="monitoring",
        level=level,
        scored=True,
        automated=True,
        remediation=_alarm_remediation(events),
        cli=_alarm_cli(rec_id, stem),
        permissions=_METRIC_FILTER_CHAIN,
    )


# --- the recommendations ----------------------------------------------------------------------

_RECOMMENDATIONS: tuple[Recommendation, ...] = (
    # 1 Identity and Access Management
    Recommendation(
        id="1.1",
        title="The root account is not used for everyday work",
        section="iam",
        level=1,
        scored=True,
        automated=True,
        remediation=(
            "Keep the root user for the few tasks only it can do and run day-to-day work through"
            " IAM users or roles with least privilege. Alerting on root activity (3.3) and"
            " removing root access keys (1.12) back this up."
        ),
        cli="",
        permissions=_CREDENTIAL_REPORT,
    ),
    Recommendation(
        id="1.2",
        title="MFA is enabled for every IAM user with a console password",
        section="iam",
        level=1,
        scored=True,
        automated=True,
        remediation=(
            "Register an MFA device for each IAM user who can sign in to the console, or remove"
            " the console password of users who do not need one."
        ),
        cli=(
            "aws iam create-virtual-mfa-device --virtual-mfa-device-name <user>"
            " --outfile <user>-mfa.png --bootstrap-method QRCodePNG\n"
            "aws iam enable-mfa-device --user-name <user> --serial-number <mfa_serial_arn>"
            " --authentication-code1 <code_1> --authentication-code2 <code_2>"
        ),
        permissions=_CREDENTIAL_REPORT_USERS,
    ),
    Recommendation(
        id="1.3",
        title="No enabled password or access key has gone unused for 90 days or more",
        section="iam",
        level=1,
        scored=True,
        automated=True,
        remediation=(
            "Deactivate or delete every password and access key that has not been used in the"
            " last 90 days; remove the console password of users who no longer sign in."
        ),
        cli=(
            "aws iam delete-login-profile --user-name <user>\n"
            "aws iam update-access-key --user-name <user> --access-key-id <access_key_id>"
            " --status Inactive"
        ),
        permissions=_CREDENTIAL_REPORT_USERS,
    ),
    Recommendation(
        id="1.4",
        title="Every active access key was rotated within the last 90 days",
        section="iam",
        level=1,
        scored=True,
        automated=True,
        remediation=(
            "Replace any active access key older than 90 days: create a new key, move its users"
            " and applications over, then deactivate and delete the old key."
        ),
        cli=(
            "aws iam create-access-key --user-name <user>\n"
            "aws iam update-access-key --user-name <user> --access-key-id <old_access_key_id>"
            " --status Inactive\n"
            "aws iam delete-access-key --user-name <user> --access-key-id <old_access_key_id>"
        ),
        permissions=_CREDENTIAL_REPORT_USERS,
    ),
    Recommendation(
        id="1.5",
        title="The password policy requires an uppercase letter",
        section="iam",
        level=1,
        scored=True,
        automated=True,
        remediation=(
            "Make the account password policy require at least one uppercase letter."
            + _PASSWORD_POLICY_NOTE
        ),
        cli=_PASSWORD_POLICY_CLI,
        permissions=_PASSWORD_POLICY,
    ),
    Recommendation(
        id="1.6",
        title="The password policy requires a lowercase letter",
        section="iam",
        level=1,
        scored=True,
        automated=True,
        remediation=(
            "Make the account password policy require at least one lowercase letter."
            + _PASSWORD_POLICY_NOTE
        ),
        cli=_PASSWORD_POLICY_CLI,
        permissions=_PASSWORD_POLICY,
    ),
    Recommendation(
        id="1.7",
        title="The password policy requires a symbol",
        section="iam",
        level=1,
        scored=True,
        automated=True,
        remediation=(
            "Make the account password policy require at least one non-alphanumeric character."
            + _PASSWORD_POLICY_NOTE
        ),
        cli=_PASSWORD_POLICY_CLI,
        permissions=_PASSWORD_POLICY,
    ),
    Recommendation(
        id="1.8",
        title="The password policy requires a number",
        section="iam",
        level=1,
        scored=True,
        automated=True,
        remediation=(
            "Make the account password policy require at least one digit." + _PASSWORD_POLICY_NOTE
        ),
        cli=_PASSWORD_POLICY_CLI,
        permissions=_PASSWORD_POLICY,
    ),
    Recommendation(
        id="1.9",
        title="The password policy requires at least 14 characters",
        section="iam",
        level=1,
        scored=True,
        automated=True,
        remediation=(
            "Set the minimum password length in the account password policy to 14 or more."
            + _PASSWORD_POLICY_NOTE
        ),
        cli=_PASSWORD_POLICY_CLI,
        permissions=_PASSWORD_POLICY,
    ),
    Recommendation(
        id="1.10",
        title="The password policy blocks reuse of the last 24 passwords",
        section="iam",
        level=1,
        scored=True,
        automated=True,
        remediation=(
            "Turn on password reuse prevention and have the policy remember 24 previous"
            " passwords." + _PASSWORD_POLICY_NOTE
        ),
        cli=_PASSWORD_POLICY_CLI,
        permissions=_PASSWORD_POLICY,
    ),
    Recommendation(
        id="1.11",
        title="The password policy expires passwords within 90 days",
        section="iam",
        level=1,
        scored=True,
        automated=True,
        remediation=(
            "Turn on password expiration with a maximum password age of 90 days or fewer."
            + _PASSWORD_POLICY_NOTE
        ),
        cli=_PASSWORD_POLICY_CLI,
        permissions=_PASSWORD_POLICY,
    ),
    Recommendation(
        id="1.12",
        title="No root account access keys exist",
        section="iam",
        level=1,
        scored=True,
        automated=True,
        remediation=(
            "Deactivate and then delete every root access key from the root user's security"
            " credentials page; use IAM users or roles for programmatic access. The commands act"
            " on the root user only when run with the root credentials themselves."
        ),
        cli=(
            "aws iam update-access-key --access-key-id <root_access_key_id> --status Inactive\n"
            "aws iam delete-access-key --access-key-id <root_access_key_id>"
        ),
        permissions=(*_CREDENTIAL_REPORT, "iam:GetAccountSummary"),
    ),
    Recommendation(
        id="1.13",
        title="The root account has MFA enabled",
        section="iam",
        level=1,
        scored=True,
        automated=True,
        remediation=(
            "Sign in as the root user and activate an MFA device for it; only the root user can"
            " manage its own MFA. A virtual device should live on a dedicated, company-managed"
            " phone or tablet rather than someone's personal device."
        ),
        cli="",
        permissions=("iam:GetAccountSummary",),
    ),
    Recommendation(
        id="1.14",
        title="The root account uses a hardware MFA device",
        section="iam",
        level=2,
        scored=True,
        automated=True,
        remediation=(
            "Sign in as the root user and replace any virtual MFA device on the root account with"
            " a hardware MFA device, entering its serial number and two consecutive codes. This"
            " can only be done in the console."
        ),
        cli="",
        permissions=("iam:GetAccountSummary", "iam:ListVirtualMFADevices"),
    ),
    Recommendation(
        id="1.15",
        title="Security challenge questions are registered for the account",
        section="iam",
        level=1,
        scored=False,
        automated=False,
        remediation=(
            "Sign in as the root user, open the account settings page and configure the three"
            " security challenge questions AWS Support uses to confirm the caller's identity."
            " Keep the questions and answers in a secured physical location."
        ),
        cli="",
        permissions=("account:GetAccountInformation",),
    ),
    Recommendation(
        id="1.16",
        title="No IAM policies are attached directly to users",
        section="iam",
        level=1,
        scored=True,
        automated=True,
        remediation=(
            "Grant permissions through groups or roles: attach the policies a user needs to a"
            " group, add the user to it, then detach the user's managed policies and delete the"
            " user's inline policies."
        ),
        cli=(
            "aws iam create-group --group-name <group>\n"
            "aws iam attach-group-policy --group-name <group> --policy-arn <policy_arn>\n"
            "aws iam add-user-to-group --group-name <group> --user-name <user>\n"
            "aws iam detach-user-policy --user-name <user> --policy-arn <policy_arn>\n"
            "aws iam delete-user-policy --user-name <user> --policy-name <inline_policy_name>"
        ),
        permissions=_AUTHORIZATION_DETAILS,
    ),
    Recommendation(
        id="1.17",
        title="Detailed billing reports are delivered to S3",
        section="iam",
        level=1,
        scored=True,
        automated=True,
        remediation=(
            "Have AWS deliver detailed billing records (today a Cost and Usage Report) to an S3"
            " bucket, and let only the groups that need them, such as finance and auditors, read"
            " that bucket."
        ),
        cli=(
            "aws cur put-report-definition --region us-east-1"
            " --report-definition file://report-definition.json"
        ),
        permissions=("cur:DescribeReportDefinitions",),
    ),
    Recommendation(
        id="1.18",
        title="Separate IAM master and IAM manager roles are in place",
        section="iam",
        level=1,
        scored=True,
        automated=True,
        remediation=(
            "Split IAM administration between two MFA-protected roles: a master role that creates"
            " users, groups, roles and policies, and a manager role that assigns users and roles"
            " to groups, each denied the other's actions. Let different users or groups assume"
            " each role, so that no one can assume both."
        ),
        cli=(
            "aws iam create-role --role-name <iam_master_role>"
            " --assume-role-policy-document file://iam-master-trust.json\n"
            "aws iam put-role-policy --role-name <iam_master_role>"
            " --policy-name <iam_master_policy> --policy-document file://iam-master-policy.json\n"
            "aws iam create-role --role-name <iam_manager_role>"
            " --assume-role-policy-document file://iam-manager-trust.json\n"
            "aws iam put-role-policy --role-name <iam_manager_role>"
            " --policy-name <iam_manager_policy> --policy-document file://iam-manager-policy.json"
        ),
        permissions=_AUTHORIZATION_DETAILS,
    ),
    Recommendation(
        id="1.19",
        title="Account contact details are current and reach more than one person",
        section="iam",
        level=1,
        scored=True,
        automated=False,
        remediation=(
            "Review the account's contact information and keep it up to date, using an email"
            " alias and a phone number that reach several people in the organisation rather than"
            " one individual."
        ),
        cli=(
            "aws account put-contact-information"
            " --contact-information file://contact-information.json"
        ),
        permissions=("account:GetContactInformation",),
    ),
    Recommendation(
        id="1.20",
        title="A security contact is registered for the account",
        section="iam",
        level=1,
        scored=True,
        automated=True,
        remediation=(
            "Fill in the security alternate contact for the account, preferably with a monitored"
            " team distribution list so AWS security notices reach the people who can act."
        ),
        cli=(
            "aws account put-alternate-contact --alternate-contact-type SECURITY"
            " --name <name> --title <title> --email-address <security_email>"
            " --phone-number <phone_number>"
        ),
        permissions=("account:GetAlternateContact",),
    ),
    Recommendation(
        id="1.21",
        title="EC2 instances get AWS access through IAM instance roles",
        section="iam",
        level=2,
        scored=False,
        automated=True,
        remediation=(
            "Give each instance that calls AWS APIs an IAM role through an instance profile, and"
            " remove access keys stored on the instance, in its environment or in its"
            " applications."
        ),
        cli=(
            "aws iam create-instance-profile --instance-profile-name <instance_profile>\n"
            "aws iam add-role-to-instance-profile --instance-profile-name <instance_profile>"
            " --role-name <role>\n"
            "aws ec2 associate-iam-instance-profile --instance-id <instance_id>"
            " --iam-instance-profile Name=<instance_profile>"
        ),
        permissions=(*_REGIONS, "ec2:DescribeInstances", *_AUTHORIZATION_DETAILS),
    ),
    Recommendation(
        id="1.22",
        title="A role exists for managing incidents with AWS Support",
        section="iam",
        level=1,
        scored=True,
        automated=True,
        remediation=(
            "Create an IAM role that the people who handle support cases can assume, and attach"
            " the AWS managed policy AWSSupportAccess to it."
        ),
        cli=(
            "aws iam create-role --role-name <support_role>"
            " --assume-role-policy-document file://support-trust-policy.json\n"
            "aws iam attach-role-policy --role-name <support_role>"
            " --policy-arn arn:aws:iam::aws:policy/AWSSupportAccess"
        ),
        permissions=_AUTHORIZATION_DETAILS,
    ),
    Recommendation(
        id="1.23",
        title="Console users have no unused access keys created at initial setup",
        section="iam",
        level=1,
        scored=False,
        automated=True,
        remediation=(
            "Delete access keys that were issued together with a console user and have never"
            " been used. Users who really need keys should create or request them as a separate,"
            " deliberate step."
        ),
        cli="aws iam delete-access-key --user-name <user> --access-key-id <access_key_id>",
        permissions=_CREDENTIAL_REPORT_USERS,
    ),
    Recommendation(
        id="1.24",
        title='No customer-managed IAM policy allows "*" actions on "*" resources',
        section="iam",
        level=1,
        scored=True,
        automated=True,
        remediation=(
            "Find every customer-managed policy with an Allow statement for all actions on all"
            " resources, detach it from its users, groups and roles, and replace it with policies"
            " that grant only the permissions each job needs."
        ),
        cli=(
            "aws iam list-entities-for-policy --policy-arn <policy_arn>\n"
            "aws iam detach-user-policy --user-name <user> --policy-arn <policy_arn>\n"
            "aws iam detach-group-policy --group-name <group> --policy-arn <policy_arn>\n"
            "aws iam detach-role-policy --role-name <role> --policy-arn <policy_arn>"
        ),
        permissions=_AUTHORIZATION_DETAILS,
    ),
    # 2 Logging
    Recommendation(
        id="2.1",
        title="A multi-region CloudTrail trail is logging",
        section="logging",
        level=1,
        scored=True,
        automated=True,
        remediation=(
            "Create a CloudTrail trail that applies to all regions, or switch an existing trail to"
            " all regions, and make sure it is logging."
        ),
        cli=(
            "aws cloudtrail create-trail --name <trail_name>"
            " --s3-bucket-name <cloudtrail_bucket> --is-multi-region-trail\n"
            "aws cloudtrail update-trail --name <trail_name> --is-multi-region-trail\n"
            "aws cloudtrail start-logging --name <trail_name>"
        ),
        permissions=(
            "cloudtrail:DescribeTrails",
            "cloudtrail:GetTrailStatus",
            "cloudtrail:GetEventSelectors",
            *_REGIONS,
        ),
    ),
    Recommendation(
        id="2.2",
        title="Log file validation is enabled on every CloudTrail trail",
        section="logging",
        level=2,
        scored=True,
        automated=True,
        remediation=(
            "Turn on log file integrity validation for every trail so CloudTrail writes signed"
            " digest files; they can later be verified with aws cloudtrail validate-logs."
        ),
        cli="aws cloudtrail update-trail --name <trail_name> --enable-log-file-validation",
        permissions=("cloudtrail:DescribeTrails",),
    ),
    Recommendation(
        id="2.3",
        title="The S3 bucket holding CloudTrail logs is not publicly accessible",
        section="logging",
        level=1,
        scored=True,
        automated=True,
        remediation=(
            "On the bucket that receives CloudTrail logs, remove ACL grants to Everyone"
            " (AllUsers) and Any Authenticated User (AuthenticatedUsers), and delete bucket policy"
            ' statements that Allow the "*" principal.'
        ),
        cli=(
            "aws s3api put-bucket-acl --bucket <cloudtrail_bucket> --acl private\n"
            "aws s3api put-bucket-policy --bucket <cloudtrail_bucket>"
            " --policy file://bucket-policy-without-public-statements.json"
        ),
        permissions=("cloudtrail:DescribeTrails", "s3:GetBucketAcl", "s3:GetBucketPolicy"),
    ),
    Recommendation(
        id="2.4",
        title="CloudTrail trails send their events to CloudWatch Logs",
        section="logging",
        level=1,
        scored=True,
        automated=True,
        remediation=(
            "Connect every trail to a CloudWatch Logs log group, with an IAM role CloudTrail can"
            " use to deliver to it, and confirm that events keep arriving (at least daily)."
        ),
        cli=(
            "aws cloudtrail update-trail --name <trail_name>"
            " --cloudwatch-logs-log-group-arn <cloudtrail_log_group_arn>"
            " --cloudwatch-logs-role-arn <cloudtrail_cloudwatch_logs_role_arn>"
        ),
        permissions=("cloudtrail:DescribeTrails", "cloudtrail:GetTrailStatus"),
    ),
    Recommendation(
        id="2.5",
        title="AWS Config is recording in every region",
        section="logging",
        level=1,
        scored=True,
        automated=True,
        remediation=(
            "In every region, set up an AWS Config recorder for all supported resource types"
            " (global IAM resources in one region), give it a delivery channel with an S3 bucket"
            " and SNS topic, and start it."
        ),
        cli=(
            "aws configservice put-configuration-recorder --region <region>"
            " --configuration-recorder name=default,roleARN=<config_role_arn>"
            " --recording-group allSupported=true,includeGlobalResourceTypes=true\n"
            "aws configservice put-delivery-channel --region <region>"
            " --delivery-channel name=default,s3BucketName=<config_bucket>,"
            "snsTopicARN=<sns_topic_arn>\n"
            "aws configservice start-configuration-recorder --region <region>"
            " --configuration-recorder-name default"
        ),
        permissions=(
            "config:DescribeConfigurationRecorders",
            "config:DescribeConfigurationRecorderStatus",
            "config:DescribeDeliveryChannels",
            *_REGIONS,
        ),
    ),
    Recommendation(
        id="2.6",
        title="The CloudTrail S3 bucket has server access logging enabled",
        section="logging",
        level=1,
        scored=True,
        automated=True,
        remediation=(
            "Enable server access logging on the bucket that receives CloudTrail logs, writing"
            " the access logs to a separate target bucket and prefix."
        ),
        cli=(
            "aws s3api put-bucket-logging --bucket <cloudtrail_bucket> --bucket-logging-status"
            ' \'{"LoggingEnabled": {"TargetBucket": "<access_log_bucket>",'
            ' "TargetPrefix": "<prefix>"}}\''
        ),
        permissions=("cloudtrail:DescribeTrails", "s3:GetBucketLogging"),
    ),
    Recommendation(
        id="2.7",
        title="CloudTrail logs are encrypted with a KMS customer managed key",
        section="logging",
        level=2,
        scored=True,
        automated=True,
        remediation=(
            "Configure every trail to encrypt its log files (SSE-KMS) with a customer managed KMS"
            " key whose key policy lets CloudTrail encrypt and the intended readers decrypt."
        ),
        cli=(
            "aws cloudtrail update-trail --name <trail_name> --kms-key-id <cloudtrail_kms_key>\n"
            "aws kms put-key-policy --key-id <cloudtrail_kms_key> --policy-name default"
            " --policy file://cloudtrail-key-policy.json"
        ),
        permissions=("cloudtrail:DescribeTrails",),
    ),
    Recommendation(
        id="2.8",
        title="Rotation is enabled for every customer-created KMS key",
        section="logging",
        level=2,
        scored=True,
        automated=True,
        remediation=(
            "Turn on automatic yearly key rotation for each enabled customer-created KMS key."
        ),
        cli="aws kms enable-key-rotation --key-id <kms_key_id>",
        permissions=("kms:ListKeys", "kms:DescribeKey", "kms:GetKeyRotationStatus", *_REGIONS),
    ),
    # 3 Monitoring
    _alarm(
        "3.1",
        "Unauthorized API calls raise an alarm",
        1,
        "API calls rejected with an UnauthorizedOperation or AccessDenied error",
        "unauthorized_api_calls",
    ),
    _alarm(
        "3.2",
        "Console sign-ins without MFA raise an alarm",
        1,
        "console sign-ins that did not use MFA",
        "no_mfa_console_signin",
    ),
    _alarm(
        "3.3",
        "Use of the root account raises an alarm",
        1,
        "activity by the root user that was not made by an AWS service on its behalf",
        "root_usage",
    ),
    _alarm(
        "3.4",
        "IAM policy changes raise an alarm",
        1,
        "creation, change, deletion, attachment or detachment of IAM policies",
        "iam_changes",
    ),
    _alarm(
        "3.5",
        "CloudTrail configuration changes raise an alarm",
        1,
        "trails being created, updated or deleted and logging being started or stopped",
        "cloudtrail_cfg_changes",
    ),
    _alarm(
        "3.6",
        "Failed console sign-ins raise an alarm",
        2,
        "console sign-ins that failed authentication",
        "console_signin_failure",
    ),
    _alarm(
        "3.7",
        "Disabling or scheduling deletion of customer KMS keys raises an alarm",
        2,
        "KMS keys being disabled or scheduled for deletion",
        "disable_or_delete_cmk",
    ),
    _alarm(
        "3.8",
        "S3 bucket policy changes raise an alarm",
        1,
        "changes to S3 bucket ACLs, policies, CORS, lifecycle and replication settings",
        "s3_bucket_policy_changes",
    ),
    _alarm(
        "3.9",
        "AWS Config configuration changes raise an alarm",
        2,
        "AWS Config recorders being stopped or changed and delivery channels being changed or"
        " deleted",
        "aws_config_changes",
    ),
    _alarm(
        "3.10",
        "Security group changes raise an alarm",
        2,
        "security groups being created or deleted and their rules being added or revoked",
        "security_group_changes",
    ),
    _alarm(
        "3.11",
        "Network ACL changes raise an alarm",
        2,
        "network ACLs, their entries and their subnet associations being created, replaced or"
        " deleted",
        "nacl_changes",
    ),
    _alarm(
        "3.12",
        "Network gateway changes raise an alarm",
        1,
        "customer gateways and internet gateways being created, deleted, attached or detached",
        "network_gw_changes",
    ),
    _alarm(
        "3.13",
        "Route table changes raise an alarm",
        1,
        "route tables, routes and route table associations being created, replaced, deleted or"
        " disassociated",
        "route_table_changes",
    ),
    _alarm(
        "3.14",
        "VPC changes raise an alarm",
        1,
        "VPCs being created, deleted or modified, peering connections changing and ClassicLink"
        " being attached, detached, enabled or disabled",
        "vpc_changes",
    ),
    Recommendation(
        id="3.15",
        title="SNS topic subscribers are reviewed and appropriate",
        section="monitoring",
        level=1,
        scored=False,
        automated=False,
        remediation=(
            "Regularly review who is subscribed to each SNS topic, especially the topics the"
            " monitoring alarms notify, and remove any subscription whose endpoint should not"
            " receive those messages."
        ),
        cli="aws sns unsubscribe --subscription-arn <subscription_arn>",
        permissions=("sns:ListTopics", "sns:ListSubscriptionsByTopic",
                     "cloudtrail:DescribeTrails", "logs:DescribeMetricFilters",
                     "cloudwatch:DescribeAlarms"),
    ),
    # 4 Networking
    Recommendation(
        id="4.1",
        title="No security group allows SSH (port 22) from 0.0.0.0/0",
        section="networking",
        level=1,
        scored=True,
        automated=True,
        remediation=(
            "Remove or narrow every inbound rule that opens port 22 to 0.0.0.0/0, including"
            " port ranges and all-traffic rules that cover it. Give administrators another,"
            " restricted path in first."
        ),
        cli=(
            "aws ec2 revoke-security-group-ingress --group-id <security_group_id>"
            " --protocol tcp --port 22 --cidr 0.0.0.0/0\n"
            "aws ec2 revoke-security-group-ingress --group-id <security_group_id>"
            " --ip-permissions"
            " 'IpProtocol=<protocol>,FromPort=<from_port>,ToPort=<to_port>,"
            "IpRanges=[{CidrIp=0.0.0.0/0}]'"
        ),
        permissions=("ec2:DescribeSecurityGroups", "ec2:GetManagedPrefixListEntries", *_REGIONS),
    ),
    Recommendation(
        id="4.2",
        title="No security group allows RDP (port 3389) from 0.0.0.0/0",
        section="networking",
        level=1,
        scored=True,
        automated=True,
        remediation=(
            "Remove or narrow every inbound rule that opens port 3389 to 0.0.0.0/0, including"
            " port ranges and all-traffic rules that cover it. Give administrators another,"
            " restricted path in first."
        ),
        cli=(
            "aws ec2 revoke-security-group-ingress --group-id <security_group_id>"
            " --protocol tcp --port 3389 --cidr 0.0.0.0/0\n"
            "aws ec2 revoke-security-group-ingress --group-id <security_group_id>"
            " --ip-permissions"
            " 'IpProtocol=<protocol>,FromPort=<from_port>,ToPort=<to_port>,"
            "IpRanges=[{CidrIp=0.0.0.0/0}]'"
        ),
        permissions=("ec2:DescribeSecurityGroups", "ec2:GetManagedPrefixListEntries", *_REGIONS),
    ),
    Recommendation(
        id="4.3",
        title="Every VPC has flow logging enabled",
        section="networking",
        level=2,
        scored=True,
        automated=True,
        remediation=(
            "Create a flow log for each VPC in every region, capturing at least rejected traffic,"
            " delivered to a CloudWatch Logs group through an IAM role. Capturing all traffic"
            " for a while helps when tightening security groups."
        ),
        cli=(
            "aws ec2 create-flow-logs --resource-type VPC --resource-ids <vpc_id>"
            " --traffic-type REJECT --log-group-name <flow_log_group>"
            " --deliver-logs-permission-arn <flow_logs_role_arn>"
        ),
        permissions=("ec2:DescribeVpcs", "ec2:DescribeFlowLogs", *_REGIONS),
    ),
    Recommendation(
        id="4.4",
        title="The default security group of every VPC allows no traffic",
        section="networking",
        level=2,
        scored=True,
        automated=True,
        remediation=(
            "Move resources out of each VPC's default security group into least-privilege groups,"
            " then delete all inbound and outbound rules from the default group, in every VPC of"
            " every region."
        ),
        cli=(
            "aws ec2 revoke-security-group-ingress --group-id <default_security_group_id>"
            " --ip-permissions"
            " 'IpProtocol=-1,UserIdGroupPairs=[{GroupId=<default_security_group_id>}]'\n"
            "aws ec2 revoke-security-group-egress --group-id <default_security_group_id>"
            " --ip-permissions 'IpProtocol=-1,IpRanges=[{CidrIp=0.0.0.0/0}]'"
        ),
        permissions=("ec2:DescribeSecurityGroups", "ec2:DescribeVpcs", *_REGIONS),
    ),
    Recommendation(
        id="4.5",
        title="VPC peering routes give only the access that is needed",
        section="networking",
        level=2,
        scored=False,
        automated=False,
        remediation=(
            "Review the routes that point at VPC peering connections and replace any that cover"
            " more of the peer VPC than needed with routes to just the required subnets or hosts."
        ),
        cli=(
            "aws ec2 delete-route --route-table-id <route_table_id>"
            " --destination-cidr-block <too_broad_cidr>\n"
            "aws ec2 create-route --route-table-id <route_table_id>"
            " --destination-cidr-block <narrow_cidr>"
            " --vpc-peering-connection-id <peering_connection_id>"
        ),
        permissions=(
            "ec2:DescribeRouteTables",
            "ec2:DescribeVpcPeeringConnections",
            *_REGIONS,
        ),
    ),
)


def _build_catalog(items: tuple[Recommendation, ...]) -> Mapping[str, Recommendation]:
    by_id: dict[str, Recommendation] = {}
    for rec in sorted(items, key=lambda r: r.sort_key):
        if rec.id in by_id:
            raise ValueError(f"duplicate CIS recommendation id {rec.id!r}")
        by_id[rec.id] = rec
    return MappingProxyType(by_id)


CATALOG: Mapping[str, Recommendation] = _build_catalog(_RECOMMENDATIONS)
_ORDERED: tuple[Recommendation, ...] = tuple(CATALOG.values())


def get(rec_id: str) -> Recommendation:
    """The recommendation with this id (e.g. ``"1.2"``); KeyError naming the id if there is none."""
    try:
        return CATALOG[rec_id]
    except KeyError:
        raise KeyError(f"unknown CIS recommendation id {rec_id!r}") from None


def recommendations() -> tuple[Recommendation, ...]:
    """All recommendations, in benchmark order (1.1, 1.2, ..., 1.24, 2.1, ...)."""
    return _ORDERED


def section_of(value: str) -> Section:
    """Resolve a section given by number ("1") or name ("iam"), ignoring case and surrounding
    whitespace."""
    key = value.strip().lower()
    if key in SECTIONS:
        return SECTIONS[key]
    if key in _SECTION_BY_NAME:
        return _SECTION_BY_NAME[key]
    choices = ", ".join([*SECTIONS, *_SECTION_BY_NAME])
    raise ValueError(f"unknown CIS section {value!r}; expected one of: {choices}")
