"""Reading a --cis-json document another run wrote: checked against the contract before
anything trusts it (`pytest-cis-aws merge`; any reader of a document from elsewhere).

The check is the JSON Schema the package ships, interpreted here for the keywords it uses:
jsonschema stays a test-only dependency, and the schema stays the one description of the
document. A keyword this interpreter does not know is a programming error (SchemaKeywordError),
so an edit to the schema cannot silently weaken the check; tests hold this interpreter and
jsonschema to the same verdicts. Beyond the schema: the schema_version this plugin reads, the
benchmark version, and every stable id recomputed from what it names, so a document whose
account was edited, or whose rows were pasted from another account's, is refused.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from datetime import datetime
from functools import cache
from typing import Any

from .. import catalog, inputfile
from .items import finding_id, named
from .json_export import SCHEMA_VERSION, schema

# A large organization's --cis-json is a few MB; anything near this is not one.
MAX_BYTES = 256 * 1024 * 1024
ACCOUNT_ID = re.compile(r"[0-9]{12}", re.ASCII)
SCHEMA_VERSION_FORM = re.compile(r"([0-9]+)\.([0-9]+)", re.ASCII)
DATE_TIME = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt ][0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?"
                       r"([Zz]|[+-][0-9]{2}:[0-9]{2})", re.ASCII)
# Keywords that say nothing about validity.
ANNOTATIONS = frozenset({"$schema", "$id", "title", "description"})


class DocumentError(ValueError):
    """Why a document is not a --cis-json document this plugin can read: a short reason."""


class SchemaKeywordError(TypeError):
    """The shipped schema uses a keyword this interpreter does not implement."""


def load(path: str) -> dict[str, Any]:
    """A --cis-json file, read small, regular and whole, and checked (`check`)."""
    doc = read_json(path)
    check(doc)
    return dict(doc)


def read_json(path: str) -> Any:
    """A file's JSON value, unchecked: read small, regular and whole."""
    try:
        text = inputfile.read_text(path, limit=MAX_BYTES)
    except inputfile.InputFileError as exc:
        raise DocumentError(f"cannot read it ({exc})") from None
    try:
        return json.loads(text, parse_constant=_no_constant)
    except (ValueError, RecursionError) as exc:
        raise DocumentError(f"not JSON ({_short(str(exc), 120)})") from None


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


def check(doc: Any) -> None:
    """Raise DocumentError unless `doc` is a --cis-json document of this schema major and
    benchmark version, every field as the schema says, every stable id what it should be."""
    if not isinstance(doc, dict):
        raise DocumentError("not a --cis-json document (not a JSON object)")
    _check_schema_version(doc.get("schema_version"))
    validate(doc, schema())
    benchmark = catalog.current()
    if doc["benchmark"] != benchmark.name:
        raise DocumentError(f"another benchmark ({_short(doc['benchmark'])} v"
                            f"{_short(doc['version'])}; this reads {benchmark.name}: name its "
                            "data with --benchmark)")
    version = benchmark.version
    if doc["version"] != version:
        raise DocumentError(f"benchmark version {_short(doc['version'])}: this pytest-cis-aws "
                            f"reads {version} (finding ids differ between versions)")
    _check_ids(doc)


def _check_schema_version(value: Any) -> None:
    ours = SCHEMA_VERSION_FORM.fullmatch(SCHEMA_VERSION)
    assert ours is not None
    found = SCHEMA_VERSION_FORM.fullmatch(value) if isinstance(value, str) else None
    if found is None:
        raise DocumentError(f"no schema_version ({_short(value)}): not a --cis-json document, "
                            "or one written before the format had a version")
    if found[1] != ours[1]:
        raise DocumentError(f"schema_version {value}: this pytest-cis-aws reads "
                            f"{ours[1]}.x documents")
    if int(found[2]) > int(ours[2]):
        raise DocumentError(f"schema_version {value} is newer than this pytest-cis-aws reads "
                            f"({SCHEMA_VERSION}): upgrade it")


def _check_ids(doc: Mapping[str, Any]) -> None:
    """Each id is a hash of the benchmark version, recommendation, account, region and
    resource (report/items.py): recomputed, it proves the row belongs to the account it
    names (its own, or the document's for a single-account run)."""
    own = None if doc["account"] == "unknown" else doc["account"]  # as json_export.document
    version = doc["version"]
    for n, row in enumerate(doc["results"]):
        who = row["account"] or own
        if row["item_id"] != finding_id(version, row["id"], who, None, None):
            raise DocumentError(f"results[{n}] ({row['id']}): item_id does not match its "
                                f"recommendation and account {who}")
        for m, finding in enumerate(row["findings"]):
            if finding["id"] != finding_id(version, row["id"], who, finding["region"],
                                           named(finding)):
                raise DocumentError(
                    f"results[{n}].findings[{m}] ({row['id']}): id does not match its "
                    f"recommendation, account {who}, region and resource")


# -- a JSON Schema (2020-12) interpreter for the keywords the shipped schema uses --------------

def validate(value: Any, spec: Mapping[str, Any], root: Mapping[str, Any] | None = None,
             where: str = "") -> None:
    """Raise DocumentError naming the first place `value` breaks `spec`."""
    root = spec if root is None else root
    for key, rule in spec.items():
        check_keyword = _KEYWORDS.get(key)
        if check_keyword is None:
            if key in ANNOTATIONS or key == "$defs":
                continue
            raise SchemaKeywordError(f"the schema uses {key!r}, which contract.py does not "
                                     "implement")
        check_keyword(value, rule, spec, root, where)


def _fail(where: str, message: str) -> DocumentError:
    return DocumentError(f"{where or 'the document'}: {message}")


def _ref(value: Any, rule: str, spec: Any, root: Mapping[str, Any], where: str) -> None:
    if not rule.startswith("#/"):
        raise SchemaKeywordError(f"$ref {rule!r}: only local references are implemented")
    target: Any = root
    for part in rule[2:].split("/"):
        target = target[part]
    validate(value, target, root, where)


def _is(value: Any, kind: str) -> bool:
    if kind == "null":
        return value is None
    if kind == "boolean":
        return isinstance(value, bool)
    if kind == "integer":
        return (isinstance(value, int) and not isinstance(value, bool)) or (
            isinstance(value, float) and value.is_integer())
    if kind == "number":
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if kind == "string":
        return isinstance(value, str)
    if kind == "array":
        return isinstance(value, list)
    if kind == "object":
        return isinstance(value, dict)
    raise SchemaKeywordError(f"type {kind!r}")


def _type(value: Any, rule: Any, spec: Any, root: Any, where: str) -> None:
    kinds = [rule] if isinstance(rule, str) else list(rule)
    if not any(_is(value, kind) for kind in kinds):
        raise _fail(where, f"expected {' or '.join(kinds)}, got {_short(value)}")


def _same(a: Any, b: Any) -> bool:
    # JSON equality: true is not 1.
    return type(a) is type(b) and a == b if isinstance(a, bool) or isinstance(b, bool) else a == b


def _const(value: Any, rule: Any, spec: Any, root: Any, where: str) -> None:
    if not _same(value, rule):
        raise _fail(where, f"expected {_short(rule)}, got {_short(value)}")


def _enum(value: Any, rule: Any, spec: Any, root: Any, where: str) -> None:
    if not any(_same(value, option) for option in rule):
        raise _fail(where, f"{_short(value)} is not one of {', '.join(map(str, rule))}")


@cache
def _pattern(text: str) -> re.Pattern[str]:
    # ECMA-262's `$` is the end of the string; Python's also matches before a final newline.
    if text.endswith("$") and not text.endswith("\\$"):
        text = text[:-1] + r"\Z"
    return re.compile(text)


def _pattern_rule(value: Any, rule: str, spec: Any, root: Any, where: str) -> None:
    if isinstance(value, str) and not _pattern(rule).search(value):
        raise _fail(where, f"{_short(value)} does not match {rule}")


def _min_length(value: Any, rule: int, spec: Any, root: Any, where: str) -> None:
    if isinstance(value, str) and len(value) < rule:
        raise _fail(where, f"shorter than {rule} characters")


def _minimum(value: Any, rule: float, spec: Any, root: Any, where: str) -> None:
    if _is(value, "number") and value < rule:
        raise _fail(where, f"{value} is less than {rule}")


def _maximum(value: Any, rule: float, spec: Any, root: Any, where: str) -> None:
    if _is(value, "number") and value > rule:
        raise _fail(where, f"{value} is more than {rule}")


def _exclusive_minimum(value: Any, rule: float, spec: Any, root: Any, where: str) -> None:
    if _is(value, "number") and value <= rule:
        raise _fail(where, f"{value} is not more than {rule}")


def _exclusive_maximum(value: Any, rule: float, spec: Any, root: Any, where: str) -> None:
    if _is(value, "number") and value >= rule:
        raise _fail(where, f"{value} is not less than {rule}")


def _max_length(value: Any, rule: int, spec: Any, root: Any, where: str) -> None:
    if isinstance(value, str) and len(value) > rule:
        raise _fail(where, f"longer than {rule} characters")


def _min_items(value: Any, rule: int, spec: Any, root: Any, where: str) -> None:
    if isinstance(value, list) and len(value) < rule:
        raise _fail(where, f"fewer than {rule} items")


def _max_items(value: Any, rule: int, spec: Any, root: Any, where: str) -> None:
    if isinstance(value, list) and len(value) > rule:
        raise _fail(where, f"more than {rule} items")


def _unique_items(value: Any, rule: bool, spec: Any, root: Any, where: str) -> None:
    if rule and isinstance(value, list):
        seen = [json.dumps(item, sort_keys=True) for item in value]
        if len(set(seen)) != len(seen):
            raise _fail(where, "items are not unique")


def _matches(value: Any, spec: Mapping[str, Any], root: Any, where: str) -> bool:
    try:
        validate(value, spec, root, where)
    except DocumentError:
        return False
    return True


def _all_of(value: Any, rule: list[Any], spec: Any, root: Any, where: str) -> None:
    for sub in rule:
        validate(value, sub, root, where)


def _any_of(value: Any, rule: list[Any], spec: Any, root: Any, where: str) -> None:
    if not any(_matches(value, sub, root, where) for sub in rule):
        raise _fail(where, f"{_short(value)} matches none of the allowed forms")


def _one_of(value: Any, rule: list[Any], spec: Any, root: Any, where: str) -> None:
    if sum(_matches(value, sub, root, where) for sub in rule) != 1:
        raise _fail(where, f"{_short(value)} does not match exactly one of the allowed forms")


def _format(value: Any, rule: str, spec: Any, root: Any, where: str) -> None:
    if rule != "date-time":
        raise SchemaKeywordError(f"format {rule!r}")
    if not isinstance(value, str):
        return
    try:
        ok = DATE_TIME.fullmatch(value) is not None and bool(
            datetime.fromisoformat(re.sub("[Zz]$", "+00:00", value)))
    except ValueError:
        ok = False
    if not ok:
        raise _fail(where, f"{_short(value)} is not an RFC 3339 date-time")


def _required(value: Any, rule: list[str], spec: Any, root: Any, where: str) -> None:
    if isinstance(value, dict):
        missing = [key for key in rule if key not in value]
        if missing:
            raise _fail(where, f"missing {', '.join(missing)}")


def _properties(value: Any, rule: Mapping[str, Any], spec: Any, root: Any, where: str) -> None:
    if isinstance(value, dict):
        for key, sub in rule.items():
            if key in value:
                validate(value[key], sub, root, _join(where, key))


def _pattern_properties(value: Any, rule: Mapping[str, Any], spec: Any, root: Any,
                        where: str) -> None:
    if isinstance(value, dict):
        for pattern, sub in rule.items():
            for key, item in value.items():
                if _pattern(pattern).search(key):
                    validate(item, sub, root, _join(where, key))


def _additional(value: Any, rule: Any, spec: Mapping[str, Any], root: Any, where: str) -> None:
    if not isinstance(value, dict):
        return
    declared = spec.get("properties", {})
    patterns = [_pattern(p) for p in spec.get("patternProperties", {})]
    for key, item in value.items():
        if key in declared or any(p.search(key) for p in patterns):
            continue
        if rule is False:
            raise _fail(where, f"unknown field {_short(key)}")
        if rule is not True:
            validate(item, rule, root, _join(where, key))


def _items(value: Any, rule: Mapping[str, Any], spec: Any, root: Any, where: str) -> None:
    if isinstance(value, list):
        for n, item in enumerate(value):
            validate(item, rule, root, f"{where}[{n}]")


_KEYWORDS = {
    "$ref": _ref, "type": _type, "const": _const, "enum": _enum, "pattern": _pattern_rule,
    "minLength": _min_length, "minimum": _minimum, "format": _format, "required": _required,
    "properties": _properties, "patternProperties": _pattern_properties,
    "additionalProperties": _additional, "items": _items,
    # Not used by the schema today; here so that a field added with them is checked too.
    "maximum": _maximum, "exclusiveMinimum": _exclusive_minimum,
    "exclusiveMaximum": _exclusive_maximum, "maxLength": _max_length, "minItems": _min_items,
    "maxItems": _max_items, "uniqueItems": _unique_items, "allOf": _all_of, "anyOf": _any_of,
    "oneOf": _one_of,
}


def _join(where: str, key: str) -> str:
    return f"{where}.{key}" if where else key


def _short(value: Any, limit: int = 60) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[:limit] + "…"
