"""The IAM credential report, parsed strictly into typed rows.

Every cell a check reads is held to what AWS documents for its column: `true`/`false` for a flag;
an ISO 8601 date-time, or the placeholders AWS writes in that column (`N/A`, `no_information`),
for a date; `not_supported` only in the root row's password columns. A cell that holds anything
else, or a date later than the report itself, is kept as `Unreadable`: reading it raises
`BadCell`, naming the row and the column. So only the checks that read that column of that row
end in *error*, never read it as "no password" or "key inactive", and the rest are still judged.

The report is a cached snapshot (AWS reuses one for up to four hours): `reconcile` holds it
against the users IAM lists now, so a user created after it is an error, never a user with
nothing to judge.
"""

from __future__ import annotations

import csv
import io
import re
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any

from .errors import CouldNotEvaluate
from .text import printable

ROOT_USER = "<root_account>"
# Clocks differ a little: a date this much after the report's own time is still believable.
CLOCK_SKEW = timedelta(minutes=5)
# AWS hands out the same report for up to four hours; an older one was kept by someone else.
MAX_AGE = timedelta(hours=4)
# Nothing in an AWS account predates AWS itself: an earlier date is a placeholder, not a date.
EARLIEST = datetime(2006, 1, 1, tzinfo=timezone.utc)
# What AWS writes: 2014-09-01T22:28:48+00:00 (seconds, an offset or Z).
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,6})?(?:Z|[+-]\d{2}:\d{2})")
_ARN = re.compile(r"arn:[a-z][a-z-]*:iam::\d{12}:(?P<resource>root|user/.+)")


class MalformedReport(ValueError):
    """The report as a whole does not have the shape AWS documents."""


class BadCell(CouldNotEvaluate):
    """A cell a check read does not hold what AWS documents for its column."""

    def __init__(self, row: str, column: str, problem: str) -> None:
        self.row, self.column, self.problem = row, column, problem
        super().__init__(f"credential report row {row}, column {column}: {problem}")


@dataclass(frozen=True)
class Unreadable:
    """Stands in a row for a cell that failed its column's rules: reading it raises BadCell."""

    row: str
    column: str
    problem: str

    def error(self) -> BadCell:
        return BadCell(self.row, self.column, self.problem)


class _Cells:
    """A field holding `Unreadable` raises when read, so each check meets only the bad cells it
    reads itself (a fresh exception each time: none carries another check's traceback)."""

    def __getattribute__(self, name: str) -> Any:
        value = object.__getattribute__(self, name)
        if type(value) is Unreadable:
            raise value.error()
        return value


@dataclass(frozen=True)
class When:
    """A date column: a datetime, or the placeholder AWS wrote instead."""

    at: datetime | None
    raw: str

    @property
    def known(self) -> bool:
        return self.at is not None

    def __str__(self) -> str:
        return self.at.date().isoformat() if self.at else self.raw or "N/A"


@dataclass(frozen=True, eq=False, repr=False)
class AccessKey(_Cells):
    slot: int
    active: bool
    last_rotated: When
    last_used: When

    def __repr__(self) -> str:
        return f"AccessKey(slot={self.slot})"

    @property
    def part(self) -> str:
        """The key's name as part of its user, for findings (the report has no key ids)."""
        return f"access key {self.slot}"


@dataclass(frozen=True, eq=False, repr=False)
class CredentialRow(_Cells):
    user: str
    arn: str
    created: When
    password_enabled: bool | None  # None: not_supported (the root row)
    password_last_used: When
    password_last_changed: When
    mfa_active: bool
    access_keys: tuple[AccessKey, ...]
    line: int = 0  # in the report, counting the header as line 1
    malformed: str | None = None  # why the row as a whole cannot be trusted

    @property
    def is_root(self) -> bool:
        return self.user == ROOT_USER

    @property
    def active_keys(self) -> tuple[AccessKey, ...]:
        return tuple(key for key in self.access_keys if key.active)

    @property
    def ref(self) -> str:
        """What a finding about this row names: its ARN, or its line when it has none."""
        return self.arn or f"credential report line {self.line}"

    def __repr__(self) -> str:
        return f"CredentialRow({self.user!r}, {self.arn!r})"


@dataclass(frozen=True)
class MissingRow:
    """A user IAM lists that the report has no row for: the checks that judge users error."""

    arn: str
    reason: str


@dataclass(frozen=True)
class CredentialReport:
    generated: datetime | None
    root: CredentialRow | None
    users: tuple[CredentialRow, ...]
    # Set by `reconcile`: listed users without a row, and rows of users no longer listed.
    missing: tuple[MissingRow, ...] = ()
    unlisted: tuple[CredentialRow, ...] = ()

    def age(self, now: datetime) -> timedelta | None:
        return now - self.generated if self.generated else None


# -- what each column may hold ------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    kind: str  # "flag" (true/false) or "date" (ISO 8601 date-time)
    placeholders: frozenset[str] = frozenset()  # what a user row may hold instead
    root: frozenset[str] | None = None  # what the root row holds, when AWS fixes it


_NOT_SUPPORTED = frozenset({"not_supported"})
COLUMNS: dict[str, Column] = {
    "user_creation_time": Column("date"),
    "password_enabled": Column("flag", root=_NOT_SUPPORTED),
    # no_information: never used, or not since IAM began tracking it (October 2014).
    "password_last_used": Column("date", frozenset({"N/A", "no_information"})),
    "password_last_changed": Column("date", frozenset({"N/A"}), root=_NOT_SUPPORTED),
    "mfa_active": Column("flag"),
    **{name: spec for n in (1, 2) for name, spec in (
        (f"access_key_{n}_active", Column("flag")),
        (f"access_key_{n}_last_rotated", Column("date", frozenset({"N/A"}))),
        # N/A: no key, never used, or not since IAM began tracking it (April 2015).
        (f"access_key_{n}_last_used_date", Column("date", frozenset({"N/A"}))),
    )},
}
REQUIRED_COLUMNS = ("user", "arn", *COLUMNS)


def _show(raw: str) -> str:
    return f"'{printable(raw, 40)}'"


def parse_cell(row: str, column: str, raw: str, *, root: bool = False,
               latest: datetime | None = None) -> Any:
    """The typed value of one cell, or `Unreadable` saying what is wrong with it."""
    spec = COLUMNS[column]
    fixed = spec.root if root else None
    allowed = fixed if fixed is not None else spec.placeholders
    if raw in allowed:
        return When(None, raw) if spec.kind == "date" else None
    if fixed is not None:
        return Unreadable(row, column, f"{_show(raw)}, where AWS always writes "
                                       f"{' or '.join(sorted(fixed))} for the root user")
    if spec.kind == "flag":
        if raw in ("true", "false"):
            return raw == "true"
        return Unreadable(row, column, f"{_show(raw)}, expected true or false")
    return _date(row, column, raw, allowed, latest)


def _date(row: str, column: str, raw: str, placeholders: frozenset[str],
          latest: datetime | None) -> When | Unreadable:
    expected = " or ".join(["an ISO 8601 date-time", *sorted(placeholders)])
    try:
        if not _DATE.fullmatch(raw):
            raise ValueError(raw)
        at = datetime.fromisoformat(raw.replace("Z", "+00:00")).astimezone(timezone.utc)
    except ValueError:
        return Unreadable(row, column, f"{_show(raw)}, expected {expected}")
    if at < EARLIEST:
        return Unreadable(row, column, f"{raw} is before AWS existed: a placeholder, not a date")
    if latest is not None and at > latest:
        return Unreadable(row, column, f"{raw} is later than the report itself "
                                       f"({_stamp(latest - CLOCK_SKEW)}): a clock or data error")
    return When(at, raw)


def _stamp(at: datetime) -> str:
    return f"{at:%Y-%m-%d %H:%M:%S} UTC"


# -- rows ---------------------------------------------------------------------------------------


def _align(header: list[str], fields: list[str]) -> tuple[list[str] | None, str | None]:
    """The row's fields one per column, or why they cannot be.

    AWS does not quote the report's fields, and IAM allows commas in user names (and paths), so
    such a row has more fields than the header. Its user and ARN are the fields before the
    constant tail; the ARN is the only field there starting with "arn:" (IAM names cannot hold a
    colon) and must end with the user name: then the split is certain. Anything else is refused.
    """
    if len(fields) == len(header):
        return fields, None
    said = f"{len(fields)} fields where the header has {len(header)}"
    if len(fields) < len(header) or header[:2] != ["user", "arn"]:
        return None, said
    tail = len(header) - 2
    head, rest = fields[:-tail], fields[-tail:]
    starts = [n for n, text in enumerate(head) if text.startswith("arn:")]
    if len(starts) == 1 and starts[0] > 0:
        user, arn = ",".join(head[:starts[0]]), ",".join(head[starts[0]:])
        if arn.endswith(f"/{user}") and _ARN.fullmatch(arn):
            return [user, arn, *rest], None
    return None, said + " (they cannot be told apart)"


def _identity_problem(user: str, arn: str) -> str | None:
    match = _ARN.fullmatch(arn)
    if match is None:
        return f"its arn column holds {_show(arn)}, not an IAM ARN"
    resource = match["resource"]
    if (user == ROOT_USER) != (resource == "root"):
        whom = "the root user" if user == ROOT_USER else "a user"
        return f"its arn {_show(arn)} does not name {whom}"
    if user != ROOT_USER and resource.rsplit("/", 1)[-1] != user:
        return f"its arn {_show(arn)} names another user than {_show(user)}"
    return None


def _broken_row(user: str, arn: str, line: int, problem: str) -> CredentialRow:
    """A row none of whose cells can be trusted: every check that reads it errors."""
    label = f"{user or '?'} (line {line})"

    def bad(column: str) -> Any:
        return Unreadable(label, column, problem)

    return _row_of(user, arn, line, bad, malformed=problem)


def _row_of(user: str, arn: str, line: int, cell: Callable[[str], Any],
            **extra: Any) -> CredentialRow:
    """The row whose columns `cell` gives, by column name (parsed, or unreadable)."""
    keys = tuple(AccessKey(n, cell(f"access_key_{n}_active"), cell(f"access_key_{n}_last_rotated"),
                           cell(f"access_key_{n}_last_used_date")) for n in (1, 2))
    return CredentialRow(user=user, arn=arn, created=cell("user_creation_time"),
                         password_enabled=cell("password_enabled"),
                         password_last_used=cell("password_last_used"),
                         password_last_changed=cell("password_last_changed"),
                         mfa_active=cell("mfa_active"), access_keys=keys, line=line, **extra)


def parse_row(header: list[str], fields: list[str], line: int,
              latest: datetime | None = None) -> CredentialRow:
    aligned, problem = _align(header, fields)
    if aligned is None:
        arn = next((text for text in fields if text.startswith("arn:")), "")
        return _broken_row(fields[0] if fields else "", arn, line, f"the row has {problem}")
    row = dict(zip(header, aligned))
    user, arn = row["user"], row["arn"]
    if (problem := _identity_problem(user, arn)) is not None:
        return _broken_row(user, "" if _ARN.fullmatch(arn) is None else arn, line,
                           f"the row cannot be matched to a user: {problem}")
    root = user == ROOT_USER

    def cell(column: str) -> Any:
        return parse_cell(user, column, row[column], root=root, latest=latest)

    return _row_of(user, arn, line, cell)


def _without_duplicates(rows: list[CredentialRow]) -> list[CredentialRow]:
    """Two rows for one user (or two root rows) cannot both be right: neither is believed."""

    def key(row: CredentialRow) -> str:
        return ROOT_USER if row.is_root else row.arn

    seen = Counter(key(row) for row in rows if key(row))
    return [_broken_row(row.user, row.arn, row.line,
                        f"the report has {seen[key(row)]} rows for this user")
            if key(row) and seen[key(row)] > 1 else row
            for row in rows]


# -- the report ---------------------------------------------------------------------------------


def parse(content: str, generated: datetime | None = None,
          now: datetime | None = None) -> CredentialReport:
    """The report's rows, typed. A date later than `generated` (or `now` when the report's time
    is unknown), beyond CLOCK_SKEW, is unreadable: nothing happens after the report is made."""
    try:
        lines = [fields for fields in csv.reader(io.StringIO(content), strict=True) if fields]
    except csv.Error as exc:
        raise MalformedReport(f"not a readable CSV ({exc})") from None
    if not lines:
        raise MalformedReport("the credential report is empty")
    header = lines[0]
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    if missing:
        raise MalformedReport(f"credential report lacks columns: {', '.join(missing)}")
    twice = sorted(c for c, n in Counter(header).items() if n > 1)
    if twice:
        raise MalformedReport(f"credential report has columns twice: {', '.join(twice)}")
    reference = generated or now
    latest = reference + CLOCK_SKEW if reference is not None else None
    rows = _without_duplicates([parse_row(header, fields, line, latest)
                                for line, fields in enumerate(lines[1:], start=2)])
    root = next((row for row in rows if row.is_root), None)
    return CredentialReport(generated=generated, root=root,
                            users=tuple(row for row in rows if not row.is_root))


def read(raw: Mapping[str, Any], now: datetime) -> CredentialReport:
    """The report as the collector stored it ({"content", "generated"}), checked for freshness:
    it must say when it was made, and not later than this machine's clock allows."""
    generated = raw.get("generated")
    if not isinstance(generated, datetime):
        raise MalformedReport("the answer does not say when the report was generated "
                              "(GeneratedTime)")
    if generated.tzinfo is None:
        generated = generated.replace(tzinfo=timezone.utc)
    generated = generated.astimezone(timezone.utc)
    if generated > now + CLOCK_SKEW:
        raise MalformedReport(
            f"the report was generated at {_stamp(generated)}, later than this machine's clock "
            f"({_stamp(now)}): ages would be misjudged, check the clock")
    content = raw["content"]
    if not isinstance(content, str):
        raise MalformedReport(f"its content is {type(content).__name__}, not text")
    return parse(content, generated, now)


def _created(user: Mapping[str, Any]) -> datetime | None:
    created = user.get("CreateDate")
    if not isinstance(created, datetime):
        return None
    return created if created.tzinfo else created.replace(tzinfo=timezone.utc)


def reconcile(report: CredentialReport, listed: Iterable[Mapping[str, Any]]) -> CredentialReport:
    """The report held against the users IAM lists now (GetAccountAuthorizationDetails).

    A listed user with no row, or created after the report (its row, if any, is of an earlier
    user of that name), is `missing`: the checks that judge users end in error for it. A row of
    a user no longer listed was deleted after the report: it is set apart (`unlisted`), not
    judged. A row that cannot be matched to anyone stays, so its own error is seen.
    """
    when = _stamp(report.generated) if report.generated else "an unknown time"
    people = list(listed)
    arns = {str(user["Arn"]) for user in people}
    rows: dict[str, list[CredentialRow]] = {}
    for row in report.users:
        rows.setdefault(row.arn, []).append(row)
    users: list[CredentialRow] = []
    missing: list[MissingRow] = []
    earlier: list[CredentialRow] = []
    for user in people:
        arn, name, created = str(user["Arn"]), str(user.get("UserName", "?")), _created(user)
        found = rows.get(arn, [])
        # AWS states GeneratedTime to the second: a user made within that second is in it.
        if (created is not None and report.generated is not None
                and created > report.generated + timedelta(seconds=1)):
            missing.append(MissingRow(arn, f"credential report generated at {when}, before user "
                                           f"{name} was created at {_stamp(created)}"))
            earlier += found  # a row under that name was an earlier user's
        elif not found:
            made = f" (created {_stamp(created)})" if created else ""
            missing.append(MissingRow(arn, f"user {name}{made} has no row in the credential "
                                           f"report generated at {when}"))
        else:
            users += found
    others = [row for row in report.users if row.arn not in arns]
    users += [row for row in others if row.malformed]
    return CredentialReport(
        generated=report.generated, root=report.root, users=tuple(users), missing=tuple(missing),
        unlisted=tuple(earlier) + tuple(row for row in others if not row.malformed))
