"""JUnit XML (pytest's --junitxml): whether the run is complete, as test-suite properties.

pytest writes the file itself; each CIS test case carries its id as properties (selection.py)
and its outcome through report/phases.py. Here the suite says whether every collected check
ran: `cis_complete` and, when not, `cis_not_run` (the ids).
"""

from __future__ import annotations

from typing import Any

import pytest


def mark_completeness(config: pytest.Config, completeness: dict[str, Any]) -> None:
    try:
        from _pytest.junitxml import xml_key  # what pytest's record_testsuite_property uses
    except ImportError:  # pragma: no cover  (a pytest without it: the file says nothing)
        return
    xml = config.stash.get(xml_key, None)
    if xml is None:
        return
    xml.add_global_property("cis_complete", "true" if completeness["complete"] else "false")
    if not completeness["complete"]:
        xml.add_global_property("cis_collected", str(completeness["collected"]))
        xml.add_global_property("cis_not_run", " ".join(
            f"{n['account']}/{n['id']}" if n.get("account") else str(n["id"])
            for n in completeness["not_run"]))
