"""Waivers: accepted exceptions, with a reason and an expiry, read from a TOML file.

    [[waiver]]
    id = "4.1"
    resource = "arn:aws:ec2:eu-west-1:123456789012:security-group/sg-0abc*"   # exact or a glob
    reason = "bastion, tracked in SEC-142"
    expires = 2027-03-31

A waived finding stays in the report, marked waived with its reason; a check whose only
failures are waived ends xfail. An expired waiver no longer applies and is listed as expired; a
waiver that matched nothing is listed as unused.
"""

from __future__ import annotations

import fnmatch
import re
import sys
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import pytest

from . import catalog, inputfile

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib


@dataclass(frozen=True)
class Waiver:
    index: int
    id: str
    resource: str
    reason: str
    expires: date | None

    def expired(self, today: date) -> bool:
        return self.expires is not None and self.expires < today

    def covers(self, rec_id: str, resource: str) -> bool:
        return rec_id == self.id and fnmatch.fnmatchcase(resource, self.resource)

    def describe(self) -> str:
        until = f" until {self.expires}" if self.expires else ""
        return f"{self.id} {self.resource}{until}: {self.reason}"


def rec_id_of(described: str) -> str:
    """The recommendation id of a `Waiver.describe()` text (the documents carry only those)."""
    return described.split(" ", 1)[0]


@dataclass
class Waivers:
    path: str
    entries: tuple[Waiver, ...] = ()
    today: date = field(default_factory=date.today)
    used: set[int] = field(default_factory=set)

    def match(self, rec_id: str, resource: str) -> Waiver | None:
        for waiver in self.entries:
            if waiver.covers(rec_id, resource) and not waiver.expired(self.today):
                self.used.add(waiver.index)
                return waiver
        return None

    def expired(self) -> list[Waiver]:
        return [w for w in self.entries if w.expired(self.today)]

    def unused(self, used: set[int]) -> list[Waiver]:
        return [w for w in self.entries if w.index not in used and not w.expired(self.today)]


def _bad(path: str, where: str, message: str) -> pytest.UsageError:
    return pytest.UsageError(f"waivers file {path}: {where}: {message}")


def load(path: str, today: date | None = None) -> Waivers:
    try:
        # Small, regular and whole: a FIFO or a huge file is refused, never waited on.
        text = inputfile.read_text(path)
    except inputfile.InputFileError as exc:
        raise pytest.UsageError(f"waivers file {path}: cannot read it ({exc})") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise pytest.UsageError(f"waivers file {path}: not valid TOML ({exc})") from None
    except RecursionError:
        # tomllib parses nested arrays and inline tables recursively.
        raise pytest.UsageError(f"waivers file {path}: not valid TOML (nested too deeply)"
                                ) from None
    unknown_keys = set(data) - {"waiver"}
    if unknown_keys:
        raise _bad(path, "top level", f"unknown table(s) {', '.join(sorted(unknown_keys))}; "
                                      "write each entry as [[waiver]]")
    entries = data.get("waiver", [])
    if not isinstance(entries, list):
        raise _bad(path, "waiver", "write each entry as [[waiver]]")
    return Waivers(path=path, entries=tuple(_entry(path, i, e) for i, e in enumerate(entries)),
                   today=today or date.today())


def _entry(path: str, index: int, entry: Any) -> Waiver:
    where = f"waiver #{index + 1}"
    if not isinstance(entry, dict):
        raise _bad(path, where, "must be a table")
    if isinstance(entry.get("id"), str):
        where += f" (id {entry['id']})"
    extra = set(entry) - {"id", "resource", "reason", "expires"}
    if extra:
        raise _bad(path, where, f"unknown key(s) {', '.join(sorted(extra))}")
    for key in ("id", "resource", "reason"):
        if not isinstance(entry.get(key), str) or not entry[key].strip():
            raise _bad(path, where, f"missing or empty {key!r}")
    rec_id = entry["id"].strip()
    if re.fullmatch(r"\d+(\.\d+)*", rec_id) and not catalog.known(rec_id):
        raise _bad(path, where, f"unknown recommendation id {rec_id!r}")
    expires = entry.get("expires")
    if expires is not None and not (isinstance(expires, date) and not hasattr(expires, "hour")):
        raise _bad(path, where, f"expires must be a date like 2027-03-31 (got {expires!r})")
    return Waiver(index=index, id=rec_id, resource=entry["resource"].strip(),
                  reason=entry["reason"].strip(), expires=expires)
