"""--cis-markdown: the summary, rendered by GitHub's own Markdown engine (cmark-gfm, through
cmarkgfm) as a pull request or a job summary page would show it: hostile names stay literal,
tables keep their shape, lists are capped; `auto` appends to $GITHUB_STEP_SUMMARY."""

from __future__ import annotations

import copy
import re
from pathlib import Path
from typing import Any

import cmarkgfm
import pytest
from cmarkgfm.cmark import Options

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
from pytest_cis_aws.report import markdown, outputs
from pytest_cis_aws.text import printable


def page(text: str) -> str:
    """The HTML GitHub's renderer makes of it, raw HTML let through (GitHub then sanitises;
    the summary must not depend on that)."""
    return str(cmarkgfm.github_flavored_markdown_to_html(text, options=Options.CMARK_OPT_UNSAFE))


def table_rows(html: str) -> list[list[str]]:
    body = re.search(r"<tbody>(.*?)</tbody>", html, re.S)
    assert body, html
    return [re.findall(r"<td>(.*?)</td>", row, re.S)
            for row in re.findall(r"<tr>(.*?)</tr>", body.group(1), re.S)]


def tables(html: str) -> list[list[list[str]]]:
    return [table_rows(t) for t in re.findall(r"<table>.*?</table>", html, re.S)]


def test_the_summary_says_who_what_and_the_score() -> None:
    text = markdown.render(document())
    assert text.startswith("## CIS Amazon Web Services Foundations Benchmark v1.1.0\n")
    assert f"account `{ACCOUNT}` · regions `us-east-1`, `eu-west-1` · level 2" in text
    assert "Complete: every collected check ran (7)." in text
    # Seven results are not the benchmark: the score says so, with the benchmark's count.
    assert ("- **Level 1: 1/3 of the selected scored recommendations pass "
            "(36 in the benchmark)**") in text
    assert ("- **Level 2: 1/4 of the selected scored recommendations pass "
            "(47 in the benchmark)**") in text
    (failing,) = tables(page(text))
    assert failing == [
        ["1.2", "Ensure MFA is enabled for all IAM users that have a console password",
         "failed", "1", "1"],
        ["1.5", "Ensure IAM password policy requires at least one uppercase letter",
         "could not evaluate", "0", "1"],
        ["4.1", "Ensure no security groups allow ingress from 0.0.0.0/0 to port 22",
         "failed", "1", "0"],
        ["ORG-1", "Our &lt;own&gt; | check", "could not evaluate", "0", "1"]]
    assert "### Manual (check by hand): 1\n\n- 1.15 Ensure security questions" in text
    assert "### Waived: 1\n\n- 1.14 Ensure hardware MFA" in text
    assert "baseline" not in text


def test_an_incomplete_run_says_so_above_its_scores() -> None:
    doc = document([result("1.2", "MFA", "passed", [finding("arn:aws:iam::1:user/a", True, "")])],
                   complete=False, collected=3,
                   not_run=[{"id": "1.3", "account": None, "nodeid": "t::1.3"},
                            {"id": "1.4", "account": ACCOUNT, "nodeid": "t::1.4"}])
    text = markdown.render(doc)
    assert "**incomplete: 2 of 3 not run**" in text
    assert f"Not run: `1.3`, `{ACCOUNT}/1.4`" in text
    assert ("- **Level 1: 1/1 of the selected scored recommendations pass (36 in the "
            "benchmark), incomplete: 2 of 3 not run**") in text
    assert "No failing or could-not-evaluate recommendation." in text


def test_new_and_resolved_against_a_baseline() -> None:
    doc = with_baseline(document())
    for f in doc["results"][5]["findings"]:  # the hostile security group is new, too
        f["change"] = "new"
    text = markdown.render(doc)
    assert "### Against the baseline of 2026-11-30T22:00:00+00:00" in text
    assert "**2 new**, 2 resolved, 3 unchanged." in text
    html = page(text)
    new, resolved = re.findall(r"<ul>(.*?)</ul>", html, re.S)[-2:]
    assert re.findall(r"<li>(.*?)</li>", new, re.S)[0] == (
        "1.2 Ensure MFA is enabled for all IAM users that have a console password: "
        f"<code>arn:aws:iam::{ACCOUNT}:user/alice</code> (failed)")
    gone = re.findall(r"<li>(.*?)</li>", resolved, re.S)
    assert gone[0] == f"1.2 MFA: <code>arn:aws:iam::{ACCOUNT}:user/bob</code> (was failed)"
    assert gone[1] == ("4.1 SSH: <code>arn:aws:ec2:eu-west-1:123456789012:security-group/"
                       "sg-gone`|&lt;b&gt;</code> (was failed)")


def test_a_hostile_name_cannot_break_the_page() -> None:
    doc = with_baseline(document())
    for f in doc["results"][5]["findings"]:
        f["change"] = "new"
    doc["results"][6]["title"] = HOSTILE  # an organisation check's title is shown as text
    text = markdown.render(doc)
    html = page(text)
    # no tag, link or image from the name: only the ones the summary makes
    assert set(re.findall(r"<(\w+)", html)) <= {"h2", "h3", "p", "code", "strong", "table",
                                                 "thead", "tbody", "tr", "th", "td", "ul", "li"}
    # the name is one code span, as printable shows it (its newline and bidi override escaped)
    assert f"<code>{_escaped(printable(HOSTILE, 300))}</code>" in html
    # the table keeps its rows and its five columns
    (failing,) = tables(html)
    assert [len(row) for row in failing] == [5, 5, 5, 5]
    assert failing[3][0] == "ORG-1" and "<script>" not in failing[3][1]
    # the account's names make no @mention: outside code spans (GitHub makes none inside),
    # only the organisation's own title has one
    outside = re.sub(r"<code>.*?</code>", "", html, flags=re.S)
    assert "@team" not in outside.replace(failing[3][1], "")


def _escaped(value: str) -> str:
    return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace(
        '"', "&quot;")


def test_code_spans_outlast_any_backticks_inside() -> None:
    assert markdown.code("plain") == "`plain`"
    assert markdown.code("a`b``c") == "```a`b``c```"
    assert markdown.code("`edge`") == "`` `edge` ``"
    for value in ["a`b``c", "`edge`", "``", " "]:
        assert page(markdown.code(value)) == f"<p><code>{_escaped(value)}</code></p>\n"


def test_an_organisation_gets_a_score_per_account() -> None:
    text = markdown.render(organisation())
    assert f"2 accounts (`{ACCOUNT}`, `{OTHER}`)" in text
    scores, failing = tables(page(text))
    assert scores == [[ACCOUNT, "1/3 (33%)", "1/4 (25%)"], [OTHER, "1/3 (33%)", "1/4 (25%)"]]
    assert [row[:2] for row in failing] == [[a, rec] for a in (ACCOUNT, OTHER)
                                            for rec in ("1.2", "1.5", "4.1", "ORG-1")]
    assert "Organization total:" in text


def test_long_lists_are_capped() -> None:
    many = [result("1.2", "MFA", "failed",
                   [finding(f"arn:aws:iam::{ACCOUNT}:user/u{n}", False, "no MFA")
                    for n in range(300)])]
    many += [result(f"ORG-{n}", "Own", "error", stock=False) for n in range(150)]
    doc = with_baseline(document(many))
    for f in doc["results"][0]["findings"]:
        f["change"] = "new"
    text = markdown.render(doc)
    assert "**300 new**" in text and "- … and 250 more: see the JSON report" in text
    (failing,) = tables(page(text))
    assert len(failing) == markdown.MAX_ROWS and failing[0][3:] == ["300", "0"]
    assert "… and 51 more: see the JSON report." in text
    assert len(text.encode()) < 64 * 1024


@pytest.fixture
def doc() -> dict[str, Any]:
    return document()


def test_auto_appends_to_the_github_job_summary(doc: dict[str, Any], tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    summary = tmp_path / "step_summary"
    summary.write_text("## an earlier step\n", encoding="utf-8")
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    assert outputs.write(doc, {"markdown": "auto"}) == [summary]
    outputs.write(doc, {"markdown": "auto"})
    text = summary.read_text(encoding="utf-8")
    assert text.startswith("## an earlier step\n## CIS Amazon Web Services")
    assert text.count("## CIS Amazon") == 2


def test_auto_outside_github_actions_writes_nothing(doc: dict[str, Any], tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("GITHUB_STEP_SUMMARY", raising=False)
    monkeypatch.chdir(tmp_path)
    assert outputs.write(doc, {"markdown": "auto"}) == []
    assert list(tmp_path.iterdir()) == []
    written = outputs.write(copy.deepcopy(doc), {"markdown": str(tmp_path / "cis.md")})
    assert written == [tmp_path / "cis.md"]
    assert (tmp_path / "cis.md").read_text(encoding="utf-8") == markdown.render(doc)
