"""Fail closed on the credential report: whole audits against an account whose report moto writes
and a fault rewrites (a botocore after-call handler, faults.py), before the plugin reads it.

Each run audits section 1 of the compliant account (every check passes or is manual). A bad
cell, a row of the wrong width, a user created after the report, a date later than the report:
the recommendations that read the damaged part end in *error* naming the row and column; every
other recommendation is judged as before. Under any rewrite, none that reads it passes.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import pytest
from moto import mock_aws

import accounts_iam
import faults
from clients import client_maker
from faults import Fault, Injector
from test_faults import _no_backoff, audit  # noqa: F401  (_no_backoff: autouse fixture)

ACCOUNT = "123456789012"
ARN = f"arn:aws:iam::{ACCOUNT}"
OPERATION = "iam:GetCredentialReport"
SECTION = ("--cis-section=iam",)
US_ONLY = "--cis-regions=us-east-1"
# 1.21: every instance of the compliant account has a role; only a person can look inside them.
MANUAL = frozenset({"1.15", "1.19", "1.21"})
# Which recommendations read the credential report, and which of them judge every user.
ROOT_READERS = frozenset({"1.1", "1.12"})
USER_READERS = frozenset({"1.2", "1.3", "1.4", "1.23"})
READERS = ROOT_READERS | USER_READERS
# IAM allows commas in user names and paths; moto, like AWS, writes them unquoted.
COMMA_USER, COMMA_PATH = "ops,admin", "/team,a/"


@pytest.fixture(scope="module")
def account(_setup_clients: dict[tuple[str, str], Any]) -> Iterator[None]:
    """Section 1's compliant account, plus a compliant user whose row moto writes unquoted."""
    client = client_maker(_setup_clients)

    with mock_aws(), pytest.MonkeyPatch.context() as patch:
        accounts_iam.compliant(client, patch)
        client("iam").create_user(UserName=COMMA_USER, Path=COMMA_PATH)
        client("iam").create_access_key(UserName=COMMA_USER)
        # A key not used since its rotation fails 1.4 (audit step 8): this one is in use.
        accounts_iam.age_user(COMMA_USER, keys_last_used=[accounts_iam.days_ago(1)])
        yield


# -- rewriting the report ---------------------------------------------------------------------


@dataclass
class Report:
    """The report as text lines, edited by user name (the names edited here hold no comma)."""

    header: list[str]
    lines: list[str]
    generated: datetime
    said: list[str] = field(default_factory=list)

    def row(self, user: str) -> list[str]:
        line = next(line for line in self.lines if line.startswith(f"{user},"))
        return line.split(",")

    def cell(self, user: str, column: str) -> str:
        return self.row(user)[self.header.index(column)]

    def set(self, user: str, column: str, value: str) -> None:
        fields = self.row(user)
        fields[self.header.index(column)] = value
        self.replace(user, ",".join(fields))

    def replace(self, user: str, line: str | None) -> None:
        index = next(n for n, text in enumerate(self.lines) if text.startswith(f"{user},"))
        if line is None:
            del self.lines[index]
        else:
            self.lines[index] = line

    def text(self) -> str:
        return "\n".join([",".join(self.header), *self.lines]) + "\n"


def rewrite(edit: Callable[[Report], None]) -> Fault:
    """A fault that edits every GetCredentialReport answer in place, before the plugin sees it."""

    def damage(parsed: dict[str, Any]) -> bool:
        header, *lines = parsed["Content"].decode().splitlines()
        report = Report(next(csv.reader(io.StringIO(header))), lines, parsed["GeneratedTime"])
        edit(report)
        parsed["Content"] = report.text().encode()
        parsed["GeneratedTime"] = report.generated
        return True

    return Fault("rewritten", damage=damage)


def run(pytester: pytest.Pytester, edit: Callable[[Report], None] | None = None,
        *args: str) -> tuple[dict[str, str], pytest.RunResult]:
    injector = Injector(faults={OPERATION: rewrite(edit)} if edit else {})
    got, result = audit(pytester, injector, *SECTION, *args, regions=US_ONLY)
    output = result.stdout.str() + result.stderr.str()
    assert "INTERNALERROR" not in output and "Traceback" not in output, output
    assert len(got) == 24, output
    if edit:
        assert OPERATION in injector.hit  # the rewrite reached the report
    return got, result


def errors(got: dict[str, str]) -> set[str]:
    return {rec for rec, outcome in got.items() if outcome == "error"}


def assert_only(got: dict[str, str], erred: set[str] | frozenset[str]) -> None:
    """`erred` end in error; every other check is judged as on the sound account."""
    assert errors(got) == set(erred), got
    assert {rec: outcome for rec, outcome in got.items() if rec not in erred} == {
        rec: "manual" if rec in MANUAL else "passed" for rec in got if rec not in erred}


# -- the sound report ---------------------------------------------------------------------------


def test_the_sound_report_passes_and_its_time_is_shown(pytester: pytest.Pytester,
                                                       account: None) -> None:
    """Including the user whose name and path hold commas, unquoted: re-aligned, and judged."""
    got, result = run(pytester, None, "--cis-json=out.json", "--html=out.html")
    assert_only(got, set())
    result.stdout.fnmatch_lines(["credential report: generated 20??-??-?? ??:??:?? UTC, 0 min old "
                                 "when read"])
    import json

    facts = json.loads((pytester.path / "out.json").read_text())["credential_reports"][ACCOUNT]
    assert set(facts) == {"generated", "age_seconds"} and 0 <= facts["age_seconds"] < 60
    datetime.fromisoformat(facts["generated"])
    assert ">credential report: generated " in (pytester.path / "out.html").read_text()
    found = faults.findings(result)
    assert (f"{ARN}:user{COMMA_PATH}{COMMA_USER}", True) in {
        (f["resource"], f["compliant"]) for f in found["1.4"]}


# -- cells that do not hold what AWS documents -------------------------------------------------


@pytest.mark.parametrize(("user", "column", "value", "erred"), [
    # alice has a console password, MFA and an active key; deploy a key only
    ("alice", "mfa_active", "yes", {"1.2"}),
    ("alice", "password_enabled", "TRUE", {"1.2", "1.3", "1.23"}),
    ("alice", "access_key_1_active", "True", {"1.3", "1.4", "1.23"}),
    ("deploy", "access_key_1_last_rotated", "no_information", {"1.4"}),
    ("deploy", "access_key_1_last_used_date", "", {"1.3", "1.4"}),  # 1.4: used since rotation
    ("<root_account>", "password_last_used", "not_supported", {"1.1"}),
    ("<root_account>", "access_key_2_active", "", {"1.12"}),
    ("<root_account>", "mfa_active", "maybe", set()),  # 1.13/1.14 read the account summary
])
def test_a_bad_cell_errors_the_recommendations_that_read_it_naming_row_and_column(
    user: str, column: str, value: str, erred: set[str], pytester: pytest.Pytester,
    account: None,
) -> None:
    got, result = run(pytester, lambda report: report.set(user, column, value))
    assert_only(got, erred)
    for rec in erred:
        result.stdout.fnmatch_lines([f"  {rec}: *credential report row {user}, column {column}: "
                                     f"'{value}', expected *"])


@pytest.mark.parametrize(("user", "column", "erred"), [
    ("alice", "access_key_1_last_rotated", {"1.4"}),  # not "rotated today"
    ("deploy", "access_key_1_last_used_date", {"1.3", "1.4"}),  # not "in use"
    ("<root_account>", "password_last_used", {"1.1"}),  # not "root used today"
])
def test_a_date_later_than_the_report_is_an_error_not_a_recent_one(
    user: str, column: str, erred: set[str], pytester: pytest.Pytester, account: None,
) -> None:
    def later(report: Report) -> None:
        report.set(user, column, (report.generated + timedelta(days=1)).isoformat())

    got, result = run(pytester, later)
    assert_only(got, erred)
    result.stdout.fnmatch_lines([f"could not evaluate: *credential report row {user}, column "
                                 f"{column}: * is later than the report itself*"])


def test_a_report_generated_after_this_machines_clock_errors_every_reader(
    pytester: pytest.Pytester, account: None,
) -> None:
    def ahead(report: Report) -> None:
        report.generated += timedelta(hours=1)

    got, result = run(pytester, ahead)
    assert_only(got, READERS)
    result.stdout.fnmatch_lines(["*malformed report: the report was generated at *, later than "
                                 "this machine's clock*"])


# -- rows of the wrong width --------------------------------------------------------------------


def test_a_row_missing_a_field_is_not_realigned(pytester: pytest.Pytester,
                                                account: None) -> None:
    def shorter(report: Report) -> None:
        fields = report.row("alice")
        del fields[report.header.index("mfa_active")]  # the rest shift left, if read by place
        report.replace("alice", ",".join(fields))

    got, result = run(pytester, shorter)
    assert_only(got, USER_READERS)
    result.stdout.fnmatch_lines(["could not evaluate: *credential report row alice (line *), "
                                 "column password_enabled: the row has 21 fields where the "
                                 "header has 22*"])


def test_an_unquoted_comma_that_cannot_be_told_apart_is_an_error(pytester: pytest.Pytester,
                                                                 account: None) -> None:
    """The user column says "alice,x", the ARN names alice: which field is extra is unknown."""
    def comma(report: Report) -> None:
        report.replace("alice", "alice,x," + ",".join(report.row("alice")[1:]))

    got, result = run(pytester, comma)
    assert_only(got, USER_READERS)
    result.stdout.fnmatch_lines(["*23 fields where the header has 22 (they cannot be told "
                                 "apart)*"])


# -- freshness: users and rows that do not match ----------------------------------------------


def test_a_user_created_after_the_report_errors_the_checks_that_judge_users(
    pytester: pytest.Pytester, account: None,
) -> None:
    def before_deploy(report: Report) -> None:
        created = datetime.fromisoformat(report.cell("deploy", "user_creation_time"))
        report.generated = created - timedelta(minutes=1)
        report.replace("deploy", None)

    got, result = run(pytester, before_deploy)
    assert_only(got, USER_READERS)  # root's checks need no user's row
    result.stdout.fnmatch_lines([f"could not evaluate: {ARN}:user/deploy: credential report "
                                 "generated at * UTC, before user deploy was created at * UTC*"])


def test_a_user_without_a_row_is_an_error_even_in_a_fresh_report(pytester: pytest.Pytester,
                                                                 account: None) -> None:
    got, result = run(pytester, lambda report: report.replace("alice", None))
    assert_only(got, USER_READERS)
    result.stdout.fnmatch_lines([f"could not evaluate: {ARN}:user/alice: user alice (created * "
                                 "UTC) has no row in the credential report generated at *"])


def test_a_row_for_a_user_deleted_since_is_not_judged(pytester: pytest.Pytester,
                                                      account: None) -> None:
    """A former user with a console password, no MFA and an old key: it would fail four checks,
    but IAM no longer lists it. It is set apart, and said so."""
    def ghost(report: Report) -> None:
        fields = report.row("alice")
        old = (report.generated - timedelta(days=400)).isoformat()
        cells = {"user": "ghost", "arn": f"{ARN}:user/ghost", "mfa_active": "false",
                 "access_key_1_last_rotated": old, "access_key_1_last_used_date": old,
                 "password_last_used": old}
        for column, value in cells.items():
            fields[report.header.index(column)] = value
        report.lines.append(",".join(fields))

    got, result = run(pytester, ghost)
    assert_only(got, set())
    result.stdout.fnmatch_lines([f"credential report: 1 row(s) of users deleted since it was "
                                 f"generated, not judged: {ARN}:user/ghost"])


# -- the invariant ----------------------------------------------------------------------------


def test_every_documented_cell_garbled_at_once_passes_no_reader(pytester: pytest.Pytester,
                                                                account: None) -> None:
    """Every cell a check may read, in every row, not what AWS writes: every reader errors, and
    the recommendations that do not read the report are judged as before."""
    from pytest_cis_aws.credential_report import COLUMNS

    def garble(report: Report) -> None:
        for user in ("<root_account>", "alice", "deploy"):
            for column in COLUMNS:
                report.set(user, column, "garbled")

    got, _ = run(pytester, garble)
    assert_only(got, READERS)
