"""A value, or the reason it could not be read: the one envelope between aws/ and the rules.

A piece of account data that failed to read (a region that did not answer, a bucket in another
account) is kept beside the pieces that did, so one failure costs only the findings that need it.
aws/ builds a `Read` for each such piece (`Read.attempt`); the run store keeps it, as JSON shared
by xdist workers and the cross-run cache, in its wire form, `{"value": ...}` or
`{"error": DataUnavailable.to_dict()}` (`Envelope`); whoever judges the data decodes that with
`Read.from_dict` and nothing else.

Pure: imports neither pytest nor boto3, so rules may use it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Generic, TypeVar, cast

from .errors import DataUnavailable

T = TypeVar("T")

# A Read as JSON: {"value": ...} or {"error": DataUnavailable.to_dict()}.
Envelope = Mapping[str, Any]


@dataclass(frozen=True)
class Read(Generic[T]):
    """`value` when it was read (None may be a value: "there is none"), else `error`."""

    value: T | None = None
    error: DataUnavailable | None = None

    def __post_init__(self) -> None:
        if self.error is not None and self.value is not None:
            raise ValueError("a Read holds a value or an error, not both")

    @classmethod
    def attempt(cls, fetch: Callable[[], T]) -> Read[T]:
        """What `fetch()` read, or the DataUnavailable it raised. Any other exception is a bug
        in our own code and propagates: it must never read as "could not read AWS"."""
        try:
            return cls(fetch())
        except DataUnavailable as exc:
            return cls(error=exc)

    @property
    def ok(self) -> bool:
        return self.error is None

    @property
    def reason(self) -> str | None:
        """Why it could not be read ("could not read ec2:...: ..."), None when it was."""
        return None if self.error is None else str(self.error)

    def get(self) -> T:
        """The value; raises the DataUnavailable when it could not be read."""
        if self.error is not None:
            raise self.error
        return cast(T, self.value)

    def to_dict(self) -> dict[str, Any]:
        if self.error is not None:
            return {"error": self.error.to_dict()}
        return {"value": self.value}

    @classmethod
    def from_dict(cls, data: Envelope) -> Read[Any]:
        if "error" in data:
            return cls(error=DataUnavailable.from_dict(data["error"]))
        return cls(data.get("value"))


def is_failure(data: Any) -> bool:
    """Whether `data` is the wire form of a failed Read."""
    if not isinstance(data, Mapping) or len(data) != 1:
        return False
    error = data.get("error")
    return isinstance(error, Mapping) and {"operation", "reason"} <= set(error)


def split(results: Mapping[str, Read[Any] | Envelope],
          ) -> tuple[dict[str, Any], dict[str, DataUnavailable]]:
    """(values by region, errors by region) of per-region data, from Reads or their wire form
    (the store's): how a check hands a regional fixture's data to its rule."""
    reads = {region: part if isinstance(part, Read) else Read.from_dict(part)
             for region, part in results.items()}
    values = {region: read.value for region, read in reads.items() if read.error is None}
    errors = {region: read.error for region, read in reads.items() if read.error is not None}
    return values, errors
