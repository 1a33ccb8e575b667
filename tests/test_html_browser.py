"""The HTML report: what its first screen is made of (pure, on hand-built results), and the
report as a person sees it, the demo's rendered in headless Chromium.

For the browser tests, one demo run (a subprocess: the report is written at its session end)
and one Chromium run (`--dump-dom` and `--screenshot` together) serve every test; together
~7 s, so they are marked slow (CI runs them: `-m slow`). The report is loaded in a 1280x900
frame of a probe page that measures, after pytest-html's script has drawn the table,
where things are and what they say (`--allow-file-access-from-files` lets the probe read the
frame). The screenshot of that first screen is kept under pytest's temporary directory; its
path is printed and recorded as the test's `screenshot` property.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from datetime import datetime, timezone
from pathlib import Path
from types import SimpleNamespace
from typing import Any
from urllib.parse import quote

import pytest

from pytest_cis_aws import catalog
from pytest_cis_aws.report.html import (
    WORDS,
    coverage,
    evidence_html,
    render_summary,
    summary_context,
)
from pytest_cis_aws.report.results import Result, Results
from pytest_cis_aws.report.terminal import score_lines

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
browser = pytest.mark.skipif(
    CHROMIUM is None, reason="needs Debian's chromium (apt-get install chromium); .ci/run "
    "installs it")

WIDTH, HEIGHT = 1280, 900

PROBE = """<!DOCTYPE html><html><body style="margin:0;overflow:hidden">
<iframe id="r" src="report.html" style="width:WIDTHpx;height:HEIGHTpx;border:0"></iframe>
<pre id="out">not loaded</pre>
<iframe id="deep" src="report.html#DEEP" style="width:WIDTHpx;height:HEIGHTpx;border:0"></iframe>
<script>
var pending = 2;
var out = {boxes: {}, rows: [], links: [], open: 0, filters: [], deep: null};
function done() {
  pending -= 1;
  if (pending === 0) {
    window.scrollTo(0, 0);  /* the deep frame's scrollIntoView scrolled this page too */
    document.getElementById('out').textContent = JSON.stringify(out);
  }
}
document.getElementById('r').addEventListener('load', function () {
  var d = document.getElementById('r').contentDocument;
  function box(selector) {
    var e = d.querySelector(selector);
    if (!e) { return null; }
    var r = e.getBoundingClientRect();
    return {top: r.top, bottom: r.bottom, text: e.innerText,
            hidden: e.classList.contains('hidden')};
  }
  ['#cis-summary', '.cis-facts', '.cis-coverage', '.cis-scores', '.cis-sections',
   '.cis-attention', '.cis-list', '#results-table', '#environment-header', '#environment'
  ].forEach(function (s) { out.boxes[s] = box(s); });
  d.querySelectorAll('#results-table tbody.results-table-row').forEach(function (b) {
    out.rows.push({id: b.id, cisid: b.querySelector('.col-cisid').textContent,
                   word: b.querySelector('.col-result').getAttribute('data-cis'),
                   title: b.querySelector('.col-cistitle').textContent});
    if (!b.querySelector('.extras-row').classList.contains('hidden')) { out.open += 1; }
  });
  d.querySelectorAll('.cis-list a.cis-jump').forEach(function (a) {
    out.links.push(a.getAttribute('data-target'));
  });
  d.querySelectorAll('.filters span').forEach(function (s) {
    if (s.offsetParent !== null) { out.filters.push(s.textContent.trim()); }
  });
  done();
});
document.getElementById('deep').addEventListener('load', function () {
  var d = document.getElementById('deep').contentDocument;
  var row = d.querySelector('#results-table tbody.cis-target');
  var evidence = row && row.querySelector('.cis-evidence');
  out.deep = row && {id: row.id, top: row.getBoundingClientRect().top,
                     open: !row.querySelector('.extras-row').classList.contains('hidden'),
                     evidence: evidence ? evidence.innerText : null};
  done();
});
</script></body></html>
""".replace("WIDTH", str(WIDTH)).replace("HEIGHT", str(HEIGHT))


HOSTILE = '"><script>alert(1)</script><img src=x onerror=alert(2)>'
HEADER = {"account": "123456789012", "regions": ["eu-west-1"], "level": 2, "duration": 3.2,
          "api_calls": 5}
STARTED = datetime(2026, 1, 2, 3, 4, 5, tzinfo=timezone.utc)


def results_of(*rows: tuple[str, str], account: str | None = None) -> Results:
    """Results as the plugin gathers them, by hand: (CIS or custom id, outcome)."""
    results = Results()
    for rec_id, outcome in rows:
        rec = catalog.CATALOG.get(rec_id)
        result = Result(id=rec_id, title=rec.title if rec else HOSTILE,
                        section=rec.section if rec else "iam", level=rec.level if rec else 1,
                        scored=rec.scored if rec else True, stock=rec is not None,
                        nodeid=f"test_x.py::test_{rec_id.replace('.', '_')}", account=account,
                        outcome=outcome, reason=HOSTILE if outcome == "error" else "",
                        done=True, judged=True)
        results.by_nodeid[result.nodeid] = result
    return results


def test_coverage_says_whether_the_run_is_the_whole_benchmark() -> None:
    every = [(rec.id, "passed") for rec in catalog.recommendations()]
    assert coverage(results_of(*every), HEADER) == {
        "partial": False, "text": "Selected: all 52 recommendations of the benchmark"}
    level1 = [(rec.id, "passed") for rec in catalog.recommendations() if rec.level == 1]
    assert coverage(results_of(*level1), {**HEADER, "level": 1})["text"] == (
        f"Selected: all {len(level1)} level 1 recommendations of the benchmark")
    assert coverage(results_of(("1.2", "failed"), ("ORG-1", "passed")), HEADER)["text"] == (
        "Partial run: selected 1 of the 52 recommendations, plus 1 custom check; the score "
        "covers what ran")
    assert coverage(results_of(("ORG-1", "passed")), HEADER)["text"].startswith(
        "Partial run: none of the 52 recommendations selected")
    shard = {**HEADER, "shard": {"index": 2, "count": 3, "accounts": ["1", "2"]}}
    assert "shard 2/3 of the accounts" in coverage(results_of(*every), shard)["text"]


def test_the_score_is_the_terminals_and_a_narrowed_one_has_no_bar() -> None:
    results = results_of(("1.2", "failed"), ("1.5", "passed"))
    scores = summary_context(results, HEADER, STARTED)["scores"]
    rows = [r.to_dict() for r in results.results()]
    assert [s["line"] for s in scores] == score_lines(results.score(), 2, rows=rows)
    # two of the benchmark's scored recommendations: no percentage, no bar, as the terminal
    assert "of the selected scored recommendations" in scores[0]["line"]
    assert [s["pct"] for s in scores] == [None, None]


def test_the_summary_escapes_what_aws_and_checks_say_and_fetches_nothing() -> None:
    results = results_of(("1.2", "failed"), ("1.5", "error"), ("ORG-1", "error"),
                         account=HOSTILE)
    page = render_summary(results, {**HEADER, "regions": [HOSTILE]}, STARTED)
    assert HOSTILE not in page and "<img" not in page and "<script>alert" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    # offline: nothing the browser would fetch
    assert not re.search(r"(?:src|href)=\"(?:https?:)?//|@import|url\(", page)
    assert "MFA is enabled for every IAM user with a console password" in page
    assert page.count('class="cis-jump"') == 3
    # one reason, said once, for the two that could not be evaluated
    assert "<b>1.5, ORG-1</b>: &#34;&gt;&lt;script&gt;alert(1)" in page


def test_evidence_is_one_escaped_line_failures_first() -> None:
    report = SimpleNamespace(
        cis={"id": "1.2"}, when="call", failed=True, skipped=False, passed=True,
        longreprtext="CIS 1.2 MFA: 1 of 2 resources do not comply\nmore", longrepr=None,
        cis_findings=[{"resource": "alice", "region": None, "compliant": True, "reason": "ok"},
                      {"resource": HOSTILE, "region": "eu-west-1", "compliant": False,
                       "reason": "\nE forged log line"}],
        cis_notes=[])
    html = evidence_html(report)
    assert "\n" not in html  # pytest-html colours log lines that start with "E"
    assert HOSTILE not in html and "&lt;script&gt;" in html
    assert html.index("does not comply") < html.index("complies")
    assert "CIS 1.2 MFA: 1 of 2 resources do not comply" in html


@pytest.fixture(scope="module")
def page(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    where = tmp_path_factory.mktemp("html-report")
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "--cis-demo", "--cis-level=2", "--html=report.html",
         "--cis-json=demo.json", "-p", "no:cacheprovider", "-q"],
        cwd=where, capture_output=True, text=True, timeout=300)
    assert (where / "report.html").exists(), done.stdout + done.stderr
    doc = json.loads((where / "demo.json").read_text(encoding="utf-8"))
    # the second frame opens report.html#<test id> of the first failed recommendation
    deep = next(r["nodeid"] for r in doc["results"] if r["outcome"] == "failed")
    probe = PROBE.replace("DEEP", quote(deep, safe="/:"))
    (where / "probe.html").write_text(probe, encoding="utf-8")
    shot = where / "first-screen.png"
    dom = subprocess.run(
        [str(CHROMIUM), "--headless", "--no-sandbox", "--disable-gpu",
         "--allow-file-access-from-files", f"--window-size={WIDTH},{HEIGHT}",
         f"--screenshot={shot}", "--dump-dom", (where / "probe.html").as_uri()],
        capture_output=True, text=True, timeout=120)
    found = re.search(r'<pre id="out">(.*?)</pre>', dom.stdout, re.S)
    assert found and found.group(1) != "not loaded", dom.stdout[-2000:] + dom.stderr[-2000:]
    print(f"\nfirst screen of the demo's HTML report: {shot}")
    # CI can keep it: CIS_SCREENSHOT_DIR names a directory to copy it to.
    if os.environ.get("CIS_SCREENSHOT_DIR"):
        target = Path(os.environ["CIS_SCREENSHOT_DIR"])
        target.mkdir(parents=True, exist_ok=True)
        shutil.copy(shot, target / "html-report-first-screen.png")
    import html

    return {"probe": json.loads(html.unescape(found.group(1))), "shot": shot, "doc": doc,
            "deep": deep}


def on_first_screen(box: dict[str, Any] | None) -> bool:
    return box is not None and box["top"] >= 0 and box["bottom"] <= HEIGHT


@pytest.mark.slow
@browser
def test_the_first_screen_shows_score_sections_and_what_failed(
        page: dict[str, Any], record_property: Any) -> None:
    record_property("screenshot", str(page["shot"]))
    assert page["shot"].stat().st_size > 10_000  # a rendered page, not a blank one
    boxes, doc = page["probe"]["boxes"], page["doc"]
    for name in (".cis-facts", ".cis-coverage", ".cis-scores", ".cis-sections", ".cis-list"):
        assert on_first_screen(boxes[name]), (name, boxes[name])
    facts = boxes[".cis-facts"]["text"]
    for word in ("Account 123456789012", "Regions", "Level 2", "Started", "Took",
                 f"{len(doc['results'])} ran"):
        assert word in facts, facts
    assert "Selected: all 52 recommendations" in boxes[".cis-coverage"]["text"]
    # the terminal's score lines, from the same numbers
    for line in score_lines(doc["score"], 2):
        assert line in boxes[".cis-scores"]["text"]
    # the per-section table, in CIS words
    sections = boxes[".cis-sections"]["text"].splitlines()
    assert sections[0].split("\t")[:5] == ["section", "passed", "failed", "could not evaluate",
                                           "manual"]
    for row in sections[1:]:
        name, *counts = row.split("\t")
        mine = [r["outcome"] for r in doc["results"] if r["section"] == name]
        assert counts[:3] == [str(mine.count(o)) for o in ("passed", "failed", "error")], row
    # every failed and could-not-evaluate recommendation, with its title
    listed = boxes[".cis-list"]["text"].splitlines()
    wanted = [r for r in doc["results"] if r["outcome"] in ("failed", "error")]
    assert wanted and len(listed) == len(wanted)
    for r in wanted:
        assert any(line.startswith(f"{r['id']} {r['title']}") for line in listed), r["id"]


@pytest.mark.slow
@browser
def test_the_table_speaks_cis_and_opens_collapsed(page: dict[str, Any]) -> None:
    probe, doc = page["probe"], page["doc"]
    outcomes = {r["id"]: WORDS[r["outcome"]] for r in doc["results"]}
    assert {row["cisid"]: row["word"] for row in probe["rows"]} == outcomes
    assert {"manual", "failed", "passed"} <= set(outcomes.values())
    titles = {r["id"]: r["title"] for r in doc["results"]}
    assert all(row["title"] == titles[row["cisid"]] for row in probe["rows"])
    assert probe["open"] == 0  # details collapsed, failures included
    assert any(label.endswith("Manual,") for label in probe["filters"]), probe["filters"]
    # each link of the first screen names a row of the table; report.html#<test id> opens it
    ids = {row["id"] for row in probe["rows"]}
    assert probe["links"] and set(probe["links"]) <= ids
    deep = probe["deep"]
    assert deep and deep["id"] == page["deep"] and deep["open"], deep
    assert -1 < deep["top"] < HEIGHT / 2  # scrolled to it
    assert "does not comply" in deep["evidence"]  # its evidence table, failing rows first


@pytest.mark.slow
@browser
def test_the_environment_box_is_at_the_end_collapsed(page: dict[str, Any]) -> None:
    boxes = page["probe"]["boxes"]
    assert boxes["#environment-header"]["top"] > boxes["#results-table"]["bottom"]
    assert boxes["#environment"]["hidden"]
    assert not on_first_screen(boxes["#environment-header"])
