"""One outcome everywhere — terminal, pytest-html, --cis-json and JUnit XML agree id by id — and
runs that end early: Ctrl-C, SIGTERM, a worker killed. Real signals, real processes."""

from __future__ import annotations

import csv
import html
import json
import os
import re
import signal
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from pytest_cis_aws.report.phases import relabel
from pytest_cis_aws.report.results import Results, incomplete_note, outcome_of
from pytest_cis_aws.report.terminal import score_lines
from runs import DENY_PASSWORD_POLICY
from schemas import validate_asff, validate_sarif

# -- the scenario: one audit with every outcome --------------------------------------------------

SCENARIO_CONFTEST = DENY_PASSWORD_POLICY + """
import os
import signal


class KillWorker:
    # Under xdist, the worker running 1.2 dies as a segfault or the OOM killer would kill it.
    def pytest_runtest_call(self, item):
        if hasattr(item.config, "workerinput") and item.name.startswith("test_1_2_"):
            os.kill(os.getpid(), signal.SIGKILL)


def pytest_configure(config):
    # Registered, not a conftest hook: conftest hooks never see the stock checks' items.
    config.pluginmanager.register(KillWorker(), "kill_worker")
"""

ORG_CHECK = """
import pytest
from pytest_cis_aws import Finding, assert_compliant


@pytest.mark.cis(id="ORG-1", level=1, section="iam", title="Cannot tell")
def test_org_cannot_tell():
    # could not be evaluated in the call phase, not in a fixture
    assert_compliant([Finding.unknown("arn:aws:iam::123456789012:user/x", "unreadable")])
"""

WAIVERS = """
[[waiver]]
id = "1.14"
resource = "arn:aws:iam::123456789012:root"
reason = "hardware MFA ordered, SEC-1"
expires = 2099-01-01
"""

OUTPUTS = ("--cis-json=cis.json", "--html=cis.html", "--junitxml=junit.xml", "-rA", "--color=no",
           "--cis-sarif=cis.sarif", "--cis-asff=cis.asff.json",
           "--cis-ocsf=cis.ocsf.json", "--cis-csv=cis.csv", "--cis-markdown=cis.md")


def scenario(directory: Path) -> list[str]:
    (directory / "conftest.py").write_text(SCENARIO_CONFTEST)
    (directory / "test_org.py").write_text(ORG_CHECK)
    (directory / "waivers.toml").write_text(WAIVERS)
    return ["--cis-level=2", "--cis-regions=us-east-1", "--cis-waivers=waivers.toml", *OUTPUTS]


# -- reading the four outputs --------------------------------------------------------------------

TERMINAL_WORDS = {"PASSED": "passed", "FAILED": "failed", "ERROR": "error", "XFAIL": "waived"}
HTML_WORDS = {"Passed": "passed", "Failed": "failed", "Error": "error", "Skipped": "manual",
              "XFailed": "waived"}


def json_outcomes(document: dict[str, Any]) -> dict[str, str]:
    return {r["id"]: r["outcome"] for r in document["results"]}


def terminal_outcomes(stdout: str, document: dict[str, Any]) -> dict[str, str]:
    """pytest's short summary (-rA) by node id, and the CIS summary's list of manual ids."""
    ids = {r["nodeid"]: r["id"] for r in document["results"]}
    found = {ids[nodeid]: TERMINAL_WORDS[word] for word, nodeid in
             re.findall(r"^(PASSED|FAILED|ERROR|XFAIL) (\S+)", stdout, re.M)}
    manual = re.search(r"^manual: (.*)$", stdout, re.M)
    found.update(dict.fromkeys(manual.group(1).split(", ") if manual else [], "manual"))
    errors = re.search(r"^error: (.*)$", stdout, re.M)
    assert sorted(errors.group(1).split(", ") if errors else []) == sorted(
        rec for rec, outcome in found.items() if outcome == "error")
    return found


def html_rows(path: Path) -> list[dict[str, Any]]:
    blob = re.search(r'data-jsonblob="([^"]*)"', path.read_text()).group(1)
    return [row for rows in json.loads(html.unescape(blob))["tests"].values() for row in rows]


def html_outcomes(path: Path) -> dict[str, str]:
    return {row["cisid"]: HTML_WORDS[row["result"]] for row in html_rows(path)}


def junit_outcomes(path: Path) -> dict[str, str]:
    found = {}
    for case in ET.parse(path).iter("testcase"):
        props = {p.get("name"): p.get("value") for p in case.iter("property")}
        kinds = {child.tag: child for child in case}
        if "error" in kinds:
            outcome = "error"
        elif "failure" in kinds:
            outcome = "failed"
        elif "skipped" in kinds:
            skipped = kinds["skipped"]
            outcome = ("waived" if skipped.get("type") == "pytest.xfail" else
                       "manual" if skipped.get("message", "").startswith("manual:") else "skipped")
        else:
            outcome = "passed"
        found[props["cis_id"]] = outcome
    return found


# A recommendation's outcome from its export's items: a manual review wins (its evidence may
# fail), then a failure (failures win over unknowns), could not evaluate, all waived, passed.
PRECEDENCE = ("manual", "failed", "error", "waived", "passed")


def first_of(found: set[str]) -> str:
    return next(outcome for outcome in PRECEDENCE if outcome in found or outcome == "passed")


def sarif_outcomes(path: Path) -> dict[str, str]:
    """Every rule is a recommendation of the run; its results say how it ended (none: passed)."""
    (run,) = json.loads(path.read_text())["runs"]
    found: dict[str, set[str]] = {rule["id"]: set() for rule in run["tool"]["driver"]["rules"]}
    words = {"review": "manual", "fail": "failed", "open": "error"}
    for result in run["results"]:
        found[result["ruleId"]].add("waived" if result.get("suppressions") else
                                    words[result["kind"]])
    return {rec: first_of(outcomes) for rec, outcomes in found.items()}


def asff_outcomes(path: Path) -> dict[str, str]:
    """Per generator (one a recommendation): the findings' compliance and workflow status."""
    words = {("FAILED", "NEW"): "failed", ("FAILED", "SUPPRESSED"): "waived",
             ("NOT_AVAILABLE", "NEW"): "error", ("WARNING", "NEW"): "manual",
             ("PASSED", "RESOLVED"): "passed"}
    found: dict[str, set[str]] = {}
    for finding in json.loads(path.read_text()):
        if finding["RecordState"] == "ACTIVE":
            found.setdefault(finding["GeneratorId"].rsplit("/", 1)[1], set()).add(
                words[finding["Compliance"]["Status"], finding["Workflow"]["Status"]])
    return {rec: first_of(outcomes) for rec, outcomes in found.items()}


def junit_suite_properties(path: Path) -> dict[str, str]:
    suite = ET.parse(path).find("testsuite")
    props = suite.find("properties")
    return {p.get("name"): p.get("value") for p in props} if props is not None else {}


# An export lists items (one per resource, one per result no finding explains); a
# recommendation's outcome is the first of these its items have, as assert_compliant decides.
PRECEDENCE = ("manual", "skipped", "failed", "error", "waived", "passed")


def by_precedence(pairs: list[tuple[str, str]]) -> dict[str, str]:
    states: dict[str, set[str]] = {}
    for rec, state in pairs:
        states.setdefault(rec, set()).add(state)
    return {rec: next(s for s in PRECEDENCE if s in found) for rec, found in states.items()}


OCSF_STATES = {(1, 1): "passed", (3, 1): "failed", (3, 3): "waived", (2, 1): "error"}


def ocsf_outcomes(path: Path) -> dict[str, str]:
    """OCSF's words: compliance Pass/Fail/Warning, the finding Suppressed, Other 'Manual'."""
    pairs = []
    for event in json.loads(path.read_text()):
        compliance = event["compliance"]
        key = (compliance["status_id"], event["status_id"])
        state = (compliance["status"].lower() if compliance["status_id"] == 99
                 else OCSF_STATES[key])
        pairs.append((compliance["control"], state))
    return by_precedence(pairs)


def csv_outcomes(path: Path) -> dict[str, str]:
    with path.open(newline="", encoding="utf-8") as f:
        return by_precedence([(row["id"], row["outcome"]) for row in csv.DictReader(f)])


def markdown_outcomes(path: Path, document: dict[str, Any]) -> dict[str, str]:
    """The failing / could-not-evaluate table, the manual and waived lists; any other
    recommendation passed."""
    text = path.read_text(encoding="utf-8")
    found = dict.fromkeys((r["id"] for r in document["results"]), "passed")
    table = text.split("### Failing or could not evaluate", 1)[-1].split("\n###", 1)[0]
    for row in re.findall(r"^\| (\S+) \| .* \| (failed|could not evaluate) \| \d+ \| \d+ \|$",
                          table, re.M):
        found[row[0]] = "failed" if row[1] == "failed" else "error"
    for heading, outcome in (("Manual (check by hand)", "manual"), ("Waived", "waived")):
        listed = re.search(rf"^### {re.escape(heading)}: \d+\n\n((?:- .*\n)+)", text, re.M)
        for rec in re.findall(r"^- (\S+) ", listed.group(1) if listed else "", re.M):
            found[rec] = outcome
    return found


def four_outputs(directory: Path, stdout: str) -> tuple[dict[str, Any], dict[str, dict[str, str]]]:
    document = json.loads((directory / "cis.json").read_text())
    return document, {
        "json": json_outcomes(document),
        "terminal": terminal_outcomes(stdout, document),
        "html": html_outcomes(directory / "cis.html"),
        "junit": junit_outcomes(directory / "junit.xml"),
        "sarif": sarif_outcomes(directory / "cis.sarif"),
        "asff": asff_outcomes(directory / "cis.asff.json"),
        "ocsf": ocsf_outcomes(directory / "cis.ocsf.json"),
        "csv": csv_outcomes(directory / "cis.csv"),
        "markdown": markdown_outcomes(directory / "cis.md", document),
    }


def assert_agree(views: dict[str, dict[str, str]]) -> dict[str, str]:
    reference = views["json"]
    for name, view in views.items():
        assert view == reference, (name, sorted(set(view.items()) ^ set(reference.items())))
    assert set(reference.values()) == {"passed", "failed", "error", "manual", "waived"}
    assert len(reference) == 53  # the 52 recommendations and ORG-1
    return reference


# -- one outcome everywhere ----------------------------------------------------------------------

def test_every_output_agrees_id_by_id(pytester: pytest.Pytester, moto: None) -> None:
    result = pytester.runpytest(*scenario(pytester.path))
    document, views = four_outputs(pytester.path, result.stdout.str())
    outcome = assert_agree(views)
    validate_sarif(json.loads((pytester.path / "cis.sarif").read_text()))
    validate_asff(json.loads((pytester.path / "cis.asff.json").read_text()))
    assert outcome["ORG-1"] == "error"  # could not evaluate, in the call phase
    assert outcome["1.5"] == "error"  # could not evaluate, in setup (AccessDenied)
    assert (outcome["1.14"], outcome["1.15"], outcome["1.5"]) == ("waived", "manual", "error")
    assert document["complete"] is True and document["not_run"] == []
    assert junit_suite_properties(pytester.path / "junit.xml") == {"cis_complete": "true"}
    # pytest's own words for a call-phase error, and a row that names the test, not "::setup"
    result.stdout.fnmatch_lines(["*ERROR at call of test_org_cannot_tell*"])
    assert {row["testId"] for row in html_rows(pytester.path / "cis.html")
            if row["cisid"] == "ORG-1"} == {"test_org.py::test_org_cannot_tell"}
    assert "incomplete" not in result.stdout.str()


POSIX = pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals and process groups")


@pytest.mark.slow  # an end-to-end xdist run: `pytest -m slow` (CI runs it)
@POSIX
def test_under_xdist_a_killed_worker_is_an_error_everywhere(pytester: pytest.Pytester,
                                                            moto_server: str) -> None:
    result = pytester.runpytest_subprocess(*scenario(pytester.path), "-p", "xdist", "-n", "2",
                                           f"--cis-endpoint-url={moto_server}", timeout=300)
    document, views = four_outputs(pytester.path, result.stdout.str())
    outcome = assert_agree(views)
    assert (outcome["ORG-1"], outcome["1.5"], outcome["1.14"]) == ("error", "error", "waived")
    crashed = next(r for r in document["results"] if r["id"] == "1.2")
    assert crashed["outcome"] == "error" and "crashed" in crashed["reason"], crashed
    # every collected recommendation has an outcome: the run is complete, with one error
    assert document["complete"] is True and document["collected"] == 53
    result.stdout.fnmatch_lines(["*replacing crashed worker*", "  1.2: worker 'gw*' crashed*"])


# -- runs that end early -------------------------------------------------------------------------

BLOCKER = """
import os
import time
from pathlib import Path

import pytest


class Blocker:
    # Holds the run in recommendation 2.1 until a signal ends it; tells the test when.
    @pytest.hookimpl(tryfirst=True)
    def pytest_runtest_call(self, item):
        if item.name.startswith("test_2_1_"):
            Path({sentinel!r}).touch()
            deadline = time.monotonic() + 120
            while time.monotonic() < deadline:
                time.sleep(0.05)


def pytest_configure(config):
    config.pluginmanager.register(Blocker(), "blocker")
"""


def interrupted_run(directory: Path, sig: signal.Signals, *args: str) -> tuple[int, str]:
    """Run an audit in a process group; signal the group (as a terminal's Ctrl-C or a CI
    runner's cancel does) once recommendation 2.1 is running."""
    sentinel = directory / "running-2.1"
    (directory / "conftest.py").write_text(BLOCKER.format(sentinel=str(sentinel)))
    command = [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "--cis-level=2",
               "--cis-regions=us-east-1", *OUTPUTS, *args]
    env = {**os.environ, "PYTEST_ADDOPTS": "-p no:hypothesispytest -p no:benchmark"}
    with subprocess.Popen(command, cwd=directory, env=env, stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, text=True, start_new_session=True) as proc:
        try:
            deadline = time.monotonic() + 240
            while not sentinel.exists():
                assert proc.poll() is None, proc.stdout.read()
                assert time.monotonic() < deadline, "2.1 never started"
                time.sleep(0.05)
            os.killpg(proc.pid, sig)
            stdout, _ = proc.communicate(timeout=120)
        finally:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGKILL)
    return proc.returncode, stdout


@POSIX
@pytest.mark.parametrize("sig, args", [
    pytest.param(signal.SIGTERM, (), id="SIGTERM"),
    pytest.param(signal.SIGINT, ("-p", "xdist", "-n", "2"), id="Ctrl-C-xdist"),
])
def test_a_signalled_run_marks_every_report_incomplete(
        tmp_path: Path, moto_server: str, sig: signal.Signals, args: tuple[str, ...]) -> None:
    code, stdout = interrupted_run(tmp_path, sig, f"--cis-endpoint-url={moto_server}", *args)
    assert code == pytest.ExitCode.INTERRUPTED, stdout
    document = json.loads((tmp_path / "cis.json").read_text())
    assert document["complete"] is False
    sarif_run = json.loads((tmp_path / "cis.sarif").read_text())["runs"][0]
    assert sarif_run["invocations"][0]["executionSuccessful"] is False
    not_run = [n["id"] for n in document["not_run"]]
    assert "2.1" in not_run  # interrupted half-way is not run
    ran = {r["id"] for r in document["results"]}
    assert len(ran) + len(not_run) == document["collected"] == 52 and not ran & set(not_run)
    note = f"incomplete: {len(not_run)} of 52 not run"
    assert note in stdout
    # every score says it is over a subset, in the terminal and in the HTML
    scores = re.findall(r"^Level \d: .*$", stdout, re.M)
    assert scores and all(line.endswith(note) for line in scores), scores
    page = (tmp_path / "cis.html").read_text()
    assert page.count(html.escape(note)) >= 3, note  # the warning and both levels' scores
    assert (tmp_path / "cis.md").read_text(encoding="utf-8").count(note) >= 3  # same in Markdown
    assert junit_suite_properties(tmp_path / "junit.xml") == {
        "cis_complete": "false", "cis_collected": "52", "cis_not_run": " ".join(not_run)}
    if sig == signal.SIGTERM:  # without xdist the order is known: section 1 ran, then 2.1
        assert ran == {f"1.{n}" for n in range(1, 25)}


# -- the accounting, with plain reports ----------------------------------------------------------

META = {"id": "1.2", "title": "MFA", "section": "iam", "level": 1, "scored": True,
        "stock": True, "account": None}


def report(when: str, outcome: str = "passed", nodeid: str = "x.py::test_1_2",
           **extra: Any) -> Any:
    fields = {"nodeid": nodeid, "when": when, "outcome": outcome, "cis": META,
              "passed": outcome == "passed", "failed": outcome == "failed",
              "skipped": outcome == "skipped", "longrepr": "boom", **extra}
    return SimpleNamespace(**fields)


def test_a_check_without_its_teardown_has_not_run() -> None:
    results = Results()
    results.expect({"x.py::test_1_2": META, "x.py::test_1_3": {**META, "id": "1.3"}})
    results.add(report("setup"))
    results.add(report("call"))  # passed, but Ctrl-C came before its teardown
    assert results.results() == []
    assert results.completeness() == {"complete": False, "collected": 2, "not_run": [
        {"id": "1.2", "account": None, "nodeid": "x.py::test_1_2"},
        {"id": "1.3", "account": None, "nodeid": "x.py::test_1_3"}]}
    results.add(report("teardown"))
    assert [r.outcome for r in results.results()] == ["passed"]
    assert incomplete_note(results.completeness()) == "incomplete: 1 of 2 not run"


def test_a_crashed_worker_accounts_for_its_check_as_an_error() -> None:
    results = Results()
    results.expect({"x.py::test_1_2": META})
    results.add(report("???", "failed", cis_outcome="error", cis_crashed=True,
                       longrepr="worker 'gw0' crashed while running 'x.py::test_1_2'"))
    (result,) = results.results()
    assert (result.outcome, result.reason) == (
        "error", "worker 'gw0' crashed while running 'x.py::test_1_2'")
    assert results.completeness()["complete"] is True


def test_interrupted_before_collection_is_not_complete() -> None:
    results = Results()
    assert results.completeness()["complete"] is True  # nothing collected, nothing missing
    results.interrupted = True
    assert incomplete_note(results.completeness()) == (
        "incomplete: interrupted before the checks were collected")


def test_every_score_line_carries_the_note() -> None:
    score = {"1": {"passed": 13, "evaluated": 13}, "2": {"passed": 13, "evaluated": 13}}
    assert score_lines(score, 2, "incomplete: 39 of 52 not run") == [
        "Level 1: 13/13 scored recommendations pass (100%), incomplete: 39 of 52 not run",
        "Level 2: 13/13 scored recommendations pass (100%), incomplete: 39 of 52 not run"]


@pytest.mark.parametrize("when", ["call", "???"])
def test_a_could_not_evaluate_report_is_logged_as_an_error(when: str) -> None:
    rep = report(when, "failed", cis_outcome="error")
    relabel(rep)
    relabel(rep)
    assert (rep.when, rep.cis_phase) == ("setup", when)
    verdict = report("call", "failed")  # a compliance failure stays a failure
    relabel(verdict)
    assert verdict.when == "call" and not hasattr(verdict, "cis_phase")


def test_a_run_stopped_by_maxfail_is_incomplete(pytester: pytest.Pytester, moto: None) -> None:
    result = pytester.runpytest("--cis-id=1.5,1.6,1.7", "--cis-regions=us-east-1", "-x",
                                "--cis-json=cis.json")
    document = json.loads((pytester.path / "cis.json").read_text())
    assert document["complete"] is False
    assert [n["id"] for n in document["not_run"]] == ["1.6", "1.7"]
    result.stdout.fnmatch_lines(["incomplete: 2 of 3 not run", "not run: 1.6, 1.7",
                                 "Level 1: 0/1 of the selected scored recommendations pass "
                                 "(36 in the benchmark), incomplete: 2 of 3 not run"])


def _shard(results: list[str], not_run: list[str], complete: bool) -> dict[str, Any]:
    from pytest_cis_aws.report.json_export import assemble, row

    rows = [row({"id": rec, "title": rec, "section": "iam", "account": "111111111111",
                 "nodeid": f"t::{rec}", "outcome": "passed", "reason": "", "stock": True,
                 "scored": True, "level": 1, "findings": [], "notes": []}, None)
            for rec in results]
    return assemble(rows, {"account": "111111111111", "regions": [], "level": 1}, {
        "complete": complete, "collected": len(rows) + len(not_run),
        "not_run": [{"id": rec, "account": "111111111111", "nodeid": f"t::{rec}"}
                    for rec in not_run]})


def test_merged_shards_are_complete_only_when_every_check_ran_somewhere() -> None:
    from pytest_cis_aws.report.merge import merge as merged_of

    def merge(documents: list[dict[str, Any]]) -> dict[str, Any]:
        return merged_of(documents).doc

    # (A second run of the same account is not merged into the first: merge refuses the same
    # account twice unless --latest keeps one file; see test_merge.py.)
    merged = merge([_shard(["1.1"], ["1.2", "1.3"], complete=False)])
    assert (merged["complete"], [n["id"] for n in merged["not_run"]]) == (False, ["1.2", "1.3"])
    assert merged["collected"] == 3
    assert merge([_shard(["1.1", "1.2", "1.3"], [], complete=True)])["complete"] is True
    assert merge([_shard([], [], complete=False)])["complete"] is False  # nothing known


def test_interrupted_before_any_check_reported_still_says_so(pytester: pytest.Pytester,
                                                             moto: None) -> None:
    pytester.makeconftest("""
        def pytest_runtestloop(session):
            raise KeyboardInterrupt  # as Ctrl-C right after collection would
    """)
    result = pytester.runpytest("--cis-id=1.5,1.6,1.7", "--cis-regions=us-east-1",
                                "--cis-json=cis.json", no_reraise_ctrlc=True)
    assert result.ret == pytest.ExitCode.INTERRUPTED
    document = json.loads((pytester.path / "cis.json").read_text())
    assert (document["complete"], len(document["not_run"]), document["results"]) == (False, 3, [])
    result.stdout.fnmatch_lines(["incomplete: 3 of 3 not run", "Level 1: no scored "
                                 "recommendation ran (36 in the benchmark), incomplete: 3 of 3 "
                                 "not run"])


def test_sigterm_is_an_interruption_only_while_the_plugin_runs(pytester: pytest.Pytester,
                                                                moto: None) -> None:
    def mine(signum: int, frame: Any) -> None:  # pragma: no cover  (never delivered)
        pass

    previous = signal.signal(signal.SIGTERM, mine)
    try:
        pytester.makeconftest("""
            import signal

            def pytest_runtestloop(session):
                session.config.sigterm_during_run = signal.getsignal(signal.SIGTERM)
        """)
        result = pytester.runpytest("--cis-id=1.5", "--cis-regions=us-east-1")
        (config,) = [call.config for call in result.reprec.getcalls("pytest_unconfigure")]
        assert config.sigterm_during_run is signal.default_int_handler
        assert signal.getsignal(signal.SIGTERM) is mine
        pytester.runpytest("--co")  # dormant (no --cis-* option): never touched
        assert signal.getsignal(signal.SIGTERM) is mine
    finally:
        signal.signal(signal.SIGTERM, previous)


def test_setup_and_teardown_without_the_check_body_is_not_a_pass() -> None:
    results = Results()  # what --setup-only and --setup-plan report
    results.add(report("setup"))
    results.add(report("teardown"))
    assert results.results() == [] and [r.id for r in results.not_run()] == ["1.2"]
    skipped = Results()  # a fixture that ends the check (manual, or an error) judges it
    skipped.add(report("setup", "skipped", longrepr=("x.py", 1, "Skipped: manual: look"),
                       cis_outcome="manual"))
    skipped.add(report("teardown"))
    assert [r.outcome for r in skipped.results()] == ["manual"]


def test_a_skip_message_never_decides_the_outcome() -> None:
    # Only the plugin's mark (set where `manual` raised) makes a skip manual.
    plain = report("call", "skipped", longrepr=("x.py", 1, "Skipped: manual: looks manual"))
    assert outcome_of(plain) == "skipped"
    assert outcome_of(report("call", "skipped", longrepr=("x.py", 1, "Skipped: look"),
                             cis_outcome="manual")) == "manual"


def test_an_organisation_check_is_manual_by_calling_manual_not_by_its_words(
        pytester: pytest.Pytester, moto: None) -> None:
    pytester.makepyfile(test_org="""
        import pytest
        from pytest_cis_aws import Finding, manual

        @pytest.mark.cis(id="ORG-1", level=1, title="Looks manual")
        def test_plain_skip():
            pytest.skip("manual: looks manual")

        @pytest.mark.cis(id="ORG-2", level=1, title="Is manual")
        def test_manual():
            manual("a person reads the runbook", [Finding.of("arn:aws:iam::123456789012:root",
                                                             True, "seen")])
    """)
    result = pytester.runpytest("--cis-no-stock", "--cis-regions=us-east-1", "--cis-json=out.json",
                                "--html=out.html", "-rs")
    found = {r["id"]: r for r in json.loads((pytester.path / "out.json").read_text())["results"]}
    assert {rec: r["outcome"] for rec, r in found.items()} == {"ORG-1": "skipped",
                                                              "ORG-2": "manual"}
    # The words people read are unchanged; the manual check keeps its evidence.
    assert found["ORG-1"]["reason"] == "manual: looks manual"
    assert found["ORG-2"]["reason"] == "manual: a person reads the runbook"
    assert [f["resource"] for f in found["ORG-2"]["findings"]] == ["arn:aws:iam::123456789012:root"]
    assert re.search(r"^manual: ORG-2$", result.stdout.str(), re.M)
    result.stdout.fnmatch_lines(["SKIPPED * test_org.py:*: manual: a person reads the runbook"])
    rows = {row["cisid"]: json.dumps(row) for row in html_rows(pytester.path / "out.html")}
    assert 'data-cis=\\"skipped\\"' in rows["ORG-1"]
    assert 'data-cis=\\"manual\\"' in rows["ORG-2"]
    result.assert_outcomes(skipped=2)
