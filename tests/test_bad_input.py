"""Bad input the other test files leave out: each is one clear line, exit 4, before any AWS call.

(test_settings.py covers --cis-level/section/id/regions/role-arn/endpoint-url values, a bad
environment value and cis_max_workers; test_waivers.py malformed and missing waivers files;
test_organizations.py --cis-shard/accounts/org-role; test_run.py unknown regions, profiles and
missing credentials.)
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

# (command line, ini lines, environment) -> the message the single ERROR line carries.
BAD_OPTIONS = [
    (["--cis-id=,"], "*--cis-id*give at least one recommendation id*"),
    (["--cis-regions=,"], "*--cis-regions*give at least one region, or 'all'*"),
    (["--cis-regions=all,eu-west-1"], "*--cis-regions*not a region name: 'all'*"),
    (["--cis-profile= "], "*--cis-profile*must not be empty*"),
    (["--cis-endpoint-url=ftp://moto:5000"], "*--cis-endpoint-url*not an http(s) URL*"),
    (["--cis-json="], "*--cis-json*must not be empty*"),
    (["--cis-waivers="], "*--cis-waivers*must not be empty*"),
    (["--cis-org-role=audit role"], "*--cis-org-role*not an IAM role name: 'audit role'*"),
    (["--cis-external-id="], "*--cis-external-id*must not be empty*"),
    (["--cis-exclude-accounts=prod"], "*--cis-exclude-accounts*not an AWS account id: 'prod'*"),
    (["--cis-shard=0/3"], "*--cis-shard*expected K/N with 1 <= K <= N*"),
    (["--cis-shard=half"], "*--cis-shard*expected K/N*(got 'half')*"),
    (["--cis-cache-ttl=0"], "*--cis-cache-ttl*at least 1 and at most*(got '0')*"),
    (["--cis-cache-ttl=1h"], "*--cis-cache-ttl*whole number of seconds*(got '1h')*"),
    # Digits that are not ASCII: int() and str.isdigit() take some of them, no option should.
    (["--cis-cache-ttl=²"], "*--cis-cache-ttl*whole number of seconds*(got '²')*"),
    (["--cis-cache-ttl=٣٠"], "*--cis-cache-ttl*whole number of seconds*"),
    (["--cis-cache-ttl=99999999999999999999"], "*--cis-cache-ttl*at most 31622400*"),
    (["--cis-cache-ttl=-5"], "*--cis-cache-ttl*whole number of seconds*(got '-5')*"),
    (["--cis-shard=１/２"], "*--cis-shard*expected K/N*"),
    (["--cis-accounts=١٢٣٤٥٦٧٨٩٠١٢"], "*--cis-accounts*not an AWS account id*"),
    (["--cis-id=١.٢"], "*--cis-id*not a recommendation id*"),
    # Endpoint URLs urllib cannot read, or that would print a password in the header.
    (["--cis-endpoint-url=http://[::1"], "*--cis-endpoint-url*not an http(s) URL: "
                                         "'http://[::1' (Invalid IPv6 URL)*"),
    (["--cis-endpoint-url=http://localhost:99999"], "*--cis-endpoint-url*not an http(s) URL*"),
    (["--cis-endpoint-url=http://localhost:５０００"], "*--cis-endpoint-url*not an http(s) URL*"),
    (["--cis-endpoint-url=http://:5000"], "*--cis-endpoint-url*not an http(s) URL*"),
    (["--cis-endpoint-url=http://local host:5000"], "*--cis-endpoint-url*not an http(s) URL*"),
    (["--cis-endpoint-url=https://me:secret@moto:5000"],
     "*--cis-endpoint-url*must not carry a user name or password"),
    # NUL and other control characters: Python refuses them in paths, with a traceback.
    (["--cis-json=report\0.json"], "*--cis-json*must not contain control characters*"),
    (["--cis-waivers=w\0.toml"], "*--cis-waivers*must not contain control characters*"),
    (["--cis-profile=pr\x1bod"], "*--cis-profile*must not contain control characters*"),
    (["--cis-accounts=@acc\0.txt"], "*--cis-accounts*cannot read acc*(the path contains a NUL "
                                    "byte)*"),
]
BAD_INI = [
    # pytest reads a bool ini itself, and says so in its own words (which vary by version).
    ("cis_level = 1\ncis_no_stock = perhaps", "ERROR: *invalid truth value 'perhaps'"),
    ("cis_level = 1\ncis_root_usage_days = -1",
     "*cis_root_usage_days must be at least 0 (got -1)*"),
    ("cis_level = 1\ncis_credential_report_timeout = 2m",
     "*cis_credential_report_timeout must be a whole number (got '2m')*"),
    ("cis_level = 1\ncis_credential_report_timeout = 0",
     "*cis_credential_report_timeout must be at least 1 (got 0)*"),
    ("cis_level = 1\ncis_max_workers = 0", "*cis_max_workers must be at least 1 (got 0)*"),
    # Absurd values: a billion threads hang the run; a root window older than AWS means nothing.
    ("cis_level = 1\ncis_max_workers = 1000000000",
     "*cis_max_workers must be at most 64 (got 1000000000)*"),
    ("cis_level = 1\ncis_max_workers = 9" + "9" * 5000, "*cis_max_workers must be at most 64*"),
    ("cis_level = 1\ncis_root_usage_days = 99999",
     "*cis_root_usage_days must be at most 3650 (got 99999)*"),
    ("cis_level = 1\ncis_credential_report_timeout = 86400",
     "*cis_credential_report_timeout must be at most 3600 (got 86400)*"),
    ("cis_level = 1\ncis_max_workers = ٨", "*cis_max_workers must be a whole number (got '٨')*"),
    ("cis_level = 1\ncis_root_usage_days = ²",
     "*cis_root_usage_days must be a whole number (got '²')*"),
    ("cis_level = 1\ncis_credential_report_timeout = nan",
     "*cis_credential_report_timeout must be a whole number (got 'nan')*"),
    ("cis_level = 1\ncis_credential_report_timeout = inf",
     "*cis_credential_report_timeout must be a whole number (got 'inf')*"),
    ("cis_level = 1\ncis_credential_report_timeout = 1e3",
     "*cis_credential_report_timeout must be a whole number (got '1e3')*"),
    ("cis_level = 1\ncis_max_workers = -1", "*cis_max_workers must be at least 1 (got -1)*"),
    ("cis_level = 1\ncis_max_workers = ''", "*cis_max_workers must be a whole number*"),
    ("cis_level = 1\ncis_metric_filter_match = exact",
     "*cis_metric_filter_match must be one of covers, equivalent (got 'exact')*"),
    ("cis_level = 3", "*--cis-level (ini cis_level*must be 1 or 2 (got '3')*"),
]
BAD_ENV = [
    ({"CIS_AWS_LEVEL": "1", "CIS_AWS_API_STATS": "2"},
     "*env CIS_AWS_API_STATS): must be true or false (got '2')*"),
    ({"CIS_AWS_LEVEL": "1", "CIS_AWS_REGIONS": "Europe"},
     "*env CIS_AWS_REGIONS): not a region name: 'Europe'*"),
    ({"CIS_AWS_LEVEL": "1", "CIS_AWS_MAX_WORKERS": "many"},
     "*cis_max_workers must be a whole number (got 'many')*"),
]


def assert_one_clear_line(result: pytest.RunResult, pattern: str) -> None:
    assert result.ret == pytest.ExitCode.USAGE_ERROR, result.stdout.str()
    errors = [line for line in result.stderr.lines if line.startswith("ERROR")]
    assert len(errors) == 1, result.stderr.str()
    result.stderr.fnmatch_lines([pattern])
    output = result.stdout.str() + result.stderr.str()
    assert "Traceback" not in output and "INTERNALERROR" not in output


@pytest.mark.parametrize(("args", "pattern"), BAD_OPTIONS, ids=[a[0] for a, _ in BAD_OPTIONS])
def test_bad_option_values(pytester: pytest.Pytester, args: list[str], pattern: str) -> None:
    assert_one_clear_line(pytester.runpytest(*args, "--co"), pattern)


@pytest.mark.parametrize(("ini", "pattern"), BAD_INI,
                         ids=[i.split("\n")[-1][:40] for i, _ in BAD_INI])
def test_bad_ini_values(pytester: pytest.Pytester, ini: str, pattern: str) -> None:
    pytester.makeini(f"[pytest]\n{ini}\n")
    assert_one_clear_line(pytester.runpytest("--co"), pattern)


@pytest.mark.parametrize(("env", "pattern"), BAD_ENV, ids=[list(e)[-1] for e, _ in BAD_ENV])
def test_bad_environment_values(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch,
                                env: dict[str, str], pattern: str) -> None:
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    assert_one_clear_line(pytester.runpytest("--co"), pattern)


def test_a_toml_ini_value_of_the_wrong_type(pytester: pytest.Pytester) -> None:
    pytester.makepyprojecttoml("[tool.pytest.ini_options]\ncis_level = 1\ncis_regions = 5\n")
    assert_one_clear_line(pytester.runpytest("--co"), "*cis_regions*")


# -- waivers files the other tests leave out ------------------------------------------------------


def _waivers(pytester: pytest.Pytester, write: bytes | None) -> Path:
    path = pytester.path / "w.toml"
    if write is None:
        path.mkdir()
    else:
        path.write_bytes(write)
    return path


@pytest.mark.parametrize(("content", "pattern"), [
    (None, "ERROR: waivers file w.toml: cannot read it (Is a directory)"),
    (b'waiver = "all of them"', "ERROR: waivers file w.toml: waiver: write each entry as "
                                "[[waiver]]"),
    (b"waiver = [1]", "ERROR: waivers file w.toml: waiver #1: must be a table"),
    (b'[[waiver]]\nid = "1.2"\nresource = "x"\nreason = "r"\nexpires = 2027-03-31T10:00:00',
     "ERROR: waivers file w.toml: waiver #1 (id 1.2): expires must be a date like 2027-03-31*"),
], ids=["directory", "not-an-array", "not-a-table", "datetime-expiry"])
def test_unreadable_or_malformed_waivers(pytester: pytest.Pytester, content: bytes | None,
                                         pattern: str) -> None:
    _waivers(pytester, content)
    assert_one_clear_line(pytester.runpytest("--cis-waivers=w.toml", "--co"), pattern)


def test_a_waivers_file_that_is_not_utf8(pytester: pytest.Pytester) -> None:
    _waivers(pytester, b'[[waiver]]\nid = "1.2"\nresource = "x"\nreason = "caf\xe9"')
    assert_one_clear_line(pytester.runpytest("--cis-waivers=w.toml", "--co"),
                          "ERROR: waivers file w.toml: cannot read it (not UTF-8*")


def test_an_accounts_file_that_is_not_utf8(pytester: pytest.Pytester) -> None:
    pytester.path.joinpath("accounts.txt").write_bytes(b"123456789012 # caf\xe9\n")
    assert_one_clear_line(pytester.runpytest("--cis-accounts=@accounts.txt", "--co"),
                          "*--cis-accounts*cannot read accounts.txt (not UTF-8*")


# -- files that are not small regular files -------------------------------------------------------


def test_a_deeply_nested_waivers_file(pytester: pytest.Pytester) -> None:
    """tomllib parses nested arrays recursively: 100,000 of them raise RecursionError."""
    _waivers(pytester, b"x = " + b"[" * 100_000 + b"]" * 100_000)
    assert_one_clear_line(pytester.runpytest("--cis-waivers=w.toml", "--co"),
                          "ERROR: waivers file w.toml: not valid TOML (nested too deeply)")


@pytest.mark.parametrize(("args", "pattern"), [
    (["--cis-waivers=huge"], "ERROR: waivers file huge: cannot read it (larger than 1024 KiB)"),
    (["--cis-accounts=@huge"], "*--cis-accounts*cannot read huge (larger than 1024 KiB)"),
    (["--cis-accounts=@/dev/zero"], "*--cis-accounts*cannot read /dev/zero (not a regular file)"),
    (["--cis-waivers=/dev/zero"], "*waivers file /dev/zero: cannot read it (not a regular file)"),
], ids=["waivers", "accounts", "accounts-device", "waivers-device"])
def test_a_huge_or_endless_file(pytester: pytest.Pytester, args: list[str],
                                pattern: str) -> None:
    with open(pytester.path / "huge", "wb") as huge:
        huge.truncate(64 * 1024 * 1024)  # sparse: costs nothing on disk
    assert_one_clear_line(pytester.runpytest(*args, "--co"), pattern)


@pytest.mark.parametrize(("args", "pattern"), [
    (["--cis-waivers=fifo"], "ERROR: waivers file fifo: cannot read it (not a regular file)"),
    (["--cis-accounts=@fifo"], "*--cis-accounts*cannot read fifo (not a regular file)"),
], ids=["waivers", "accounts"])
def test_a_fifo_is_refused_not_waited_on(pytester: pytest.Pytester, args: list[str],
                                         pattern: str) -> None:
    """A subprocess with a timeout: opening a FIFO for reading blocks until a writer comes."""
    os.mkfifo(pytester.path / "fifo")
    assert_one_clear_line(pytester.runpytest_subprocess(*args, "--co", timeout=60), pattern)


# -- --cis-json: where the report cannot be written is known at start-up -------------------------


@pytest.mark.parametrize(("target", "pattern"), [
    ("out", "*--cis-json*cannot write out: is a directory"),
    ("missing/report.json", "*--cis-json*cannot write missing/report.json: directory missing "
                            "does not exist"),
    ("plain/report.json", "*--cis-json*cannot write plain/report.json: plain is not a directory"),
    ("/proc/cis-report.json", "*--cis-json*cannot write /proc/cis-report.json: cannot create a "
                              "file in /proc (*)"),
    ("x" * 300 + ".json", "*--cis-json*cannot write x*.json: File name too long"),
], ids=["directory", "missing-directory", "file-as-directory", "unwritable", "name-too-long"])
def test_a_json_target_that_cannot_be_written(pytester: pytest.Pytester, target: str,
                                              pattern: str) -> None:
    """/proc refuses new files even to root, which permission bits would not stop."""
    pytester.mkdir("out")
    pytester.path.joinpath("plain").write_text("")
    assert_one_clear_line(pytester.runpytest(f"--cis-json={target}", "--co"), pattern)
    assert sorted(p.name for p in pytester.path.iterdir()) == ["out", "plain"]  # no probe left


# -- @pytest.mark.cis on a user's test -----------------------------------------------------------


@pytest.mark.parametrize(("marker", "pattern"), [
    ('cis(id="9.9", level=1)', "*test_m.py::test_m: @pytest.mark.cis: unknown recommendation "
                               "id '9.9'*"),
    ('cis(id="ORG 1", level=1)', "*test_m.py::test_m: @pytest.mark.cis: not a recommendation "
                                 "id: 'ORG 1'*"),
    ("cis(level=1)", "*test_m.py::test_m: @pytest.mark.cis: give the recommendation id*"),
    ("cis", "*test_m.py::test_m: @pytest.mark.cis: give the recommendation id*"),
    ("cis(id=1.2)", "*test_m.py::test_m: @pytest.mark.cis: id must be a string*(got 1.2)"),
], ids=["unknown", "malformed", "no-id", "bare", "not-a-string"])
def test_a_cis_marker_without_a_valid_id(pytester: pytest.Pytester, marker: str,
                                         pattern: str) -> None:
    pytester.makepyfile(test_m=f"import pytest\n\n@pytest.mark.{marker}\ndef test_m():\n"
                               "    pass\n")
    assert_one_clear_line(pytester.runpytest("--cis-no-stock", "--co"), pattern)
