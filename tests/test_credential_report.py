"""Parsing the credential report strictly: every cell held to what AWS documents for its column,
a bad one poisoning only the checks that read it; rows of the wrong width; freshness."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest

from pytest_cis_aws import credential_report as cr
from pytest_cis_aws.findings import Finding
from pytest_cis_aws.rules import iam

ACCOUNT = "123456789012"
COLUMNS = [
    "user", "arn", "user_creation_time", "password_enabled", "password_last_used",
    "password_last_changed", "password_next_rotation", "mfa_active",
    *(f"access_key_{n}_{what}" for n in (1, 2) for what in (
        "active", "last_rotated", "last_used_date", "last_used_region", "last_used_service")),
    "cert_1_active", "cert_1_last_rotated", "cert_2_active", "cert_2_last_rotated",
]
HEADER = ",".join(COLUMNS)
GENERATED = datetime(2026, 6, 1, 12, 0, tzinfo=timezone.utc)
NOW = GENERATED + timedelta(minutes=30)


def ago(days: float) -> str:
    return (GENERATED - timedelta(days=days)).strftime("%Y-%m-%dT%H:%M:%S+00:00")


def fields(user: str, **cells: str) -> dict[str, str]:
    """A row as AWS writes it: a user with nothing, unless `cells` say otherwise."""
    arn = (f"arn:aws:iam::{ACCOUNT}:root" if user == cr.ROOT_USER
           else f"arn:aws:iam::{ACCOUNT}:user/{user}")
    row = dict.fromkeys(COLUMNS, "N/A")
    row.update(user=user, arn=arn, user_creation_time=ago(400), password_enabled="false",
               mfa_active="false", access_key_1_active="false", access_key_2_active="false",
               cert_1_active="false", cert_2_active="false")
    if user == cr.ROOT_USER:
        row.update(password_enabled="not_supported", password_last_changed="not_supported",
                   password_next_rotation="not_supported")
    row.update(cells)
    return row


# Rows that lead every rule down each of its paths (see READERS).
ROOT = fields(cr.ROOT_USER, password_last_used=ago(40), mfa_active="true")
ALICE = fields("alice", password_enabled="true", password_last_used=ago(2),
               password_last_changed=ago(300), mfa_active="true", access_key_1_active="true",
               access_key_1_last_rotated=ago(30), access_key_1_last_used_date=ago(1))
BOB = fields("bob", password_enabled="true", password_last_used="no_information",
             mfa_active="true", access_key_1_active="true", access_key_1_last_rotated=ago(10))


def csv_text(*rows: dict[str, str]) -> str:
    return "\n".join([HEADER, *(",".join(row[c] for c in COLUMNS) for row in rows)]) + "\n"


def parse(*rows: dict[str, str]) -> cr.CredentialReport:
    return cr.parse(csv_text(*rows), GENERATED, NOW)


def user(report: cr.CredentialReport, name: str) -> cr.CredentialRow:
    return next(row for row in report.users if row.user == name)


# -- rows and placeholders ---------------------------------------------------------------------


def test_root_row_is_kept_apart_from_users() -> None:
    report = parse(ROOT, ALICE)
    assert report.root is not None and report.root.is_root
    assert [u.user for u in report.users] == ["alice"]
    assert report.root.password_enabled is None  # not_supported


def test_placeholders_are_not_dates() -> None:
    bob = user(parse(BOB), "bob")
    assert bob.password_last_used.at is None and bob.password_last_used.raw == "no_information"
    assert bob.access_keys[0].last_used.raw == "N/A"
    assert bob.access_keys[0].last_rotated.at == GENERATED - timedelta(days=10)
    assert [k.slot for k in bob.active_keys] == [1]


def test_dates_are_timezone_aware_utc() -> None:
    row = fields("carol", user_creation_time="2020-01-01T02:00:00+02:00")
    assert user(parse(row), "carol").created.at == datetime(2020, 1, 1, tzinfo=timezone.utc)
    zulu = fields("dave", user_creation_time="2020-01-01T00:00:00Z")
    assert user(parse(zulu), "dave").created.at == datetime(2020, 1, 1, tzinfo=timezone.utc)


def test_missing_root_row_is_none() -> None:
    assert parse(ALICE).root is None


@pytest.mark.parametrize(("content", "said"), [
    ("user,arn\nalice,arn:aws:iam::1:user/alice", r"lacks columns: .*mfa_active"),
    (HEADER + ",mfa_active\n", "columns twice: mfa_active"),
    ("", "empty"),
    (HEADER + '\nalice,"arn:aws:iam::1:user/alice"x,\n', "not a readable CSV"),
])
def test_a_report_without_the_documented_shape_is_malformed(content: str, said: str) -> None:
    with pytest.raises(cr.MalformedReport, match=said):
        cr.parse(content, GENERATED, NOW)


# -- cells that do not hold what AWS documents -------------------------------------------------


def _read(column: str) -> Callable[[cr.CredentialRow], Any]:
    if column.startswith("access_key_"):
        slot, attr = int(column[11]), column[13:]
        name = {"active": "active", "last_rotated": "last_rotated",
                "last_used_date": "last_used"}[attr]
        return lambda row: getattr(row.access_keys[slot - 1], name)
    name = {"user_creation_time": "created"}.get(column, column)
    return lambda row: getattr(row, name)


@pytest.mark.parametrize(("row", "column", "value", "said"), [
    (ALICE, "mfa_active", "yes", "'yes', expected true or false"),
    (ALICE, "mfa_active", "TRUE", "'TRUE', expected true or false"),
    (ALICE, "mfa_active", "", "'', expected true or false"),
    (ALICE, "access_key_1_active", "False", "expected true or false"),
    (ALICE, "password_enabled", "not_supported", "expected true or false"),  # a user, not root
    (ALICE, "password_enabled", "N/A", "expected true or false"),
    (ALICE, "access_key_1_last_rotated", "yesterday", "expected an ISO 8601 date-time or N/A"),
    (ALICE, "access_key_1_last_rotated", "no_information", "expected an ISO 8601"),
    (ALICE, "access_key_1_last_used_date", "2026-05-01", "expected an ISO 8601"),
    (ALICE, "access_key_1_last_used_date", "2026-05-01T00:00:00", "expected an ISO 8601"),
    (ALICE, "access_key_1_last_used_date", "2026-13-01T00:00:00+00:00", "expected an ISO 8601"),
    (ALICE, "password_last_used", "not_supported",
     "expected an ISO 8601 date-time or N/A or no_information"),
    (ALICE, "user_creation_time", "N/A", "'N/A', expected an ISO 8601 date-time"),
    (ALICE, "password_last_changed", "1970-01-01T00:00:00+00:00", "before AWS existed"),
    (ROOT, "password_enabled", "true", "AWS always writes not_supported for the root user"),
    (ROOT, "password_last_changed", ago(3), "always writes not_supported"),
    (ROOT, "password_last_used", "not_supported", "expected an ISO 8601"),
])
def test_a_bad_cell_raises_when_read_naming_row_and_column(
    row: dict[str, str], column: str, value: str, said: str,
) -> None:
    report = parse({**row, column: value})
    parsed = report.root if row is ROOT else report.users[0]
    assert parsed is not None
    with pytest.raises(cr.BadCell) as caught:
        _read(column)(parsed)
    assert caught.value.column == column and caught.value.row == row["user"]
    assert f"credential report row {row['user']}, column {column}: " in str(caught.value)
    assert said in str(caught.value)
    for other in set(cr.COLUMNS) - {column}:  # the row's other cells are still read
        _read(other)(parsed)


def test_a_date_later_than_the_report_is_unreadable_beyond_the_clock_skew() -> None:
    late = (GENERATED + cr.CLOCK_SKEW + timedelta(seconds=1)).isoformat()
    within = (GENERATED + cr.CLOCK_SKEW - timedelta(seconds=1)).isoformat()
    report = parse({**ALICE, "access_key_1_last_rotated": late,
                    "access_key_1_last_used_date": within})
    key = report.users[0].access_keys[0]
    assert key.last_used.at is not None
    with pytest.raises(cr.BadCell, match="later than the report itself"):
        key.last_rotated  # noqa: B018


def test_without_the_report_time_dates_are_held_against_now() -> None:
    late = (NOW + timedelta(hours=1)).isoformat()
    report = cr.parse(csv_text({**ALICE, "password_last_used": late}), None, NOW)
    with pytest.raises(cr.BadCell, match="later than the report itself"):
        report.users[0].password_last_used  # noqa: B018


# -- rows of the wrong width ---------------------------------------------------------------------


def test_a_user_name_with_commas_written_unquoted_is_realigned() -> None:
    """IAM allows commas in user names (and paths); AWS and moto write them unquoted."""
    name, arn = "ops,admin", f"arn:aws:iam::{ACCOUNT}:user/team,a/ops,admin"
    line = ",".join({**ALICE, "user": name, "arn": arn}[c] for c in COLUMNS)
    report = cr.parse(f"{HEADER}\n{line}\n", GENERATED, NOW)
    (row,) = report.users
    assert (row.user, row.arn, row.malformed) == (name, arn, None)
    assert row.mfa_active is True and row.access_keys[0].active is True


def test_a_quoted_user_name_with_commas_is_read_as_written() -> None:
    name = "ops,admin"
    cells = {**ALICE, "user": f'"{name}"', "arn": f'"arn:aws:iam::{ACCOUNT}:user/{name}"'}
    report = cr.parse(HEADER + "\n" + ",".join(cells[c] for c in COLUMNS), GENERATED, NOW)
    assert report.users[0].user == name and report.users[0].malformed is None


@pytest.mark.parametrize(("line", "said"), [
    # a field lost: nothing says which
    (",".join(ALICE[c] for c in COLUMNS if c != "mfa_active"),
     "21 fields where the header has 22"),
    # one too many, and no user name to explain it
    (",".join(ALICE[c] for c in COLUMNS) + ",true",
     "23 fields where the header has 22 (they cannot be told apart)"),
    # a comma in the name, but the ARN names someone else
    (",".join({**ALICE, "user": "ops,admin"}[c] for c in COLUMNS),
     "23 fields where the header has 22 (they cannot be told apart)"),
])
def test_a_row_of_the_wrong_width_is_never_realigned_by_guess(line: str, said: str) -> None:
    report = cr.parse(f"{HEADER}\n{line}\n", GENERATED, NOW)
    (row,) = report.users
    assert row.malformed is not None and said in row.malformed
    assert row.ref.startswith("arn:aws:iam::") or row.ref == "credential report line 2"
    for column in cr.COLUMNS:  # no cell of it is believed
        with pytest.raises(cr.BadCell, match=f"row {row.user or '[?]'} \\(line 2\\), column "
                                             f"{column}: the row has {said[:2]}"):
            _read(column)(row)


@pytest.mark.parametrize(("cells", "said"), [
    ({"arn": f"arn:aws:iam::{ACCOUNT}:user/mallory"}, "names another user than 'alice'"),
    ({"arn": "alice"}, "not an IAM ARN"),
    ({"arn": f"arn:aws:iam::{ACCOUNT}:root"}, "does not name a user"),
    ({"user": cr.ROOT_USER}, "does not name the root user"),
])
def test_a_row_whose_arn_does_not_name_its_user_is_not_believed(
    cells: dict[str, str], said: str,
) -> None:
    report = parse({**ALICE, **cells})
    row = report.root or report.users[0]
    assert row.malformed is not None and said in row.malformed
    with pytest.raises(cr.BadCell, match="cannot be matched to a user"):
        row.mfa_active  # noqa: B018


def test_two_rows_for_one_user_are_neither_believed() -> None:
    report = parse(ROOT, ALICE, {**ALICE, "mfa_active": "false"}, BOB, ROOT)
    alice = [row for row in report.users if row.user == "alice"]
    assert len(alice) == 2 and all("2 rows for this user" in str(r.malformed) for r in alice)
    assert user(report, "bob").malformed is None
    assert report.root is not None and report.root.malformed is not None


# -- freshness -----------------------------------------------------------------------------------


def test_read_needs_the_time_the_report_was_generated() -> None:
    with pytest.raises(cr.MalformedReport, match="GeneratedTime"):
        cr.read({"content": csv_text(ALICE), "generated": None}, NOW)
    with pytest.raises(cr.MalformedReport, match="GeneratedTime"):
        cr.read({"content": csv_text(ALICE), "generated": GENERATED.isoformat()}, NOW)
    report = cr.read({"content": csv_text(ALICE), "generated": GENERATED}, NOW)
    assert report.generated == GENERATED and report.age(NOW) == timedelta(minutes=30)


def test_a_report_generated_after_this_machines_clock_is_refused() -> None:
    """Ages are judged against the local clock: one running behind would pass old keys."""
    with pytest.raises(cr.MalformedReport, match="later than this machine's clock"):
        cr.read({"content": csv_text(ALICE), "generated": NOW + timedelta(hours=1)}, NOW)
    skewed = NOW + cr.CLOCK_SKEW - timedelta(seconds=1)
    assert cr.read({"content": csv_text(ALICE), "generated": skewed}, NOW).generated == skewed


def listed(name: str, created: datetime, path: str = "/") -> dict[str, Any]:
    return {"UserName": name, "Arn": f"arn:aws:iam::{ACCOUNT}:user{path}{name}",
            "CreateDate": created}


def test_a_user_created_after_the_report_is_missing_not_judged() -> None:
    report = cr.reconcile(parse(ROOT, ALICE), [
        listed("alice", GENERATED - timedelta(days=400)),
        listed("newbie", GENERATED + timedelta(minutes=20)),
    ])
    assert [row.user for row in report.users] == ["alice"]
    (missing,) = report.missing
    assert missing.arn.endswith(":user/newbie")
    assert missing.reason == ("credential report generated at 2026-06-01 12:00:00 UTC, before "
                              "user newbie was created at 2026-06-01 12:20:00 UTC")


def test_a_user_without_a_row_created_before_the_report_is_missing_too() -> None:
    report = cr.reconcile(parse(ALICE), [listed("alice", GENERATED - timedelta(days=9)),
                                         listed("ghost", GENERATED - timedelta(days=1))])
    assert [m.reason for m in report.missing] == [
        "user ghost (created 2026-05-31 12:00:00 UTC) has no row in the credential report "
        "generated at 2026-06-01 12:00:00 UTC"]


def test_a_row_of_a_user_recreated_after_the_report_is_an_earlier_users() -> None:
    report = cr.reconcile(parse(ALICE), [listed("alice", GENERATED + timedelta(hours=1))])
    assert report.users == () and len(report.missing) == 1
    assert [row.user for row in report.unlisted] == ["alice"]


def test_rows_of_users_deleted_since_are_set_apart() -> None:
    report = cr.reconcile(parse(ROOT, ALICE, BOB), [listed("alice", GENERATED)])
    assert [row.user for row in report.users] == ["alice"]
    assert [row.user for row in report.unlisted] == ["bob"] and report.missing == ()
    assert report.root is not None


def test_a_row_that_matches_nobody_stays_so_its_error_is_seen() -> None:
    broken = ",".join(ALICE[c] for c in COLUMNS if c != "mfa_active")
    report = cr.reconcile(cr.parse(f"{HEADER}\n{broken}\n", GENERATED, NOW), [])
    assert [row.malformed is not None for row in report.users] == [True]


def test_a_user_listed_under_a_path_matches_its_row_by_arn() -> None:
    row = {**ALICE, "arn": f"arn:aws:iam::{ACCOUNT}:user/staff/alice"}
    report = cr.reconcile(parse(row), [listed("alice", GENERATED, "/staff/")])
    assert [r.user for r in report.users] == ["alice"] and report.missing == ()


# -- which recommendation reads which column ----------------------------------------------------

RULES: dict[str, Callable[[cr.CredentialReport], list[Finding]]] = {
    "1.1": lambda report: iam.root_recently_used(report, NOW, 1),
    "1.2": iam.console_users_without_mfa,
    "1.3": lambda report: iam.unused_credentials(report, NOW),
    "1.4": lambda report: iam.keys_not_rotated(report, NOW),
    "1.12": iam.root_access_keys,
    "1.23": iam.console_users_with_unused_keys,
}
# (row, column) -> the recommendations that read it, for the rows above: reading a column that
# does not decide the verdict (a date quoted in a message) must not make it an error.
READERS: dict[tuple[str, str], set[str]] = {
    ("alice", "password_enabled"): {"1.2", "1.3", "1.23"},
    ("alice", "mfa_active"): {"1.2"},
    ("alice", "password_last_used"): {"1.3"},
    ("alice", "password_last_changed"): set(),  # password used: its set date is not needed
    ("alice", "user_creation_time"): set(),
    ("alice", "access_key_1_active"): {"1.3", "1.4", "1.23"},
    ("alice", "access_key_1_last_rotated"): {"1.4"},  # 1.23 quotes it only for a key never used
    ("alice", "access_key_1_last_used_date"): {"1.3", "1.4", "1.23"},  # 1.4: used since rotation
    ("alice", "access_key_2_active"): {"1.3", "1.4", "1.23"},
    # key 2 inactive: 1.23 reads its creation date to tell an unused key from an empty slot
    ("alice", "access_key_2_last_rotated"): {"1.23"},
    ("alice", "access_key_2_last_used_date"): set(),
    ("bob", "password_last_changed"): {"1.3"},  # never used: judged by when it was set...
    ("bob", "user_creation_time"): {"1.3"},  # ...or, with no set date, by the user's creation
    ("bob", "access_key_1_last_rotated"): {"1.3", "1.4"},  # never used: judged by its creation
    ("bob", "access_key_1_last_used_date"): {"1.3", "1.4", "1.23"},
    (cr.ROOT_USER, "password_last_used"): {"1.1"},
    (cr.ROOT_USER, "access_key_1_last_used_date"): {"1.1"},
    (cr.ROOT_USER, "access_key_2_last_used_date"): {"1.1"},
    (cr.ROOT_USER, "access_key_1_active"): {"1.12"},
    (cr.ROOT_USER, "access_key_2_active"): {"1.12"},
    (cr.ROOT_USER, "access_key_1_last_rotated"): set(),
    (cr.ROOT_USER, "mfa_active"): set(),  # 1.13 and 1.14 read the account summary
    (cr.ROOT_USER, "password_enabled"): set(),
    (cr.ROOT_USER, "user_creation_time"): set(),
}


def verdicts(report: cr.CredentialReport) -> dict[str, list[Finding]]:
    return {rec: rule(report) for rec, rule in RULES.items()}


def test_every_rule_decides_the_sound_report() -> None:
    got = verdicts(parse(ROOT, ALICE, BOB))
    assert all(f.compliant is not None for findings in got.values() for f in findings), got


@pytest.mark.parametrize(("who", "column"), list(READERS))
def test_a_bad_cell_errors_exactly_the_recommendations_that_read_it(who: str,
                                                                    column: str) -> None:
    rows = {row["user"]: row for row in (ROOT, ALICE, BOB)}
    rows[who] = {**rows[who], column: "garbage"}
    sound, damaged = verdicts(parse(ROOT, ALICE, BOB)), verdicts(parse(*rows.values()))
    erred = {rec for rec, findings in damaged.items()
             if any(f.compliant is None for f in findings)}
    assert erred == READERS[(who, column)]
    arn = rows[who]["arn"]
    for rec in erred:
        (unknown,) = [f for f in damaged[rec] if f.compliant is None]
        assert unknown.resource == arn
        assert unknown.reason.startswith(
            f"credential report row {who}, column {column}: 'garbage', expected "), unknown
        # Every other row is judged as before; so is the row's other credential (1.3, 1.4).
        judged = [f for f in damaged[rec] if f.compliant is not None]
        assert all(f in sound[rec] for f in judged), rec
        assert all(f in judged for f in sound[rec] if f.resource != arn), rec
    for rec in set(RULES) - erred:  # a message may quote the cell; the verdicts stand
        assert verdict(damaged[rec]) == verdict(sound[rec]), rec


def verdict(findings: list[Finding]) -> list[tuple[str, bool | None]]:
    return [(f.resource, f.compliant) for f in findings]


def test_a_known_failure_is_reported_beside_an_unreadable_cell() -> None:
    """Root used yesterday fails 1.1 even though its key columns cannot be read."""
    root = {**ROOT, "password_last_used": ago(0.5), "access_key_1_last_used_date": "soon"}
    (finding,) = iam.root_recently_used(parse(root), NOW, 1)
    assert finding.compliant is False


def test_users_without_a_row_error_the_checks_that_judge_users_only() -> None:
    report = cr.reconcile(parse(ROOT, ALICE, BOB), [
        listed("alice", GENERATED), listed("bob", GENERATED),
        listed("newbie", GENERATED + timedelta(minutes=3))])
    sound, got = verdicts(parse(ROOT, ALICE, BOB)), verdicts(report)
    for rec in ("1.2", "1.3", "1.4", "1.23"):
        unknown = [f for f in got[rec] if f.compliant is None]
        assert [f.resource for f in unknown] == [f"arn:aws:iam::{ACCOUNT}:user/newbie"], rec
        assert "before user newbie was created" in unknown[0].reason
    assert got["1.1"] == sound["1.1"] and got["1.12"] == sound["1.12"]
