"""--cis-json: every result and finding, for machines. Written once, by the controller."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from .. import atomicfile
from .results import Results, score, score_by_account


def document(results: Results, header: dict[str, Any]) -> dict[str, Any]:
    rows = [{**r.to_dict(), "findings": [{"waived": False, **f} for f in r.findings]}
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
        "benchmark": "CIS Amazon Web Services Foundations Benchmark",
        "version": "1.1.0",
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
    }


def write(path: str, results: Results, header: dict[str, Any]) -> Path:
    # The directory was checked at start-up (settings); the file is replaced whole, through a
    # temporary file no one could plant a symlink at.
    # ensure_ascii keeps hostile names (control characters, odd unicode) valid everywhere.
    return atomicfile.write_text(
        path, json.dumps(document(results, header), indent=2, ensure_ascii=True))
