"""pytest-cis-aws hooks. Dormant unless a --cis-* option (or the cis_level ini) asks for it.

Here is only what must exist while dormant: the options, the markers, and the configure step
that decides whether this is an audit and, if so, registers the run's hooks (hooks.py): a
dormant run has none of them.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from . import catalog, selection, settings, stock
from .hooks import ResultHooks, RunHooks, XdistHooks
from .run import RUN_KEY, CisRun
from .selection import CHECKS_DIR

if TYPE_CHECKING:
    from .redact import Redaction

HOOKS_KEY = pytest.StashKey[RunHooks]()  # the active run's hooks, while registered
REDACTION_KEY: pytest.StashKey[Redaction] = pytest.StashKey()  # while the plugin is active

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
    selection.register_markers(config)  # the chosen benchmark's sections
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
    # One object holds the run's hooks, as pytest's junitxml registers its LogXML.
    config.stash[HOOKS_KEY] = hooks = RunHooks(run, redaction)
    config.pluginmanager.register(hooks, "cis_aws_run")
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


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # tryfirst: the plain markers must be in place before `-m` deselects, dormant or not
    # (an active run's hooks.RunHooks gives them too, then deselects).
    selection.complete_markers(items)


def pytest_unconfigure(config: pytest.Config) -> None:
    hooks = config.stash.get(HOOKS_KEY, None)
    if hooks is not None:
        hooks.stop_progress()
        del config.stash[HOOKS_KEY]
        config.pluginmanager.unregister(hooks)
    run = config.stash.get(RUN_KEY, None)
    if run is not None:
        run.close()  # a dormant run's too: fixtures build one lazily (run.get_run)
    redaction = config.stash.get(REDACTION_KEY, None)
    if redaction is not None:
        redaction.uninstall()
        del config.stash[REDACTION_KEY]
    catalog.activate(catalog.DEFAULT)  # the next run in this process (pytester) chooses anew
