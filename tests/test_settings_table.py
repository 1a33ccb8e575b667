"""The settings table is the one declaration: every option fills a Settings field, every field
(but the few resolve() derives) comes from an option, and each default is the dataclass's."""

from __future__ import annotations

from dataclasses import MISSING, fields

from pytest_cis_aws.settings import FLAG, OPTIONS, TUNING, VALUE, Settings

DERIVED = {"active", "all_regions", "sources"}  # set by resolve(), not read from an option


def test_every_option_maps_to_a_settings_field_and_back() -> None:
    attrs = [option.attr for option in OPTIONS]
    assert len(attrs) == len(set(attrs))
    assert set(attrs) == {f.name for f in fields(Settings)} - DERIVED
    assert len({option.name for option in OPTIONS}) == len(OPTIONS)


def test_each_default_is_the_settings_default() -> None:
    declared = {f.name: f.default for f in fields(Settings) if f.default is not MISSING}
    for option in OPTIONS:
        assert option.kind in (FLAG, VALUE, TUNING)
        assert declared[option.attr] == option.default, option.name


def test_a_tuning_default_reads_back_as_itself() -> None:
    for option in OPTIONS:
        if option.kind == TUNING:
            assert option.parse(option.ini_default, option) == option.default, option.name
