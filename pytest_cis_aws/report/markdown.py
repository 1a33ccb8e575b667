"""--cis-markdown: a summary of a --cis-json document for a pull request or a CI job's page.

What it says: the benchmark, the account(s), regions and level; whether every collected check
ran; the score per level (per account too, for an organisation); a table of the failing and
could-not-evaluate recommendations with how many resources failed or could not be evaluated;
the manual and waived ones; and, when the document carries a baseline comparison, how many
findings are new and how many were resolved, with lists.

Names from the account are untrusted: a resource called "x | y" must not add a table cell, one
called "<img src=...>" or "[click](https://...)" must not become markup on a GitHub page, and
"@team" must not notify anyone. So every account-sourced string is shown only as an inline code
span, which Markdown renders literally (GitHub makes no links or mentions in code), on one line
(`printable` turns newlines and control characters into escapes) and never inside a table;
the text that is shown as text (titles and ids, from the catalog or the organisation's own
checks) is HTML-escaped and its Markdown punctuation backslash-escaped. Lists are capped
(GitHub's job summary holds 1 MiB per step): the JSON report has everything.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Mapping
from typing import Any

from ..text import printable
from .items import OPEN_STATES, Item, items
from .results import incomplete_note
from .terminal import account_rows, score_lines

MAX_ROWS = 100  # table rows
MAX_LIST = 50  # list items
MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]|~#@])")
OUTCOME_WORDS = {"failed": "failed", "error": "could not evaluate"}


def text(value: Any, limit: int = 200) -> str:
    """Shown as text (titles and ids, which come from the catalog or the organisation's own
    code, never from the account): one line, no HTML, no Markdown."""
    escaped = html.escape(printable(value, limit), quote=False)
    return MARKDOWN_SPECIAL.sub(r"\\\1", escaped)


def code(value: Any, limit: int = 300) -> str:
    """Shown literally, as an inline code span: the fence is longer than any run of backticks
    inside, and padded when the value starts or ends with one."""
    shown = printable(value, limit)
    longest = max((len(run) for run in re.findall(r"`+", shown)), default=0)
    fence = "`" * (longest + 1)
    # CommonMark strips one space from each end, unless the span is only spaces
    pad = " " if shown.startswith("`") or shown.endswith("`") or not shown else ""
    return f"{fence}{pad}{shown}{pad}{fence}"


def render(doc: Mapping[str, Any]) -> str:
    everything = list(items(doc))
    results = list(doc.get("results", []))
    organisation = len(doc.get("accounts") or []) > 1 or doc.get("account") == "organization"
    lines = [f"## {text(doc.get('benchmark', 'CIS'))} v{text(doc.get('version', ''))}", ""]
    lines += [*_who(doc, organisation), ""]
    lines += [*_completeness(doc), ""]
    lines += [*_scores(doc, organisation), ""]
    lines += _open_table(results, everything, organisation)
    for outcome, heading in (("manual", "Manual (check by hand)"), ("waived", "Waived")):
        listed = [r for r in results if r.get("outcome") == outcome]
        if listed:
            lines += [f"### {heading}: {len(listed)}", ""]
            lines += [*_capped([f"- {_rec(r, organisation)}" for r in listed]), ""]
    if doc.get("baseline") is not None:
        lines += _baseline(doc, everything, organisation)
    return "\n".join(lines).rstrip("\n") + "\n"


def _who(doc: Mapping[str, Any], organisation: bool) -> list[str]:
    if organisation:
        accounts = list(doc.get("accounts") or [])
        shown = ", ".join(code(a) for a in accounts[:20])
        who = f"{len(accounts)} accounts ({shown}{', …' if len(accounts) > 20 else ''})"
    else:
        who = f"account {code(doc.get('account', 'unknown'))}"
    regions = ", ".join(code(r) for r in doc.get("regions") or []) or "none"
    line = f"{who} · regions {regions} · level {text(doc.get('level'))}"
    out = [line + f" · {text(doc.get('generated_at', ''))}"]
    if doc.get("no_regions"):
        out += ["", f"**No region audited**: {code(doc['no_regions'])}; every regional "
                "recommendation ended in error."]
    return out


def _completeness(doc: Mapping[str, Any]) -> list[str]:
    note = incomplete_note(doc)
    if note is None:
        return [f"Complete: every collected check ran ({text(doc.get('collected', 0))})."]
    out = [f"**{text(note)}**: the scores are over the checks that ran only."]
    missing = [code(f"{n['account']}/{n['id']}" if n.get("account") else n.get("id"))
               for n in doc.get("not_run") or []]
    if missing:
        shown = missing[:MAX_LIST]
        more = f" and {len(missing) - len(shown)} more" if len(missing) > len(shown) else ""
        out += ["", f"Not run: {', '.join(shown)}{more}"]
    return out


def _scores(doc: Mapping[str, Any], organisation: bool) -> list[str]:
    level = int(doc.get("level") or 2)
    out = []
    by_account = doc.get("score_by_account") or {}
    if organisation and by_account:
        out += ["| account | " + " | ".join(f"level {n}" for n in range(1, level + 1)) + " |",
                "| --- |" + " --- |" * level]
        rows = account_rows(by_account, level)
        out += [f"| {' | '.join(text(c) for c in row)} |" for row in rows[:MAX_ROWS]]
        if len(rows) > MAX_ROWS:
            out.append(f"| … and {len(rows) - MAX_ROWS} more accounts |" + " |" * level)
        out += ["", "Organization total:", ""]
    note = incomplete_note(doc)
    score = doc.get("score") or {}
    if all(str(n) in score for n in range(1, level + 1)):
        out += [f"- **{text(line)}**" for line in score_lines(score, level, note,
                                                                 doc.get("results") or [])]
    return out


def _rec(result: Mapping[str, Any], organisation: bool) -> str:
    who = f"{code(result.get('account'))} " if organisation and result.get("account") else ""
    return f"{who}{text(result.get('id'))} {text(result.get('title'))}"


def _open_table(results: list[Mapping[str, Any]], everything: list[Item],
                organisation: bool) -> list[str]:
    open_results = [r for r in results if r.get("outcome") in OPEN_STATES]
    if not open_results:
        return ["No failing or could-not-evaluate recommendation.", ""]
    counts: dict[int, dict[str, int]] = {}
    for item in everything:
        if item.state in OPEN_STATES:
            tally = counts.setdefault(id(item.result), {"failed": 0, "error": 0})
            tally[item.state] += 1
    out = [f"### Failing or could not evaluate: {len(open_results)}", ""]
    head = ["id", "title", "outcome", "failing", "could not evaluate"]
    if organisation:
        head.insert(0, "account")
    out += ["| " + " | ".join(head) + " |", "|" + " --- |" * len(head)]
    for r in open_results[:MAX_ROWS]:
        tally = counts.get(id(r), {"failed": 0, "error": 0})
        cells = [text(r.get("id")), text(r.get("title"), 120),
                 OUTCOME_WORDS[str(r.get("outcome"))], str(tally["failed"]), str(tally["error"])]
        if organisation:  # an account id: twelve digits in a valid document, escaped anyway
            cells.insert(0, text(r.get("account") or ""))
        out.append("| " + " | ".join(cells) + " |")
    if len(open_results) > MAX_ROWS:
        out.append(f"\n… and {len(open_results) - MAX_ROWS} more: see the JSON report.")
    return [*out, ""]


def _item_line(rec: Any, title: Any, account: Any, resource: Any, state: str,
               organisation: bool) -> str:
    who = f"{code(account)} " if organisation and account else ""
    where = f": {code(resource)}" if resource else ""
    return f"- {who}{text(rec)} {text(title, 120)}{where} ({text(state)})"


def _baseline(doc: Mapping[str, Any], everything: list[Item], organisation: bool) -> list[str]:
    new = [i for i in everything if i.state in OPEN_STATES and i.change == "new"]
    unchanged = [i for i in everything if i.state in OPEN_STATES and i.change == "unchanged"]
    resolved = list(doc.get("resolved") or [])
    base = doc.get("baseline") or {}
    out = [f"### Against the baseline of {text(base.get('generated_at', ''))}", "",
           f"**{len(new)} new**, {len(resolved)} resolved, {len(unchanged)} unchanged.", ""]
    if new:
        out += ["New:", ""]
        out += [*_capped([_item_line(i.result.get("id"), i.result.get("title"), i.account,
                                     i.resource, OUTCOME_WORDS.get(i.state, i.state),
                                     organisation) for i in new]), ""]
    if resolved:
        out += ["Resolved:", ""]
        out += [*_capped([_item_line(r.get("recommendation"), r.get("title"),
                                     r.get("account"), r.get("resource"), f"was {r.get('was')}",
                                     organisation) for r in resolved]), ""]
    return out


def _capped(lines: Iterable[str], limit: int = MAX_LIST) -> list[str]:
    lines = list(lines)
    if len(lines) <= limit:
        return lines
    return [*lines[:limit], f"- … and {len(lines) - limit} more: see the JSON report"]
