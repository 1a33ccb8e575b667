"""pytest-cis-aws hooks. Dormant unless a --cis-* option (or the cis_level ini) asks for it.

The logic lives beside this module; here are only the hooks that wire it into pytest.
"""

from __future__ import annotations

from collections.abc import Generator
from pathlib import Path
from typing import Any

import pytest

from . import selection, settings, stock
from .errors import CouldNotEvaluate
from .findings import CheckRecord, ManualCheck, recording
from .run import RUN_KEY, CisRun
from .selection import CHECKS_DIR

RECORD_KEY = pytest.StashKey[CheckRecord]()
PROGRESS_KEY = pytest.StashKey[Any]()  # stops progress.py's listener, while it listens
REDACTION_KEY = pytest.StashKey[Any]()  # redact.Redaction, while the plugin is active

# Fixtures live beside the hooks, one module per kind of data; none of them imports boto3.
pytest_plugins = [
    "pytest_cis_aws.fixtures",
    "pytest_cis_aws.fixtures_logging",
    "pytest_cis_aws.fixtures_monitoring",
    "pytest_cis_aws.fixtures_networking",
]


def pytest_addoption(parser: pytest.Parser) -> None:
    settings.add_options(parser)


def pytest_configure(config: pytest.Config) -> None:
    selection.register_markers(config)
    if not settings.is_requested(config):
        return
    resolved = settings.resolve(config, active=True)
    from .redact import Redaction
    from .shutdown import freeze_heap_at_exit

    freeze_heap_at_exit()  # an audit's heap is large; the process's end need not collect it

    # No credential in any log record from here on (taken off again in pytest_unconfigure).
    config.stash[REDACTION_KEY] = redaction = Redaction()
    redaction.sweep()
    if resolved.demo:
        from . import demo

        resolved = demo.start(config, resolved)
    run = CisRun(config, resolved)
    config.stash[RUN_KEY] = run
    run.prepare_cache()
    if resolved.waivers:
        from . import waivers

        run.waivers = waivers.load(resolved.waivers)
    if resolved.baseline and not hasattr(config, "workerinput"):
        run.baseline = _load_baseline(resolved.baseline)
    stock.point_args_at_package(config)  # a pasted stock id, before _wants_stock reads them
    if not run.settings.no_stock and _wants_stock(config):
        config.args.append(str(CHECKS_DIR))
    if run.shared_input().get("loadgroup"):
        config.option.loadgroup = True  # this worker's controller schedules by xdist group
    if config.pluginmanager.hasplugin("xdist"):
        config.pluginmanager.register(XdistHooks(run), "cis_aws_xdist")
        if resolved.org_role and getattr(config.option, "dist", "no") == "load":
            # Keep each account's checks on one worker, so its data is fetched once.
            config.option.dist = "loadgroup"
    if not hasattr(config, "workerinput"):
        config.pluginmanager.register(ResultHooks(run), "cis_aws_results")
    from .report.phases import ErrorPhase

    config.pluginmanager.register(ErrorPhase(config), "cis_aws_error_phase")
    run.catch_sigterm()
    if config.pluginmanager.hasplugin("html") and not hasattr(config, "workerinput"):
        from .report.html import HtmlHooks

        document = run.final_document if resolved.baseline else None  # for new/resolved
        config.pluginmanager.register(HtmlHooks(run.results, run.summary_header, document),
                                      "cis_aws_html")


def _load_baseline(path: str) -> dict[str, Any]:
    """The file, its JSON and its benchmark version: known before any AWS call (its accounts
    once the identity is: CisRun.start)."""
    from .report.baseline import BaselineError, load

    try:
        return load(path)
    except BaselineError as exc:
        raise pytest.UsageError(f"--cis-baseline {path}: {exc}") from None


def _active(config: pytest.Config) -> CisRun | None:
    run = config.stash.get(RUN_KEY, None)
    return run if run is not None and run.settings.active else None


def _wants_stock(config: pytest.Config) -> bool:
    """Add the stock checks unless the user already points at them or names single tests."""
    args = [str(a) for a in config.args]
    if args and all("::" in a for a in args):
        return False
    for arg in args:
        path = Path(config.invocation_params.dir, arg.split("::")[0]).resolve()
        if path == CHECKS_DIR or CHECKS_DIR in path.parents:
            return False
    return True


def pytest_collect_file(file_path: Path, parent: pytest.Collector) -> pytest.Module | None:
    """Collect the stock modules (cis_aws_*.py) whatever the user's python_files says."""
    if not stock.is_stock_module(file_path) or _active(parent.config) is None:
        return None
    if parent.session.isinitpath(file_path) or selection.matches_python_files(
            parent.config, file_path):
        return None  # pytest's own collector takes it; do not collect it twice
    return stock.module(parent, file_path)


@pytest.hookimpl(tryfirst=True)
def pytest_pycollect_makemodule(module_path: Path,
                                parent: pytest.Collector) -> pytest.Module | None:
    # Where pytest's own collector takes a stock module (an argument, or the user's
    # python_files): the same stable node id as above (stock.py says why).
    if stock.is_stock_module(module_path) and _active(parent.config) is not None:
        return stock.module(parent, module_path)
    return None


@pytest.hookimpl(tryfirst=True)
def pytest_collect_directory(path: Path, parent: pytest.Collector) -> pytest.Collector | None:
    if path == CHECKS_DIR and _active(parent.config) is not None:
        return stock.package(parent)
    return None


@pytest.hookimpl(tryfirst=True)
def pytest_collection(session: pytest.Session) -> None:
    # List the organization's accounts before collecting (also under --collect-only), so a
    # failure is one usage error, not a collection error per module.
    run = _active(session.config)
    if run is not None:
        stock.widen_last_failed(session.config)
    if run is not None and run.settings.org_role:
        run.accounts()


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    run = _active(metafunc.config)
    if run is None or not run.settings.org_role or "cis_account" not in metafunc.fixturenames:
        return
    accounts = run.accounts()
    metafunc.parametrize("cis_account", accounts, indirect=True, scope="session", ids=accounts)


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    # tryfirst: the plain markers must be in place before `-m` deselects.
    run = _active(config)
    selection.complete_markers(items)
    if run is not None:
        selection.deselect(config, items, run.settings)


def pytest_itemcollected(item: pytest.Item) -> None:
    # As each test is collected, before any collection_modifyitems: xdist's worker reads the
    # groups there, and hook order among tryfirst implementations is not ours to rely on.
    run = _active(item.config)
    if run is not None and run.settings.org_role:
        selection.group_by_account([item])


@pytest.hookimpl(tryfirst=True)
def pytest_sessionstart(session: pytest.Session) -> None:
    run = _active(session.config)
    if run is None:
        return
    from .redact import pytest_handlers

    # pytest's logging plugin (registered after us) records with these: caplog, the reports'
    # captured logs (terminal, HTML, JUnit), --log-file and log_cli.
    redaction = session.config.stash.get(REDACTION_KEY, None)
    if redaction is not None:
        redaction.attach(pytest_handlers(session.config))
    if hasattr(session.config, "workerinput") or session.config.option.collectonly:
        return
    from . import progress

    # Progress while data is fetched (progress.py). xdist's workers fetch, and their terminal
    # output is not shown: they do not listen, and the controller fetches nothing slow.
    if (stop := progress.start(session.config)) is not None:
        session.config.stash[PROGRESS_KEY] = stop
    run.start()  # checks the baseline's accounts too, once the identity is known
    if redaction is not None:
        redaction.sweep()  # botocore's module loggers exist now


def pytest_report_header(config: pytest.Config) -> list[str] | None:
    run = _active(config)
    return None if run is None else run.header_lines()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Generator[None, None, None]:
    if _active(item.config) is None:
        return (yield)
    marker = item.get_closest_marker("cis")
    run = _active(item.config)
    if (redaction := item.config.stash.get(REDACTION_KEY, None)) is not None:
        redaction.sweep()  # AWS loggers the fixtures just brought in
    record = CheckRecord(rec_id=marker.kwargs.get("id") if marker else None,
                         title=marker.kwargs.get("title") if marker else None,
                         waive=run.waivers.match if run and run.waivers else None)
    item.stash[RECORD_KEY] = record
    with recording(record):
        return (yield)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    report = yield
    if _active(item.config) is None:
        return report
    meta = selection.metadata(item)
    if meta is not None:
        report.cis = meta  # type: ignore[attr-defined]  # JSON-able: travels under xdist
    record = item.stash.get(RECORD_KEY, None)
    if record is not None and call.when == "call":
        report.cis_findings = [f.to_dict() for f in record.findings]  # type: ignore[attr-defined]
        report.cis_notes = list(record.notes)  # type: ignore[attr-defined]
    if call.excinfo is not None and isinstance(call.excinfo.value, CouldNotEvaluate):
        report.outcome = "failed"
        report.longrepr = f"could not evaluate: {call.excinfo.value}"
        report.cis_outcome = "error"  # type: ignore[attr-defined]
    elif call.excinfo is not None and meta and meta.get("stock") and _crashed(call.excinfo.value):
        # A stock check that raised instead of judging (data it did not expect): it could not
        # evaluate; its traceback stays, for the bug report.
        report.cis_outcome = "error"  # type: ignore[attr-defined]
    elif call.excinfo is not None and isinstance(call.excinfo.value, ManualCheck):
        # Decided here, where the exception is known: reports read this, not the message.
        report.cis_outcome = "manual"  # type: ignore[attr-defined]
    return report


def _crashed(exc: BaseException) -> bool:
    """Not a verdict: neither an assertion, nor pytest's fail/skip/xfail."""
    return not isinstance(exc, (AssertionError, pytest.fail.Exception, pytest.skip.Exception))


def pytest_report_teststatus(report: pytest.TestReport) -> tuple[str, str, Any] | None:
    # A check that could not read its data is an error, not a compliance failure (asked again
    # for the short summary, after report/phases.py gave a call report its phase back).
    if report.failed and getattr(report, "cis_outcome", None) == "error":
        return "error", "E", ("ERROR", {"red": True})
    return None


@pytest.hookimpl(tryfirst=True)
def pytest_collection_finish(session: pytest.Session) -> None:
    # What "every collected recommendation" means, for the run's completeness.
    run = _active(session.config)
    if run is not None:
        run.record_collected({item.nodeid: meta for item in session.items
                              if (meta := selection.metadata(item)) is not None})


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    run = _active(config)
    if run is None or hasattr(config, "workerinput"):
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
def pytest_sessionfinish(session: pytest.Session) -> None:
    run = _active(session.config)
    if run is None:
        return
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
        run.verdict = gate.decide(doc, fail_on=settings.fail_on, fail_under=settings.fail_under,
                                  strict_waivers=settings.strict_waivers)
        status = run.verdict.exit_status(int(session.exitstatus), run.other_failures)
        if status != session.exitstatus:
            session.exitstatus = pytest.ExitCode(status)


def pytest_unconfigure(config: pytest.Config) -> None:
    stop = config.stash.get(PROGRESS_KEY, None)
    if stop is not None:
        stop()
        del config.stash[PROGRESS_KEY]
    run = config.stash.get(RUN_KEY, None)
    if run is not None:
        run.close()
    redaction = config.stash.get(REDACTION_KEY, None)
    if redaction is not None:
        redaction.uninstall()
        del config.stash[REDACTION_KEY]


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
