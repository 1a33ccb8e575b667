"""Fixtures shared by the stock checks and the organisation's own tests.

Each piece of account data is fetched once per run (even under pytest-xdist) and handed out
typed. When it cannot be read, the fixture raises `DataUnavailable`, so every test that needs
it ends in *error* naming the operation and permission, and no test can pass on missing data.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any, TypeVar, cast

import pytest

from .errors import DataUnavailable
from .read import Envelope
from .run import CisRun, get_run

if TYPE_CHECKING:
    from datetime import datetime

    import boto3

    from .credential_report import CredentialReport
    from .settings import Settings

AwsClientFactory = Callable[..., Any]
T = TypeVar("T")


@pytest.fixture(scope="session")
def cis_account(request: pytest.FixtureRequest) -> Iterator[str | None]:
    """The account a test audits: one per member account with --cis-org-role, else None."""
    account = getattr(request, "param", None)
    yield account
    if account is not None:
        # pytest runs an account's tests together: once they are done, its clients and data
        # can go, so memory does not grow with the size of the organization.
        get_run(request.config).release(account)


@pytest.fixture(scope="session")
def cis_run(pytestconfig: pytest.Config, cis_account: str | None) -> CisRun:
    """The audit scope: settings, AWS access and the shared store, for one account."""
    run = get_run(pytestconfig)
    return run if cis_account is None else run.for_account(cis_account)  # type: ignore[return-value]


@pytest.fixture(scope="session")
def aws_session(cis_run: CisRun) -> boto3.Session:
    """The boto3 session the audit uses (read-only guard and call counter attached)."""
    return cis_run.aws.session


@pytest.fixture(scope="session")
def aws_client(cis_run: CisRun) -> AwsClientFactory:
    """Factory for shared, read-only clients: `aws_client("ec2", "eu-west-1")`."""
    return cis_run.aws.client


@pytest.fixture(scope="session")
def aws_account_id(cis_run: CisRun) -> str:
    return cis_run.identity().account


@pytest.fixture(scope="session")
def aws_partition(cis_run: CisRun) -> str:
    return cis_run.identity().partition


@pytest.fixture(scope="session")
def cis_regions(cis_run: CisRun) -> tuple[str, ...]:
    """The regions to audit: every region enabled for the account, or those named.

    Never empty: with no region to audit (none enabled, --cis-regions naming only regions that
    are not, an empty DescribeRegions answer) every test using it ends in *error*, so a loop
    over no region cannot pass.
    """
    return audited_regions(cis_run)


def audited_regions(run: CisRun) -> tuple[str, ...]:
    """The run's regions to audit; raises (an *error* outcome) when there are none."""
    from .aws.regions import audited

    return audited(run.regions())


@pytest.fixture(scope="session")
def cis_settings(cis_run: CisRun) -> Settings:
    return cis_run.settings


def _stored(run: CisRun, key: str, fetch: Callable[[], object]) -> Any:
    return run.store.get(f"{run.identity().account}/{key}", fetch)


def _shared(run: CisRun, key: str, fetch: Callable[[], T]) -> T:
    """What `fetch` returned, fetched once per run: plain JSON data comes back as it went in."""
    return cast(T, _stored(run, key, fetch))


@pytest.fixture(scope="session")
def credential_report(cis_run: CisRun) -> CredentialReport:
    """The IAM credential report: root row apart, every cell checked as it is read (a bad one
    raises `BadCell`, an error naming row and column), dates aware, placeholders understood."""
    from datetime import datetime, timezone

    from . import credential_report as cr
    from .aws import collect_iam

    raw = _shared(cis_run, "iam/credential_report", lambda: collect_iam.credential_report(
        cis_run.aws, cis_run.settings.credential_report_timeout))
    now = datetime.now(timezone.utc)
    try:
        report = cr.read(raw, now)
    except cr.MalformedReport as exc:  # the report's fault; any other exception is our bug
        raise DataUnavailable("iam:GetCredentialReport", f"malformed report: {exc}",
                              permission=collect_iam.CREDENTIAL_REPORT_PERMISSION) from None
    cis_run.note_credential_report(cis_run.identity().account, {
        "generated": report.generated.isoformat() if report.generated else None,
        "age_seconds": round((now - report.generated).total_seconds()) if report.generated
        else None})
    return report


@pytest.fixture(scope="session")
def credential_report_users(credential_report: CredentialReport,
                            iam_authorization_details: dict[str, list[Any]],
                            cis_run: CisRun) -> CredentialReport:
    """The credential report held against the users IAM lists now: a user created after the
    report (or otherwise without a row) is in `.missing`, and the checks that judge users end in
    error for it; rows of users deleted since are set apart in `.unlisted`."""
    from . import credential_report as cr

    listed = iam_authorization_details["UserDetailList"]
    if any("Arn" not in user for user in listed):  # AWS always sends it: the answer's fault
        raise DataUnavailable("iam:GetAccountAuthorizationDetails",
                              "unexpected response shape (KeyError: 'Arn')")
    report = cr.reconcile(credential_report, listed)  # anything it raises is our bug
    if report.unlisted:
        cis_run.note_credential_report(cis_run.identity().account, {
            "ignored_rows": [row.arn for row in report.unlisted]})
    return report


@pytest.fixture(scope="session")
def password_policy(cis_run: CisRun) -> dict[str, Any] | None:
    """The account password policy as AWS returns it, or None when there is none."""
    from .aws import collect_iam

    return _shared(cis_run, "iam/password_policy",
                   lambda: collect_iam.password_policy(cis_run.aws))


@pytest.fixture(scope="session")
def account_summary(cis_run: CisRun) -> dict[str, int]:
    from .aws import collect_iam

    return _shared(cis_run, "iam/account_summary",
                   lambda: collect_iam.account_summary(cis_run.aws))


@pytest.fixture(scope="session")
def iam_authorization_details(cis_run: CisRun) -> dict[str, list[Any]]:
    """Users, groups, roles and customer managed policies (GetAccountAuthorizationDetails);
    AWS managed policies apart, under "AWSManagedPolicies" (default version only)."""
    from .aws import collect_iam

    return _shared(cis_run, "iam/authorization_details",
                   lambda: collect_iam.authorization_details(cis_run.aws))


@pytest.fixture(scope="session")
def virtual_mfa_devices(cis_run: CisRun) -> list[dict[str, Any]]:
    """Virtual MFA devices that are assigned to a user (root included)."""
    from .aws import collect_iam

    return _shared(cis_run, "iam/virtual_mfa_devices",
                   lambda: collect_iam.virtual_mfa_devices(cis_run.aws))


@pytest.fixture(scope="session")
def security_contact(cis_run: CisRun) -> dict[str, Any] | None:
    """The SECURITY alternate contact, or None when none is registered."""
    from .aws import collect_iam

    return _shared(cis_run, "account/security_contact",
                   lambda: collect_iam.security_contact(cis_run.aws))


@pytest.fixture(scope="session")
def contact_information(cis_run: CisRun) -> dict[str, Any]:
    from .aws import collect_iam

    return _shared(cis_run, "account/contact_information",
                   lambda: collect_iam.contact_information(cis_run.aws))


@pytest.fixture(scope="session")
def cost_and_usage_reports(cis_run: CisRun) -> list[dict[str, Any]]:
    from .aws import collect_iam

    return _shared(cis_run, "cur/report_definitions",
                   lambda: collect_iam.cost_and_usage_reports(cis_run.aws))


def regional(run: CisRun, key: str, fetch: Callable[[Any, str], object]) -> dict[str, Envelope]:
    """Per-region data for every selected region, fetched concurrently, once per run.

    Returns {region: a Read (read.py) in its wire form}; rules turn an error into findings that
    cannot be evaluated, for that region only. With no region to audit it raises instead: an
    empty mapping would let a rule pass on no data.
    """
    from .aws.fanout import per_region

    regions = audited_regions(run)  # none: every regional check errs, saying why
    found = _stored(run, f"regional/{key}/{','.join(regions)}", lambda: per_region(
        regions, lambda region: fetch(run.aws, region), run.settings.max_workers,
        label=key.replace("_", " ")))
    return cast("dict[str, Envelope]", found)  # the store gives each Read back as its wire form


@pytest.fixture(scope="session")
def ec2_instances(cis_run: CisRun) -> dict[str, Envelope]:
    """EC2 instances that are not terminated, per selected region."""
    from .aws import collect_regional

    return regional(cis_run, "ec2_instances", collect_regional.ec2_instances)


@pytest.fixture(scope="session")
def cis_now() -> datetime:
    """The moment the audit judges ages against (timezone-aware, UTC)."""
    from datetime import datetime, timezone

    return datetime.now(timezone.utc)
