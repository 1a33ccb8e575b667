"""--cis-csv: one row per item of a --cis-json document, for a spreadsheet or a script.

An item (report/items.py) is a judged resource, or a result that no finding explains (a check
that could not read its data, a manual one: `resource` and `region` are then empty). `outcome`
is the item's own (passed, failed, waived, error, manual, skipped): a recommendation that
failed on one user has rows for the users that passed too. The columns after `waived` were
added for tracking across runs: the item's stable id, `new`/`unchanged` against a baseline, and
the waiver's text.

Resource names and reasons come from the AWS account, and whoever can name a resource can
write a spreadsheet formula (`=HYPERLINK(...)`, `@SUM(...)`, DDE payloads). As OWASP advises
for CSV injection, every cell that starts with = + - @ (or their full-width forms), a tab or a
carriage return gets a leading apostrophe, which spreadsheets read as "this is text", and every
cell is quoted. A script reading the file sees that apostrophe: strip one leading `'` where a
cell's second character is one of those. Control and invisible format characters (an ANSI
escape, a bidi override) are escaped as the terminal shows them (`\\x1b`, `\\u202e`), since a CSV
file is printed in CI logs too. Everything else is kept as it was (newlines, quotes, commas, any
other Unicode: the csv module quotes them), in UTF-8. The JSON has every string unaltered.
"""

from __future__ import annotations

import csv
import io
import unicodedata
from collections.abc import Mapping
from typing import Any

from .items import Item, items

COLUMNS = ("account", "region", "id", "title", "level", "section", "scored", "outcome",
           "resource", "reason", "waived", "finding_id", "change", "waiver")
# What a spreadsheet may start a formula with (OWASP's list, and the full-width forms some
# spreadsheets also accept).
# Format, private-use and surrogate characters: invisible or undefined, escaped like controls.
HIDDEN = ("Cf", "Co", "Cs")
FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")


def render(doc: Mapping[str, Any]) -> str:
    out = io.StringIO()
    # "\n", not the csv module's "\r\n": the file is written in text mode, which would turn
    # "\r\n" into "\r\r\n" on Windows. Every CSV reader takes either.
    writer = csv.writer(out, quoting=csv.QUOTE_ALL, lineterminator="\n")
    writer.writerow(COLUMNS)
    for item in items(doc):
        writer.writerow([cell(value) for value in row(item)])
    return out.getvalue()


def row(item: Item) -> list[Any]:
    result = item.result
    finding = item.finding or {}
    return [item.account or "", item.region or "", result.get("id"), result.get("title"),
            result.get("level"), result.get("section") or "",
            "true" if result.get("scored") else "false", item.state, item.resource or "",
            item.reason, "true" if item.state == "waived" else "false", item.id,
            item.change or "", finding.get("waiver") or ""]


def cell(value: Any) -> str:
    text = visible("" if value is None else str(value))
    return "'" + text if text.startswith(FORMULA_START) else text


def visible(text: str) -> str:
    """Control and format characters (ANSI escapes, NUL, bidi overrides, zero-width ones) as
    the terminal shows them, escaped: a CSV file gets printed in CI logs too. Line breaks (LF,
    CRLF) and tabs stay: data a spreadsheet shows, harmless to a terminal; a lone CR, which
    would let a name overwrite the line it is printed on, does not."""
    if text.isprintable() and not any(unicodedata.category(c) in HIDDEN for c in text):
        return text
    out = []
    for i, c in enumerate(text):
        keep = c in "\n\t" or (c == "\r" and text[i + 1:i + 2] == "\n") or (
            c.isprintable() and unicodedata.category(c) not in HIDDEN)
        out.append(c if keep else c.encode("unicode_escape").decode("ascii"))
    return "".join(out)
