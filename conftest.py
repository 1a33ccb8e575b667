"""This repository's own pytest configuration.

`pytest --cis-demo ...` (or any audit) run here should audit, not also run the plugin's own test
suite, which `testpaths` would otherwise add: tests/ is the plugin's tests, not an
organisation's compliance checks. `python -m pytest` (no --cis-* option) runs tests/ as usual.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from pytest_cis_aws.settings import is_requested

HERE = Path(__file__).parent


def pytest_configure(config: pytest.Config) -> None:
    if config.args_source == pytest.Config.ArgsSource.TESTPATHS and is_requested(config):
        config.args[:] = [arg for arg in config.args
                          if Path(arg).resolve() != (HERE / "tests").resolve()]
