"""Validators for what the plugin writes: the --cis-json contract (the schema the package
ships) and, as their tests add them, the export formats' own published schemas."""

from __future__ import annotations

from functools import cache
from typing import Any

import jsonschema

from pytest_cis_aws.report import json_export


def _compiled(schema: dict[str, Any], *, formats: bool = True) -> jsonschema.protocols.Validator:
    """A validator of the draft the schema names, the schema itself checked first."""
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema, format_checker=cls.FORMAT_CHECKER) if formats else cls(schema)


def _raise_first(validator: jsonschema.protocols.Validator, value: Any) -> None:
    """Raises jsonschema.ValidationError naming the first place `value` breaks the schema."""
    error = jsonschema.exceptions.best_match(validator.iter_errors(value))
    if error is not None:
        raise error


@cache
def cis_json_validator() -> jsonschema.protocols.Validator:
    return _compiled(json_export.schema())


def validate_cis_json(doc: Any) -> None:
    _raise_first(cis_json_validator(), doc)


# -- SARIF 2.1.0: the OASIS schema, pinned in tests/data (see its README) ----------------------

@cache
def sarif_validator() -> jsonschema.protocols.Validator:
    import json
    from pathlib import Path

    schema = json.loads((Path(__file__).parent / "data" / "sarif-schema-2.1.0.json").read_text(
        encoding="utf-8"))
    return _compiled(schema)  # draft-04, as the schema says


def validate_sarif(log: Any) -> None:
    _raise_first(sarif_validator(), log)


# -- ASFF: botocore's own securityhub BatchImportFindings input model --------------------------

# Security Hub's documented length limits (ASFF syntax), which the service model does not carry.
ASFF_LIMITS = {"Id": 512, "GeneratorId": 512, "Title": 256, "Description": 1024}


def _asff_walk(shape: Any, value: Any, where: str) -> None:
    """What botocore's validator leaves to the service: string patterns and enums."""
    import re

    if shape.type_name == "structure":
        for name, member in shape.members.items():
            if name in value:
                _asff_walk(member, value[name], f"{where}.{name}")
    elif shape.type_name == "list":
        for i, entry in enumerate(value):
            _asff_walk(shape.member, entry, f"{where}[{i}]")
    elif shape.type_name == "map":
        for key, entry in value.items():
            _asff_walk(shape.value, entry, f"{where}[{key!r}]")
    elif shape.type_name == "string":
        pattern = shape.metadata.get("pattern")
        if pattern:  # a Smithy @pattern: ECMA 262, not anchored (.*\S.*: a non-blank char)
            assert re.search(pattern, value), (where, value)
        if shape.enum:
            assert value in shape.enum, (where, value, shape.enum)


def validate_asff(findings: list[Any]) -> None:
    """Raises botocore's ParamValidationError (or AssertionError) where AWS would refuse the
    findings, in the batches of 100 BatchImportFindings takes."""
    import botocore.session
    import botocore.validate

    model = botocore.session.get_session().get_service_model("securityhub").operation_model(
        "BatchImportFindings")
    for start in range(0, len(findings), 100):
        batch = findings[start:start + 100]
        botocore.validate.validate_parameters({"Findings": batch}, model.input_shape)
        for i, finding in enumerate(batch):
            _asff_walk(model.input_shape.members["Findings"].member, finding, f"[{start + i}]")
    for finding in findings:
        for field, limit in ASFF_LIMITS.items():
            assert len(finding[field]) <= limit, (field, len(finding[field]))
        assert len(finding["Remediation"]["Recommendation"]["Text"]) <= 512
        assert len(finding["Resources"]) <= 32 and len(finding["Types"]) <= 50
        assert len(finding.get("Compliance", {}).get("RelatedRequirements", [])) <= 32
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
    return _compiled(schema, formats=False)


def validate_ocsf(event: Any) -> None:
    _raise_first(ocsf_validator(), event)
