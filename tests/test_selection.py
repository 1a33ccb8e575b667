"""Which checks run: --cis-level / --cis-section / --cis-id, -m and -k, the user's own tests."""

from __future__ import annotations

import pytest

from pytest_cis_aws import catalog

ORG_TESTS = """
import pytest

@pytest.mark.cis(id="ORG-1", level=1, section="networking")
def test_org_level1_networking():
    pass

@pytest.mark.cis(id="ORG-2", level=2, section="iam", scored=True)
def test_org_level2_iam():
    pass

def test_org_plain():
    pass
"""


def collected(pytester: pytest.Pytester, *args: str) -> set[str]:
    result = pytester.runpytest("--co", "-q", *args)
    assert result.ret in (pytest.ExitCode.OK, pytest.ExitCode.NO_TESTS_COLLECTED), \
        result.stdout.str() + result.stderr.str()
    return {line.split("::")[-1] for line in result.stdout.lines if "::" in line}


def stock_ids(names: set[str]) -> set[str]:
    """test_1_12_no_root_access_keys -> '1.12'."""
    return {".".join(n.split("_")[1:3]) for n in names if n.startswith("test_") and
            n.split("_")[1].isdigit()}


def test_level_1_runs_only_level_1_checks(pytester: pytest.Pytester) -> None:
    ids = stock_ids(collected(pytester, "--cis-level=1", "--cis-section=iam"))
    expected = {r.id for r in catalog.recommendations() if r.section == "iam" and r.level == 1}
    assert ids == expected
    assert "1.14" not in ids and "1.21" not in ids


def test_level_2_includes_level_1(pytester: pytest.Pytester) -> None:
    ids = stock_ids(collected(pytester, "--cis-level=2", "--cis-section=1"))
    assert ids == {r.id for r in catalog.recommendations() if r.section == "iam"}


def test_id_selection(pytester: pytest.Pytester) -> None:
    ids = stock_ids(collected(pytester, "--cis-id=1.2,1.14"))
    assert ids == {"1.2", "1.14"}


def test_id_selection_respects_level(pytester: pytest.Pytester) -> None:
    assert stock_ids(collected(pytester, "--cis-id=1.2,1.14", "--cis-level=1")) == {"1.2"}


def test_plain_markers_select_with_m(pytester: pytest.Pytester) -> None:
    names = collected(pytester, "--cis-section=iam", "-m", "cis_level2 and cis_scored")
    assert stock_ids(names) == {"1.14"}  # 1.21 is Level 2 but not scored


def test_k_selects_by_readable_names(pytester: pytest.Pytester) -> None:
    assert stock_ids(collected(pytester, "--cis-section=iam", "-k", "mfa")) == {"1.2", "1.13",
                                                                                 "1.14"}


def test_org_tests_run_beside_stock_checks_and_obey_selection(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_org=ORG_TESTS)
    names = collected(pytester, "--cis-level=1", "--cis-section=iam,networking")
    assert "test_org_level1_networking" in names
    assert "test_org_level2_iam" not in names  # level 2
    assert "test_org_plain" in names  # no cis marker: not a CIS check, never deselected
    assert "test_1_2_mfa_enabled_for_console_users" in names


def test_org_tests_get_plain_markers(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_org=ORG_TESTS)
    names = collected(pytester, "--cis-no-stock", "-m", "cis_networking or cis_iam")
    assert names == {"test_org_level1_networking", "test_org_level2_iam"}


def test_no_stock_keeps_only_user_tests(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_org=ORG_TESTS)
    names = collected(pytester, "--cis-no-stock")
    assert names == {"test_org_level1_networking", "test_org_level2_iam", "test_org_plain"}


def test_strict_markers_accepts_every_plugin_marker(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_org=ORG_TESTS)
    names = collected(pytester, "--cis-level=2", "--strict-markers", "--cis-section=iam")
    assert "test_1_21_instances_use_iam_roles" in names


def test_python_files_override_does_not_drop_stock_checks(pytester: pytest.Pytester) -> None:
    names = collected(pytester, "--cis-id=1.2", "-o", "python_files=check_*.py")
    assert names == {"test_1_2_mfa_enabled_for_console_users"}


def test_stock_checks_are_not_collected_twice(pytester: pytest.Pytester) -> None:
    names = collected(pytester, "--cis-id=1.2", "-o", "python_files=*.py")
    result = pytester.runpytest("--co", "-q", "--cis-id=1.2", "-o", "python_files=*.py")
    assert names == {"test_1_2_mfa_enabled_for_console_users"}
    assert sum("::test_1_2_" in line for line in result.stdout.lines) == 1


def test_bad_org_marker_is_a_clear_error(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_bad="""
        import pytest
        @pytest.mark.cis(id="ORG-9", level=3)
        def test_bad():
            pass
    """)
    result = pytester.runpytest("--cis-no-stock", "--co")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*test_bad.py::test_bad: @pytest.mark.cis: level must be 1 or 2*"])


def test_every_stock_check_carries_its_catalog_metadata(pytester: pytest.Pytester) -> None:
    pytester.makeconftest("""
        def pytest_collection_finish(session):
            for item in session.items:
                m = item.get_closest_marker("cis")
                print("META", item.name, m.kwargs["id"], m.kwargs["level"], m.kwargs["section"],
                      m.kwargs["scored"])
    """)
    result = pytester.runpytest("--co", "-s", "--cis-section=iam")
    metas = {line.split()[2]: line.split()[3:] for line in result.stdout.lines
             if line.startswith("META")}
    for rec in catalog.recommendations():
        if rec.section == "iam":
            assert metas[rec.id] == [str(rec.level), rec.section, str(rec.scored)]
