"""Options: command line > environment > ini, validated into one frozen Settings object."""

from __future__ import annotations

import dataclasses

import pytest

from pytest_cis_aws.settings import OPTIONS, Settings

BAD_VALUES = [
    (["--cis-level=3"], "--cis-level (ini cis_level, env CIS_AWS_LEVEL): must be 1 or 2 (got '3')"),
    (["--cis-level=one"], "*--cis-level*must be 1 or 2*"),
    (["--cis-section=billing"], "*--cis-section*unknown CIS section 'billing'*"),
    (["--cis-section=,"], "*--cis-section*give at least one section*"),
    (["--cis-id=1.99"], "*--cis-id*unknown recommendation id '1.99'*"),
    (["--cis-id=1.2;rm"], "*--cis-id*not a recommendation id*"),
    (["--cis-regions=eu_west_1"], "*--cis-regions*not a region name: 'eu_west_1'*"),
    (["--cis-role-arn=admin"], "*--cis-role-arn*not an IAM role ARN*"),
    (["--cis-endpoint-url=localhost:5000"], "*--cis-endpoint-url*not an http(s) URL*"),
]


@pytest.mark.parametrize(("args", "message"), BAD_VALUES)
def test_bad_values_are_one_clear_usage_error(pytester: pytest.Pytester, args: list[str],
                                              message: str) -> None:
    result = pytester.runpytest(*args, "--co")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines([f"ERROR: {message}" if not message.startswith("*")
                                 else message])
    assert "Traceback" not in result.stderr.str() + result.stdout.str()


def test_bad_environment_value_names_the_variable(pytester: pytest.Pytester,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CIS_AWS_LEVEL", "7")
    result = pytester.runpytest("--co")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*CIS_AWS_LEVEL*must be 1 or 2 (got '7')*"])


def test_bad_tuning_ini_is_a_usage_error(pytester: pytest.Pytester) -> None:
    pytester.makeini("[pytest]\ncis_level = 1\ncis_max_workers = lots\n")
    result = pytester.runpytest("--co")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*cis_max_workers must be a whole number (got 'lots')*"])


def _settings(pytester: pytest.Pytester, *args: str) -> Settings:
    config = pytester.parseconfigure(*args)
    from pytest_cis_aws.run import RUN_KEY

    return config.stash[RUN_KEY].settings


def test_precedence_command_line_over_environment_over_ini(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    pytester.makeini("[pytest]\ncis_level = 1\ncis_section = iam,logging\n"
                     "cis_regions = eu-west-1\n")
    monkeypatch.setenv("CIS_AWS_SECTION", "4")
    settings = _settings(pytester, "--cis-regions", "us-east-1,eu-central-1")
    assert settings.level == 1 and settings.sources["level"] == "ini file"
    assert settings.sections == {"networking"} and settings.sources["section"] == "environment"
    assert settings.regions == ("us-east-1", "eu-central-1")
    assert settings.sources["regions"] == "command line"


def test_settings_are_frozen(pytester: pytest.Pytester) -> None:
    settings = _settings(pytester, "--cis-level=2")
    with pytest.raises(dataclasses.FrozenInstanceError):
        settings.level = 1  # type: ignore[misc]


def test_sections_accept_names_and_numbers(pytester: pytest.Pytester) -> None:
    settings = _settings(pytester, "--cis-section", "1, Monitoring ,4")
    assert settings.sections == {"iam", "monitoring", "networking"}


def test_regions_all_means_every_enabled_region(pytester: pytest.Pytester) -> None:
    settings = _settings(pytester, "--cis-regions=all")
    assert settings.all_regions and settings.regions is None


def test_toml_lists_work_for_list_options(pytester: pytest.Pytester) -> None:
    pytester.makepyprojecttoml("""
        [tool.pytest.ini_options]
        cis_level = "1"
        cis_regions = ["eu-west-1", "eu-central-1"]
        cis_id = ["1.2", "2.1"]
    """)
    settings = _settings(pytester)
    assert settings.regions == ("eu-west-1", "eu-central-1")
    assert settings.ids == {"1.2", "2.1"}
    assert settings.active


def test_header_shows_each_value_and_its_source(pytester: pytest.Pytester) -> None:
    pytester.makeini("[pytest]\ncis_level = 1\n")
    result = pytester.runpytest("--co", "--cis-section=iam")
    result.stdout.fnmatch_lines([
        "pytest-cis-aws: CIS Amazon Web Services Foundations Benchmark v1.1.0",
        "  level: 1 (from ini file)",
        "  section: iam (from command line)",
        "  regions: every region enabled for the account (from default)",
    ])


def test_every_option_has_flag_ini_and_environment_twins() -> None:
    for option in OPTIONS:
        assert option.flag == "--cis-" + option.name.replace("_", "-")
        assert option.ini == "cis_" + option.name
        assert option.env == "CIS_AWS_" + option.name.upper()


def test_help_lists_the_options_in_their_own_group(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest("--help")
    result.stdout.fnmatch_lines(["CIS AWS Foundations Benchmark (pytest-cis-aws):",
                                 "*--cis-level=LEVEL*"])
