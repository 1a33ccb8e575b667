"""A second benchmark, run end to end: the house is ready for a later CIS version.

tests/data/example-baseline-0.1.0.toml maps five requirements, under other ids (three levels
deep), sections and levels, to rules the v1.1.0 benchmark also uses. Run on the demo account with
--cis-benchmark, each reaches the outcome and evidence its rule reaches under v1.1.0; selection,
markers, the header, scores and the exports follow the file; the default benchmark chosen by
name gives the same document as no choice at all.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from pytest_cis_aws import catalog, cli
from schemas import validate_asff, validate_ocsf, validate_sarif

SECOND = Path(__file__).parent / "data" / "example-baseline-0.1.0.toml"
# The second benchmark's ids, and the v1.1.0 recommendation verified by the same rule.
SAME_RULE = {"1.1.1": "1.13", "1.1.2": "1.2", "2.1": "2.3", "3.1": "2.1", "3.2": "3.3"}


def audit(pytester: pytest.Pytester, *args: str) -> tuple[dict[str, Any], pytest.RunResult]:
    report = pytester.path / "cis.json"
    report.unlink(missing_ok=True)
    result = pytester.runpytest("--cis-demo", f"--cis-json={report}", "--color=no", *args)
    assert report.exists(), result.stdout.str() + result.stderr.str()
    return json.loads(report.read_text()), result


def by_id(doc: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {r["id"]: r for r in doc["results"]}


def judged(result: dict[str, Any]) -> tuple[str, list[tuple[str, Any]]]:
    """What a rule concluded: the outcome and each resource's verdict (reasons may cite the
    benchmark's own id)."""
    return result["outcome"], [(f["resource"], f["compliant"]) for f in result["findings"]]


def test_the_second_benchmark_runs_end_to_end(pytester: pytest.Pytester,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    sarif, asff, ocsf = (pytester.path / name for name in ("cis.sarif", "asff.json", "ocsf.json"))
    doc, result = audit(pytester, f"--cis-benchmark={SECOND}", f"--cis-sarif={sarif}",
                        f"--cis-asff={asff}", f"--cis-ocsf={ocsf}")
    assert (doc["benchmark"], doc["version"]) == ("Example Cloud Baseline", "0.1.0")
    results = by_id(doc)
    assert list(results) == list(SAME_RULE)
    assert {i: (r["section"], r["level"], r["scored"]) for i, r in results.items()} == {
        "1.1.1": ("identity", 1, True), "1.1.2": ("identity", 2, True),
        "2.1": ("storage", 1, True), "3.1": ("audit_trail", 1, False),
        "3.2": ("audit_trail", 2, True)}
    assert results["1.1.2"]["title"] == "Console users sign in with MFA"
    assert results["1.1.2"]["remediation"] == "Register an MFA device for each console user."
    assert results["1.1.2"]["reason"] == (
        "EXB 1.1.2 Console users sign in with MFA: 2 of 4 resources do not comply")
    # Its rules conclude what they conclude under v1.1.0, resource by resource.
    default, _ = audit(pytester)
    v110 = by_id(default)
    assert {i: judged(r) for i, r in results.items()} == {
        i: judged(v110[old]) for i, old in SAME_RULE.items()}
    assert doc["complete"] and doc["collected"] == 5
    out = result.stdout.str()
    assert "Example Cloud Baseline v0.1.0" in out
    assert "  benchmark: Example Baseline v0.1.0 (from command line)" in out
    assert "CIS Amazon Web Services" not in out
    assert doc["score"]["1"] == {"passed": 2, "evaluated": 2}
    log = json.loads(sarif.read_text())
    validate_sarif(log)
    rules = log["runs"][0]["tool"]["driver"]["rules"]
    assert [rule["id"] for rule in rules] == list(SAME_RULE)
    assert all("Example Baseline v0.1.0" in rule["fullDescription"]["text"] for rule in rules)
    assert {r["ruleId"] for r in log["runs"][0]["results"]} == {"1.1.2"}  # the one failing
    findings = json.loads(asff.read_text())
    validate_asff(findings)
    assert {f["GeneratorId"] for f in findings} == {
        f"pytest-cis-aws/example-baseline/v/0.1.0/{rec_id}" for rec_id in SAME_RULE}
    assert {f["Compliance"]["RelatedRequirements"][0] for f in findings} == {
        f"Example Baseline v0.1.0/{rec_id}" for rec_id in SAME_RULE}
    events = json.loads(ocsf.read_text())
    for event in events:
        validate_ocsf(event)
    assert {e["compliance"]["standards"][0] for e in events} == {"Example Baseline v0.1.0"}
    assert catalog.current() is catalog.DEFAULT  # the run put the default back
    second = pytester.path / "second.json"
    second.write_text(json.dumps(doc))
    check_the_command_reads_it(second, doc, capsys)


def check_the_command_reads_it(path: Path, doc: dict[str, Any],
                               capsys: pytest.CaptureFixture[str]) -> None:
    """`pytest-cis-aws merge` and `diff` read the second benchmark's files when told which."""
    merged = path.with_name("merged.json")
    assert cli.main(["merge", str(path), "-o", str(merged)]) == 4
    assert ("another benchmark ('Example Cloud Baseline' v'0.1.0'; this reads CIS Amazon Web "
            "Services Foundations Benchmark: name its data with --benchmark)"
            in capsys.readouterr().err)
    assert cli.main(["--benchmark", str(SECOND), "merge", str(path), "-o", str(merged)]) == 0
    assert ([(r["id"], r["outcome"]) for r in json.loads(merged.read_text())["results"]]
            == [(r["id"], r["outcome"]) for r in doc["results"]])
    assert cli.main(["--benchmark", str(SECOND), "diff", str(path), str(merged)]) == 0
    assert catalog.current() is catalog.DEFAULT


@pytest.mark.parametrize(("args", "ids"), [
    (["--cis-level=1", "--cis-section=storage,3", "-c", "config/pytest.ini",
      "--rootdir=."], ["2.1", "3.1"]),
    (["--cis-id=1.1.2,3.2", "-m", "cis_audit_trail and cis_scored", "--strict-markers"],
     ["3.2"]),
])
def test_selection_follows_the_second_benchmark(pytester: pytest.Pytester, args: list[str],
                                                ids: list[str]) -> None:
    if "-c" in args:  # named by the ini file, relative to it, as a team would keep it
        (pytester.path / "config").mkdir()
        (pytester.path / "config" / "baseline.toml").write_text(SECOND.read_text())
        (pytester.path / "config" / "pytest.ini").write_text(
            "[pytest]\ncis_benchmark = baseline.toml\n")
        doc, _ = audit(pytester, *args)
    else:
        doc, _ = audit(pytester, f"--cis-benchmark={SECOND}", *args)
    assert [r["id"] for r in doc["results"]] == ids


@pytest.mark.parametrize(("args", "said"), [
    (["--cis-benchmark=nope"], "unknown benchmark 'nope'; shipped: cis-aws-foundations-1.1.0"),
    ([f"--cis-benchmark={SECOND}", "--cis-id=1.2"],
     "unknown recommendation id '1.2' (the benchmark has 1.1.1-1.1.2, 2.1, 3.1-3.2)"),
    ([f"--cis-benchmark={SECOND}", "--cis-section=iam"], "unknown CIS section 'iam'"),
])
def test_a_bad_choice_is_one_error_line(pytester: pytest.Pytester, args: list[str],
                                        said: str) -> None:
    result = pytester.runpytest("--cis-demo", *args)
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    errors = [line for line in result.stderr.lines if line.startswith("ERROR:")]
    assert len(errors) == 1 and said in errors[0], result.stderr.str()
    assert catalog.current() is catalog.DEFAULT


def test_a_malformed_benchmark_file_names_its_entry(pytester: pytest.Pytester) -> None:
    bad = pytester.path / "bad.toml"
    bad.write_text(SECOND.read_text().replace("level = 2", "level = 3", 1))
    result = pytester.runpytest("--cis-demo", f"--cis-benchmark={bad}")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    assert result.stderr.lines[0] == (
        "ERROR: --cis-benchmark (ini cis_benchmark, env CIS_AWS_BENCHMARK): bad.toml: "
        "recommendations[1] (id '1.1.2'): level 3 is not 1 or 2")


def test_a_rule_no_check_implements_is_refused(pytester: pytest.Pytester) -> None:
    bad = pytester.path / "bad.toml"
    bad.write_text(SECOND.read_text().replace("rule = 'iam.root_mfa'", "rule = 'iam.root_mfa_v2'"))
    result = pytester.runpytest("--cis-demo", f"--cis-benchmark={bad}")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    assert result.stderr.lines[0].startswith(
        "ERROR: --cis-benchmark (ini cis_benchmark, env CIS_AWS_BENCHMARK): "
        f"{bad}: recommendation 1.1.1 names rule 'iam.root_mfa_v2', which no check implements")


def test_the_default_chosen_by_name_is_the_default(pytester: pytest.Pytester) -> None:
    named, _ = audit(pytester, "--cis-benchmark=cis-aws-foundations-1.1.0", "--cis-level=1")
    default, _ = audit(pytester, "--cis-level=1")
    texts = []
    for doc in (named, default):
        doc.pop("generated_at")
        doc.pop("api_calls")  # counts, not outcomes: the credential report's polling may differ
        doc.pop("credential_reports")  # when each run's report was generated
        # The demo dates its account from the clock ("delivered 23:23 UTC (2 h ago)").
        texts.append(re.sub(r"\d{4}-\d\d-\d\d \d\d:\d\d", "<when>", json.dumps(doc)))
    assert texts[0] == texts[1]
