"""--cis-csv: one row per item, read back with the stdlib csv reader; hostile strings stay
data, and nothing a spreadsheet would run as a formula starts a cell."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest

from export_samples import (
    ACCOUNT,
    HOSTILE,
    OTHER,
    document,
    finding,
    organisation,
    result,
    with_baseline,
)
from pytest_cis_aws.report import csv_export
from pytest_cis_aws.report.items import items


def rows(doc: dict[str, Any]) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(csv_export.render(doc), newline="")))


def unformula(value: str) -> str:
    """What a script does to read a cell as it was (the apostrophe only guards spreadsheets)."""
    return value[1:] if value[:1] == "'" and value[1:].startswith(csv_export.FORMULA_START) \
        else value


def test_one_row_per_item_with_the_columns_in_order() -> None:
    doc = document()
    text = csv_export.render(doc)
    assert text.splitlines()[0] == ",".join(f'"{c}"' for c in csv_export.COLUMNS)
    read = rows(doc)
    assert [(r["id"], r["outcome"], r["finding_id"]) for r in read] == [
        (i.result["id"], i.state, i.id) for i in items(doc)]
    alice = next(r for r in read if r["resource"].endswith("user/alice"))
    assert alice == {
        "account": ACCOUNT, "region": "", "id": "1.2",
        "title": "Ensure MFA is enabled for all IAM users that have a console password",
        "level": "1", "section": "iam", "scored": "true", "outcome": "failed",
        "resource": f"arn:aws:iam::{ACCOUNT}:user/alice", "reason": "console password, no MFA",
        "waived": "false", "finding_id": alice["finding_id"], "change": "", "waiver": ""}
    root = next(r for r in read if r["id"] == "1.14")
    assert (root["outcome"], root["waived"], root["level"]) == ("waived", "true", "2")
    assert root["waiver"].startswith("hardware MFA ordered")
    # a result no finding explains has a row of its own, with no resource
    manual = next(r for r in read if r["id"] == "1.15")
    assert (manual["outcome"], manual["resource"], manual["scored"]) == ("manual", "", "false")
    assert manual["reason"] == "manual: the console only shows them"


def test_hostile_strings_round_trip() -> None:
    odd = ['a "quoted", comma, \n newline\r\nand CRLF', "é ü 漢字 \U0001f600 مرحبا", "",
           "trailing space ", '"', "\\", ",,,", "tab\there"]
    doc = document([result("1.2", "MFA", "failed",
                           [finding(f"arn:aws:iam::{ACCOUNT}:user/{n}", False, reason)
                            for n, reason in enumerate(odd)])])
    read = rows(doc)
    assert [r["reason"] for r in read] == odd
    hostile = rows(document())
    assert [unformula(r["resource"]) for r in hostile if r["id"] == "4.1"] == [
        HOSTILE.replace("\u202e", "\\u202e")]  # all but the bidi override, shown escaped


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r\n", "\uff1d", "\uff20"])
def test_a_cell_a_spreadsheet_would_run_starts_with_an_apostrophe(start: str) -> None:
    payload = f'{start}HYPERLINK("http://evil","x")'
    doc = document([result("1.2", "MFA", "failed",
                           [finding(payload, False, payload, "us-east-1")])])
    (row,) = rows(doc)
    assert row["resource"] == row["reason"] == "'" + payload
    assert unformula(row["resource"]) == payload
    # every cell is quoted (OWASP's advice), so no cell can end one early
    body = csv_export.render(doc).split("\n", 1)[1]
    assert body.startswith('"') and body.count('"') >= 2 * len(csv_export.COLUMNS)


def test_control_and_invisible_characters_are_shown_escaped() -> None:
    hidden = "\x1b[31mRED\x1b[0m nul\x00 bidi\u202eevil\u202c zero\u200bwidth ok\rPASSED"
    doc = document([result("1.2", "MFA", "failed",
                           [finding(f"arn:aws:iam::{ACCOUNT}:user/x", False, hidden)])])
    text = csv_export.render(doc)
    assert not any(c in text for c in "\x1b\x00\u202e\u202c\u200b")
    (row,) = rows(doc)
    assert row["reason"] == ("\\x1b[31mRED\\x1b[0m nul\\x00 bidi\\u202eevil\\u202c "
                             "zero\\u200bwidth ok\\rPASSED")


def test_a_plain_name_is_left_alone() -> None:
    assert csv_export.cell("sg-1 = open") == "sg-1 = open"
    assert csv_export.cell(None) == "" and csv_export.cell(2) == "2"


def test_baseline_and_organisation_columns() -> None:
    changed = {r["resource"].rsplit("/", 1)[-1]: r["change"] for r in rows(with_baseline(
        document())) if r["id"] == "1.2"}
    assert changed == {"alice": "new", "bob": "", "eve": "unchanged"}
    assert {r["account"] for r in rows(organisation())} == {ACCOUNT, OTHER}


def test_no_items_is_a_header_only() -> None:
    assert csv_export.render(document([])) == ",".join(
        f'"{c}"' for c in csv_export.COLUMNS) + "\n"
