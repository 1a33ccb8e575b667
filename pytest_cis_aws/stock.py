"""Stable node ids for the stock checks, wherever the package is installed.

pytest names a file outside its rootdir after the argument that reached it, so the stock modules
in site-packages (or in the plugin's checkout, seen from an organisation's repository) came out
as `cis_aws_1_iam.py::test_...`: an id that no shell can paste back, and that pytest's cache
(`--lf`, `--ff`, `--sw`, `--nf`) cannot map to a file. Here every stock collector gets the id it
has in the plugin's own repository, `pytest_cis_aws/checks/cis_aws_1_iam.py::test_...`, and the
two places where pytest turns an id back into a path are pointed at the real files: the
command-line arguments (a pasted id) and the last-failed paths of `--lf`. Everything else
(matching, deselection, ordering, the cache files) is pytest's own.
"""

from __future__ import annotations

import os
from pathlib import Path, PurePosixPath

import pytest

from .selection import CHECKS_DIR

# The stock checks' place in the plugin's repository: the prefix of every stock node id.
STOCK_ID_DIR = PurePosixPath(CHECKS_DIR.parent.name, CHECKS_DIR.name)


def is_stock_module(path: Path) -> bool:
    return path.parent == CHECKS_DIR and path.name.startswith("cis_aws_") and path.suffix == ".py"


def module(parent: pytest.Collector, path: Path) -> pytest.Module:
    """The collector of one stock module, with its stable id."""
    return pytest.Module.from_parent(parent, path=path, nodeid=str(STOCK_ID_DIR / path.name))


def package(parent: pytest.Collector) -> pytest.Package:
    # Given as an argument from outside the rootdir, the directory would otherwise be "", the
    # session's own id.
    return pytest.Package.from_parent(parent, path=CHECKS_DIR, nodeid=str(STOCK_ID_DIR))


def real_path(config: pytest.Config, path: str) -> Path | None:
    """The stock file or directory a stock id's path names, seen from the invocation directory
    (as pytest resolves arguments, and as it prints ids: relative to it), or None."""
    where = Path(os.path.abspath(Path(config.invocation_params.dir, path)))
    try:
        parts = where.relative_to(config.rootpath).parts
    except ValueError:
        return None
    if parts[:len(STOCK_ID_DIR.parts)] != STOCK_ID_DIR.parts:
        return None
    return CHECKS_DIR.joinpath(*parts[len(STOCK_ID_DIR.parts):])


def point_args_at_package(config: pytest.Config) -> None:
    """A pasted stock id (`pytest_cis_aws/checks/x.py::test_y[param]`) names the installed file.

    Rewritten in config.args before collection (and on each xdist worker, which parses the
    command line itself), so pytest resolves, collects and matches it as any other argument.
    """
    if config.option.pyargs:
        return
    for index, arg in enumerate(config.args):
        path, sep, rest = str(arg).partition("::")
        real = real_path(config, path)
        if real is not None and real.exists() and not _same(real, config, path):
            config.args[index] = f"{real}{sep}{rest}"


def _same(real: Path, config: pytest.Config, path: str) -> bool:
    """In the plugin's own repository the id is the file itself: left as the user wrote it."""
    given = Path(config.invocation_params.dir, path)
    return given.exists() and given.samefile(real)


def widen_last_failed(config: pytest.Config) -> None:
    """Under --lf, let pytest's last-failed filter find the stock files its ids name.

    pytest looks for `rootdir / <id's path>`, which is not where the stock modules are: without
    this it skips them as files with no failure ("skipped 4 files") as soon as one of the
    user's own tests failed too.
    """
    lfplugin = config.pluginmanager.get_plugin("lfplugin")
    paths = getattr(lfplugin, "_last_failed_paths", None)
    if not isinstance(paths, set):
        return  # not --lf (or a pytest that does this differently: nothing to add to)
    for nodeid in getattr(lfplugin, "lastfailed", {}):
        path = PurePosixPath(str(nodeid).split("::", 1)[0])
        if path.parent == STOCK_ID_DIR and (real := CHECKS_DIR / path.name).exists():
            paths.update([real, *real.parents])
