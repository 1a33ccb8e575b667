"""Validators for what the plugin writes: the --cis-json contract (the schema the package
ships) and, as their tests add them, the export formats' own published schemas."""

from __future__ import annotations

from functools import cache
from typing import Any

import jsonschema

from pytest_cis_aws.report import json_export


@cache
def cis_json_validator() -> jsonschema.protocols.Validator:
    schema = json_export.schema()
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema, format_checker=cls.FORMAT_CHECKER)


def validate_cis_json(doc: Any) -> None:
    """Raises jsonschema.ValidationError naming the first place the document breaks it."""
    error = jsonschema.exceptions.best_match(cis_json_validator().iter_errors(doc))
    if error is not None:
        raise error


@cache
def ocsf_export() -> dict[str, Any]:
    """The OCSF schema export of the version --cis-ocsf pins, as ocsf-json-schema ships it."""
    from ocsf_json_schema import get_ocsf_schema

    from pytest_cis_aws.report.ocsf import OCSF_VERSION

    return dict(get_ocsf_schema(version=OCSF_VERSION))


@cache
def ocsf_validator() -> jsonschema.protocols.Validator:
    """The JSON Schema (2020-12) of OCSF's Compliance Finding class with the cloud profile,
    generated from OCSF's own schema export by ocsf-json-schema: required attributes, enums,
    types, and no attribute the class does not define (additionalProperties: false)."""
    from ocsf_json_schema import OcsfJsonSchemaEmbedded

    schema = OcsfJsonSchemaEmbedded(ocsf_export()).get_class_schema(
        "compliance_finding", profiles=["cloud"])
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema)


def validate_ocsf(event: Any) -> None:
    error = jsonschema.exceptions.best_match(ocsf_validator().iter_errors(event))
    if error is not None:
        raise error
