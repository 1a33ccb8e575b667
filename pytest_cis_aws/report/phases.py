"""One outcome everywhere: a check that could not be evaluated is an *error* for every reporter.

pytest's terminal, its JUnit XML (`<error>`, not `<failure>`) and pytest-html each call a failed
report an error only when its phase is not "call". A check that could not decide fails in its
call phase (assert_compliant met a finding it could not judge), and xdist's report for a
crashed worker has the phase "???". So, before any reporter reads such a report, it is logged as
a failed *setup* (the phase in which pytest reports every other error), its real phase kept in
`cis_phase`. A call report gets its phase back once its teardown has been logged: pytest-html
reads the phase at teardown, and the terminal's "ERROR at call of ..." headline, printed last,
then tells the truth.

xdist's crash report is the last one its test will ever have; pytest-html writes a row only at a
test's teardown, so an empty teardown report follows it, as after any failed setup.
"""

from __future__ import annotations

from collections.abc import Generator
from typing import Any

import pytest

ERROR_PHASE = "setup"


def relabel(report: pytest.TestReport) -> None:
    """Log a CIS error report as an error of pytest's own kind (idempotent)."""
    if (report.failed and getattr(report, "cis_outcome", None) == "error"
            and report.when not in ("setup", "teardown")):
        report.cis_phase = report.when  # type: ignore[attr-defined]  # travels under xdist
        report.when = ERROR_PHASE  # type: ignore[assignment]


def crash_teardown(report: pytest.TestReport) -> pytest.TestReport:
    """The teardown a crashed test never had: passed, empty, from the same worker."""
    teardown = pytest.TestReport(nodeid=report.nodeid, location=report.location,
                                 keywords={}, outcome="passed", longrepr=None, when="teardown")
    for name in ("node", "cis"):  # junitxml keys its test case by (node id, worker)
        if hasattr(report, name):
            setattr(teardown, name, getattr(report, name))
    meta = getattr(report, "cis", None)
    if meta is not None:  # junitxml writes a case's properties from its teardown report
        from ..selection import junit_properties

        teardown.user_properties = list(junit_properties(meta))
    return teardown


class ErrorPhase:
    """Registered in every process of an active run: workers relabel before xdist sends a
    report, the controller (or a lone process) before its reporters read it."""

    def __init__(self, config: pytest.Config) -> None:
        self.config = config
        self._relabelled: dict[str, list[pytest.TestReport]] = {}

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_logreport(self, report: pytest.TestReport) -> Generator[None, Any, Any]:
        # A wrapper runs before every plain implementation (terminal, junitxml, pytest-html,
        # xdist's sender), whatever their tryfirst/trylast.
        relabel(report)
        if getattr(report, "cis_phase", None) == "call":
            self._relabelled.setdefault(report.nodeid, []).append(report)
        try:
            return (yield)
        finally:
            if report.when == "teardown":
                for relabelled in self._relabelled.pop(report.nodeid, []):
                    relabelled.when = "call"
            if getattr(report, "cis_crashed", False) and report.failed:
                self.config.hook.pytest_runtest_logreport(report=crash_teardown(report))
