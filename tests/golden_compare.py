"""Compare two CIS_GOLDEN_DIR trees: did a refactor move any outcome, finding or reason?

    CIS_GOLDEN_DIR=/tmp/before python -m pytest -n 2 -q     # on the old commit
    CIS_GOLDEN_DIR=/tmp/after python -m pytest -n 2 -q      # on the new one
    python tests/golden_compare.py /tmp/before /tmp/after   # exit 1 when a document differs

tests/conftest.py saves every --cis-json document the suite's runs build, times and temporary
paths blanked. What still varies from run to run is blanked here: moto's random resource and
account ids (and the stable ids derived from them), clock times in reasons, call counts. Lists
are compared as sets (an organisation's accounts sort by their random ids). Two known sources
of noise remain: the organisation shard tests (random account ids decide each shard's members)
and one fault test whose threads share an endless page token.
"""

from __future__ import annotations

import difflib
import json
import re
import sys
from pathlib import Path
from typing import Any

RANDOM = [
    (re.compile(r"\b(i|sg|vpc|subnet|rtb|acl|igw|pcx|fl|eni|pl|sgr|ami|snap|vol|r|cgw|vgw|tgw|"
                r"dopt|eipalloc|rtbassoc|aclassoc|nat|vpce)-[0-9a-f]{8,17}\b"), r"\1-<id>"),
    (re.compile(r"\b[0-9a-f]{32}\b"), "<hex32>"),
    (re.compile(r"\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b"), "<uuid>"),
    (re.compile(r'"age_seconds": \d+'), '"age_seconds": 0'),
    (re.compile(r"0x[0-9a-f]{6,16}"), "0x<addr>"),
    (re.compile(r"\d{4}-\d\d-\d\d[ T]\d\d:\d\d(:\d\d)?"), "<when>"),
    (re.compile(r"(?<=[\":\[/ ])(?!123456789012)[0-9]{12}(?![0-9])"), "<acct>"),
    (re.compile(r"\d+ min old"), "N min old"),
    (re.compile(r'"(calls|api_calls|hits|misses|count)": \d+'), r'"\1": 0'),
    (re.compile(r'"oldest_seconds": [0-9.e-]+'), '"oldest_seconds": 0'),
]


def _canon(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _canon(item) for key, item in value.items()}
    if isinstance(value, list):
        return sorted((_canon(item) for item in value),
                      key=lambda item: json.dumps(item, sort_keys=True))
    return value


def normalised(text: str) -> str:
    for pattern, blank in RANDOM:
        text = pattern.sub(blank, text)
    doc = json.loads(text)
    doc.pop("score_by_account", None)  # keyed by moto's random account ids
    return json.dumps(_canon(doc), indent=1, sort_keys=True)


def main(before: Path, after: Path) -> int:
    names_before = {p.name for p in before.iterdir()}
    names_after = {p.name for p in after.iterdir()}
    for name in sorted(names_before ^ names_after):
        print(f"only in {before if name in names_before else after}: {name}")
    differ = 0
    for name in sorted(names_before & names_after):
        old = normalised((before / name).read_text(encoding="utf-8"))
        new = normalised((after / name).read_text(encoding="utf-8"))
        if old != new:
            differ += 1
            print(f"DIFF {name}")
            diff = difflib.unified_diff(old.splitlines(), new.splitlines(), lineterm="", n=1)
            for line in list(diff)[:16]:
                print(f"    {line[:200]}")
    print(f"{len(names_before & names_after)} compared, {differ} differ")
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1]), Path(sys.argv[2])))
