"""--cis-demo: audit a simulated AWS account (moto, in process) instead of a real one.

`start` runs in `pytest_configure` of every process (the controller and each xdist worker). It
swaps the process's AWS environment for obviously fake credentials, starts moto's in-process
mock and hands back the settings to audit it with. The account is built on the process's first
AWS call (`SeedOnFirstCall`), the same in every process: `--collect-only` never pays for it.
The cleanup it registers stops the mock, undoes every patch of moto and restores the
environment.

Nothing leaves the machine. moto's mock answers every botocore request for an AWS endpoint
inside the process (`before-send`), before a socket is opened; anything it does not serve
(an endpoint outside `*.amazonaws.com`, say) would reach botocore's HTTP layer, which is
patched here to refuse instead of connecting. The fake credentials and the cleared
AWS_PROFILE / AWS_ENDPOINT_URL / config files make sure no real account is ever addressed.

The account is a realistic mix across us-east-1, eu-west-1 and eu-central-1: every section has
recommendations that pass and recommendations that fail, and some resource names are hostile on
purpose (`HOSTILE`), so the reports can be seen to neutralise them. moto cannot produce some
states through the API (no root row in the credential report, no CloudWatch Logs delivery time,
...): the recipes for those reach into moto's internals and all live in this module (see
research/moto_coverage.md §7).
"""

from __future__ import annotations

import atexit
import contextlib
import gc
import json
import os
import sys
import threading
from collections.abc import Callable, Iterator, Mapping
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from types import SimpleNamespace
from typing import Any
from unittest import mock

import pytest
from botocore.exceptions import BotoCoreError

from .settings import OPTIONS, Settings

REGIONS = ("us-east-1", "eu-west-1", "eu-central-1")
US, EU, DE = REGIONS
ACCOUNT = "123456789012"  # moto's default account
ROOT_ARN = f"arn:aws:iam::{ACCOUNT}:root"
SEED = 110  # benchmark v1.1.0: moto's random ids are the same in every process
REAL_ACCOUNT = ("profile", "role_arn", "endpoint_url")  # settings that would reach AWS
MOTO_CONFIG: Any = {"core": {
    "mock_credentials": False,  # the credentials are ours (FAKE_ENVIRONMENT)
    "passthrough": {"urls": [], "services": []},  # moto hands no request to the network
    "reset_boto3_session": True,
    "service_whitelist": None,
}}

# Obviously fake credentials: even if a request escaped, no account would accept them.
FAKE_ENVIRONMENT = {
    "AWS_ACCESS_KEY_ID": "AKIADEMODEMODEMODEMO",
    "AWS_SECRET_ACCESS_KEY": "pytest-cis-aws-demo-not-a-secret",
    "AWS_SESSION_TOKEN": "pytest-cis-aws-demo",
    "AWS_DEFAULT_REGION": US,
    # No profile, endpoint, SSO or credential_process from the user's files; no instance metadata.
    "AWS_CONFIG_FILE": os.devnull,
    "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
    "AWS_EC2_METADATA_DISABLED": "true",
    # moto builds hundreds of sample images in every region it touches; the demo needs none.
    "MOTO_EC2_LOAD_DEFAULT_AMIS": "false",
}

# Hostile text, where the APIs take it. XML-protocol services (IAM, EC2, S3, SNS) cannot carry
# control characters such as ESC, so the ANSI escape goes where JSON services answer (Config,
# CloudWatch, KMS); bidi overrides, newlines, markup and odd unicode go everywhere.
XSS = "<script>alert(1)</script>"
ANSI_RED = "\x1b[31m"
RTL = "\u202e"  # right-to-left override: reverses what follows on screen
HOSTILE = {
    "user_path": f"/{XSS}/",  # IAM user carol: in her ARN (1.2 fails on her)
    "unicode_user": "zoë.ünïcødé",  # a console user with MFA
    "long_user": "legacy-reporting-service-account-created-by-terraform-module-v1",  # 64: max
    "inline_policy": f"deploy{RTL}{XSS}",  # on ci-deploy (1.16 fails on it)
    "policy_path": f"/{XSS}/",  # break-glass policy, "*" on "*" (1.24)
    "recorder": f"recorder{ANSI_RED}{XSS}",  # eu-west-1 Config recorder (2.5 fails on it)
    # eu-west-1, SSH open (4.1 fails on it): a forged line, markup, reversed text, 239 characters
    "group_name": f"temp-debug\nPASSED {XSS} {RTL}gnp.exe " + "opened-for-a-debugging-session-" * 6,
    "group_description": "opened for a debugging session; " + "do not keep this open " * 10,
    "alarm": f"route-table-changes{ANSI_RED}{XSS}",  # 3.13's alarm
    "owner_tag": f"web-team \U0001f6e1\ufe0f {XSS}{RTL}",  # a bucket's owner tag (ORG-1)
    "key_description": f"{ANSI_RED}old key {XSS}",  # a disabled KMS key
}


def start(config: pytest.Config, settings: Settings) -> Settings:
    """Start the simulated account for this process; return the settings to audit it with."""
    # One stack for the whole run: the seeding, on the first AWS call, adds its patches of moto
    # to it, and the cleanup undoes them with the rest.
    stack = contextlib.ExitStack()
    try:
        simulate(stack)
    except BaseException:
        stack.close()  # a failure part way closes what was opened
        raise
    config.add_cleanup(stack.close)
    _warn_about_ignored(config, settings)
    return _demo_settings(settings)


def simulate(stack: contextlib.ExitStack) -> None:
    """Fake environment, moto, network guard, the account seeded on the first AWS call: closing
    `stack` undoes them all."""
    mock_aws = _import_moto()
    _isolate_environment(stack)
    stack.enter_context(mock_aws(config=MOTO_CONFIG))
    _refuse_network(stack)
    _answer_cost_and_usage_reports(stack)
    _share_model_loader(stack)
    _seed_on_first_call(stack)


class DemoAccountUnavailable(BotoCoreError):
    fmt = "--cis-demo could not build the simulated account: {error}"


class SeedOnFirstCall:
    """A botocore handler that seeds the account before the first request moto answers.

    Seeding is most of the demo's start-up, and a run that makes no AWS call (`--collect-only`,
    an empty selection) has no use for it. Region fan-out threads may make the first call
    together: the others wait on the lock until the account is complete. The seeding's own
    calls come back here on the same thread (the lock is re-entrant) and pass. A seeding that
    failed fails every later call as well: half an account must not be audited. Once the demo
    is closed, a client made before (its session keeps its handlers) seeds nothing: its
    patches would never be undone.
    """

    def __init__(self, stack: contextlib.ExitStack) -> None:
        self._stack = stack
        self._lock = threading.RLock()
        self._state = "waiting"  # then "seeding", "seeded" or "failed"; or "closed"
        self._error: BaseException | None = None
        stack.callback(self._close)

    def _close(self) -> None:
        with self._lock:
            self._state = "closed"

    def __call__(self, **_: Any) -> None:
        if self._state in ("seeded", "closed"):
            return
        with self._lock:
            if self._state == "waiting":
                self._state = "seeding"
                try:
                    seed_account(self._stack)
                except BaseException as exc:
                    self._state, self._error = "failed", exc
                    if not isinstance(exc, Exception):
                        raise  # an interrupt stays an interrupt; later calls still fail
                else:
                    self._state = "seeded"
            if self._state == "failed":
                raise DemoAccountUnavailable(error=self._error) from self._error


def _seed_on_first_call(stack: contextlib.ExitStack) -> None:
    from botocore import handlers

    # Before parameters are even validated: before moto's own `before-send` could answer. As
    # built-in handlers, on every botocore session created from now on (the audit's and the
    # seeding's own).
    entry = ("before-parameter-build", SeedOnFirstCall(stack))
    handlers.BUILTIN_HANDLERS.append(entry)
    stack.callback(handlers.BUILTIN_HANDLERS.remove, entry)


# moto has no Cost and Usage Report API (it answers 404). The demo account has one report, so
# 1.17 shows what it does on an account that delivers detailed billing.
DEMO_COST_REPORT = {
    "ReportName": "demo-hourly-cur", "TimeUnit": "HOURLY", "Format": "textORcsv",
    "Compression": "GZIP", "AdditionalSchemaElements": ["RESOURCES"],
    "S3Bucket": f"demo-billing-{ACCOUNT}", "S3Prefix": "cur/", "S3Region": "us-east-1",
}


def _answer_cost_and_usage_reports(stack: contextlib.ExitStack) -> None:
    from botocore import handlers
    from botocore.awsrequest import AWSResponse

    def answer(**_: Any) -> tuple[AWSResponse, dict[str, Any]]:
        response = AWSResponse("https://cur.us-east-1.amazonaws.com", 200, {}, None)
        return response, {"ReportDefinitions": [DEMO_COST_REPORT],
                          "ResponseMetadata": {"HTTPStatusCode": 200}}

    # Built-in handlers are installed on every botocore session created from now on, as
    # moto's own are; the audit's session is created after the demo starts.
    entry = ("before-call.cost-and-usage-report-service.DescribeReportDefinitions", answer)
    handlers.BUILTIN_HANDLERS.append(entry)
    stack.callback(handlers.BUILTIN_HANDLERS.remove, entry)


def _share_model_loader(stack: contextlib.ExitStack) -> None:
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

    from .aws.session import loader

    original = botocore.session.create_loader

    def shared(search_path_string: str | None = None) -> Any:
        return loader() if search_path_string is None else original(search_path_string)

    stack.enter_context(mock.patch.object(botocore.session, "create_loader", shared))
    moto_loader = moto_loaders.create_loader()
    stack.enter_context(mock.patch.object(moto_utils, "create_loader", lambda: moto_loader))


def _import_moto() -> Callable[..., Any]:
    try:
        from moto import mock_aws, settings
    except ImportError:
        raise pytest.UsageError("--cis-demo needs moto: pip install 'pytest-cis-aws[demo]'") \
            from None
    if settings.TEST_SERVER_MODE or settings.is_test_proxy_mode():
        # moto would then forward every call to a moto server over the network.
        raise pytest.UsageError("--cis-demo runs moto in process: unset TEST_SERVER_MODE and "
                                "TEST_PROXY_MODE")
    return mock_aws


def _demo_settings(settings: Settings) -> Settings:
    sources = {k: v for k, v in settings.sources.items() if k not in REAL_ACCOUNT}
    named = settings.regions or settings.all_regions
    if not named:
        sources["regions"] = "--cis-demo"
    return replace(settings, profile=None, role_arn=None, endpoint_url=None, sources=sources,
                   regions=settings.regions if named else REGIONS)


def _warn_about_ignored(config: pytest.Config, settings: Settings) -> None:
    """Say so when a real account was named: the demo audits its own, whatever was asked."""
    ignored = [o.flag for o in OPTIONS if o.name in REAL_ACCOUNT and getattr(settings, o.name)]
    if ignored and not hasattr(config, "workerinput"):  # once, from the controller
        config.issue_config_time_warning(pytest.PytestConfigWarning(
            f"--cis-demo audits the simulated account; ignoring {', '.join(ignored)}"),
            stacklevel=1)


# Isolation ------------------------------------------------------------------------------------

def _isolate_environment(stack: contextlib.ExitStack) -> None:
    """Replace every AWS_* variable (and moto's switch) with FAKE_ENVIRONMENT until the
    cleanup puts them back."""

    def ours(name: str) -> bool:
        return name.startswith("AWS_") or name in FAKE_ENVIRONMENT

    saved = {name: value for name, value in os.environ.items() if ours(name)}

    def restore() -> None:
        for name in [n for n in os.environ if ours(n)]:
            del os.environ[name]
        os.environ.update(saved)

    stack.callback(restore)
    for name in saved:
        del os.environ[name]
    os.environ.update(FAKE_ENVIRONMENT)


def _refuse_network(stack: contextlib.ExitStack) -> None:
    """Make botocore's HTTP layer refuse to connect: what moto does not answer fails, loudly."""
    from botocore.exceptions import BotoCoreError
    from botocore.httpsession import URLLib3Session

    class NetworkRefused(BotoCoreError):
        fmt = "--cis-demo sends nothing over the network; refused {url}"

    def refuse(self: Any, request: Any) -> Any:
        raise NetworkRefused(url=request.url)

    stack.enter_context(mock.patch.object(URLLib3Session, "send", refuse))


# Seeding --------------------------------------------------------------------------------------

class Setup:
    """Unguarded clients for writing the account (the audit's own clients are read-only), and
    the stack that undoes the demo, for the patches of moto."""

    def __init__(self, stack: contextlib.ExitStack) -> None:
        import boto3

        from .aws.session import _botocore_session

        self.stack = stack
        self.now = datetime.now(timezone.utc)
        # The audit's botocore session factory: service models are parsed once per process.
        self._session = boto3.Session(region_name=US, botocore_session=_botocore_session())
        self._clients: dict[tuple[str, str], Any] = {}

    def client(self, service: str, region: str = US) -> Any:
        if (service, region) not in self._clients:
            self._clients[(service, region)] = self._session.client(service, region_name=region)
        return self._clients[(service, region)]

    def ago(self, days: float) -> datetime:
        return self.now - timedelta(days=days)


def seed_account(stack: contextlib.ExitStack) -> None:
    """Write the demo account into the running mock, the same in every process."""
    from moto.moto_api._internal import mock_random

    mock_random.seed(SEED)  # moto draws every id from it: same ids in every xdist worker
    _kms_key_pairs_on_first_use(stack)
    _instance_type_offerings_on_demand()
    _collect_garbage_less(stack)
    setup = Setup(stack)
    seed_iam(setup)
    seed_logging(setup)
    seed_monitoring(setup)
    seed_networking(setup)
    seed_buckets(setup)
    gc.freeze()  # moto's models and the account: alive until the demo ends


def _collect_garbage_less(stack: contextlib.ExitStack) -> None:
    """Keep Python's cyclic garbage collector off the heap that lives as long as the demo.

    botocore's and moto's parsed models make the heap large: each full collection took about
    0.25 s, and a run made seven (1.2 s of a 3.7 s run), two of them pytest's own at the end.
    Frozen objects (gc.freeze) are not examined: what exists when seeding starts (the imports)
    and what it built. The demo's cleanup unfreezes them, so a longer-lived process (pytest run
    in process) collects as before. At exit, Python's final collection spent another 1-1.5 s
    freeing moto's reference cycles, memory the operating system takes back at once anyway:
    the heap is frozen again in an atexit handler, which only runs as the process ends.
    """
    global _EXIT_FREEZE
    stack.callback(gc.unfreeze)
    gc.freeze()
    if not _EXIT_FREEZE:
        atexit.register(gc.freeze)
        _EXIT_FREEZE = True


_EXIT_FREEZE = False
OFFERINGS = "ec2/resources/instance_type_offerings/"


class _OfferingsByRegion(Mapping[str, Any]):
    """moto's instance type offerings of one location type, region -> offerings: each region's
    file is read when first asked for, as moto's import would have read it."""

    def __init__(self, location_type: str, resources: dict[str, str], load: Any) -> None:
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


def _instance_type_offerings_on_demand() -> None:
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
    table = instance_types.INSTANCE_TYPE_OFFERINGS
    for location_type, by_region in resources.items():
        lazy = _OfferingsByRegion(location_type, by_region, load)
        if set(table.get(location_type, ())) == set(by_region):
            table[location_type] = lazy
        else:  # not the moto this was written for: read what was skipped, now
            table.setdefault(location_type, {}).update({r: lazy[r] for r in by_region})


# IAM ------------------------------------------------------------------------------------------

PASSWORD_POLICY = {  # right on length, case, numbers and expiry; wrong on symbols and reuse
    "MinimumPasswordLength": 14, "RequireUppercaseCharacters": True,
    "RequireLowercaseCharacters": True, "RequireNumbers": True, "RequireSymbols": False,
    "AllowUsersToChangePassword": True, "MaxPasswordAge": 90, "PasswordReusePrevention": 5,
}
MFA_ONLY = {"Bool": {"aws:MultiFactorAuthPresent": "true"}}


def _document(*statements: dict[str, Any]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def _allow(action: str | list[str], resource: str = "*", **extra: Any) -> dict[str, Any]:
    return {"Effect": "Allow", "Action": action, "Resource": resource, **extra}


def _trust(principal: str) -> str:
    return _document({"Effect": "Allow", "Principal": {"AWS": principal},
                      "Action": "sts:AssumeRole"})


def seed_iam(setup: Setup) -> None:
    iam = setup.client("iam")
    iam.update_account_password_policy(**PASSWORD_POLICY)
    _seed_root(setup)
    _seed_groups(setup)
    _seed_users(setup)
    _seed_roles(setup)
    setup.client("account").put_alternate_contact(
        AlternateContactType="SECURITY", Name="Security Operations", Title="SOC on call",
        EmailAddress="security@example.com", PhoneNumber="+44 20 7946 0000")
    iam.generate_credential_report()  # as if AWS had made one recently: the audit need not wait


def _seed_root(setup: Setup) -> None:
    """Root signed in 12 days ago, has no access key, and its MFA is a virtual device."""
    _patch_root_row(setup, _root_row(password_last_used=setup.ago(12)))
    backend = _iam_backend()
    backend.account_summary._account_mfa_enabled = 1  # moto hard-codes 0
    serial = setup.client("iam").create_virtual_mfa_device(
        VirtualMFADeviceName="root-account-mfa-device")["VirtualMFADevice"]["SerialNumber"]
    device = backend.virtual_mfa_devices[serial]  # moto cannot assign a device to root
    device.enable_date = datetime(2019, 6, 1)
    device.user = SimpleNamespace(path="/", name="", id=ACCOUNT, arn=ROOT_ARN,
                                  create_date=datetime(2015, 1, 1), password_last_used=None,
                                  tags=None, permissions_boundary=None)


def _seed_groups(setup: Setup) -> None:
    iam = setup.client("iam")
    admin = iam.create_policy(PolicyName="AdministratorAccess-Custom",
                              PolicyDocument=_document(_allow("*")))["Policy"]["Arn"]
    iam.create_policy(PolicyName="break-glass", Path=HOSTILE["policy_path"],
                      PolicyDocument=_document(_allow("*:*")))
    readonly = iam.create_policy(PolicyName="DeveloperReadOnly", PolicyDocument=_document(
        _allow(["ec2:Describe*", "s3:Get*", "s3:List*", "logs:Get*"])))["Policy"]["Arn"]
    for group, policy in (("admins", admin), ("developers", readonly)):
        iam.create_group(GroupName=group)
        iam.attach_group_policy(GroupName=group, PolicyArn=policy)


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
    iam = setup.client("iam")
    iam.put_user_policy(UserName="ci-deploy", PolicyName=HOSTILE["inline_policy"],
                        PolicyDocument=_document(_allow(["s3:PutObject", "ecr:*"])))
    iam.attach_user_policy(UserName=HOSTILE["long_user"],
                           PolicyArn=f"arn:aws:iam::{ACCOUNT}:policy/DeveloperReadOnly")


def _user(setup: Setup, name: str, *, path: str = "/", console: bool = False, mfa: bool = False,
          group: str | None = None, created: float, password_used: float | None = None,
          keys: tuple[tuple[float, float | None], ...] = ()) -> None:
    """A user `created` days ago; keys as (created, last used) days ago, None: never used."""
    iam = setup.client("iam")
    iam.create_user(UserName=name, Path=path)
    if console:
        iam.create_login_profile(UserName=name, Password="Demo-Password-2024!")
    if mfa:
        serial = iam.create_virtual_mfa_device(VirtualMFADeviceName=name)["VirtualMFADevice"][
            "SerialNumber"]
        iam.enable_mfa_device(UserName=name, SerialNumber=serial, AuthenticationCode1="123456",
                              AuthenticationCode2="654321")
    if group:
        iam.add_user_to_group(GroupName=group, UserName=name)
    for _ in keys:
        iam.create_access_key(UserName=name)
    user = _iam_backend().users[name]  # no API sets these dates
    user.create_date = setup.ago(created)
    if password_used is not None:
        user.password_last_used = setup.ago(password_used)
    for key, (key_created, key_used) in zip(user.access_keys, keys):
        key.create_date = setup.ago(key_created)
        key.last_used = None if key_used is None else setup.ago(key_used)


def _seed_roles(setup: Setup) -> None:
    iam = setup.client("iam")
    _inject_support_access_policy()
    iam.create_role(RoleName="support", AssumeRolePolicyDocument=_trust(ACCOUNT))
    iam.attach_role_policy(RoleName="support",
                           PolicyArn="arn:aws:iam::aws:policy/AWSSupportAccess")
    iam.create_role(RoleName="web-server", AssumeRolePolicyDocument=_document(
        {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"},
         "Action": "sts:AssumeRole"}))
    iam.create_instance_profile(InstanceProfileName="web-server")
    iam.add_role_to_instance_profile(InstanceProfileName="web-server", RoleName="web-server")
    _seed_master_manager_roles(setup)


def _seed_master_manager_roles(setup: Setup) -> None:
    """1.18 (when the ini names them): the master role is right, the manager skips MFA."""
    from .rules.iam_roles import MANAGER_ONLY, MASTER_ONLY, READS

    def iam_actions(names: tuple[str, ...]) -> list[str]:
        return [f"iam:{name}" for name in names]

    iam = setup.client("iam")
    roles = (
        ("iam-master", "alice", MASTER_ONLY + READS, MANAGER_ONLY, {"Condition": MFA_ONLY}),
        ("iam-manager", "bob", MANAGER_ONLY + READS, MASTER_ONLY, {}),
    )
    for role, user, allow, deny, condition in roles:
        iam.create_role(RoleName=role,
                        AssumeRolePolicyDocument=_trust(f"arn:aws:iam::{ACCOUNT}:user/{user}"))
        iam.put_role_policy(RoleName=role, PolicyName="duties", PolicyDocument=_document(
            _allow(iam_actions(allow), **condition),
            {"Effect": "Deny", "Action": iam_actions(deny), "Resource": "*"}))


# moto recipes for IAM (moto_coverage.md §7) ---------------------------------------------------

def _iam_backend() -> Any:
    from moto.iam.models import iam_backends

    return iam_backends[ACCOUNT]["aws"]


def _root_row(*, password_last_used: datetime) -> str:
    """The <root_account> line AWS writes at the top of the credential report (moto writes none).
    """
    when = password_last_used.strftime("%Y-%m-%dT%H:%M:%S+00:00")
    created = "2015-01-01T00:00:00+00:00"
    return ",".join([
        "<root_account>", ROOT_ARN, created, "not_supported", when, "not_supported",
        "not_supported", "true",  # mfa_active
        "false", "N/A", "N/A", "N/A", "N/A",  # access key 1
        "false", "N/A", "N/A", "N/A", "N/A",  # access key 2
        "false", "N/A", "false", "N/A",  # certificates
    ])


def report_generated_now() -> Any:
    """A patch (a context manager) making moto date its credential report as AWS does.

    moto answers every GetCredentialReport with GeneratedTime 2015-02-02T20:02:02Z; AWS gives
    the time it made the report (four hours ago at most). Against 2015, every user is "created
    after the report" and every date "later than the report itself": both errors, rightly.
    """
    from moto.iam.responses import IamResponse

    original = IamResponse.get_credential_report

    def generated_now(self: Any) -> Any:
        answer = original(self)
        answer.result["GeneratedTime"] = datetime.now(timezone.utc).isoformat()
        return answer

    return mock.patch.object(IamResponse, "get_credential_report", generated_now)


def _patch_root_row(setup: Setup, row: str) -> None:
    from moto.iam.models import IAMBackend

    original = IAMBackend.get_credential_report

    def with_root(self: Any) -> str:
        head, _, rest = original(self).partition("\n")
        return f"{head}\n{row}\n{rest}"

    setup.stack.enter_context(mock.patch.object(IAMBackend, "get_credential_report", with_root))
    setup.stack.enter_context(report_generated_now())


# AWS publishes it; moto loads AWS managed policies only on request (about a second), so the one
# policy 1.22 looks for is built from its published document.
SUPPORT_ACCESS = {
    "CreateDate": "2015-02-06T18:41:11+00:00", "UpdateDate": "2015-02-06T18:41:11+00:00",
    "DefaultVersionId": "v1", "Path": "/",
    "Document": {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": ["support:*"], "Resource": "*"}]},
}


def _inject_support_access_policy() -> None:
    from moto.iam.models import AWSManagedPolicy

    backend = _iam_backend()
    policy = AWSManagedPolicy.from_data("AWSSupportAccess", ACCOUNT, backend.region_name,
                                        SUPPORT_ACCESS)
    backend.managed_policies[policy.arn] = policy


# Logging --------------------------------------------------------------------------------------

TRAIL_LOG_GROUP = "CloudTrail/DefaultLogGroup"
EU_LOG_GROUP = "eu-app-trail"
TRAIL_BUCKET = f"demo-cloudtrail-{ACCOUNT}"
ACCESS_LOG_BUCKET = f"demo-access-logs-{ACCOUNT}"
EU_TRAIL_BUCKET = f"demo-eu-app-trail-{ACCOUNT}"
CONFIG_BUCKET = f"demo-config-{ACCOUNT}"
FLOW_LOG_BUCKET = f"demo-flow-logs-{ACCOUNT}"
LOGS_ROLE = f"arn:aws:iam::{ACCOUNT}:role/CloudTrail_CloudWatchLogs_Role"


def log_group_arn(region: str, name: str) -> str:
    return f"arn:aws:logs:{region}:{ACCOUNT}:log-group:{name}:*"


def seed_logging(setup: Setup) -> None:
    _seed_keys(setup)
    _seed_trail_buckets(setup)
    _seed_trails(setup)
    _seed_config(setup)


def _trail_key(setup: Setup, region: str) -> str:
    kms = setup.client("kms", region)
    key = kms.create_key(Description="CloudTrail log files")["KeyMetadata"]
    kms.enable_key_rotation(KeyId=key["KeyId"])
    kms.create_alias(AliasName="alias/cloudtrail", TargetKeyId=key["KeyId"])
    return str(key["Arn"])


def _seed_keys(setup: Setup) -> None:
    """A data key that does not rotate, and keys 2.8 does not judge (the trail keys rotate)."""
    frankfurt = setup.client("kms", DE)
    frankfurt.create_key(Description="analytics data")
    frankfurt.create_key(Description="code signing", KeySpec="RSA_2048", KeyUsage="SIGN_VERIFY")
    us = setup.client("kms", US)
    old = us.create_key(Description=HOSTILE["key_description"])["KeyMetadata"]["KeyId"]
    us.disable_key(KeyId=old)
    managed = us.create_key(Description="Default key that protects my S3 objects when no other "
                                        "key is defined")["KeyMetadata"]["KeyId"]
    _make_aws_managed(US, managed)


def _kms_key_pairs_on_first_use(stack: contextlib.ExitStack) -> None:
    """moto makes an RSA key pair for every KMS key, symmetric ones too (0.1-0.3 s each, the
    demo's slowest calls); only Sign, Verify and GetPublicKey use it and the audit calls none:
    each key's pair is made when first used instead."""
    from moto.kms import models

    generate = models.generate_private_key

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


def _make_aws_managed(region: str, key_id: str) -> None:
    from moto.kms.models import kms_backends

    kms_backends[ACCOUNT][region].keys[key_id].key_manager = "AWS"  # moto: always CUSTOMER


def _bucket(setup: Setup, name: str, region: str, *, acl: str = "private",
            owner: str | None = None) -> None:
    s3 = setup.client("s3", region)
    where = {} if region == US else {"CreateBucketConfiguration": {"LocationConstraint": region}}
    s3.create_bucket(Bucket=name, ACL=acl, **where)
    if owner is not None:
        s3.put_bucket_tagging(Bucket=name, Tagging={"TagSet": [{"Key": "owner", "Value": owner}]})


def _cloudtrail_may_write(setup: Setup, name: str, region: str) -> None:
    setup.client("s3", region).put_bucket_policy(Bucket=name, Policy=_document(
        {"Sid": "AWSCloudTrailAclCheck", "Effect": "Allow",
         "Principal": {"Service": "cloudtrail.amazonaws.com"}, "Action": "s3:GetBucketAcl",
         "Resource": f"arn:aws:s3:::{name}"},
        {"Sid": "AWSCloudTrailWrite", "Effect": "Allow",
         "Principal": {"Service": "cloudtrail.amazonaws.com"}, "Action": "s3:PutObject",
         "Resource": f"arn:aws:s3:::{name}/AWSLogs/{ACCOUNT}/*"}))


def _seed_trail_buckets(setup: Setup) -> None:
    _bucket(setup, ACCESS_LOG_BUCKET, US, acl="log-delivery-write", owner="security")
    _bucket(setup, TRAIL_BUCKET, US, owner="security")
    _cloudtrail_may_write(setup, TRAIL_BUCKET, US)
    setup.client("s3", US).put_bucket_logging(Bucket=TRAIL_BUCKET, BucketLoggingStatus={
        "LoggingEnabled": {"TargetBucket": ACCESS_LOG_BUCKET, "TargetPrefix": "cloudtrail/"}})
    _bucket(setup, EU_TRAIL_BUCKET, EU)  # private, but no access logging and no owner tag
    _cloudtrail_may_write(setup, EU_TRAIL_BUCKET, EU)


def _seed_trails(setup: Setup) -> None:
    """A multi-region trail that does everything right; a regional one without validation."""
    _patch_cloudwatch_delivery(setup, hours_ago=2)
    setup.client("iam").create_role(
        RoleName="CloudTrail_CloudWatchLogs_Role", AssumeRolePolicyDocument=_document(
            {"Effect": "Allow", "Principal": {"Service": "cloudtrail.amazonaws.com"},
             "Action": "sts:AssumeRole"}))
    for region, group in ((US, TRAIL_LOG_GROUP), (EU, EU_LOG_GROUP)):
        setup.client("logs", region).create_log_group(logGroupName=group)
    us, eu = setup.client("cloudtrail", US), setup.client("cloudtrail", EU)
    us.create_trail(Name="org-trail", S3BucketName=TRAIL_BUCKET, IsMultiRegionTrail=True,
                    IncludeGlobalServiceEvents=True, EnableLogFileValidation=True,
                    KmsKeyId=_trail_key(setup, US),
                    CloudWatchLogsLogGroupArn=log_group_arn(US, TRAIL_LOG_GROUP),
                    CloudWatchLogsRoleArn=LOGS_ROLE)
    us.put_event_selectors(TrailName="org-trail", EventSelectors=[
        {"ReadWriteType": "All", "IncludeManagementEvents": True}])
    us.start_logging(Name="org-trail")
    eu.create_trail(Name="eu-app-trail", S3BucketName=EU_TRAIL_BUCKET,
                    KmsKeyId=_trail_key(setup, EU),
                    CloudWatchLogsLogGroupArn=log_group_arn(EU, EU_LOG_GROUP),
                    CloudWatchLogsRoleArn=LOGS_ROLE)
    eu.start_logging(Name="eu-app-trail")


def _patch_cloudwatch_delivery(setup: Setup, hours_ago: float) -> None:
    """Logging trails report a CloudWatch Logs delivery (moto never reports one)."""
    from moto.cloudtrail.models import TrailStatus

    original = TrailStatus.description
    delivered = int((setup.now - timedelta(hours=hours_ago)).timestamp())

    def with_delivery(self: Any) -> dict[str, Any]:
        described = original(self)
        if self.is_logging:
            described["LatestCloudWatchLogsDeliveryTime"] = delivered
        return described

    setup.stack.enter_context(mock.patch.object(TrailStatus, "description", with_delivery))


def _seed_config(setup: Setup) -> None:
    """us-east-1 records everything; eu-west-1 some types only; eu-central-1 nothing."""
    _bucket(setup, CONFIG_BUCKET, US, owner="security")
    _recorder(setup, US, "default", {"allSupported": True, "includeGlobalResourceTypes": True})
    _recorder(setup, EU, HOSTILE["recorder"], {
        "allSupported": False, "includeGlobalResourceTypes": False,
        "resourceTypes": ["AWS::EC2::Instance", "AWS::EC2::SecurityGroup"]})


def _recorder(setup: Setup, region: str, name: str, group: dict[str, Any]) -> None:
    from moto.config.models import config_backends

    config = setup.client("config", region)
    config.put_configuration_recorder(ConfigurationRecorder={
        "name": name, "roleARN": f"arn:aws:iam::{ACCOUNT}:role/aws-config",
        "recordingGroup": group})
    config.put_delivery_channel(DeliveryChannel={"name": "default",
                                                 "s3BucketName": CONFIG_BUCKET})
    config.start_configuration_recorder(ConfigurationRecorderName=name)
    # moto leaves lastStatus at PENDING; AWS reports SUCCESS once a recording went through.
    config_backends[ACCOUNT][region].recorders[name].status.last_status = "SUCCESS"


# Monitoring -----------------------------------------------------------------------------------

# The benchmark's patterns, written the ways people write them: its exact text, reformatted over
# several lines, clauses reordered, values quoted or not; some wrong on purpose. Each entry is
# (pattern, the topic its alarm notifies, or None: no alarm on its metric).
ALARM_TOPIC = "cis-security-alarms"
QUIET_TOPIC = "cis-unrouted-alarms"  # nobody subscribed
METRIC_FILTERS: dict[str, tuple[str, str | None]] = {
    "3.1": ('{ ($.errorCode = "*UnauthorizedOperation") || ($.errorCode = "AccessDenied*") }',
            ALARM_TOPIC),
    "3.2": ('{\n  ($.eventName = "ConsoleLogin") &&\n  ($.additionalEventData.MFAUsed != "Yes")'
            '\n}', ALARM_TOPIC),
    "3.3": ('{ $.eventType != "AwsServiceEvent" && $.userIdentity.invokedBy NOT EXISTS && '
            '$.userIdentity.type = "Root" }', ALARM_TOPIC),
    "3.4": ('{($.eventName="DeleteGroupPolicy")||($.eventName="DeleteRolePolicy")||'
            '($.eventName="DeleteUserPolicy")||($.eventName="PutGroupPolicy")||'
            '($.eventName="PutRolePolicy")||($.eventName="PutUserPolicy")||'
            '($.eventName="CreatePolicy")||($.eventName="DeletePolicy")||'
            '($.eventName="CreatePolicyVersion")||($.eventName="DeletePolicyVersion")||'
            '($.eventName="AttachRolePolicy")||($.eventName="DetachRolePolicy")||'
            '($.eventName="AttachUserPolicy")||($.eventName="DetachUserPolicy")||'
            '($.eventName="AttachGroupPolicy")||($.eventName="DetachGroupPolicy")}', ALARM_TOPIC),
    "3.5": ("{ ($.eventName = StopLogging) || ($.eventName = DeleteTrail) ||"
            " ($.eventName = UpdateTrail) || ($.eventName = CreateTrail) ||"
            " ($.eventName = StartLogging) }", ALARM_TOPIC),
    "3.6": ('{ ($.eventName = ConsoleLogin) && ($.errorMessage = "Failed authentication") }',
            ALARM_TOPIC),
    "3.7": ("{ ($.eventSource = kms.amazonaws.com) && (($.eventName = DisableKey) || "
            "($.eventName = ScheduleKeyDeletion)) }", QUIET_TOPIC),
    # 3.8: no filter at all
    "3.9": ("{ ($.eventSource = config.amazonaws.com) && (($.eventName = StopConfigurationRecorder)"
            " || ($.eventName = DeleteDeliveryChannel)) }", ALARM_TOPIC),  # misses two events
    "3.10": ("{ ($.eventName = AuthorizeSecurityGroupIngress) || "
             "($.eventName = AuthorizeSecurityGroupEgress) || "
             "($.eventName = RevokeSecurityGroupIngress) || "
             "($.eventName = RevokeSecurityGroupEgress) || "
             "($.eventName = CreateSecurityGroup) || ($.eventName = DeleteSecurityGroup) }",
             ALARM_TOPIC),
    "3.11": ("{ ($.eventName = CreateNetworkAcl) || ($.eventName = CreateNetworkAclEntry) || "
             "($.eventName = DeleteNetworkAcl) || ($.eventName = DeleteNetworkAclEntry) || "
             "($.eventName = ReplaceNetworkAclEntry) || "
             "($.eventName = ReplaceNetworkAclAssociation) }", None),
    "3.12": ("{ ($.eventName = CreateCustomerGateway) || ($.eventName = DeleteCustomerGateway) ||"
             " ($.eventName = AttachInternetGateway) || ($.eventName = CreateInternetGateway) ||"
             " ($.eventName = DeleteInternetGateway) || ($.eventName = DetachInternetGateway) }",
             ALARM_TOPIC),
    "3.13": ('{ ($.eventName = "CreateRoute") || ($.eventName = "CreateRouteTable") || '
             '($.eventName = "ReplaceRoute") || ($.eventName = "ReplaceRouteTableAssociation")'
             ' || ($.eventName = "DeleteRouteTable") || ($.eventName = "DeleteRoute") || '
             '($.eventName = "DisassociateRouteTable") }', ALARM_TOPIC),
    "3.14": ("{ ($.eventName = CreateVpc) || ($.eventName = DeleteVpc) || "
             "($.eventName = ModifyVpcAttribute) || ($.eventName = AcceptVpcPeeringConnection) ||"
             " ($.eventName = CreateVpcPeeringConnection) || "
             "($.eventName = DeleteVpcPeeringConnection) || "
             "($.eventName = RejectVpcPeeringConnection) || ($.eventName = AttachClassicLinkVpc)"
             " || ($.eventName = DetachClassicLinkVpc) || ($.eventName = DisableVpcClassicLink)"
             " || ($.eventName = EnableVpcClassicLink) }", ALARM_TOPIC),
}
METRIC_NAMESPACE = "CISBenchmark"


def seed_monitoring(setup: Setup) -> None:
    """Metric filters on the multi-region trail's log group, alarms, topics, a subscriber."""
    sns = setup.client("sns", US)
    topics = {name: sns.create_topic(Name=name)["TopicArn"] for name in (ALARM_TOPIC, QUIET_TOPIC)}
    sns.subscribe(TopicArn=topics[ALARM_TOPIC], Protocol="email",
                  Endpoint="security-alerts@example.com")  # moto confirms it at once
    for rec_id, (pattern, topic) in METRIC_FILTERS.items():
        metric = f"cis-{rec_id.replace('.', '-')}"
        setup.client("logs", US).put_metric_filter(
            logGroupName=TRAIL_LOG_GROUP, filterName=metric, filterPattern=pattern,
            metricTransformations=[{"metricName": metric, "metricNamespace": METRIC_NAMESPACE,
                                    "metricValue": "1"}])
        if topic is not None:
            _alarm(setup, rec_id, metric, topics[topic])


def _alarm(setup: Setup, rec_id: str, metric: str, topic_arn: str) -> None:
    name = HOSTILE["alarm"] if rec_id == "3.13" else f"CIS {rec_id} {metric}"
    setup.client("cloudwatch", US).put_metric_alarm(
        AlarmName=name, MetricName=metric, Namespace=METRIC_NAMESPACE, Statistic="Sum",
        Period=300, EvaluationPeriods=1, Threshold=1,
        ComparisonOperator="GreaterThanOrEqualToThreshold", AlarmActions=[topic_arn])


# Networking -----------------------------------------------------------------------------------

AMI = "ami-0demo0000000000"  # moto does not check images exist (MOTO_ENABLE_AMI_VALIDATION)
WORLD4 = [{"CidrIp": "0.0.0.0/0"}]
WORLD6 = [{"CidrIpv6": "::/0"}]


def _tcp(port: int, ipv4: list[dict[str, str]] | None = None,
         ipv6: list[dict[str, str]] | None = None) -> dict[str, Any]:
    return {"IpProtocol": "tcp", "FromPort": port, "ToPort": port,
            "IpRanges": ipv4 or [], "Ipv6Ranges": ipv6 or []}


def _group(ec2: Any, vpc: str, name: str, description: str, *rules: dict[str, Any]) -> str:
    group_id = str(ec2.create_security_group(GroupName=name, Description=description,
                                             VpcId=vpc)["GroupId"])
    ec2.authorize_security_group_ingress(GroupId=group_id, IpPermissions=list(rules))
    return group_id


def _vpc(ec2: Any, cidr: str, name: str) -> str:
    return str(ec2.create_vpc(CidrBlock=cidr, TagSpecifications=[{
        "ResourceType": "vpc", "Tags": [{"Key": "Name", "Value": name}]}])["Vpc"]["VpcId"])


def _default_vpc(ec2: Any) -> str:
    return str(ec2.describe_vpcs(Filters=[{"Name": "is-default", "Values": ["true"]}])["Vpcs"][0][
        "VpcId"])


def seed_networking(setup: Setup) -> None:
    _bucket(setup, FLOW_LOG_BUCKET, DE, owner="network")
    _seed_us_network(setup)
    _seed_eu_network(setup)
    _seed_frankfurt_network(setup)


def _seed_us_network(setup: Setup) -> None:
    """Only HTTPS open to the world, flow logs everywhere, closed default groups, a peering."""
    ec2 = setup.client("ec2", US)
    app, shared = _vpc(ec2, "10.0.0.0/16", "app"), _vpc(ec2, "10.1.0.0/16", "shared-services")
    _group(ec2, app, "web", "HTTPS from anywhere", _tcp(443, WORLD4, WORLD6))
    _group(ec2, app, "internal-db", "PostgreSQL from the app VPC",
           _tcp(5432, [{"CidrIp": "10.0.0.0/16"}]))
    _peer(ec2, app, shared, "10.1.0.0/16")  # the whole peer VPC: 4.5 asks a person to look
    _close_default_groups(ec2)
    _flow_logs(ec2)
    ec2.run_instances(ImageId=AMI, MinCount=1, MaxCount=1, InstanceType="t3.micro",
                      IamInstanceProfile={"Name": "web-server"})


def _seed_eu_network(setup: Setup) -> None:
    """SSH open to the world (twice), no flow logs."""
    ec2 = setup.client("ec2", EU)
    default = _default_vpc(ec2)
    _group(ec2, default, "bastion", "SSH for the on-call engineers", _tcp(22, WORLD4))
    _group(ec2, default, HOSTILE["group_name"], HOSTILE["group_description"], _tcp(22, WORLD4))
    _group(ec2, default, "alb", "HTTPS load balancer", _tcp(443, WORLD4))
    _close_default_groups(ec2)


def _seed_frankfurt_network(setup: Setup) -> None:
    """RDP open to ::/0, flow logs on every VPC, an instance without a role."""
    ec2 = setup.client("ec2", DE)
    analytics = _vpc(ec2, "10.20.0.0/16", "analytics")
    _group(ec2, analytics, "windows-jump", "RDP jump host", _tcp(3389, ipv6=WORLD6))
    _close_default_groups(ec2)
    _flow_logs(ec2)
    ec2.run_instances(ImageId=AMI, MinCount=1, MaxCount=1, InstanceType="t3.micro")


def _peer(ec2: Any, requester: str, accepter: str, destination: str) -> None:
    pcx = ec2.create_vpc_peering_connection(VpcId=requester, PeerVpcId=accepter)[
        "VpcPeeringConnection"]["VpcPeeringConnectionId"]
    ec2.accept_vpc_peering_connection(VpcPeeringConnectionId=pcx)
    table = ec2.describe_route_tables(Filters=[{"Name": "vpc-id", "Values": [requester]}])[
        "RouteTables"][0]["RouteTableId"]
    ec2.create_route(RouteTableId=table, DestinationCidrBlock=destination,
                     VpcPeeringConnectionId=pcx)


def _close_default_groups(ec2: Any) -> None:
    for group in ec2.describe_security_groups(Filters=[
            {"Name": "group-name", "Values": ["default"]}])["SecurityGroups"]:
        if group["IpPermissionsEgress"]:
            ec2.revoke_security_group_egress(GroupId=group["GroupId"],
                                             IpPermissions=group["IpPermissionsEgress"])
        if group["IpPermissions"]:
            ec2.revoke_security_group_ingress(GroupId=group["GroupId"],
                                              IpPermissions=group["IpPermissions"])


def _flow_logs(ec2: Any) -> None:
    vpcs = [vpc["VpcId"] for vpc in ec2.describe_vpcs()["Vpcs"]]
    ec2.create_flow_logs(ResourceIds=vpcs, ResourceType="VPC", TrafficType="ALL",
                         LogDestinationType="s3", LogDestination=f"arn:aws:s3:::{FLOW_LOG_BUCKET}")


# More buckets for the organisation checks (example_suite: every bucket has an owner tag) -----

def seed_buckets(setup: Setup) -> None:
    _bucket(setup, f"demo-website-assets-{ACCOUNT}", US, owner=HOSTILE["owner_tag"])
    _bucket(setup, f"demo-scratch-{ACCOUNT}", EU)  # nobody owns it
