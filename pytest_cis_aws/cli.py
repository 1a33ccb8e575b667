"""`pytest-cis-aws merge`: combine the JSON findings of several runs (CI shards) into one."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from html import escape
from pathlib import Path
from typing import Any

from . import atomicfile, inputfile
from .report.json_export import assemble, dumps
from .report.results import incomplete_note
from .report.terminal import account_rows, score_lines

MAX_INPUT = 256 * 1024 * 1024


def merge(documents: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """One document with every result once (a shard repeated is counted once) and the scores
    recomputed over the whole organization."""
    if not documents:
        raise ValueError("nothing to merge")
    rows: dict[tuple[Any, ...], dict[str, Any]] = {}
    for doc in documents:
        for row in doc.get("results", []):
            rows[(row.get("account"), row["id"], row.get("nodeid"))] = row
    first = documents[0]
    header = {
        "account": first.get("account"),
        "regions": sorted({r for d in documents for r in d.get("regions", [])}),
        "level": max(int(d.get("level", 2)) for d in documents),
        "api_call_counts": _add_calls(d.get("api_calls", {}) for d in documents),
        "waivers": first.get("waivers", {"expired": [], "unused": []}),
        "credential_reports": {account: facts for d in documents
                               for account, facts in d.get("credential_reports", {}).items()},
    }
    ordered = sorted(rows.values(), key=_row_order)
    return assemble(ordered, header, _completeness(documents, rows))


def _completeness(documents: Sequence[dict[str, Any]],
                  rows: dict[tuple[Any, ...], dict[str, Any]]) -> dict[str, Any]:
    """Incomplete when a shard's check did not run and no other shard ran it, or when a shard
    was interrupted before it knew what it had collected (documents older than the field
    count as complete)."""
    ran = {(r.get("account"), r["id"]) for r in rows.values()}
    missing: dict[tuple[Any, ...], dict[str, Any]] = {}
    for doc in documents:
        for entry in doc.get("not_run", []):
            if (entry.get("account"), entry["id"]) not in ran:
                missing[(entry.get("account"), entry["id"], entry.get("nodeid"))] = entry
    unknown = any(doc.get("complete") is False and not doc.get("not_run") for doc in documents)
    return {"complete": not missing and not unknown, "collected": len(rows) + len(missing),
            "not_run": sorted(missing.values(), key=_row_order)}


def _row_order(row: dict[str, Any]) -> tuple[Any, ...]:
    parts = str(row["id"]).split(".")
    numeric = tuple(int(p) for p in parts) if all(p.isdigit() for p in parts) else ()
    return (row.get("account") or "", 0 if numeric else 1, numeric, row["id"],
            row.get("nodeid") or "")


def _add_calls(counts: Any) -> dict[str, int]:
    total: dict[str, int] = {}
    for one in counts:
        for key, value in one.items():
            total[key] = total.get(key, 0) + int(value)
    return dict(sorted(total.items()))


def html_summary(doc: dict[str, Any]) -> str:
    rows = "".join(
        "<tr>" + "".join(f"<td>{escape(cell)}</td>" for cell in row) + "</tr>"
        for row in account_rows(doc["score_by_account"], int(doc["level"]))
    )
    head = "".join(f"<th>{escape(h)}</th>" for h in
                   ["account", *(f"level {n}" for n in range(1, int(doc["level"]) + 1))])
    note = incomplete_note(doc)
    total = "".join(f"<p><strong>{escape(line)}</strong></p>"
                    for line in score_lines(doc["score"], int(doc["level"]), note))
    return (
        "<!DOCTYPE html><html><head><meta charset='utf-8'>"
        "<title>CIS AWS Foundations Benchmark v1.1.0 — organization</title></head><body>"
        "<h1>CIS AWS Foundations Benchmark v1.1.0 — organization</h1>"
        f"<table><tr>{head}</tr>{rows}</table><h2>Organization total</h2>{total}</body></html>"
    )


def _load(path: Path) -> dict[str, Any]:
    try:
        # A --cis-json file: regular, bounded (a large organization's is a few MB), JSON.
        doc = json.loads(inputfile.read_text(str(path), limit=MAX_INPUT))
    except inputfile.InputFileError as exc:
        raise ValueError(f"{path}: cannot read it ({exc})") from None
    except (ValueError, RecursionError) as exc:
        raise ValueError(f"{path}: not a --cis-json document ({exc})") from None
    if not isinstance(doc, dict) or not isinstance(doc.get("results", []), list):
        raise ValueError(f"{path}: not a --cis-json document")
    return doc


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="pytest-cis-aws")
    commands = parser.add_subparsers(dest="command", required=True)
    merge_cmd = commands.add_parser("merge", help="combine --cis-json files into one")
    merge_cmd.add_argument("inputs", nargs="+", type=Path, help="JSON files written by --cis-json")
    merge_cmd.add_argument("-o", "--output", type=Path, required=True, help="merged JSON file")
    merge_cmd.add_argument("--html", type=Path, help="also write an HTML summary here")
    add_diff_parser(commands)
    args = parser.parse_args(argv)
    if args.command == "diff":
        return diff(args.old, args.new)
    try:
        documents = [_load(path) for path in args.inputs]
        merged = merge(documents)
        for out in (args.output, args.html):
            if out is not None:
                inputfile.check_writable(str(out))
    except (OSError, ValueError, KeyError, TypeError, inputfile.InputFileError) as exc:
        print(f"pytest-cis-aws merge: {exc}", file=sys.stderr)
        return 2
    try:
        atomicfile.write_text(args.output, dumps(merged))
        if args.html:
            atomicfile.write_text(args.html, html_summary(merged))
    except OSError as exc:
        print(f"pytest-cis-aws merge: {exc}", file=sys.stderr)
        return 2
    print(f"merged {len(merged['results'])} results from {len(documents)} files "
          f"into {args.output}")
    if note := incomplete_note(merged):
        print(note, file=sys.stderr)
    return 0


def add_diff_parser(commands: Any) -> None:
    cmd = commands.add_parser(
        "diff", help="compare two --cis-json files as --cis-baseline does: new, resolved, "
        "unchanged (exit 1 when anything is new)")
    cmd.add_argument("old", type=Path, help="the earlier --cis-json file (the baseline)")
    cmd.add_argument("new", type=Path, help="the later --cis-json file")


def diff(old_path: Path, new_path: Path, out: Any = None) -> int:
    """`pytest-cis-aws diff OLD NEW`: 0 nothing new, 1 something new is open (non-compliant or
    could not be evaluated), 4 a file that cannot be compared (one ERROR: line)."""
    from .report import baseline
    from .text import printable

    out = out or sys.stdout
    try:
        old, new = (_diff_input(path) for path in (old_path, new_path))
        if old["version"] != new["version"]:
            raise baseline.BaselineError(f"{old_path} is of benchmark version {old['version']}, "
                                         f"{new_path} of {new['version']}: finding ids differ")
        try:
            baseline.check_accounts(old, baseline.audited_accounts(new), who=str(new_path))
        except baseline.BaselineError as exc:
            raise baseline.BaselineError(f"{old_path}: {exc}") from None
    except baseline.BaselineError as exc:
        print(printable(f"ERROR: pytest-cis-aws diff: {exc}", 500), file=sys.stderr)
        return 4
    compared = baseline.compare(old, new, str(old_path))
    found = baseline.changes(compared)
    many = len(baseline.audited_accounts(old) | baseline.audited_accounts(new)) > 1
    print(printable(baseline.summary_line(compared) or "", 500), file=out)
    for title, entries in (("new", found["new"]), ("resolved", compared["resolved"]),
                           ("unchanged", found["unchanged"])):
        if entries:
            print(f"{title} ({len(entries)}):", file=out)
        for entry in entries:
            print(f"  {printable(baseline.describe(entry, account=many), 300)}", file=out)
    return 1 if found["new"] else 0


def _diff_input(path: Path) -> dict[str, Any]:
    from .report.baseline import BaselineError, load

    try:
        return load(str(path), version=None)
    except BaselineError as exc:
        raise BaselineError(f"{path}: {exc}") from None


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
