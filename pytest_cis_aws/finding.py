"""What a rule says about one resource: the plain value every rule returns.

It lives apart from findings.py (verdicts, markers, pytest's skip and fail) so that rules are
pure: they import neither pytest nor boto3, and can be read, tested and reused without either.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .text import mask_key_ids


@dataclass(frozen=True)
class Finding:
    """One resource judged by one recommendation.

    `compliant` is True, False, or None when the data needed to judge it could not be read.
    """

    resource: str
    compliant: bool | None
    reason: str
    region: str | None = None
    waiver: str | None = None  # the waiver that accepts this failure, when one does
    # Which part of the resource, when a check judges several (1.3: a user's console password
    # and each access key): with the resource, it names the finding across runs.
    part: str | None = None

    def __post_init__(self) -> None:
        # Findings travel to the terminal, JSON, HTML and JUnit files: an access key id in a
        # resource or a reason shows its last four characters only, wherever it is read.
        object.__setattr__(self, "resource", mask_key_ids(str(self.resource)))
        object.__setattr__(self, "reason", mask_key_ids(str(self.reason)))

    @classmethod
    def of(cls, resource: str, ok: bool, reason: str, region: str | None = None, *,
           part: str | None = None) -> Finding:
        return cls(resource=resource, compliant=bool(ok), reason=reason, region=region,
                   part=part)

    @classmethod
    def unknown(cls, resource: str, reason: str, region: str | None = None, *,
                part: str | None = None) -> Finding:
        return cls(resource=resource, compliant=None, reason=reason, region=region, part=part)

    def to_dict(self) -> dict[str, Any]:
        return {
            "resource": self.resource,
            "region": self.region,
            "compliant": self.compliant,
            "reason": self.reason,
            "waived": self.waiver is not None,
            **({"waiver": self.waiver} if self.waiver else {}),
            **({"part": self.part} if self.part else {}),
        }
