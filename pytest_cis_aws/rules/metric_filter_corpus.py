"""The events each monitoring metric filter is judged on, kept as data to read.

One block per alarm, keyed by what it watches for (``unauthorized_api_calls``,
``console_signin_without_mfa``, ...): the same meaning keeps its corpus whichever benchmark, and
whichever id, asks for it (the comment on each block says which v1.1.0 recommendation, 3.1–3.14,
it was written for). Three lists of events, each event with a label saying why it is there:

``match``
    Events the benchmark's pattern matches. A filter must match every one. Together they vary
    every field the pattern leaves free — who called (IAMUser, AssumedRole, Root, FederatedUser,
    AWSService, SAMLUser, WebIdentityUser, a role of another account), in which region, from
    where and with what tool, through a service acting for the caller (``invokedBy``), whether
    the call was refused — so a filter narrower than the benchmark's misses one of them.
``routine``
    Events the pattern deliberately leaves out and that happen all day: successful reads, calls by
    AWS services, successful console sign-ins with MFA, errors that are not refusals. A filter
    that matches one would alarm on routine activity: it fails, whatever the match mode.
    ``ROUTINE`` (below) is routine for every recommendation and joins each block's own list.
``wider``
    Events the pattern leaves out that a specific alarm may still catch: a neighbouring security
    change, a refusal worded otherwise, the same change seen through another event source.
    Matching them passes under ``covers`` with a note, and fails ``equivalent``.

``pinned`` names the fields the recommendation's subject itself fixes (every console sign-in
comes from signin.amazonaws.com), with why; the ``match`` events vary every other field.
``later`` on a ``match`` event says how later CIS versions treat it; it is shown when a filter
misses the event, so a reader sees why a filter written for a later version fails v1.1.0.

Each event lists the CloudTrail fields that matter, by their CloudTrail names;
``metric_filters.expand`` completes the record (version 1.05, as CloudTrail wrote them when
v1.1.0 was current). Two shorthands: ``caller`` names the kind of identity and becomes a full
``userIdentity`` block (``AssumedRole@210987654321`` is a role of another account), and
``invokedBy`` adds the service that acted for the caller.

Left out on purpose: events of other services that happen to share a listed name (Organizations'
and IoT's ``CreatePolicy``, Auto Scaling's ``DeletePolicy``, API Gateway's ``CreateRoute``). The
benchmark's name lists match them by accident of naming, and they are not what the recommendation
is about, so a filter may scope the names to the recommendation's service, or not.
"""

from __future__ import annotations

from typing import Any

__all__ = ["CALLERS", "CORPUS_DATA", "ROUTINE"]

Event = dict[str, Any]

# Every kind of identity CloudTrail records in userIdentity.type (AWSAccount aside: a call made
# with another account's credentials shows as that account's role, "AssumedRole@...").
CALLERS = ("IAMUser", "AssumedRole", "Root", "FederatedUser", "AWSService", "SAMLUser",
           "WebIdentityUser")
OTHER = "AssumedRole@210987654321"

# Where calls come from: the tools people and services use.
CLI = "aws-cli/1.14.2 Python/3.6.3 Linux/4.9.62-21.56.amzn1.x86_64 botocore/1.8.6"
SDK = "Boto3/1.4.7 Python/3.6.2 Linux/4.9.58-18.51.amzn1.x86_64 Botocore/1.7.40"
TERRAFORM = "aws-sdk-go/1.12.35 (go1.9.2; linux; amd64) APN/1.0 HashiCorp/1.0 Terraform/0.11.0"
CONSOLE = "console.amazonaws.com"
BROWSER = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:57.0) Gecko/20100101 Firefox/57.0"
SAFARI = ("Mozilla/5.0 (Macintosh; Intel Mac OS X 10_13_1) AppleWebKit/604.3.5 (KHTML, like "
          "Gecko) Version/11.0.1 Safari/604.3.5")
CFN = "cloudformation.amazonaws.com"

EC2, S3, IAM, KMS = "ec2.amazonaws.com", "s3.amazonaws.com", "iam.amazonaws.com", \
    "kms.amazonaws.com"
TRAIL, CONFIG, STS = "cloudtrail.amazonaws.com", "config.amazonaws.com", "sts.amazonaws.com"
SIGNIN = "signin.amazonaws.com"

EC2_DENIED = {"errorCode": "Client.UnauthorizedOperation",
              "errorMessage": "You are not authorized to perform this operation."}
IAM_DENIED = {"errorCode": "AccessDenied",
              "errorMessage": "User is not authorized to perform this action."}
JSON_DENIED = {"errorCode": "AccessDeniedException",
               "errorMessage": "User is not authorized to perform this action."}
S3_DENIED = {"errorCode": "AccessDenied", "errorMessage": "Access Denied"}


def _signin(result: str, mfa: str | None, *, mobile: bool = False, **fields: Any) -> Event:
    """A Management Console sign-in record; a failed one has errorMessage and no errorCode."""
    extra: Event = {"LoginTo": "https://console.aws.amazon.com/console/home",
                    "MobileVersion": "No"}
    if mobile:
        extra = {"LoginTo": "https://console.aws.amazon.com/console/mobile",
                 "MobileVersion": "Yes"}
    if mfa is not None:
        extra["MFAUsed"] = mfa
    event: Event = {"eventSource": SIGNIN, "eventName": "ConsoleLogin",
                    "eventType": "AwsConsoleSignIn", "userAgent": BROWSER,
                    "responseElements": {"ConsoleLogin": result}, "additionalEventData": extra}
    if result == "Failure":
        event["errorMessage"] = "Failed authentication"
    return event | fields


# Routine for every alarm: the reference pattern of none of the fourteen matches them.
ROUTINE: tuple[Event, ...] = (
    {"label": "successful DescribeInstances by an IAM user (a routine read)",
     "eventSource": EC2, "eventName": "DescribeInstances", "readOnly": True},
    {"label": "successful ListBuckets from the console by an assumed role",
     "caller": "AssumedRole", "eventSource": S3, "eventName": "ListBuckets",
     "userAgent": CONSOLE, "readOnly": True},
    {"label": "successful RunInstances by an assumed role (a routine change)",
     "caller": "AssumedRole", "eventSource": EC2, "eventName": "RunInstances",
     "awsRegion": "eu-west-1", "userAgent": TERRAFORM, "readOnly": False},
    {"label": "GenerateDataKey by CloudTrail encrypting its log files (AWSService)",
     "caller": "AWSService", "invokedBy": TRAIL, "eventSource": KMS,
     "eventName": "GenerateDataKey", "readOnly": True},
    {"label": "AssumeRole by AWS Config (AWSService)",
     "caller": "AWSService", "invokedBy": CONFIG, "eventSource": STS, "eventName": "AssumeRole",
     "readOnly": True},
    {"label": "successful HeadBucket by CloudWatch Logs delivery (AWSService)",
     "caller": "AWSService", "invokedBy": "delivery.logs.amazonaws.com", "eventSource": S3,
     "eventName": "HeadBucket", "readOnly": True},
    {"label": "successful ConsoleLogin by an IAM user with MFA",
     **_signin("Success", "Yes", userAgent=SAFARI)},
)

CORPUS_DATA: dict[str, dict[str, Any]] = {
    "unauthorized_api_calls": {  # 3.1 in v1.1.0
        "about": "API calls refused for lack of permission, of every kind and by every caller",
        "pinned": {"eventType": "every event here is an API call (AwsApiCall)"},
        "match": [
            {"label": "Client.UnauthorizedOperation (EC2 RunInstances, IAM user, eu-west-1)",
             **EC2_DENIED,
             "eventSource": EC2, "eventName": "RunInstances", "awsRegion": "eu-west-1",
             "readOnly": False},
            {"label": "Client.UnauthorizedOperation (EC2 DescribeInstances: a console read)",
             **EC2_DENIED, "caller": "AssumedRole", "eventSource": EC2,
             "eventName": "DescribeInstances", "userAgent": CONSOLE, "readOnly": True},
            {"label": "UnauthorizedOperation (EC2 CreateTags through CloudFormation, invokedBy)",
             **EC2_DENIED, "errorCode": "UnauthorizedOperation", "caller": "AssumedRole",
             "invokedBy": CFN, "sourceIPAddress": CFN, "userAgent": CFN,
             "eventSource": EC2, "eventName": "CreateTags", "awsRegion": "ap-southeast-2"},
            {"label": "AccessDenied (S3 HeadBucket)",
             "later": "v1.1.0 counts it; later CIS versions exclude HeadBucket on purpose",
             **S3_DENIED, "caller": "AssumedRole", "eventSource": S3, "eventName": "HeadBucket",
             "userAgent": SDK, "readOnly": True},
            {"label": "AccessDenied (S3 GetBucketAcl by delivery.logs.amazonaws.com, AWSService)",
             "later": "v1.1.0 counts it; later CIS versions exclude calls from "
                      "delivery.logs.amazonaws.com on purpose",
             **S3_DENIED, "caller": "AWSService", "invokedBy": "delivery.logs.amazonaws.com",
             "eventSource": S3, "eventName": "GetBucketAcl", "readOnly": True},
            {"label": "AccessDenied (IAM ListUsers, a role of another account)", **IAM_DENIED,
             "caller": OTHER, "eventSource": IAM, "eventName": "ListUsers", "readOnly": True},
            {"label": "AccessDeniedException (KMS ScheduleKeyDeletion by root, per key policy)",
             **JSON_DENIED, "caller": "Root", "eventSource": KMS,
             "eventName": "ScheduleKeyDeletion", "awsRegion": "sa-east-1", "readOnly": False},
            {"label": "AccessDeniedException (CloudTrail StopLogging, federated user)",
             **JSON_DENIED,
             "caller": "FederatedUser", "eventSource": TRAIL, "eventName": "StopLogging",
             "readOnly": False},
            {"label": "AccessDenied (STS AssumeRoleWithSAML, SAML user)", **IAM_DENIED,
             "caller": "SAMLUser", "eventSource": STS, "eventName": "AssumeRoleWithSAML"},
            {"label": "AccessDenied (STS AssumeRoleWithWebIdentity, web identity user)",
             **IAM_DENIED,
             "caller": "WebIdentityUser", "eventSource": STS,
             "eventName": "AssumeRoleWithWebIdentity", "userAgent": SDK},
        ],
        "routine": [
            {"label": "ThrottlingException (CloudTrail LookupEvents)",
             "eventSource": TRAIL, "eventName": "LookupEvents",
             "errorCode": "ThrottlingException", "errorMessage": "Rate exceeded"},
            {"label": "Client.RequestLimitExceeded (EC2)", "eventSource": EC2,
             "eventName": "DescribeSecurityGroups", "errorCode": "Client.RequestLimitExceeded",
             "errorMessage": "Request limit exceeded."},
            {"label": "Client.DryRunOperation (an EC2 dry run that would have succeeded)",
             "eventSource": EC2, "eventName": "RunInstances",
             "errorCode": "Client.DryRunOperation",
             "errorMessage": "Request would have succeeded, but DryRun flag is set."},
            {"label": "Client.InvalidParameterValue (EC2)", "eventSource": EC2,
             "eventName": "CreateSecurityGroup", "errorCode": "Client.InvalidParameterValue",
             "errorMessage": "Invalid value for GroupName"},
            {"label": "NoSuchEntityException (IAM GetUser)", "eventSource": IAM,
             "eventName": "GetUser", "errorCode": "NoSuchEntityException",
             "errorMessage": "The user with name carol cannot be found."},
            {"label": "NoSuchBucketPolicy (S3 GetBucketPolicy on a bucket without one)",
             "caller": "AssumedRole", "eventSource": S3, "eventName": "GetBucketPolicy",
             "errorCode": "NoSuchBucketPolicy", "errorMessage": "The bucket policy does not exist"},
        ],
        "wider": [
            {"label": "UnauthorizedException (an IoT refusal worded otherwise)",
             "eventSource": "iot.amazonaws.com", "eventName": "AttachPolicy",
             "errorCode": "UnauthorizedException", "errorMessage": "Access to the policy denied"},
            {"label": "NotAuthorizedException (a Cognito refusal)",
             "eventSource": "cognito-identity.amazonaws.com", "eventName": "GetId",
             "errorCode": "NotAuthorizedException", "errorMessage": "Unauthenticated access"},
            {"label": "Client.AuthFailure (EC2: credentials not accepted)", "eventSource": EC2,
             "eventName": "DescribeInstances", "errorCode": "Client.AuthFailure",
             "errorMessage": "AWS was not able to validate the provided access credentials"},
        ],
    },
    "console_signin_without_mfa": {  # 3.2 in v1.1.0
        "about": "Management Console sign-ins without MFA, by every kind of identity",
        "pinned": {"eventSource": "only signin.amazonaws.com records console sign-ins",
                   "eventType": "a console sign-in is always AwsConsoleSignIn",
                   "userIdentity.accountId": "one signs in to the audited account"},
        "match": [
            {"label": "ConsoleLogin by an IAM user without MFA", **_signin("Success", "No")},
            {"label": "ConsoleLogin by root without MFA",
             "later": "v1.1.0 counts it; a later CIS variant counts IAM users only",
             "caller": "Root", **_signin("Success", "No", sourceIPAddress="203.0.113.25")},
            {"label": "ConsoleLogin by a federated user (MFAUsed No)",
             "later": "v1.1.0 counts it; a later CIS variant counts IAM users only",
             "caller": "FederatedUser", **_signin("Success", "No", userAgent=SAFARI)},
            {"label": "ConsoleLogin by an assumed role (MFAUsed No)",
             "later": "v1.1.0 counts it; a later CIS variant counts IAM users only",
             "caller": "AssumedRole", **_signin("Success", "No", awsRegion="eu-west-1")},
            {"label": "failed ConsoleLogin without MFA",
             "later": "v1.1.0 counts it; a later CIS variant counts successful sign-ins only",
             **_signin("Failure", "No", sourceIPAddress="192.0.2.44")},
            {"label": "ConsoleLogin without MFA through a regional endpoint (ap-southeast-2)",
             **_signin("Success", "No", awsRegion="ap-southeast-2", userAgent=SAFARI)},
            {"label": "ConsoleLogin without MFA from the mobile console",
             **_signin("Success", "No", mobile=True)},
        ],
        "routine": [
            {"label": "ConsoleLogin by root with MFA", "caller": "Root",
             **_signin("Success", "Yes")},
            {"label": "CheckMfa (not a console sign-in)",
             **_signin("Success", "No", eventName="CheckMfa")},
            {"label": "SwitchRole in the console (no MFAUsed: not a sign-in with a password)",
             "caller": "AssumedRole", **_signin("Success", None, eventName="SwitchRole")},
        ],
        "wider": [
            # `!=` does not match a missing field (see filterpattern), so the benchmark's pattern
            # does not count a sign-in record that carries no MFAUsed at all.
            {"label": "ConsoleLogin without an MFAUsed field", **_signin("Success", None)},
        ],
    },
    "root_account_usage": {  # 3.3 in v1.1.0
        "about": "anything the root user does itself: signs in, calls, is refused",
        "pinned": {"userIdentity.accountId": "the root user is the account's own",
                   "userIdentity.arn": "the root user is one identity",
                   "userIdentity.principalId": "the root user is one identity",
                   "userIdentity.accessKeyId": "which key does not matter"},
        "match": [
            {"label": "root ConsoleLogin with MFA", "caller": "Root",
             **_signin("Success", "Yes")},
            {"label": "failed root ConsoleLogin", "caller": "Root",
             **_signin("Failure", "No", sourceIPAddress="203.0.113.25")},
            {"label": "root CreateUser from the console", "caller": "Root",
             "eventSource": IAM, "eventName": "CreateUser", "userAgent": CONSOLE,
             "readOnly": False},
            {"label": "root DescribeInstances with an access key (eu-west-1)", "caller": "Root",
             "eventSource": EC2, "eventName": "DescribeInstances", "awsRegion": "eu-west-1",
             "readOnly": True},
            {"label": "root DeleteTrail refused by a service control policy", "caller": "Root",
             **IAM_DENIED, "eventSource": TRAIL, "eventName": "DeleteTrail", "userAgent": SDK,
             "readOnly": False},
            {"label": "root RunInstances refused (ap-southeast-2)", "caller": "Root",
             **EC2_DENIED, "eventSource": EC2, "eventName": "RunInstances",
             "awsRegion": "ap-southeast-2", "userAgent": TERRAFORM},
        ],
        "routine": [
            {"label": "IAM user CreateUser", "eventSource": IAM, "eventName": "CreateUser"},
            {"label": "assumed role DescribeInstances", "caller": "AssumedRole",
             "eventSource": EC2, "eventName": "DescribeInstances"},
        ],
        "wider": [
            {"label": "root event invokedBy an AWS service", "caller": "Root",
             "invokedBy": "AWS Internal", "eventSource": S3, "eventName": "GetBucketLocation"},
            {"label": "root CredentialVerification (AwsServiceEvent)", "caller": "Root",
             "eventSource": SIGNIN, "eventName": "CredentialVerification",
             "eventType": "AwsServiceEvent",
             "serviceEventDetails": {"CredentialType": "PASSWORD"}},
        ],
    },
    "iam_policy_changes": {  # 3.4 in v1.1.0
        "about": "every listed IAM policy change, by every kind of caller, and refused ones",
        "pinned": {"eventType": "every event here is an API call (AwsApiCall)",
                   "eventSource": "the names are IAM's (see the module's note)",
                   "awsRegion": "IAM is global: CloudTrail records it in us-east-1"},
        "match": [
            {"label": "DeleteGroupPolicy (IAM user)", "eventSource": IAM,
             "eventName": "DeleteGroupPolicy"},
            {"label": "DeleteRolePolicy (assumed role, console)", "caller": "AssumedRole",
             "eventSource": IAM, "eventName": "DeleteRolePolicy", "userAgent": CONSOLE},
            {"label": "DeleteUserPolicy (root)", "caller": "Root", "eventSource": IAM,
             "eventName": "DeleteUserPolicy"},
            {"label": "PutGroupPolicy (federated user)", "caller": "FederatedUser",
             "eventSource": IAM, "eventName": "PutGroupPolicy", "userAgent": SDK},
            {"label": "PutRolePolicy by IAM Identity Center (AWSService)",
             "caller": "AWSService", "invokedBy": "sso.amazonaws.com", "eventSource": IAM,
             "eventName": "PutRolePolicy"},
            {"label": "PutUserPolicy (SAML user)", "caller": "SAMLUser", "eventSource": IAM,
             "eventName": "PutUserPolicy"},
            {"label": "CreatePolicy (web identity user)", "caller": "WebIdentityUser",
             "eventSource": IAM, "eventName": "CreatePolicy", "userAgent": TERRAFORM},
            {"label": "DeletePolicy (a role of another account)", "caller": OTHER,
             "eventSource": IAM, "eventName": "DeletePolicy"},
            {"label": "CreatePolicyVersion through CloudFormation (invokedBy)",
             "caller": "AssumedRole", "invokedBy": CFN, "sourceIPAddress": CFN,
             "userAgent": CFN, "eventSource": IAM, "eventName": "CreatePolicyVersion"},
            {"label": "DeletePolicyVersion (IAM user)", "eventSource": IAM,
             "eventName": "DeletePolicyVersion"},
            {"label": "AttachRolePolicy (assumed role)", "caller": "AssumedRole",
             "eventSource": IAM, "eventName": "AttachRolePolicy"},
            {"label": "DetachRolePolicy (root, console)", "caller": "Root", "eventSource": IAM,
             "eventName": "DetachRolePolicy", "userAgent": CONSOLE},
            {"label": "AttachUserPolicy (federated user)", "caller": "FederatedUser",
             "eventSource": IAM, "eventName": "AttachUserPolicy"},
            {"label": "DetachUserPolicy by an AWS service (AWSService)", "caller": "AWSService",
             "invokedBy": "sso.amazonaws.com", "eventSource": IAM,
             "eventName": "DetachUserPolicy"},
            {"label": "AttachGroupPolicy (SAML user)", "caller": "SAMLUser", "eventSource": IAM,
             "eventName": "AttachGroupPolicy"},
            {"label": "DetachGroupPolicy (web identity user)", "caller": "WebIdentityUser",
             "eventSource": IAM, "eventName": "DetachGroupPolicy"},
            {"label": "PutUserPolicy refused (denied)", **IAM_DENIED, "eventSource": IAM,
             "eventName": "PutUserPolicy"},
        ],
        "routine": [
            {"label": "ListPolicies (a routine read)",
             "eventSource": IAM, "eventName": "ListPolicies",
             "readOnly": True},
            {"label": "GetPolicyVersion (a routine read)",
             "eventSource": IAM, "eventName": "GetPolicyVersion",
             "readOnly": True},
            {"label": "ListAttachedRolePolicies (a routine read)",
             "caller": "AssumedRole", "eventSource": IAM,
             "eventName": "ListAttachedRolePolicies", "readOnly": True},
            {"label": "GetRolePolicy by AWS Config (AWSService)",
             "caller": "AWSService", "invokedBy": CONFIG,
             "eventSource": IAM, "eventName": "GetRolePolicy", "readOnly": True},
        ],
        "wider": [
            {"label": "SetDefaultPolicyVersion", "eventSource": IAM,
             "eventName": "SetDefaultPolicyVersion"},
            {"label": "CreateRole", "eventSource": IAM, "eventName": "CreateRole"},
            {"label": "UpdateAssumeRolePolicy", "eventSource": IAM,
             "eventName": "UpdateAssumeRolePolicy"},
            {"label": "PutRolePermissionsBoundary", "eventSource": IAM,
             "eventName": "PutRolePermissionsBoundary"},
            {"label": "DeleteUserPermissionsBoundary", "eventSource": IAM,
             "eventName": "DeleteUserPermissionsBoundary"},
        ],
    },
    "cloudtrail_configuration_changes": {  # 3.5 in v1.1.0
        "about": "every listed CloudTrail configuration change, in any region, by any caller",
        "pinned": {"eventType": "every event here is an API call (AwsApiCall)",
                   "eventSource": "the names are this service's (see the module's note)"},
        "match": [
            {"label": "CreateTrail through CloudFormation (invokedBy)", "caller": "AssumedRole",
             "invokedBy": CFN, "sourceIPAddress": CFN, "userAgent": CFN,
             "eventSource": TRAIL, "eventName": "CreateTrail"},
            {"label": "UpdateTrail (root, console, eu-west-1)", "caller": "Root",
             "eventSource": TRAIL, "eventName": "UpdateTrail", "userAgent": CONSOLE,
             "awsRegion": "eu-west-1"},
            {"label": "DeleteTrail (federated user, ap-southeast-2)", "caller": "FederatedUser",
             "eventSource": TRAIL, "eventName": "DeleteTrail", "awsRegion": "ap-southeast-2"},
            {"label": "StartLogging by an AWS service (AWSService)", "caller": "AWSService",
             "invokedBy": "controltower.amazonaws.com", "eventSource": TRAIL,
             "eventName": "StartLogging"},
            {"label": "StopLogging (SAML user)", "caller": "SAMLUser", "eventSource": TRAIL,
             "eventName": "StopLogging", "userAgent": SDK},
            {"label": "StopLogging (web identity user, sa-east-1)", "caller": "WebIdentityUser",
             "eventSource": TRAIL, "eventName": "StopLogging", "awsRegion": "sa-east-1"},
            {"label": "DeleteTrail (a role of another account)", "caller": OTHER,
             "eventSource": TRAIL, "eventName": "DeleteTrail", "userAgent": TERRAFORM},
            {"label": "StopLogging refused (denied)", **IAM_DENIED, "eventSource": TRAIL,
             "eventName": "StopLogging"},
        ],
        "routine": [
            {"label": "DescribeTrails (a routine read)",
             "eventSource": TRAIL, "eventName": "DescribeTrails",
             "readOnly": True},
            {"label": "GetTrailStatus by AWS Config (AWSService)",
             "caller": "AWSService", "invokedBy": CONFIG,
             "eventSource": TRAIL, "eventName": "GetTrailStatus", "readOnly": True},
            {"label": "LookupEvents (a routine read)",
             "eventSource": TRAIL, "eventName": "LookupEvents",
             "readOnly": True},
            {"label": "GetEventSelectors (a routine read)", "eventSource": TRAIL,
             "eventName": "GetEventSelectors", "readOnly": True},
        ],
        "wider": [
            {"label": "PutEventSelectors", "eventSource": TRAIL,
             "eventName": "PutEventSelectors"},
            {"label": "AddTags", "eventSource": TRAIL, "eventName": "AddTags"},
        ],
    },
    "console_authentication_failures": {  # 3.6 in v1.1.0
        "about": "failed Management Console sign-ins, by IAM users and root, from anywhere",
        "pinned": {"eventSource": "only signin.amazonaws.com records console sign-ins",
                   "eventType": "a console sign-in is always AwsConsoleSignIn",
                   "userIdentity.accountId": "one signs in to the audited account",
                   "responseElements.ConsoleLogin": "a failed sign-in always answers Failure"},
        "match": [
            {"label": "failed ConsoleLogin by an IAM user", **_signin("Failure", "No")},
            {"label": "failed ConsoleLogin by root", "caller": "Root",
             **_signin("Failure", "No", sourceIPAddress="203.0.113.25", userAgent=SAFARI)},
            {"label": "failed ConsoleLogin by an IAM user with an MFA device",
             **_signin("Failure", "Yes", awsRegion="eu-west-1")},
            {"label": "failed ConsoleLogin through a regional endpoint (ap-southeast-2)",
             **_signin("Failure", "No", awsRegion="ap-southeast-2",
                       sourceIPAddress="192.0.2.44")},
            {"label": "failed ConsoleLogin from the mobile console",
             **_signin("Failure", "No", mobile=True)},
        ],
        "routine": [
            {"label": "successful ConsoleLogin without MFA", **_signin("Success", "No")},
            {"label": "successful root ConsoleLogin", "caller": "Root",
             **_signin("Success", "Yes")},
        ],
        "wider": [
            {"label": "failed ConsoleLogin for an unknown user name",
             **_signin("Failure", "No",
                       errorMessage="No username found in supplied account")},
            {"label": "Failed authentication on CheckMfa (a wrong MFA code)",
             **_signin("Failure", "Yes", eventName="CheckMfa")},
        ],
    },
    "cmk_disabled_or_scheduled_for_deletion": {  # 3.7 in v1.1.0
        "about": "disabling or scheduling the deletion of a KMS key, in any region, by anyone",
        "pinned": {"eventType": "every event here is an API call (AwsApiCall)"},
        "match": [
            {"label": "DisableKey (IAM user, eu-west-1)", "eventSource": KMS,
             "eventName": "DisableKey", "awsRegion": "eu-west-1"},
            {"label": "ScheduleKeyDeletion (assumed role, console)", "caller": "AssumedRole",
             "eventSource": KMS, "eventName": "ScheduleKeyDeletion", "userAgent": CONSOLE},
            {"label": "ScheduleKeyDeletion (root, ap-southeast-2)", "caller": "Root",
             "eventSource": KMS, "eventName": "ScheduleKeyDeletion",
             "awsRegion": "ap-southeast-2"},
            {"label": "DisableKey through CloudFormation (invokedBy)", "caller": "AssumedRole",
             "invokedBy": CFN, "sourceIPAddress": CFN, "userAgent": CFN, "eventSource": KMS,
             "eventName": "DisableKey"},
            {"label": "DisableKey (a role of another account, the key's administrator)",
             "caller": OTHER, "eventSource": KMS, "eventName": "DisableKey", "userAgent": SDK},
            {"label": "ScheduleKeyDeletion (federated user)", "caller": "FederatedUser",
             "eventSource": KMS, "eventName": "ScheduleKeyDeletion", "userAgent": TERRAFORM},
            {"label": "ScheduleKeyDeletion refused (denied)", **JSON_DENIED, "eventSource": KMS,
             "eventName": "ScheduleKeyDeletion"},
        ],
        "routine": [
            {"label": "Decrypt by an assumed role", "caller": "AssumedRole", "eventSource": KMS,
             "eventName": "Decrypt", "readOnly": True},
            {"label": "DescribeKey (a routine read)",
             "eventSource": KMS, "eventName": "DescribeKey",
             "readOnly": True},
            {"label": "ListKeys (a routine read)", "eventSource": KMS, "eventName": "ListKeys",
             "readOnly": True},
        ],
        "wider": [
            {"label": "EnableKey", "eventSource": KMS, "eventName": "EnableKey"},
            {"label": "CancelKeyDeletion", "eventSource": KMS, "eventName": "CancelKeyDeletion"},
            {"label": "DisableKeyRotation", "eventSource": KMS,
             "eventName": "DisableKeyRotation"},
            {"label": "CreateKey", "eventSource": KMS, "eventName": "CreateKey"},
            # Synthetic: no other service has a DisableKey; it tests the eventSource term.
            {"label": "DisableKey from ec2.amazonaws.com", "eventSource": EC2,
             "eventName": "DisableKey"},
        ],
    },
    "s3_bucket_policy_changes": {  # 3.8 in v1.1.0
        "about": "every listed S3 bucket policy change, in any region, by any caller",
        "pinned": {"eventType": "every event here is an API call (AwsApiCall)"},
        "match": [
            {"label": "PutBucketAcl (IAM user)", "eventSource": S3, "eventName": "PutBucketAcl"},
            {"label": "PutBucketPolicy (assumed role, console, eu-west-1)",
             "caller": "AssumedRole", "eventSource": S3, "eventName": "PutBucketPolicy",
             "userAgent": CONSOLE, "awsRegion": "eu-west-1"},
            {"label": "PutBucketCors (root)", "caller": "Root", "eventSource": S3,
             "eventName": "PutBucketCors"},
            {"label": "PutBucketLifecycle (federated user, ap-southeast-2)",
             "caller": "FederatedUser", "eventSource": S3, "eventName": "PutBucketLifecycle",
             "awsRegion": "ap-southeast-2"},
            {"label": "PutBucketReplication by an AWS service (AWSService)",
             "caller": "AWSService", "invokedBy": "backup.amazonaws.com", "eventSource": S3,
             "eventName": "PutBucketReplication"},
            {"label": "DeleteBucketPolicy (SAML user)", "caller": "SAMLUser", "eventSource": S3,
             "eventName": "DeleteBucketPolicy", "userAgent": SDK},
            {"label": "DeleteBucketCors (web identity user)", "caller": "WebIdentityUser",
             "eventSource": S3, "eventName": "DeleteBucketCors"},
            {"label": "DeleteBucketLifecycle (a role of another account)", "caller": OTHER,
             "eventSource": S3, "eventName": "DeleteBucketLifecycle", "userAgent": TERRAFORM},
            {"label": "DeleteBucketReplication through CloudFormation (invokedBy)",
             "caller": "AssumedRole", "invokedBy": CFN, "sourceIPAddress": CFN,
             "userAgent": CFN, "eventSource": S3, "eventName": "DeleteBucketReplication"},
            {"label": "PutBucketPolicy refused (denied)", **S3_DENIED, "eventSource": S3,
             "eventName": "PutBucketPolicy"},
        ],
        "routine": [
            {"label": "GetBucketPolicy (a routine read)",
             "eventSource": S3, "eventName": "GetBucketPolicy",
             "readOnly": True},
            {"label": "GetBucketAcl by AWS Config (AWSService)", "caller": "AWSService",
             "invokedBy": CONFIG, "eventSource": S3, "eventName": "GetBucketAcl",
             "readOnly": True},
            {"label": "PutBucketTagging (tagging: a routine change)",
             "eventSource": S3, "eventName": "PutBucketTagging"},
        ],
        "wider": [
            {"label": "PutBucketEncryption", "eventSource": S3,
             "eventName": "PutBucketEncryption"},
            {"label": "PutBucketPublicAccessBlock", "eventSource": S3,
             "eventName": "PutBucketPublicAccessBlock"},
            {"label": "DeleteBucket", "eventSource": S3, "eventName": "DeleteBucket"},
            {"label": "PutBucketPolicy from s3-outposts.amazonaws.com",
             "eventSource": "s3-outposts.amazonaws.com", "eventName": "PutBucketPolicy"},
        ],
    },
    "aws_config_changes": {  # 3.9 in v1.1.0
        "about": "every listed AWS Config change, in any region, by any caller",
        "pinned": {"eventType": "every event here is an API call (AwsApiCall)"},
        "match": [
            {"label": "StopConfigurationRecorder (IAM user, eu-west-1)", "eventSource": CONFIG,
             "eventName": "StopConfigurationRecorder", "awsRegion": "eu-west-1"},
            {"label": "DeleteDeliveryChannel (assumed role, console)", "caller": "AssumedRole",
             "eventSource": CONFIG, "eventName": "DeleteDeliveryChannel", "userAgent": CONSOLE},
            {"label": "PutDeliveryChannel (root)", "caller": "Root", "eventSource": CONFIG,
             "eventName": "PutDeliveryChannel"},
            {"label": "PutConfigurationRecorder by AWS Control Tower (AWSService)",
             "caller": "AWSService", "invokedBy": "controltower.amazonaws.com",
             "eventSource": CONFIG, "eventName": "PutConfigurationRecorder",
             "awsRegion": "ap-southeast-2"},
            {"label": "PutConfigurationRecorder through CloudFormation (invokedBy)",
             "caller": "AssumedRole", "invokedBy": CFN, "sourceIPAddress": CFN,
             "userAgent": CFN, "eventSource": CONFIG, "eventName": "PutConfigurationRecorder"},
            {"label": "StopConfigurationRecorder (a role of another account)", "caller": OTHER,
             "eventSource": CONFIG, "eventName": "StopConfigurationRecorder",
             "userAgent": TERRAFORM},
            {"label": "DeleteDeliveryChannel (federated user)", "caller": "FederatedUser",
             "eventSource": CONFIG, "eventName": "DeleteDeliveryChannel", "userAgent": SDK},
            {"label": "StopConfigurationRecorder refused (denied)", **JSON_DENIED,
             "eventSource": CONFIG, "eventName": "StopConfigurationRecorder"},
        ],
        "routine": [
            {"label": "DescribeConfigurationRecorders (a routine read)", "eventSource": CONFIG,
             "eventName": "DescribeConfigurationRecorders", "readOnly": True},
            {"label": "PutEvaluations by a Config rule (AWSService)", "caller": "AWSService",
             "invokedBy": CONFIG, "eventSource": CONFIG, "eventName": "PutEvaluations"},
        ],
        "wider": [
            {"label": "StartConfigurationRecorder", "eventSource": CONFIG,
             "eventName": "StartConfigurationRecorder"},
            {"label": "DeleteConfigurationRecorder", "eventSource": CONFIG,
             "eventName": "DeleteConfigurationRecorder"},
            {"label": "PutConfigRule", "eventSource": CONFIG, "eventName": "PutConfigRule"},
            # Synthetic, like cmk_disabled_or_scheduled_for_deletion's: it tests the eventSource
            # term.
            {"label": "PutConfigurationRecorder from ec2.amazonaws.com", "eventSource": EC2,
             "eventName": "PutConfigurationRecorder"},
        ],
    },
    "security_group_changes": {  # 3.10 in v1.1.0
        "about": "every listed security group change, in any region, by any caller",
        "pinned": {"eventType": "every event here is an API call (AwsApiCall)",
                   "eventSource": "the names are this service's (see the module's note)"},
        "match": [
            {"label": "AuthorizeSecurityGroupIngress (IAM user, eu-west-1)", "eventSource": EC2,
             "eventName": "AuthorizeSecurityGroupIngress", "awsRegion": "eu-west-1"},
            {"label": "AuthorizeSecurityGroupEgress (assumed role, console)",
             "caller": "AssumedRole", "eventSource": EC2,
             "eventName": "AuthorizeSecurityGroupEgress", "userAgent": CONSOLE},
            {"label": "RevokeSecurityGroupIngress (root)", "caller": "Root", "eventSource": EC2,
             "eventName": "RevokeSecurityGroupIngress"},
            {"label": "RevokeSecurityGroupEgress by Elastic Load Balancing (AWSService)",
             "caller": "AWSService", "invokedBy": "elasticloadbalancing.amazonaws.com",
             "eventSource": EC2, "eventName": "RevokeSecurityGroupEgress",
             "awsRegion": "ap-southeast-2"},
            {"label": "CreateSecurityGroup through CloudFormation (invokedBy)",
             "caller": "AssumedRole", "invokedBy": CFN, "sourceIPAddress": CFN,
             "userAgent": CFN, "eventSource": EC2, "eventName": "CreateSecurityGroup"},
            {"label": "DeleteSecurityGroup (a role of another account)", "caller": OTHER,
             "eventSource": EC2, "eventName": "DeleteSecurityGroup", "userAgent": TERRAFORM},
            {"label": "AuthorizeSecurityGroupIngress (federated user)", "caller": "FederatedUser",
             "eventSource": EC2, "eventName": "AuthorizeSecurityGroupIngress",
             "userAgent": SDK},
            {"label": "AuthorizeSecurityGroupIngress refused (denied)", **EC2_DENIED,
             "eventSource": EC2, "eventName": "AuthorizeSecurityGroupIngress"},
        ],
        "routine": [
            {"label": "DescribeSecurityGroups (a routine read)", "eventSource": EC2,
             "eventName": "DescribeSecurityGroups", "readOnly": True},
            {"label": "CreateTags (tagging: a routine change)",
             "eventSource": EC2, "eventName": "CreateTags"},
        ],
        "wider": [
            {"label": "ModifySecurityGroupRules", "eventSource": EC2,
             "eventName": "ModifySecurityGroupRules"},
            {"label": "UpdateSecurityGroupRuleDescriptionsIngress", "eventSource": EC2,
             "eventName": "UpdateSecurityGroupRuleDescriptionsIngress"},
            {"label": "CreateNetworkAclEntry", "eventSource": EC2,
             "eventName": "CreateNetworkAclEntry"},
        ],
    },
    "nacl_changes": {  # 3.11 in v1.1.0
        "about": "every NACL change (the remediation's six names), in any region, by any caller",
        "pinned": {"eventType": "every event here is an API call (AwsApiCall)",
                   "eventSource": "the names are this service's (see the module's note)"},
        "match": [
            {"label": "CreateNetworkAcl (IAM user, eu-west-1)", "eventSource": EC2,
             "eventName": "CreateNetworkAcl", "awsRegion": "eu-west-1"},
            {"label": "CreateNetworkAclEntry (assumed role, console)", "caller": "AssumedRole",
             "eventSource": EC2, "eventName": "CreateNetworkAclEntry", "userAgent": CONSOLE},
            {"label": "DeleteNetworkAcl (root)", "caller": "Root", "eventSource": EC2,
             "eventName": "DeleteNetworkAcl"},
            {"label": "DeleteNetworkAclEntry (a role of another account)", "caller": OTHER,
             "eventSource": EC2, "eventName": "DeleteNetworkAclEntry",
             "awsRegion": "ap-southeast-2", "userAgent": TERRAFORM},
            {"label": "ReplaceNetworkAclEntry through CloudFormation (invokedBy)",
             "caller": "AssumedRole", "invokedBy": CFN, "sourceIPAddress": CFN,
             "userAgent": CFN, "eventSource": EC2, "eventName": "ReplaceNetworkAclEntry"},
            {"label": "ReplaceNetworkAclAssociation by an AWS service (AWSService)",
             "caller": "AWSService", "invokedBy": "autoscaling.amazonaws.com",
             "eventSource": EC2, "eventName": "ReplaceNetworkAclAssociation"},
            {"label": "DeleteNetworkAclEntry refused (denied)", **EC2_DENIED,
             "eventSource": EC2, "eventName": "DeleteNetworkAclEntry", "userAgent": SDK},
        ],
        "routine": [
            {"label": "DescribeNetworkAcls (a routine read)", "eventSource": EC2,
             "eventName": "DescribeNetworkAcls", "readOnly": True},
            {"label": "CreateTags (tagging: a routine change)",
             "eventSource": EC2, "eventName": "CreateTags"},
        ],
        "wider": [
            {"label": "CreateSecurityGroup", "eventSource": EC2,
             "eventName": "CreateSecurityGroup"},
            {"label": "ReplaceRouteTableAssociation", "eventSource": EC2,
             "eventName": "ReplaceRouteTableAssociation"},
        ],
    },
    "network_gateway_changes": {  # 3.12 in v1.1.0
        "about": "every listed network gateway change, in any region, by any caller",
        "pinned": {"eventType": "every event here is an API call (AwsApiCall)",
                   "eventSource": "the names are this service's (see the module's note)"},
        "match": [
            {"label": "CreateCustomerGateway (IAM user, eu-west-1)", "eventSource": EC2,
             "eventName": "CreateCustomerGateway", "awsRegion": "eu-west-1"},
            {"label": "DeleteCustomerGateway (assumed role, console)", "caller": "AssumedRole",
             "eventSource": EC2, "eventName": "DeleteCustomerGateway", "userAgent": CONSOLE},
            {"label": "AttachInternetGateway (root)", "caller": "Root", "eventSource": EC2,
             "eventName": "AttachInternetGateway"},
            {"label": "CreateInternetGateway through CloudFormation (invokedBy)",
             "caller": "AssumedRole", "invokedBy": CFN, "sourceIPAddress": CFN,
             "userAgent": CFN, "eventSource": EC2, "eventName": "CreateInternetGateway"},
            {"label": "DeleteInternetGateway (a role of another account)", "caller": OTHER,
             "eventSource": EC2, "eventName": "DeleteInternetGateway",
             "awsRegion": "ap-southeast-2", "userAgent": TERRAFORM},
            {"label": "DetachInternetGateway by an AWS service (AWSService)",
             "caller": "AWSService", "invokedBy": "servicecatalog.amazonaws.com",
             "eventSource": EC2, "eventName": "DetachInternetGateway", "userAgent": SDK},
            {"label": "AttachInternetGateway refused (denied)", **EC2_DENIED,
             "eventSource": EC2, "eventName": "AttachInternetGateway"},
        ],
        "routine": [
            {"label": "DescribeInternetGateways (a routine read)", "eventSource": EC2,
             "eventName": "DescribeInternetGateways", "readOnly": True},
            {"label": "DescribeCustomerGateways (a routine read)", "eventSource": EC2,
             "eventName": "DescribeCustomerGateways", "readOnly": True},
        ],
        "wider": [
            {"label": "CreateNatGateway", "eventSource": EC2, "eventName": "CreateNatGateway"},
            {"label": "CreateVpnGateway", "eventSource": EC2, "eventName": "CreateVpnGateway"},
            {"label": "AttachVpnGateway", "eventSource": EC2, "eventName": "AttachVpnGateway"},
            {"label": "CreateEgressOnlyInternetGateway", "eventSource": EC2,
             "eventName": "CreateEgressOnlyInternetGateway"},
            {"label": "CreateTransitGateway", "eventSource": EC2,
             "eventName": "CreateTransitGateway"},
        ],
    },
    "route_table_changes": {  # 3.13 in v1.1.0
        "about": "every listed route table change, in any region, by any caller",
        "pinned": {"eventType": "every event here is an API call (AwsApiCall)",
                   "eventSource": "the names are this service's (see the module's note)"},
        "match": [
            {"label": "CreateRoute (IAM user, eu-west-1)", "eventSource": EC2,
             "eventName": "CreateRoute", "awsRegion": "eu-west-1"},
            {"label": "CreateRouteTable (assumed role, console)", "caller": "AssumedRole",
             "eventSource": EC2, "eventName": "CreateRouteTable", "userAgent": CONSOLE},
            {"label": "ReplaceRoute (root)", "caller": "Root", "eventSource": EC2,
             "eventName": "ReplaceRoute"},
            {"label": "ReplaceRouteTableAssociation (a role of another account)",
             "caller": OTHER, "eventSource": EC2, "eventName": "ReplaceRouteTableAssociation",
             "awsRegion": "ap-southeast-2", "userAgent": TERRAFORM},
            {"label": "DeleteRouteTable through CloudFormation (invokedBy)",
             "caller": "AssumedRole", "invokedBy": CFN, "sourceIPAddress": CFN,
             "userAgent": CFN, "eventSource": EC2, "eventName": "DeleteRouteTable"},
            {"label": "DeleteRoute by an AWS service (AWSService)", "caller": "AWSService",
             "invokedBy": "servicecatalog.amazonaws.com", "eventSource": EC2,
             "eventName": "DeleteRoute"},
            {"label": "DisassociateRouteTable (federated user)", "caller": "FederatedUser",
             "eventSource": EC2, "eventName": "DisassociateRouteTable", "userAgent": SDK},
            {"label": "CreateRoute refused (denied)", **EC2_DENIED, "eventSource": EC2,
             "eventName": "CreateRoute"},
        ],
        "routine": [
            {"label": "DescribeRouteTables (a routine read)", "eventSource": EC2,
             "eventName": "DescribeRouteTables", "readOnly": True},
        ],
        "wider": [
            {"label": "AssociateRouteTable", "eventSource": EC2,
             "eventName": "AssociateRouteTable"},
            {"label": "CreateTransitGatewayRoute", "eventSource": EC2,
             "eventName": "CreateTransitGatewayRoute"},
            {"label": "CreateLocalGatewayRouteTable", "eventSource": EC2,
             "eventName": "CreateLocalGatewayRouteTable"},
            {"label": "ReplaceNetworkAclAssociation", "eventSource": EC2,
             "eventName": "ReplaceNetworkAclAssociation"},
            {"label": "EnableVgwRoutePropagation", "eventSource": EC2,
             "eventName": "EnableVgwRoutePropagation"},
        ],
    },
    "vpc_changes": {  # 3.14 in v1.1.0
        "about": "every listed VPC change, in any region, by any caller",
        "pinned": {"eventType": "every event here is an API call (AwsApiCall)",
                   "eventSource": "the names are this service's (see the module's note)"},
        "match": [
            {"label": "CreateVpc (IAM user, eu-west-1)", "eventSource": EC2,
             "eventName": "CreateVpc", "awsRegion": "eu-west-1"},
            {"label": "DeleteVpc (assumed role, console)", "caller": "AssumedRole",
             "eventSource": EC2, "eventName": "DeleteVpc", "userAgent": CONSOLE},
            {"label": "ModifyVpcAttribute (root)", "caller": "Root", "eventSource": EC2,
             "eventName": "ModifyVpcAttribute"},
            {"label": "AcceptVpcPeeringConnection (a role of another account)", "caller": OTHER,
             "eventSource": EC2, "eventName": "AcceptVpcPeeringConnection",
             "awsRegion": "ap-southeast-2", "userAgent": TERRAFORM},
            {"label": "CreateVpcPeeringConnection through CloudFormation (invokedBy)",
             "caller": "AssumedRole", "invokedBy": CFN, "sourceIPAddress": CFN,
             "userAgent": CFN, "eventSource": EC2, "eventName": "CreateVpcPeeringConnection"},
            {"label": "DeleteVpcPeeringConnection (federated user)", "caller": "FederatedUser",
             "eventSource": EC2, "eventName": "DeleteVpcPeeringConnection", "userAgent": SDK},
            {"label": "RejectVpcPeeringConnection (SAML user)", "caller": "SAMLUser",
             "eventSource": EC2, "eventName": "RejectVpcPeeringConnection"},
            {"label": "AttachClassicLinkVpc (web identity user)", "caller": "WebIdentityUser",
             "eventSource": EC2, "eventName": "AttachClassicLinkVpc"},
            {"label": "DetachClassicLinkVpc by an AWS service (AWSService)",
             "caller": "AWSService", "invokedBy": "servicecatalog.amazonaws.com",
             "eventSource": EC2, "eventName": "DetachClassicLinkVpc"},
            {"label": "DisableVpcClassicLink (IAM user, sa-east-1)", "eventSource": EC2,
             "eventName": "DisableVpcClassicLink", "awsRegion": "sa-east-1"},
            {"label": "EnableVpcClassicLink (assumed role)", "caller": "AssumedRole",
             "eventSource": EC2, "eventName": "EnableVpcClassicLink"},
            {"label": "DeleteVpc refused (denied)", **EC2_DENIED, "eventSource": EC2,
             "eventName": "DeleteVpc"},
        ],
        "routine": [
            {"label": "DescribeVpcs (a routine read)",
             "eventSource": EC2, "eventName": "DescribeVpcs",
             "readOnly": True},
        ],
        "wider": [
            {"label": "CreateSubnet", "eventSource": EC2, "eventName": "CreateSubnet"},
            {"label": "CreateDefaultVpc", "eventSource": EC2, "eventName": "CreateDefaultVpc"},
            {"label": "CreateVpcEndpoint", "eventSource": EC2,
             "eventName": "CreateVpcEndpoint"},
            {"label": "ModifyVpcPeeringConnectionOptions", "eventSource": EC2,
             "eventName": "ModifyVpcPeeringConnectionOptions"},
            {"label": "EnableVpcClassicLinkDnsSupport", "eventSource": EC2,
             "eventName": "EnableVpcClassicLinkDnsSupport"},
        ],
    },
}
