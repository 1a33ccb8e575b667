"""The hooks of an active audit: one object per run, registered by plugin.py's pytest_configure
only when a --cis-* option asks for the plugin (as pytest's junitxml registers its LogXML).

A dormant run has none of these hooks. Each hook is thin: it hands pytest's data to the run
(run.py), the selection (selection.py), the stock modules (stock.py) or the report modules.
"""

from __future__ import annotations

from collections.abc import Callable, Generator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from . import selection, stock
from .errors import CouldNotEvaluate, plugin_bug
from .findings import CheckRecord, ManualCheck, recording
from .run import CisRun
from .selection import CHECKS_DIR

if TYPE_CHECKING:
    from .redact import Redaction

RECORD_KEY = pytest.StashKey[CheckRecord]()


class RunHooks:
    """The active run's hooks, on the controller and on every xdist worker."""

    def __init__(self, run: CisRun, redaction: Redaction) -> None:
        self.run = run
        self.redaction = redaction  # no credential in any log record
        self._stop_progress: Callable[[], None] | None = None  # progress.py's listener

    def stop_progress(self) -> None:
        if self._stop_progress is not None:
            self._stop_progress()
            self._stop_progress = None

    def pytest_collect_file(self, file_path: Path,
                            parent: pytest.Collector) -> pytest.Module | None:
        """Collect the stock modules (cis_aws_*.py) whatever the user's python_files says."""
        if not stock.is_stock_module(file_path):
            return None
        if parent.session.isinitpath(file_path) or selection.matches_python_files(
                parent.config, file_path):
            return None  # pytest's own collector takes it; do not collect it twice
        return stock.module(parent, file_path)

    @pytest.hookimpl(tryfirst=True)
    def pytest_pycollect_makemodule(self, module_path: Path,
                                    parent: pytest.Collector) -> pytest.Module | None:
        # Where pytest's own collector takes a stock module (an argument, or the user's
        # python_files): the same stable node id as above (stock.py says why).
        if stock.is_stock_module(module_path):
            return stock.module(parent, module_path)
        return None

    @pytest.hookimpl(tryfirst=True)
    def pytest_collect_directory(self, path: Path,
                                 parent: pytest.Collector) -> pytest.Collector | None:
        if path == CHECKS_DIR:
            return stock.package(parent)
        return None

    @pytest.hookimpl(tryfirst=True)
    def pytest_collection(self, session: pytest.Session) -> None:
        # List the organization's accounts before collecting (also under --collect-only), so a
        # failure is one usage error, not a collection error per module.
        stock.widen_last_failed(session.config)
        if self.run.settings.org_role:
            self.run.accounts()

    def pytest_generate_tests(self, metafunc: pytest.Metafunc) -> None:
        if not self.run.settings.org_role or "cis_account" not in metafunc.fixturenames:
            return
        accounts = self.run.accounts()
        metafunc.parametrize("cis_account", accounts, indirect=True, scope="session",
                             ids=accounts)

    @pytest.hookimpl(tryfirst=True)
    def pytest_collection_modifyitems(self, config: pytest.Config,
                                      items: list[pytest.Item]) -> None:
        # tryfirst: the plain markers must be in place before `-m` deselects. plugin.py's
        # hook gives them too (dormant runs need them); whichever runs first does it once.
        selection.complete_markers(items)
        selection.deselect(config, items, self.run.settings)

    def pytest_itemcollected(self, item: pytest.Item) -> None:
        # As each test is collected, before any collection_modifyitems: xdist's worker reads
        # the groups there, and hook order among tryfirst implementations is not ours to rely on.
        if self.run.settings.org_role:
            selection.group_by_account([item])

    @pytest.hookimpl(tryfirst=True)
    def pytest_sessionstart(self, session: pytest.Session) -> None:
        from .redact import pytest_handlers

        # pytest's logging plugin (registered after plugin.py) records with these: caplog, the
        # reports' captured logs (terminal, HTML, JUnit), --log-file and log_cli.
        self.redaction.attach(pytest_handlers(session.config))
        if hasattr(session.config, "workerinput") or session.config.option.collectonly:
            return
        from . import progress

        # Progress while data is fetched (progress.py). xdist's workers fetch, and their
        # terminal output is not shown: they do not listen, and the controller fetches nothing
        # slow.
        self._stop_progress = progress.start(session.config)
        self.run.start()  # checks the baseline's accounts too, once the identity is known
        self.redaction.sweep()  # botocore's module loggers exist now

    def pytest_report_header(self, config: pytest.Config) -> list[str]:
        return self.run.header_lines()

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_call(self, item: pytest.Item) -> Generator[None, None, None]:
        marker = item.get_closest_marker("cis")
        self.redaction.sweep()  # AWS loggers the fixtures just brought in
        waivers = self.run.waivers
        record = CheckRecord(rec_id=marker.kwargs.get("id") if marker else None,
                             title=marker.kwargs.get("title") if marker else None,
                             waive=waivers.match if waivers else None)
        item.stash[RECORD_KEY] = record
        with recording(record):
            return (yield)

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_makereport(
        self, item: pytest.Item, call: pytest.CallInfo[None]
    ) -> Generator[None, pytest.TestReport, pytest.TestReport]:
        report = yield
        meta = selection.metadata(item)
        if meta is not None:
            report.cis = meta  # type: ignore[attr-defined]  # JSON-able: travels under xdist
        record = item.stash.get(RECORD_KEY, None)
        if record is not None and call.when == "call":
            report.cis_findings = [f.to_dict() for f in record.findings]  # type: ignore[attr-defined]
            report.cis_notes = list(record.notes)  # type: ignore[attr-defined]
        excinfo = call.excinfo
        if excinfo is not None and isinstance(excinfo.value, CouldNotEvaluate):
            report.outcome = "failed"
            report.longrepr = f"could not evaluate: {excinfo.value}"
            report.cis_outcome = "error"  # type: ignore[attr-defined]
        elif excinfo is not None and meta and meta.get("stock") and _crashed(excinfo.value):
            # A stock check (or its fixture) that raised instead of judging: a bug of ours, not
            # an AWS read failure (reading() lets only those through). It could not evaluate;
            # the message says whose bug it is, the traceback stays, for the bug report.
            report.longrepr = f"{plugin_bug(excinfo.value)}\n\n{report.longreprtext}"
            report.cis_outcome = "error"  # type: ignore[attr-defined]
        elif excinfo is not None and isinstance(excinfo.value, ManualCheck):
            # Decided here, where the exception is known: reports read this, not the message.
            report.cis_outcome = "manual"  # type: ignore[attr-defined]
        return report

    def pytest_report_teststatus(self, report: pytest.TestReport) -> tuple[str, str, Any] | None:
        # A check that could not read its data is an error, not a compliance failure (asked
        # again for the short summary, after report/phases.py gave a call report its phase back).
        if report.failed and getattr(report, "cis_outcome", None) == "error":
            return "error", "E", ("ERROR", {"red": True})
        return None

    @pytest.hookimpl(tryfirst=True)
    def pytest_collection_finish(self, session: pytest.Session) -> None:
        # What "every collected recommendation" means, for the run's completeness.
        self.run.record_collected({item.nodeid: meta for item in session.items
                                   if (meta := selection.metadata(item)) is not None})

    def pytest_terminal_summary(self, terminalreporter: pytest.TerminalReporter,
                                config: pytest.Config) -> None:
        run = self.run
        if hasattr(config, "workerinput"):
            return
        # Interrupted before any check reported: still say that nothing was audited.
        if run.results.by_nodeid or (run.results.interrupted and not config.option.collectonly):
            from .report.terminal import write_summary

            write_summary(terminalreporter, run.results, run.summary_header())
        if run.document is not None:
            from .report.terminal import write_baseline

            write_baseline(terminalreporter, run.document, run.verdict)
        if run.settings.api_stats:
            from .report.terminal import write_api_stats

            write_api_stats(terminalreporter, run.api_calls())

    @pytest.hookimpl(trylast=True)
    def pytest_sessionfinish(self, session: pytest.Session) -> None:
        run = self.run
        workeroutput = getattr(session.config, "workeroutput", None)
        if workeroutput is not None:
            workeroutput.update(run.worker_output())
            return
        if run.settings.wants_document():
            from .report import gate, outputs

            doc = run.final_document()
            outputs.write(doc, run.settings.output_targets())
            if session.config.option.collectonly or int(session.exitstatus) not in (0, 1):
                return  # nothing judged, or a run that ended otherwise: not the gate's to decide
            settings = run.settings
            run.verdict = gate.decide(doc, fail_on=settings.fail_on,
                                      fail_under=settings.fail_under,
                                      strict_waivers=settings.strict_waivers)
            status = run.verdict.exit_status(int(session.exitstatus), run.other_failures)
            if status != session.exitstatus:
                session.exitstatus = pytest.ExitCode(status)


def _crashed(exc: BaseException) -> bool:
    """Not a verdict: neither an assertion, nor pytest's fail/skip/xfail."""
    return not isinstance(exc, (AssertionError, pytest.fail.Exception, pytest.skip.Exception))


class ResultHooks:
    """On the controller: gathers every CIS report (forwarded ones too, under xdist)."""

    def __init__(self, run: CisRun) -> None:
        self.run = run

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        self.run.results.add(report)
        if report.failed and getattr(report, "cis", None) is None:
            self.run.other_failures += 1  # a plain test: --cis-fail-on does not excuse it

    @pytest.hookimpl(tryfirst=True)
    def pytest_sessionfinish(self, session: pytest.Session, exitstatus: int) -> None:
        # Before any report is written (junitxml's, pytest-html's and our JSON), even when
        # interrupted: what was collected and did not run makes the run incomplete.
        results = self.run.results
        self.run.collected_by_workers()
        results.interrupted = exitstatus == pytest.ExitCode.INTERRUPTED
        from .report.junit import mark_completeness

        mark_completeness(session.config, results.completeness())


class XdistHooks:
    """Registered only when pytest-xdist is installed (its hooks are unknown otherwise)."""

    def __init__(self, run: CisRun) -> None:
        self.run = run

    def pytest_configure_node(self, node: Any) -> None:
        from .run import WORKERINPUT_KEY

        node.workerinput[WORKERINPUT_KEY] = self.run.worker_input()

    def pytest_handlecrashitem(self, crashitem: str, report: Any, sched: Any) -> None:
        # xdist's report for the test a dead worker was running has no CIS metadata: the
        # workers recorded it at collection (run.record_collected).
        self.run.collected_by_workers()
        meta = self.run.results.expected.get(crashitem)
        if meta is not None:
            report.cis = dict(meta)
            report.cis_outcome = "error"
            report.cis_crashed = True

    def pytest_testnodedown(self, node: Any, error: Any) -> None:
        output = getattr(node, "workeroutput", {})
        self.run.worker_cache_ages += output.get("cis_aws_cache_ages", [])
        for account, facts in output.get("cis_aws_credential_reports", {}).items():
            self.run.note_credential_report(account, facts)
        if self.run.waivers is not None:
            self.run.waivers.used.update(output.get("cis_aws_waivers_used", []))
        calls = output.get("cis_aws_calls", {})
        for key, value in calls.items():
            self.run.worker_calls[key] = self.run.worker_calls.get(key, 0) + int(value)
