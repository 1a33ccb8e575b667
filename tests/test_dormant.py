"""An installed plugin loads in every pytest run of the environment: it must stay out of the way."""

from __future__ import annotations

import re

import pytest

PROBE = """
import sys
def test_probe():
    loaded = sorted(m for m in ("boto3", "botocore", "pytest_cis_aws.aws") if m in sys.modules)
    print("LOADED=" + ",".join(loaded))
"""


def test_dormant_run_imports_no_boto3_and_adds_nothing(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_probe=PROBE)
    result = pytester.runpytest_subprocess("-s", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=1)
    loaded = re.search(r"LOADED=(\S*)", result.stdout.str())
    assert loaded is not None and loaded.group(1) == ""
    assert "pytest-cis-aws" not in result.stdout.str()  # no header, no summary
    result.stdout.fnmatch_lines(["plugins:*cis-aws*"])  # ...yet the plugin was loaded


RUN_HOOKS_PROBE = """
def test_plain(request):
    print("RUN_HOOKS=" + str(request.config.pluginmanager.has_plugin("cis_aws_run")))
"""


def test_dormant_plugin_is_loaded_but_collects_no_stock_checks(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_plain=RUN_HOOKS_PROBE)
    result = pytester.runpytest("-s", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=1)
    assert "cis_aws_1_iam" not in result.stdout.str()
    assert "RUN_HOOKS=False" in result.stdout.str()  # a dormant run has none of the run's hooks


def test_an_active_run_registers_its_hooks_for_the_run_only(pytester: pytest.Pytester) -> None:
    # hooks.RunHooks: one object per run, registered at configure, gone at unconfigure
    # (--collect-only: no AWS call).
    pytester.makeconftest("""
        def pytest_collection_finish(session):
            has = session.config.pluginmanager.has_plugin("cis_aws_run")
            print("RUN_HOOKS=" + str(has))
    """)
    pytester.makepyfile(test_plain=RUN_HOOKS_PROBE)
    result = pytester.runpytest("-s", "-p", "no:cacheprovider", "--cis-level=1",
                                "--cis-no-stock", "--collect-only")
    assert result.ret == pytest.ExitCode.OK
    assert "RUN_HOOKS=True" in result.stdout.str()
    config = result.reprec.getcall("pytest_sessionfinish").session.config  # type: ignore[attr-defined]
    assert not config.pluginmanager.has_plugin("cis_aws_run")


def test_markers_are_registered_even_when_dormant(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_marked="""
        import pytest
        @pytest.mark.cis(id="ORG-1", level=1, section="iam")
        @pytest.mark.cis_level1
        def test_org():
            pass
    """)
    result = pytester.runpytest("--strict-markers")
    result.assert_outcomes(passed=1)


def test_plugin_can_be_disabled(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest("-p", "no:cis_aws", "--cis-level=1")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*unrecognized arguments: --cis-level=1*"])
