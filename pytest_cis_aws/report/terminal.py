"""Terminal output of a CIS run."""

from __future__ import annotations

from typing import Any

from ..text import table


def write_api_stats(terminalreporter: Any, calls: dict[str, int]) -> None:
    terminalreporter.write_sep("-", f"AWS API calls: {sum(calls.values())}")
    rows = [[key.partition(":")[0], key.partition(":")[2], str(n)] for key, n in calls.items()]
    if rows:
        terminalreporter.write_line(table(["service", "operation", "calls"], rows))
