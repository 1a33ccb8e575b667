"""How severe a recommendation's failure is, for the formats that ask (SARIF, ASFF).

The benchmark grades no recommendation by severity; it has a profile level and a scored flag.
So the severity follows from those two, the same in every export:

| recommendation | label | SARIF security-severity |
| --- | --- | --- |
| scored, Level 1 (the essential baseline) | HIGH | 7.5 |
| scored, Level 2 (defence in depth) | MEDIUM | 5.5 |
| not scored | LOW | 3.0 |
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

Label = Literal["HIGH", "MEDIUM", "LOW"]

SECURITY_SEVERITY: dict[Label, str] = {"HIGH": "7.5", "MEDIUM": "5.5", "LOW": "3.0"}


def label(result: Mapping[str, Any]) -> Label:
    """The severity of a --cis-json result row (a recommendation, or an organisation check)."""
    if not result.get("scored"):
        return "LOW"
    return "HIGH" if result.get("level") == 1 else "MEDIUM"
