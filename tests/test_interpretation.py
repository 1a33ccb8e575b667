"""docs/interpretation.md is the page an auditor reads before trusting a verdict: keep it in
step with the catalog — every recommendation present once, under its current title, with every
part of its reading written down, and no stale id."""

from __future__ import annotations

import re
from pathlib import Path

from pytest_cis_aws.catalog import CATALOG

LEDGER = Path(__file__).parent.parent / "docs" / "interpretation.md"
HEADING = re.compile(r"^### (\d+\.\d+) (.+)$", re.M)
PARTS = ("Reads", "Passes", "Fails", "Error", "Manual", "Empty", "Later versions")


def _entries() -> dict[str, tuple[str, str]]:
    text = LEDGER.read_text(encoding="utf-8")
    heads = list(HEADING.finditer(text))
    entries: dict[str, tuple[str, str]] = {}
    for head, nxt in zip(heads, [*heads[1:], None]):
        body = text[head.end(): nxt.start() if nxt else len(text)]
        assert head.group(1) not in entries, f"{head.group(1)} appears twice"
        entries[head.group(1)] = (head.group(2).strip(), body)
    return entries


def test_every_recommendation_has_one_entry_and_no_stale_id() -> None:
    assert list(_entries()) == list(CATALOG)


def test_entries_carry_the_catalog_titles() -> None:
    for rec_id, (title, _) in _entries().items():
        assert title == CATALOG[rec_id].title, rec_id


def test_every_entry_says_each_part_of_its_reading() -> None:
    for rec_id, (_, body) in _entries().items():
        for part in PARTS:
            match = re.search(rf"^- \*\*{part}\*\*: (\S.*)$", body, re.M)
            assert match, f"{rec_id}: no '{part}' line"
