"""The baseline gate: --cis-baseline, --cis-fail-on, --cis-fail-under and `pytest-cis-aws diff`.

Most tests compare hand-built documents (pure, cheap); a few in-process runs against moto
check the exit status and that a bad baseline is one usage error.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from moto import mock_aws

from pytest_cis_aws import cli
from pytest_cis_aws.report import baseline, gate, json_export
from pytest_cis_aws.report.items import open_items
from schemas import validate_cis_json
from test_bad_input import assert_one_clear_line

ACCOUNT = "123456789012"
USER = f"arn:aws:iam::{ACCOUNT}:user/"
POLICY = f"arn:aws:iam::{ACCOUNT}:account-password-policy"


def result(rec: str, outcome: str, *findings: tuple[str, bool | None] | tuple[str, bool, bool],
           account: str | None = None) -> dict[str, Any]:
    """A result row as json_export writes it; a finding is (resource, compliant[, waived])."""
    from pytest_cis_aws.catalog import CATALOG

    rec_meta = CATALOG[rec]
    raw = {"id": rec, "title": rec_meta.title, "section": "iam", "level": rec_meta.level,
           "scored": rec_meta.scored, "stock": True, "account": account, "outcome": outcome,
           "reason": "" if outcome == "passed" else f"{rec} {outcome}",
           "nodeid": f"cis_aws_1_iam.py::test_{rec.replace('.', '_')}",
           "findings": [{"resource": f[0], "region": None, "compliant": f[1],
                         "reason": "why", "waived": bool(f[2]) if len(f) > 2 else False}
                        for f in findings],
           "notes": []}
    return json_export.row(raw, account or ACCOUNT)


def document(*rows: dict[str, Any], account: str = ACCOUNT, level: int = 1,
             complete: bool = True) -> dict[str, Any]:
    header = {"account": account, "regions": ["us-east-1"], "level": level}
    completeness = {"complete": complete, "collected": len(rows) + (0 if complete else 1),
                    "not_run": [] if complete else [{"id": "1.9", "account": None,
                                                     "nodeid": "cis_aws_1_iam.py::t"}]}
    doc = json_export.assemble(list(rows), header, completeness)
    validate_cis_json(doc)
    return doc


def tagged(doc: dict[str, Any]) -> dict[str, str | None]:
    """{'<rec> <resource>': change} of every open item ('<rec>' for a result-level one)."""
    return {f"{item.result['id']} {item.resource or ''}".strip(): item.change
            for item in open_items(doc)}


# -- compare: pure, on hand-built documents --------------------------------------------------

BEFORE = document(
    result("1.2", "failed", (USER + "bob", False), (USER + "carol", False), (USER + "eve", True)),
    result("1.3", "failed", (USER + "bob", False), (USER + "mallory", False, True)),
    result("1.4", "failed", (USER + "bob", False)),
    result("1.5", "error"),  # could not read the password policy: a result-level item
    result("1.6", "failed", (POLICY, False)),
)


def test_open_items_are_new_or_unchanged_and_the_closed_ones_resolved() -> None:
    after = document(
        # bob still fails; carol was fixed; dave is new; eve still passes
        result("1.2", "failed", (USER + "bob", False), (USER + "carol", True),
               (USER + "dave", False), (USER + "eve", True)),
        # bob now could not be evaluated: still open, so unchanged; mallory's waiver expired
        result("1.3", "error", (USER + "bob", None), (USER + "mallory", False)),
        # 1.4 was not run this time: bob is neither resolved nor open
        result("1.5", "error"),  # still could not be evaluated: the same result-level item
        # 1.6 could not be evaluated as a whole: its old failure is not resolved, and new
        result("1.6", "error"),
    )
    compared = baseline.compare(BEFORE, after, "old.json")
    validate_cis_json(compared)
    assert tagged(compared) == {f"1.2 {USER}bob": "unchanged", f"1.2 {USER}dave": "new",
                                f"1.3 {USER}bob": "unchanged", f"1.3 {USER}mallory": "new",
                                "1.5": "unchanged", "1.6": "new"}
    assert [(r["recommendation"], r["resource"], r["was"]) for r in compared["resolved"]] == [
        ("1.2", USER + "carol", "failed")]
    assert compared["resolved"][0] == {
        "id": BEFORE["results"][0]["findings"][1]["id"], "recommendation": "1.2",
        "title": BEFORE["results"][0]["title"], "account": ACCOUNT, "region": None,
        "resource": USER + "carol", "was": "failed", "reason": "why"}
    # 1.4's bob and 1.6's policy: not evaluated again, so neither resolved nor open
    assert compared["baseline"] == {"generated_at": BEFORE["generated_at"], "path": "old.json",
                                    "not_evaluated": 2}
    passes = [f for r in compared["results"] for f in r["findings"] if f["compliant"]]
    assert passes and all("change" not in f for f in passes)
    assert "change" not in after["results"][0]["findings"][0]  # the input is left alone
    assert baseline.summary_line(compared) == (
        f"against baseline {BEFORE['generated_at']}: 3 new, 3 unchanged, 1 resolved; 2 of its "
        "open items not evaluated in this run (neither resolved nor open)")


def test_waived_or_passing_now_is_resolved_and_the_same_run_changes_nothing() -> None:
    after = document(result("1.2", "waived", (USER + "bob", False, True), (USER + "carol", True)))
    compared = baseline.compare(BEFORE, after)
    validate_cis_json(compared)
    assert tagged(compared) == {}
    assert {r["resource"] for r in compared["resolved"]} == {USER + "bob", USER + "carol"}
    same = baseline.compare(BEFORE, BEFORE)
    assert set(tagged(same).values()) == {"unchanged"} and same["resolved"] == []


def test_organization_items_are_compared_per_account() -> None:
    other = "210987654321"
    before = document(result("1.2", "failed", (USER + "bob", False), account=ACCOUNT),
                      account="organization")
    after = document(result("1.2", "failed", (USER + "bob", False), account=ACCOUNT),
                     result("1.2", "failed", (USER + "bob", False), account=other),
                     account="organization")
    compared = baseline.compare(before, after)
    validate_cis_json(compared)
    changes = {(i.account, i.change) for i in open_items(compared)}
    assert changes == {(ACCOUNT, "unchanged"), (other, "new")}
    baseline.check_accounts(before, [ACCOUNT, other])  # overlapping: compared
    with pytest.raises(baseline.BaselineError, match=f"it audited {ACCOUNT}, this run audits "
                                                     f"{other}"):
        baseline.check_accounts(before, [other])


def test_a_baseline_of_another_or_an_unknown_account_is_refused() -> None:
    baseline.check_accounts(BEFORE, [ACCOUNT])
    with pytest.raises(baseline.BaselineError, match="another account"):
        baseline.check_accounts(BEFORE, ["111111111111"])
    with pytest.raises(baseline.BaselineError, match="does not say which account"):
        baseline.check_accounts({**BEFORE, "account": "unknown"}, [ACCOUNT])


# -- load: what a baseline file must be -----------------------------------------------------

def _mutate(change: Any) -> str:
    doc = json.loads(json.dumps(BEFORE))
    change(doc)
    return json.dumps(doc)


BAD_FILES = [
    ("missing", None, "cannot read it (No such file or directory)"),
    ("not-json", "{not json", "not JSON"),
    ("array", "[]", "not a JSON object"),
    ("pre-1.0", '{"results": []}', "no schema_version"),
    ("schema-2", _mutate(lambda d: d.update(schema_version="2.0")), "schema_version 2.0"),
    ("version", _mutate(lambda d: d.update(version="1.2.0")),
     "benchmark version '1.2.0', not 1.1.0"),
    ("benchmark", _mutate(lambda d: d.update(benchmark="CIS Azure")), "another benchmark"),
    ("results", _mutate(lambda d: d.update(results={})), "results is not a list"),
    ("finding-id", _mutate(lambda d: d["results"][0]["findings"][0].pop("id")),
     "results[0].findings[0].id"),
    ("outcome", _mutate(lambda d: d["results"][1].update(outcome="fine")),
     "results[1].outcome"),
    ("date", _mutate(lambda d: d.update(generated_at="yesterday")), "generated_at"),
]


@pytest.mark.parametrize(("name", "text", "message"), BAD_FILES, ids=[b[0] for b in BAD_FILES])
def test_a_bad_baseline_file_says_why(tmp_path: Path, name: str, text: str | None,
                                      message: str) -> None:
    path = tmp_path / "old.json"
    if text is not None:
        path.write_text(text)
    with pytest.raises(baseline.BaselineError) as info:
        baseline.load(str(path))
    assert message in str(info.value)


def test_a_fifo_or_directory_is_refused_unread(tmp_path: Path) -> None:
    with pytest.raises(baseline.BaselineError, match="Is a directory"):
        baseline.load(str(tmp_path))
    if hasattr(os, "mkfifo"):
        os.mkfifo(tmp_path / "fifo")
        with pytest.raises(baseline.BaselineError, match="not a regular file"):
            baseline.load(str(tmp_path / "fifo"))


def test_a_written_document_loads_back(tmp_path: Path) -> None:
    path = tmp_path / "old.json"
    json_export.write(str(path), baseline.compare(BEFORE, BEFORE))  # a compared one too
    assert baseline.load(str(path))["results"] == json.loads(path.read_text())["results"]


# -- the gate: exit status from the document -------------------------------------------------

FAILED, OK = 1, 0
NOW = document(result("1.2", "failed", (USER + "bob", False), (USER + "dave", False)),
               result("1.5", "passed"))


@pytest.mark.parametrize(("doc", "fail_on", "status", "others", "expected"), [
    (NOW, "any", FAILED, 0, FAILED),
    (NOW, "any", OK, 0, OK),
    (baseline.compare(BEFORE, NOW), "new", FAILED, 0, FAILED),  # dave is new
    (baseline.compare(NOW, NOW), "new", FAILED, 0, OK),  # nothing new
    (baseline.compare(NOW, NOW), "new", FAILED, 1, FAILED),  # a plain test failed
    (NOW, "new", FAILED, 0, FAILED),  # no baseline: every open item is new
    (NOW, "none", FAILED, 0, OK),
    (NOW, "none", FAILED, 2, FAILED),
    (NOW, "none", 2, 0, 2),  # interrupted stays interrupted
    (NOW, "none", 4, 0, 4),
    (NOW, "none", 5, 0, 5),  # no tests collected
], ids=["any-fail", "any-ok", "new", "nothing-new", "new-plain-failed", "new-no-baseline",
        "none", "none-plain-failed", "interrupted", "usage", "no-tests"])
def test_fail_on_sets_the_exit_status(doc: dict[str, Any], fail_on: str, status: int,
                                      others: int, expected: int) -> None:
    assert gate.decide(doc, fail_on=fail_on).exit_status(status, others) == expected


def test_fail_on_new_fails_an_incomplete_run() -> None:
    partial = baseline.compare(NOW, document(*NOW["results"], complete=False))
    verdict = gate.decide(partial, fail_on="new")
    assert verdict.exit_status(OK, 0) == FAILED
    assert "incomplete" in verdict.reasons[0][0]


@pytest.mark.parametrize(("threshold", "expected", "line"), [
    (50, OK, "--cis-fail-under=50: level 1 score 1/2 = 50.0% is at or above 50%"),
    (50.01, FAILED, "--cis-fail-under=50.01: level 1 score 1/2 = 50.0% is below 50.01%: the run "
                    "fails"),
])
def test_fail_under_compares_the_selected_levels_score(threshold: float, expected: int,
                                                       line: str) -> None:
    verdict = gate.decide(NOW, fail_on="none", fail_under=threshold)
    assert verdict.exit_status(FAILED, 0) == expected
    assert verdict.reasons[-1] == (line, expected == FAILED)


def test_fail_under_with_nothing_evaluated_fails() -> None:
    verdict = gate.decide(document(result("1.5", "error")), fail_under=0)
    assert verdict.exit_status(FAILED, 0) == FAILED
    assert "nothing proven" in verdict.reasons[0][0]


# -- pytest-cis-aws diff ---------------------------------------------------------------------

def _write(tmp_path: Path, name: str, doc: dict[str, Any]) -> str:
    path = tmp_path / name
    path.write_text(json.dumps(doc))
    return str(path)


def test_diff_lists_new_resolved_and_unchanged(tmp_path: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    old, new = _write(tmp_path, "old.json", BEFORE), _write(tmp_path, "new.json", NOW)
    assert cli.main(["diff", old, new]) == 1
    out = capsys.readouterr().out
    assert out.splitlines()[0].startswith(f"against baseline {BEFORE['generated_at']}: 1 new, "
                                          "1 unchanged, 2 resolved;")
    assert f"new (1):\n  1.2 {USER}dave: non-compliant: why\n" in out
    assert (f"resolved (2):\n  1.2 {USER}carol: non-compliant: why\n"
            "  1.5 (the check as a whole): could not evaluate: 1.5 error\n") in out
    assert f"unchanged (1):\n  1.2 {USER}bob: non-compliant: why\n" in out
    assert cli.main(["diff", new, new]) == 0


@pytest.mark.parametrize(("change", "message"), [
    ({"version": "1.2.0"}, "benchmark version 1.2.0, * of 1.1.0: finding ids differ"),
    ({"account": "111111111111"}, "old.json: another account: it audited 111111111111, "
                                  "*n.json audits 123456789012"),
    ({"results": "none"}, "results is not a list"),
], ids=["version", "account", "malformed"])
def test_diff_of_documents_that_do_not_compare_is_one_error(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], change: dict[str, Any],
        message: str) -> None:
    import fnmatch

    old, new = _write(tmp_path, "old.json", {**BEFORE, **change}), _write(tmp_path, "n.json", NOW)
    assert cli.main(["diff", old, new]) == 4
    captured = capsys.readouterr()
    assert captured.out == ""
    lines = captured.err.splitlines()
    assert len(lines) == 1 and lines[0].startswith("ERROR: pytest-cis-aws diff: ")
    assert fnmatch.fnmatch(lines[0], f"*{message}*"), lines[0]


# -- the plugin: exit status and a bad baseline, against moto --------------------------------

@pytest.mark.parametrize(("text", "pattern"), [
    (None, "ERROR: --cis-baseline old.json: cannot read it (No such file or directory)"),
    ("{", "ERROR: --cis-baseline old.json: not JSON *"),
    (_mutate(lambda d: d.update(version="1.2.0")),
     "ERROR: --cis-baseline old.json: benchmark version '1.2.0', not 1.1.0*"),
], ids=["missing", "not-json", "version"])
def test_a_bad_baseline_is_one_usage_error_before_any_aws_call(
        pytester: pytest.Pytester, text: str | None, pattern: str) -> None:
    if text is not None:
        (pytester.path / "old.json").write_text(text)
    # No moto here: the fake credentials and dead proxy would fail any call that was made.
    assert_one_clear_line(pytester.runpytest("--cis-baseline=old.json", "--co"), pattern)
    assert_one_clear_line(pytester.runpytest("--cis-baseline=old.json"), pattern)


@pytest.fixture(scope="module")
def account() -> Iterator[None]:
    """One simulated account for the runs below: moto builds its regions once, not per test."""
    with mock_aws():
        yield


def _run(pytester: pytest.Pytester, *args: str) -> pytest.RunResult:
    # 1.2 passes and 1.5 fails (no password policy) in a fresh moto account.
    return pytester.runpytest("--cis-regions=us-east-1", "--cis-id=1.2,1.5", *args)


def test_a_baseline_run_tags_and_gates(pytester: pytest.Pytester, account: None) -> None:
    first = _run(pytester, "--cis-json=old.json")
    assert first.ret == pytest.ExitCode.TESTS_FAILED
    again = _run(pytester, "--cis-baseline=old.json", "--cis-fail-on=new", "--cis-json=new.json")
    assert again.ret == pytest.ExitCode.OK, again.stdout.str()
    again.stdout.fnmatch_lines(["against baseline *: 0 new, 1 unchanged, 0 resolved",
                                "--cis-fail-on=new: nothing new is non-compliant*"])
    doc = json.loads((pytester.path / "new.json").read_text())
    assert doc["baseline"]["path"] == "old.json"
    assert [f["change"] for r in doc["results"] for f in r["findings"] if "change" in f] == [
        "unchanged"]

    # A baseline where 1.5 passed and 1.2 failed for a user since deleted: 1.5 is new, the
    # user is resolved; 1/2 = 50% is below 60.
    old = json.loads((pytester.path / "old.json").read_text())
    rows = {r["id"]: r for r in old["results"]}
    rows["1.5"].update(outcome="passed", findings=[])
    rows["1.2"].update(outcome="failed", findings=[{
        "id": "0" * 32, "resource": USER + "ghost", "region": None, "compliant": False,
        "reason": "no MFA", "waived": False}])
    (pytester.path / "edited.json").write_text(json.dumps(old))
    gated = _run(pytester, "--cis-baseline=edited.json", "--cis-fail-on=new",
                 "--cis-fail-under=60", f"--html={pytester.path / 'r.html'}")
    assert gated.ret == pytest.ExitCode.TESTS_FAILED
    gated.stdout.fnmatch_lines([
        "against baseline *: 1 new, 0 unchanged, 1 resolved",
        f"  new: 1.5 {POLICY}: non-compliant: *",
        "--cis-fail-on=new: 1 new non-compliant or could-not-evaluate item: the run fails",
        "--cis-fail-under=60: level 2 score 1/2 = 50.0% is below 60%: the run fails",
    ])
    html = (pytester.path / "r.html").read_text()
    assert "1 new, 0 unchanged, 1 resolved" in html and f"1.2 {USER}ghost" in html


def test_fail_on_none_excuses_cis_results_but_not_plain_tests(pytester: pytest.Pytester,
                                                              account: None) -> None:
    # (that CIS results alone then leave the run passing: test_a_baseline_run_tags_and_gates)
    pytester.makepyfile(test_plain="def test_plain():\n    assert False\n")
    result = _run(pytester, "--cis-fail-on=none")
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    result.stdout.fnmatch_lines(["--cis-fail-on=none: CIS results do not fail the run",
                                 "*2 failed, 1 passed*"])


def test_a_baseline_of_another_account_is_one_usage_error(pytester: pytest.Pytester,
                                                          account: None) -> None:
    (pytester.path / "old.json").write_text(json.dumps({**BEFORE, "account": "111111111111"}))
    result = _run(pytester, "--cis-baseline=old.json")
    assert_one_clear_line(result, "ERROR: --cis-baseline old.json: another account: it audited "
                                  f"111111111111, this run audits {ACCOUNT}")


def test_an_organization_baseline_must_share_an_account(pytester: pytest.Pytester,
                                                        account: None) -> None:
    import boto3

    org = boto3.client("organizations", region_name="us-east-1")
    org.create_organization(FeatureSet="ALL")
    member = org.create_account(Email="m@example.com", AccountName="m")[
        "CreateAccountStatus"]["AccountId"]
    (pytester.path / "old.json").write_text(json.dumps(BEFORE))  # the management account's
    result = _run(pytester, "--cis-baseline=old.json", "--cis-org-role=OrganizationAccountAccess"
                  "Role", f"--cis-accounts={member}")
    assert_one_clear_line(result, "ERROR: --cis-baseline old.json: another account: it audited "
                                  f"{ACCOUNT}, this run audits {member}")


@pytest.mark.slow  # an end-to-end xdist run: the controller's exit status is the process's
def test_the_gate_decides_the_exit_status_under_xdist(pytester: pytest.Pytester,
                                                      moto_server: str) -> None:
    result = pytester.runpytest_subprocess(
        "--cis-regions=us-east-1", "--cis-id=1.5", f"--cis-endpoint-url={moto_server}",
        "--cis-fail-on=none", "-p", "xdist", "-n", "2", timeout=240)
    result.stdout.fnmatch_lines(["*2 workers*", "--cis-fail-on=none: CIS results do not fail*",
                                 "*1 failed*"])
    assert result.ret == pytest.ExitCode.OK
