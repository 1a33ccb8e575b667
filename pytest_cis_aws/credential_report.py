"""The IAM credential report, parsed into typed rows.

The report is a CSV in which a date column may also hold a sentinel: `N/A` (no such credential,
or never used), `no_information` (password never used, or not since October 2014) and
`not_supported` (the root row has no console password setting). They are kept as such, never
mistaken for dates, and the `<root_account>` row is kept apart from the users.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import datetime, timezone

ROOT_USER = "<root_account>"
SENTINELS = frozenset({"N/A", "no_information", "not_supported", ""})


class MalformedReport(ValueError):
    """The report does not have the shape AWS documents."""


@dataclass(frozen=True)
class When:
    """A date column: a datetime, or the sentinel AWS wrote instead."""

    at: datetime | None
    raw: str

    @property
    def known(self) -> bool:
        return self.at is not None

    def __str__(self) -> str:
        return self.at.date().isoformat() if self.at else self.raw or "N/A"


@dataclass(frozen=True)
class AccessKey:
    slot: int
    active: bool
    last_rotated: When
    last_used: When


@dataclass(frozen=True)
class CredentialRow:
    user: str
    arn: str
    created: When
    password_enabled: bool | None  # None: not_supported (the root row)
    password_last_used: When
    password_last_changed: When
    mfa_active: bool
    access_keys: tuple[AccessKey, ...]

    @property
    def is_root(self) -> bool:
        return self.user == ROOT_USER

    @property
    def active_keys(self) -> tuple[AccessKey, ...]:
        return tuple(key for key in self.access_keys if key.active)


@dataclass(frozen=True)
class CredentialReport:
    generated: datetime | None
    root: CredentialRow | None
    users: tuple[CredentialRow, ...]


REQUIRED_COLUMNS = (
    "user", "arn", "user_creation_time", "password_enabled", "password_last_used",
    "password_last_changed", "mfa_active", "access_key_1_active", "access_key_1_last_rotated",
    "access_key_1_last_used_date", "access_key_2_active", "access_key_2_last_rotated",
    "access_key_2_last_used_date",
)


def parse_when(raw: str) -> When:
    value = (raw or "").strip()
    if value in SENTINELS:
        return When(None, value)
    try:
        at = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise MalformedReport(f"not a date or a known placeholder: {value!r}") from None
    if at.tzinfo is None:
        at = at.replace(tzinfo=timezone.utc)
    return When(at, value)


def parse_flag(raw: str, column: str) -> bool | None:
    value = (raw or "").strip().lower()
    if value == "true":
        return True
    if value == "false":
        return False
    if value in ("not_supported", "n/a", ""):
        return None
    raise MalformedReport(f"column {column}: expected true/false, got {raw!r}")


def parse_row(row: dict[str, str]) -> CredentialRow:
    keys = tuple(
        AccessKey(
            slot=n,
            active=bool(parse_flag(row[f"access_key_{n}_active"], f"access_key_{n}_active")),
            last_rotated=parse_when(row[f"access_key_{n}_last_rotated"]),
            last_used=parse_when(row[f"access_key_{n}_last_used_date"]),
        )
        for n in (1, 2)
    )
    return CredentialRow(
        user=row["user"],
        arn=row["arn"],
        created=parse_when(row["user_creation_time"]),
        password_enabled=parse_flag(row["password_enabled"], "password_enabled"),
        password_last_used=parse_when(row["password_last_used"]),
        password_last_changed=parse_when(row["password_last_changed"]),
        mfa_active=bool(parse_flag(row["mfa_active"], "mfa_active")),
        access_keys=keys,
    )


def parse(content: str, generated: datetime | None = None) -> CredentialReport:
    reader = csv.DictReader(io.StringIO(content))
    missing = [c for c in REQUIRED_COLUMNS if c not in (reader.fieldnames or [])]
    if missing:
        raise MalformedReport(f"credential report lacks columns: {', '.join(missing)}")
    rows = [parse_row(row) for row in reader]
    root = next((r for r in rows if r.is_root), None)
    return CredentialReport(
        generated=generated,
        root=root,
        users=tuple(r for r in rows if not r.is_root),
    )
