"""The `pytest-cis-aws` command: `merge` (several --cis-json files as one) and `--version`.

One function adds each command's parser and one runs it (`_add_merge`, `_merge`), so another
command is a local addition. Every refusal, argparse's own included, is one `ERROR:` line on
stderr and exit status 4, as for the plugin's bad input; nothing is written then.
"""

from __future__ import annotations

import argparse
import importlib.util
import sys
from collections.abc import Sequence
from html import escape
from pathlib import Path
from typing import Any, NoReturn

from . import atomicfile, catalog, inputfile
from .report import outputs
from .report.contract import DocumentError, read_json
from .report.json_export import SCHEMA_VERSION, tool_version
from .report.merge import MergeError, merge
from .report.results import incomplete_note
from .report.terminal import account_rows, score_lines

USAGE_ERROR = 4  # pytest.ExitCode.USAGE_ERROR: what the plugin exits with on bad input

__all__ = ["html_summary", "main", "merge"]


class CommandError(Exception):
    """Why the command refuses: one line, printed after `ERROR: `."""


class Parser(argparse.ArgumentParser):
    """argparse's usage errors as the project's `ERROR:` line and exit 4 (not usage and 2).
    Subcommand parsers are made of the same class."""

    def error(self, message: str) -> NoReturn:
        raise CommandError(f"{self.prog}: {message} (see {self.prog} --help)")


def version_text() -> str:
    benchmark = catalog.DEFAULT
    return (f"pytest-cis-aws {tool_version()} ({benchmark.name} v{benchmark.version}; "
            f"--cis-json schema {SCHEMA_VERSION})")


def build_parser() -> Parser:
    parser = Parser(prog="pytest-cis-aws",
                    description=f"Tools for the --cis-json files of pytest-cis-aws "
                                f"({catalog.DEFAULT.name} v{catalog.DEFAULT.version}).")
    parser.add_argument("--version", action="store_true",
                        help="print the tool and benchmark versions and exit")
    parser.add_argument("--benchmark", metavar="NAME|PATH",
                        help="the benchmark the files were audited against, as --cis-benchmark "
                             "took it: a shipped name or a benchmark .toml file (default "
                             f"{catalog.DATA_FILE.stem})")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    _add_merge(commands)
    add_diff_parser(commands)
    policy = commands.add_parser(
        "policy", help="print the least-privilege IAM policy the audit needs (JSON)",
        description="Print the read-only IAM policy the stock checks of the benchmark (the "
                    "default, or --benchmark's) need, from its data: every action its "
                    "recommendations read, and sts:GetCallerIdentity.")
    policy.set_defaults(run=_policy)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
        if args.version:
            print(version_text())
            return 0
        if args.command is None:
            parser.error("a command is required")
        if args.benchmark is not None:
            try:
                catalog.activate(catalog.find(args.benchmark))
            except ValueError as exc:
                parser.error(f"--benchmark: {exc}")
        return int(args.run(args))
    except CommandError as exc:
        print(f"ERROR: {_one_line(str(exc))}", file=sys.stderr)
        return USAGE_ERROR
    finally:
        catalog.activate(catalog.DEFAULT)  # main() may run in a test's process


def _one_line(text: str) -> str:
    # A file name may hold a newline or a terminal escape: shown escaped, the line stays one.
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)


# -- merge ---------------------------------------------------------------------------------

def _add_merge(commands: Any) -> None:
    cmd = commands.add_parser(
        "merge", help="combine --cis-json files (CI shards, several accounts) into one",
        description="Combine --cis-json files into one document, and write it with an HTML "
                    "summary and any export. Refused (ERROR:, exit 4): a file that cannot be "
                    "read, is not a --cis-json document, is empty or of another benchmark or "
                    "schema version, and the same account in two files (unless --latest).")
    cmd.add_argument("inputs", nargs="+", metavar="FILE", help="files written by --cis-json")
    cmd.add_argument("-o", "--output", required=True, metavar="PATH", help="merged JSON file")
    cmd.add_argument("--latest", action="store_true",
                     help="when files hold the same account, keep the newest (generated_at) "
                          "and drop the others, saying which")
    cmd.add_argument("--html", metavar="PATH", help="also write an HTML summary here")
    for name in outputs.EXPORTS:
        cmd.add_argument(f"--{name}", metavar="PATH",
                         help=f"also write the {_LABELS.get(name, name)} export here, as "
                              f"--cis-{name} does"
                         + (" ('auto': GitHub's job summary)" if name == "markdown" else ""))
    cmd.set_defaults(run=_merge)


_LABELS = {"sarif": "SARIF", "asff": "ASFF", "ocsf": "OCSF", "csv": "CSV", "markdown": "Markdown"}


def _merge(args: argparse.Namespace) -> int:
    documents = []
    for path in args.inputs:
        try:
            documents.append(read_json(path))
        except DocumentError as exc:
            raise CommandError(f"{path}: {exc}") from None
    try:
        merged = merge(documents, args.inputs, latest=args.latest)
    except MergeError as exc:
        raise CommandError(str(exc)) from None
    targets: dict[str, str | None] = {"json": args.output,
                                      **{name: getattr(args, name) for name in outputs.EXPORTS}}
    _check_targets(targets, args.html)
    for line in (*merged.dropped, *merged.notes):
        print(line, file=sys.stderr)
    doc = merged.doc
    try:
        outputs.write(doc, targets)
        if args.html:
            atomicfile.write_text(args.html, html_summary(doc))
    except OSError as exc:
        raise CommandError(f"could not write the merged files: {exc}") from None
    print(f"merged {len(doc['results'])} results of {len(doc['accounts'])} account(s) from "
          f"{len(documents) - len(merged.dropped)} file(s) into {args.output}")
    for shard in doc.get("missing_shards", []):
        print(f"shard {shard['index']}/{shard['count']} was not given: "
              f"{', '.join(shard['accounts'])} not audited", file=sys.stderr)
    if note := incomplete_note(doc):
        print(note, file=sys.stderr)
    return 0


def _check_targets(targets: dict[str, str | None], html: str | None) -> None:
    """Every file can be written, and every export asked for is installed, before any is."""
    paths = {"-o": targets["json"], "--html": html}
    for name in outputs.EXPORTS:
        value = targets[name]
        if not value:
            continue
        if importlib.util.find_spec(outputs.EXPORTS[name]) is None:
            raise CommandError(f"--{name}: this pytest-cis-aws has no {name} export")
        if name == "markdown":
            target = outputs.markdown_target(value)
            if target is None or target[1]:  # nothing to write, or GitHub's summary to append
                continue
            value = target[0]
        paths[f"--{name}"] = value
    seen: dict[str, str] = {}
    for option, path in paths.items():
        if path is None:
            continue
        if path in seen:
            raise CommandError(f"{seen[path]} and {option} name the same file {path}")
        seen[path] = option
        try:
            inputfile.check_writable(path)
        except inputfile.InputFileError as exc:
            raise CommandError(f"{option}: cannot write {path}: {exc}") from None


def html_summary(doc: dict[str, Any]) -> str:
    """A page of the merged scores: per account, and the total (every string escaped)."""
    rows = "".join(
        "<tr>" + "".join(f"<td>{escape(cell)}</td>" for cell in row) + "</tr>"
        for row in account_rows(doc["score_by_account"], int(doc["level"]))
    )
    head = "".join(f"<th>{escape(h)}</th>" for h in
                   ["account", *(f"level {n}" for n in range(1, int(doc["level"]) + 1))])
    note = incomplete_note(doc)
    total = "".join(f"<p><strong>{escape(line)}</strong></p>"
                    for line in score_lines(doc["score"], int(doc["level"]), note,
                                             doc["results"]))
    org = doc["account"] == "organization"
    title = escape(f"{catalog.current().short_name} v{doc['version']} — "
                   + ("organization" if org else f"account {doc['account']}"))
    return (
        "<!DOCTYPE html><html><head><meta charset='utf-8'>"
        f"<title>{title}</title></head><body><h1>{title}</h1>"
        f"<table><tr>{head}</tr>{rows}</table>"
        f"<h2>{'Organization total' if org else 'Total'}</h2>{total}</body></html>"
    )


def _policy(args: argparse.Namespace) -> int:
    from .readonly_policy import render

    sys.stdout.write(render(catalog.current()))
    return 0


# -- diff ----------------------------------------------------------------------------------

def add_diff_parser(commands: Any) -> None:
    cmd = commands.add_parser(
        "diff", help="compare two --cis-json files as --cis-baseline does: new, resolved, "
        "unchanged (exit 1 when anything is new)")
    cmd.add_argument("old", type=Path, help="the earlier --cis-json file (the baseline)")
    cmd.add_argument("new", type=Path, help="the later --cis-json file")
    cmd.set_defaults(run=lambda args: diff(args.old, args.new))


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
