"""The benchmark data file: a malformed entry stops loading with an error naming the entry."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from pytest_cis_aws import catalog
from pytest_cis_aws.catalog import DATA_FILE, BenchmarkDataError, load, parse

TEXT = DATA_FILE.read_text(encoding="utf-8")
ENTRY_1_4 = re.search(r"\[\[recommendations\]\]\nid = '1\.4'\n.*?\n\n", TEXT, re.S)
assert ENTRY_1_4 is not None


def with_1_4(change: str, new: str) -> str:
    """The shipped data with one edit inside the 1.4 entry."""
    entry = ENTRY_1_4.group(0)
    assert change in entry
    return TEXT.replace(entry, entry.replace(change, new, 1))


def test_the_shipped_file_loads_and_is_the_catalog() -> None:
    assert load(DATA_FILE).recommendations == catalog.CATALOG
    assert (catalog.current().name, catalog.current().version) == (
        "CIS Amazon Web Services Foundations Benchmark", "1.1.0")
    assert catalog.id_ranges() == "1.1-1.24, 2.1-2.8, 3.1-3.15, 4.1-4.5"


@pytest.mark.parametrize(("text", "said"), [
    (with_1_4("section = 'iam'", "section = 'logging'"),
     "recommendations[3] (id '1.4'): id '1.4' is not in section 'logging'"),
    (with_1_4("section = 'iam'", "section = 'billing'"),
     "recommendations[3] (id '1.4'): unknown section 'billing'"),
    (with_1_4("level = 1", "level = 3"), "recommendations[3] (id '1.4'): level 3 is not 1 or 2"),
    (with_1_4("level = 1", "level = true"),
     "recommendations[3] (id '1.4'): field 'level' must be int, got True"),
    (with_1_4("id = '1.4'", "id = '1.3'"), "recommendations[3] (id '1.3'): duplicate id"),
    (with_1_4("scored = true\n", ""), "recommendations[3] (id '1.4'): missing field(s) scored"),
    (with_1_4("scored = true", "scored = true\nscore = true"),
     "recommendations[3] (id '1.4'): unknown field(s) score"),
    (with_1_4("permissions = [", "permissions = [1, "),
     "recommendations[3] (id '1.4'): permissions must be non-empty strings"),
    (TEXT.replace('"monitoring.alarm.unauthorized_api_calls" = ', '"3.1" = ', 1),
     "metric_filter_patterns '3.1'"),
    (with_1_4("rule = 'iam.keys_not_rotated'", "rule = 'iam.root_mfa'"),
     "recommendations[12] (id '1.13'): rule 'iam.root_mfa' is already 1.4's"),
    (with_1_4("rule = 'iam.keys_not_rotated'", "rule = 'Keys'"),
     "recommendations[3] (id '1.4'): rule 'Keys' must be a dotted name"),
    (TEXT.replace('version = "1.1.0"\n', "", 1), "[benchmark]: missing field(s) version"),
    (TEXT.replace('version = "1.1.0"', 'version = "v1.1"', 1),
     "[benchmark]: version 'v1.1' must be of the form 1.1.0"),
])
def test_a_bad_entry_fails_loading_naming_it(text: str, said: str) -> None:
    with pytest.raises(BenchmarkDataError) as info:
        parse(text, "copy.toml")
    assert str(info.value).startswith("copy.toml: ")
    assert said in str(info.value)


def test_a_malformed_copy_of_the_file_fails_loading_naming_file_and_entry(tmp_path: Path) -> None:
    copy = tmp_path / "cis-aws-foundations-1.1.0.toml"
    copy.write_text(with_1_4("level = 1", "level = 0"), encoding="utf-8")
    said = "cis-aws-foundations-1.1.0.toml: recommendations[3] (id '1.4'): level 0 is not 1 or 2"
    with pytest.raises(BenchmarkDataError, match=re.escape(said)):
        load(copy)


def test_a_file_that_is_not_toml_fails_naming_the_file() -> None:
    with pytest.raises(BenchmarkDataError, match=r"copy\.toml: not valid TOML"):
        parse(TEXT + "\n[[recommendations]\n", "copy.toml")
