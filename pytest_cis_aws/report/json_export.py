"""--cis-json: every result and finding, for machines. Written once, by the controller."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime, timezone
from functools import cache
from importlib import metadata, resources
from pathlib import Path
from typing import Any

from .. import atomicfile, catalog
from .items import finding_id, named
from .results import Results, score, score_by_account

# The document's own version: MAJOR changes what a field means or removes one (readers check
# it); MINOR adds fields. schemas/cis-json.schema.json describes it.
SCHEMA_VERSION = "1.1"  # 1.1: baseline.not_evaluated


@cache
def tool_version() -> str:
    try:
        return metadata.version("pytest-cis-aws")
    except metadata.PackageNotFoundError:  # running from a source tree that is not installed
        return "0+unknown"


def schema() -> dict[str, Any]:
    """The JSON Schema (2020-12) every --cis-json document satisfies, shipped in the package."""
    text = resources.files("pytest_cis_aws").joinpath("schemas/cis-json.schema.json").read_text(
        encoding="utf-8")
    return dict(json.loads(text))


def row(result: Mapping[str, Any], account: str | None) -> dict[str, Any]:
    """A result as the document holds it: with its remediation, and a stable id on each
    finding (and on the result, for when it is listed without one)."""
    benchmark = catalog.current()
    rec = benchmark.recommendations.get(str(result["id"])) if result.get("stock") else None
    who = result.get("account") or account
    return {
        **result,
        "remediation": rec.remediation if rec else None,
        "cli": rec.cli if rec else None,
        "item_id": finding_id(benchmark.version, str(result["id"]), who, None, None),
        "findings": [{"waived": False, **f,
                      "id": finding_id(benchmark.version, str(result["id"]), who,
                                       f.get("region"), named(f))}
                     for f in result.get("findings", [])],
    }


def document(results: Results, header: dict[str, Any]) -> dict[str, Any]:
    account = header.get("account")
    rows = [row(r.to_dict(), account if account != "unknown" else None)
            for r in results.results()]
    return assemble(rows, header, results.completeness())


def assemble(rows: list[dict[str, Any]], header: dict[str, Any],
             completeness: dict[str, Any] | None = None) -> dict[str, Any]:
    """The JSON document from result rows (also used to merge shards of an organization).

    `complete` is false when a collected check has no result (Ctrl-C, SIGTERM, -x); `not_run`
    names each, and `score` is then over the checks that ran only.
    """
    accounts = sorted({str(r["account"]) for r in rows if r.get("account")})
    completeness = completeness or {"complete": True, "collected": len(rows), "not_run": []}
    return {
        "schema_version": SCHEMA_VERSION,
        "tool": {"name": "pytest-cis-aws", "version": tool_version()},
        # From the benchmark data file: documents name the benchmark they were judged against.
        "benchmark": catalog.current().name,
        "version": catalog.current().version,
        "account": header["account"],
        "regions": list(header["regions"]),
        "no_regions": header.get("no_regions"),
        "level": header["level"],
        "generated_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "complete": completeness["complete"],
        "collected": completeness["collected"],
        "not_run": completeness["not_run"],
        "results": rows,
        "score": score(rows),
        "accounts": accounts,
        "score_by_account": score_by_account(rows),
        "api_calls": header.get("api_call_counts", {}),
        "waivers": header.get("waivers", {"expired": [], "unused": []}),
        "cache": {"reused": len(header.get("cache_ages") or []),
                  "oldest_seconds": max(header.get("cache_ages") or [0])},
        # {account: {"generated": ISO 8601, "age_seconds": when read, "ignored_rows": [...]}}
        "credential_reports": header.get("credential_reports", {}),
        # --cis-shard K/N of an organization run: {"index", "count", "accounts" (the selection
        # the shards split)}; absent otherwise.
        **({"shard": header["shard"]} if header.get("shard") else {}),
    }


def dumps(doc: Mapping[str, Any]) -> str:
    # ensure_ascii keeps hostile names (control characters, odd unicode) valid everywhere.
    return json.dumps(doc, indent=2, ensure_ascii=True)


def write(path: str, doc: Mapping[str, Any]) -> Path:
    # The directory was checked at start-up (settings); the file is replaced whole, through a
    # temporary file no one could plant a symlink at.
    return atomicfile.write_text(path, dumps(doc))
