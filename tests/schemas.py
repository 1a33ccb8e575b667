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
