"""What moto cannot do through its API, done to its internals and to botocore's; one place to
mend when moto changes (research/moto_coverage.md §7).

Two kinds:
- the process's AWS stack (`stack` arguments): answering the Cost and Usage Report API moto
  lacks, sharing botocore's model loader, and making moto's start-up cheaper. Closing the stack
  undoes each.
- account state no API sets (root's row in the credential report, dates, AWS managed keys, a
  recorder's status, a pending subscription). Patches of a class go through a `SetAttr`: the
  demo's undoes them with its stack (`stack_setattr`), a test passes `monkeypatch.setattr`.

moto's internals are typed only in part: its backends' attributes are reached through `Any`.
"""

from __future__ import annotations

import atexit
import contextlib
import gc
import json
import os
import sys
from collections.abc import Callable, Iterator, Mapping
from datetime import datetime, timedelta, timezone
from types import SimpleNamespace
from typing import Any
from unittest import mock

from .common import ACCOUNT

ROOT_ARN = f"arn:aws:iam::{ACCOUNT}:root"
DATE = "%Y-%m-%dT%H:%M:%S+00:00"  # the credential report's

SetAttr = Callable[[Any, str, Any], None]
"""Replace attribute `name` of `target` with `value` until the caller's cleanup puts it back."""


def stack_setattr(stack: contextlib.ExitStack) -> SetAttr:
    """A `SetAttr` whose patches `stack` undoes when it closes."""

    def patch(target: Any, name: str, value: Any) -> None:
        stack.enter_context(mock.patch.object(target, name, value))

    return patch


# The process's AWS stack ----------------------------------------------------------------------

def builtin_handler(stack: contextlib.ExitStack, event: str, handler: Callable[..., Any]) -> None:
    """Install `handler` on every botocore session created from now on (as moto installs its
    own), until `stack` closes."""
    from botocore import handlers

    entry = (event, handler)
    handlers.BUILTIN_HANDLERS.append(entry)
    stack.callback(handlers.BUILTIN_HANDLERS.remove, entry)


# moto has no Cost and Usage Report API (it answers 404). The demo account has one report, so
# 1.17 shows what it does on an account that delivers detailed billing.
DEMO_COST_REPORT = {
    "ReportName": "demo-hourly-cur", "TimeUnit": "HOURLY", "Format": "textORcsv",
    "Compression": "GZIP", "AdditionalSchemaElements": ["RESOURCES"],
    "S3Bucket": f"demo-billing-{ACCOUNT}", "S3Prefix": "cur/", "S3Region": "us-east-1",
}


def answer_cost_and_usage_reports(stack: contextlib.ExitStack) -> None:
    from botocore.awsrequest import AWSResponse, HTTPHeaders

    def answer(**_: Any) -> tuple[Any, dict[str, Any]]:
        response = AWSResponse("https://cur.us-east-1.amazonaws.com", 200, HTTPHeaders(), None)
        return response, {"ReportDefinitions": [DEMO_COST_REPORT],
                          "ResponseMetadata": {"HTTPStatusCode": 200}}

    # The audit's session is created after the demo starts: it gets the handler.
    builtin_handler(stack, "before-call.cost-and-usage-report-service.DescribeReportDefinitions",
                    answer)


def share_model_loader(stack: contextlib.ExitStack) -> None:
    """Every botocore session gets the audit's model loader, moto's own sessions included; moto's
    request parsing gets one loader of its own.

    Importing moto's EC2 backend makes three sessions of its own, each parsing the endpoints and
    EC2's 3 MB service model again (half a second); moto makes one more for its backends. With
    one loader per process each model is parsed once, for moto, the seeding and the audit.
    moto reads each service's model once more, with its own additions, through a new loader
    each time that lists every service botocore knows first (some 60 ms a service).
    """
    import botocore.session
    from moto.core import loaders as moto_loaders
    from moto.core import utils as moto_utils

    from ..aws.session import loader

    original = botocore.session.create_loader

    def shared(search_path_string: str | None = None) -> Any:
        return loader() if search_path_string is None else original(search_path_string)

    stack.enter_context(mock.patch.object(botocore.session, "create_loader", shared))
    moto_loader = moto_loaders.create_loader()
    stack.enter_context(mock.patch.object(moto_utils, "create_loader", lambda: moto_loader))


def kms_key_pairs_on_first_use(stack: contextlib.ExitStack) -> None:
    """moto makes an RSA key pair for every KMS key, symmetric ones too (0.1-0.3 s each, the
    demo's slowest calls); only Sign, Verify and GetPublicKey use it and the audit calls none:
    each key's pair is made when first used instead."""
    from moto.kms import models

    # moto.kms.models imports it from moto.kms.utils: the name patched is models'.
    generate = models.generate_private_key  # type: ignore[attr-defined]

    class OnFirstUse:
        def __init__(self, key_spec: str) -> None:
            self._key_spec = key_spec
            self._pair: Any = None

        def __getattr__(self, name: str) -> Any:
            if name.startswith("_"):  # copy's and pickle's probes: no key pair for those
                raise AttributeError(name)
            if self._pair is None:
                self._pair = generate(self._key_spec)
            return getattr(self._pair, name)

    stack.enter_context(mock.patch.object(models, "generate_private_key", OnFirstUse))


_EXIT_FREEZE = False


def collect_garbage_less(stack: contextlib.ExitStack) -> None:
    """Keep Python's cyclic garbage collector off the heap that lives as long as the demo.

    botocore's and moto's parsed models make the heap large: each full collection took about
    0.25 s, and a run made seven (1.2 s of a 3.7 s run), two of them pytest's own at the end.
    Frozen objects (gc.freeze) are not examined: what exists when seeding starts (the imports)
    and what it built (the seeding freezes again when done). The demo's cleanup unfreezes them,
    so a longer-lived process (pytest run in process) collects as before. At exit, Python's
    final collection spent another 1-1.5 s freeing moto's reference cycles, memory the operating
    system takes back at once anyway: the heap is frozen again in an atexit handler, which only
    runs as the process ends.
    """
    global _EXIT_FREEZE
    stack.callback(gc.unfreeze)
    gc.freeze()
    if not _EXIT_FREEZE:
        atexit.register(gc.freeze)
        _EXIT_FREEZE = True


OFFERINGS = "ec2/resources/instance_type_offerings/"


class _OfferingsByRegion(Mapping[str, Any]):
    """moto's instance type offerings of one location type, region -> offerings: each region's
    file is read when first asked for, as moto's import would have read it."""

    def __init__(self, location_type: str, resources: dict[str, str],
                 load: Callable[[str], Any]) -> None:
        self._location_type = location_type
        self._resources = resources  # region -> moto resource path
        self._load = load
        self._loaded: dict[str, Any] = {}

    def __getitem__(self, region: str) -> Any:
        if region not in self._loaded:
            offerings = self._load(self._resources[region])  # KeyError: an unknown region
            for offering in offerings:
                offering["LocationType"] = self._location_type
            self._loaded[region] = offerings
        return self._loaded[region]

    def __iter__(self) -> Iterator[str]:
        return iter(self._resources)

    def __len__(self) -> int:
        return len(self._resources)


def instance_type_offerings_on_demand() -> None:
    """Importing moto's EC2 backend parses the instance type offerings of every region, 91
    files (about 0.3 s), to validate RunInstances; the demo runs two instances, in two regions.

    Imports the backend with the offerings left unread, then gives moto mappings that read a
    region's file on first use. This outlives the demo (a module is imported once per process)
    and answers exactly as moto's own table would, for any region.
    """
    if "moto.ec2.models.instance_types" in sys.modules:
        return  # imported before: moto's own table, or ours
    from moto.utilities import utils

    load = utils.load_resource
    resources: dict[str, dict[str, str]] = {}

    def unread(resource: str) -> Any:
        if not resource.replace(os.sep, "/").startswith(OFFERINGS):
            return load(resource)
        location_type, data_file = resource.replace(os.sep, "/")[len(OFFERINGS):].split("/")
        resources.setdefault(location_type, {})[data_file.split(".")[0]] = resource
        return []

    with mock.patch.object(utils, "load_resource", unread):
        from moto.ec2.models import instance_types
    instance_types.load_resource = load  # type: ignore[attr-defined]  # it bound ours
    table: Any = instance_types.INSTANCE_TYPE_OFFERINGS  # a plain dict we fill with mappings
    for location_type, by_region in resources.items():
        lazy = _OfferingsByRegion(location_type, by_region, load)
        if set(table.get(location_type, ())) == set(by_region):
            table[location_type] = lazy
        else:  # not the moto this was written for: read what was skipped, now
            table.setdefault(location_type, {}).update({r: lazy[r] for r in by_region})


# IAM ------------------------------------------------------------------------------------------

def iam_backend(account: str = ACCOUNT) -> Any:
    """moto's IAM backend of `account` (Any: its users, keys and devices are set directly)."""
    from moto.iam.models import iam_backends

    return iam_backends[account]["aws"]


def _date(value: datetime | str) -> str:
    return value if isinstance(value, str) else value.strftime(DATE)


def root_row(*, password_last_used: datetime | str = "no_information",
             key1: bool = False, key1_last_used: datetime | str = "N/A",
             key2: bool = False, key2_last_used: datetime | str = "N/A",
             mfa: bool = True, created: datetime | str = "2015-01-01T00:00:00+00:00") -> str:
    """The <root_account> line AWS writes at the top of the credential report (moto writes
    none)."""
    rotated = "2016-01-01T00:00:00+00:00"
    return ",".join([
        "<root_account>", ROOT_ARN, _date(created), "not_supported", _date(password_last_used),
        "not_supported", "not_supported", str(mfa).lower(),
        str(key1).lower(), rotated if key1 else "N/A", _date(key1_last_used), "N/A", "N/A",
        str(key2).lower(), rotated if key2 else "N/A", _date(key2_last_used), "N/A", "N/A",
        "false", "N/A", "false", "N/A",  # certificates
    ])


def credential_report_with_root(setattr: SetAttr, row: str) -> None:
    """moto's credential reports carry root's `row` (see `root_row`) under their header."""
    from moto.iam.models import IAMBackend

    original = IAMBackend.get_credential_report

    def with_root(self: IAMBackend) -> str:
        head, _, rest = original(self).partition("\n")
        return f"{head}\n{row}\n{rest}"

    setattr(IAMBackend, "get_credential_report", with_root)


def report_generated_now() -> contextlib.AbstractContextManager[Any]:
    """A patch (a context manager) making moto date its credential report as AWS does.

    moto answers every GetCredentialReport with GeneratedTime 2015-02-02T20:02:02Z; AWS gives
    the time it made the report (four hours ago at most). Against 2015, every user is "created
    after the report" and every date "later than the report itself": both errors, rightly.
    """
    from moto.iam.responses import IamResponse

    original = IamResponse.get_credential_report

    def generated_now(self: IamResponse) -> Any:
        answer: Any = original(self)
        answer.result["GeneratedTime"] = datetime.now(timezone.utc).isoformat()
        return answer

    return mock.patch.object(IamResponse, "get_credential_report", generated_now)


def root_mfa(enabled: bool) -> None:
    """The account summary's AccountMFAEnabled (moto hard-codes 0)."""
    iam_backend().account_summary._account_mfa_enabled = 1 if enabled else 0


def assign_root_virtual_mfa(iam: Any, enabled_on: datetime) -> str:
    """A virtual MFA device assigned to root (moto cannot assign one through the API)."""
    serial = str(iam.create_virtual_mfa_device(
        VirtualMFADeviceName="root-account-mfa-device")["VirtualMFADevice"]["SerialNumber"])
    device = iam_backend().virtual_mfa_devices[serial]
    device.enable_date = enabled_on
    device.user = SimpleNamespace(path="/", name="", id=ACCOUNT, arn=ROOT_ARN,
                                  create_date=datetime(2015, 1, 1), password_last_used=None,
                                  tags=None, permissions_boundary=None)
    return serial


def age_user(name: str, *, created: datetime | None = None,
             password_last_used: datetime | None = None,
             keys_created: list[datetime] | None = None,
             keys_last_used: list[datetime | None] | None = None) -> None:
    """Date user `name`, their password's last use and their keys (no API sets these)."""
    user = iam_backend().users[name]
    if created is not None:
        user.create_date = created
    if password_last_used is not None:
        user.password_last_used = password_last_used
    for key, when in zip(user.access_keys, keys_created or []):
        key.create_date = when
    for key, used in zip(user.access_keys, keys_last_used or []):
        key.last_used = used


# AWS publishes it; moto loads AWS managed policies only on request (about a second), so the one
# policy 1.22 looks for is built from its published document.
SUPPORT_ACCESS = {
    "CreateDate": "2015-02-06T18:41:11+00:00", "UpdateDate": "2015-02-06T18:41:11+00:00",
    "DefaultVersionId": "v1", "Path": "/",
    "Document": {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": ["support:*"], "Resource": "*"}]},
}


def managed_policy(name: str, data: Mapping[str, Any] | None = None) -> str:
    """Make AWS managed policy `name` exist (moto loads them only on request); `data` its
    published description, by default moto's copy (reading it takes about a second). Returns
    its ARN."""
    from moto.iam.models import AWSManagedPolicy

    if data is None:
        from moto.iam.aws_managed_policies import aws_managed_policies_data

        data = json.loads(aws_managed_policies_data)[name]
    backend = iam_backend()
    policy = AWSManagedPolicy.from_data(name, ACCOUNT, backend.region_name, dict(data or {}))
    backend.managed_policies[policy.arn] = policy
    return str(policy.arn)


# Logging --------------------------------------------------------------------------------------

def cloudwatch_delivered(setattr: SetAttr, hours_ago: float, now: datetime | None = None) -> None:
    """Logging trails report a CloudWatch Logs delivery `hours_ago` (moto never reports one):
    before `now`, or before each reading when `now` is None."""
    from moto.cloudtrail.models import TrailStatus

    original = TrailStatus.description

    def with_delivery(self: TrailStatus) -> dict[str, Any]:
        described = original(self)
        if self.is_logging:
            when = (now or datetime.now(timezone.utc)) - timedelta(hours=hours_ago)
            described["LatestCloudWatchLogsDeliveryTime"] = int(when.timestamp())
        return described

    setattr(TrailStatus, "description", with_delivery)


def recorder_status(region: str, name: str, status: str) -> None:
    """A Config recorder's lastStatus (moto leaves it PENDING; AWS reports SUCCESS once a
    recording went through)."""
    from moto.config.models import config_backends

    recorder: Any = config_backends[ACCOUNT][region].recorders[name]
    recorder.status.last_status = status


def make_aws_managed(region: str, key_id: str) -> None:
    """A KMS key AWS manages (moto creates every key CUSTOMER managed)."""
    from moto.kms.models import kms_backends

    key: Any = kms_backends[ACCOUNT][region].keys[key_id]
    key.key_manager = "AWS"


# Monitoring -----------------------------------------------------------------------------------

def make_pending(region: str, endpoint: str) -> None:
    """The subscription of `endpoint` awaits confirmation (moto confirms every one at once)."""
    from moto.sns.models import sns_backends

    backend = sns_backends[ACCOUNT][region]
    subscription: Any = next(s for s in backend.subscriptions.values()
                             if s.endpoint == endpoint)
    subscription.arn = "PendingConfirmation"
