"""What people read and machines consume: terminal summary, JSON findings, pytest-html."""

from __future__ import annotations

import hashlib
import html
import json
import re
from importlib import metadata
from typing import Any

import pytest

from pytest_cis_aws.catalog import CATALOG

HOSTILE = "<script>alert(1)</script>"


def _run(pytester: pytest.Pytester, *args: str) -> pytest.RunResult:
    return pytester.runpytest("--cis-regions=us-east-1", *args)


def test_summary_block_with_score(pytester: pytest.Pytester, moto: None) -> None:
    result = _run(pytester, "--cis-id=1.2,1.5,1.15,1.17")
    result.stdout.fnmatch_lines([
        "*CIS Amazon Web Services Foundations Benchmark v1.1.0*",
        "account 123456789012 | regions us-east-1 | level 2 | * s | * API calls",
        "*section*passed*failed*error*manual*waived*skipped",
        "*iam*1*1*1*1*0*0",
        # A selection: the score says what it covers, against the benchmark's count.
        "Level 1: 1/2 of the selected scored recommendations pass (36 in the benchmark)",
        "Level 2: 1/2 of the selected scored recommendations pass (47 in the benchmark)",
        "manual: 1.15",
        "error: 1.17",
    ])


def test_dormant_run_prints_no_summary(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_x="def test_x():\n    pass\n")
    result = pytester.runpytest()
    assert "Foundations Benchmark" not in result.stdout.str()


def test_json_findings_shape(pytester: pytest.Pytester, moto: None) -> None:
    out = pytester.path / "findings.json"
    _run(pytester, "--cis-id=1.2,1.5,1.15", f"--cis-json={out}")
    data = json.loads(out.read_text())
    assert data["benchmark"] == "CIS Amazon Web Services Foundations Benchmark"
    assert data["version"] == "1.1.0" and data["account"] == "123456789012"
    assert data["regions"] == ["us-east-1"] and data["level"] == 2
    assert re.match(r"\d{4}-\d\d-\d\dT", data["generated_at"])
    by_id = {r["id"]: r for r in data["results"]}
    assert {k: by_id["1.5"][k] for k in ("section", "level", "scored", "outcome")} == {
        "section": "iam", "level": 1, "scored": True, "outcome": "failed"}
    resource = "arn:aws:iam::123456789012:account-password-policy"
    # A finding's id: the same resource, recommendation, account and region in every run.
    stable = hashlib.sha256("\x1f".join(("cis-aws", "1.1.0", "1.5", "123456789012", "",
                                         resource)).encode()).hexdigest()[:32]
    assert by_id["1.5"]["findings"] == [{
        "id": stable, "resource": resource, "region": None,
        "compliant": False, "reason": "the account has no password policy", "waived": False}]
    assert data["schema_version"] == "1.1" and data["tool"]["name"] == "pytest-cis-aws"
    assert data["tool"]["version"] == metadata.version("pytest-cis-aws")
    assert by_id["1.5"]["remediation"] == CATALOG["1.5"].remediation
    assert by_id["1.5"]["cli"].startswith("aws iam update-account-password-policy")
    assert by_id["1.15"]["outcome"] == "manual"
    assert by_id["1.15"]["reason"].startswith("manual: ")
    assert data["score"] == {"1": {"passed": 1, "evaluated": 2}, "2": {"passed": 1, "evaluated": 2}}


def test_json_lists_organisation_checks_with_their_own_id(pytester: pytest.Pytester,
                                                          moto: None) -> None:
    pytester.makepyfile(test_org="""
        import pytest
        from pytest_cis_aws import Finding, assert_compliant

        @pytest.mark.cis(id="ORG-7", level=1, section="iam", title="Users are in groups")
        def test_org(iam_authorization_details):
            assert_compliant([Finding.of("arn:aws:iam::123456789012:user/x", False, "alone")])
    """)
    out = pytester.path / "f.json"
    _run(pytester, "--cis-no-stock", f"--cis-json={out}")
    (org,) = json.loads(out.read_text())["results"]
    assert org["id"] == "ORG-7" and org["outcome"] == "failed"
    assert org["title"] == "Users are in groups"
    assert org["findings"][0]["reason"] == "alone"


def _html_rows(path: Any) -> list[dict[str, Any]]:
    blob = re.search(r'data-jsonblob="([^"]*)"', path.read_text()).group(1)
    data = json.loads(html.unescape(blob))
    return [row for rows in data["tests"].values() for row in rows]


def test_html_columns_and_title(pytester: pytest.Pytester, moto: None) -> None:
    report = pytester.path / "r.html"
    _run(pytester, "--cis-id=1.2,1.14", f"--html={report}")
    text = report.read_text()
    assert "CIS AWS Foundations Benchmark v1.1.0 — account 123456789012" in text
    for column in ("cisid", "cistitle", "cislevel", "cissection", "cisscored"):
        assert f'data-column-type="{column}"' in text
    rows = _html_rows(report)
    cells = {re.search(r'col-cisid">([^<]*)<', "".join(r["resultsTableRow"])).group(1)
             for r in rows}
    assert cells == {"1.2", "1.14"}
    assert "Level 1: " in text


def test_html_escapes_what_aws_returns(pytester: pytest.Pytester, moto: None,
                                       setup_client: Any) -> None:
    setup_client("iam").create_user(UserName="mallory", Path=f"/{'x'}/")
    pytester.makepyfile(test_org=f"""
        import pytest
        from pytest_cis_aws import Finding, assert_compliant

        @pytest.mark.cis(id="ORG-8", level=1, section="iam")
        def test_org():
            assert_compliant([Finding.of({HOSTILE!r}, False, "\\x1b[31mred\\x1b[0m")])
    """)
    report = pytester.path / "r.html"
    result = _run(pytester, "--cis-no-stock", f"--html={report}")
    assert HOSTILE not in report.read_text()  # escaped, never raw markup
    assert "\x1b[31m" not in result.stdout.str()  # terminal escapes neutralised
    result.stdout.fnmatch_lines(["*<script>alert(1)</script>*\\x1b[31mred*"])


@pytest.mark.slow  # an end-to-end xdist run: `pytest -m slow` (CI runs it)
def test_json_is_the_same_with_and_without_xdist(pytester: pytest.Pytester,
                                                 moto_server: str) -> None:
    args = ("--cis-id=1.2,1.5,1.15,2.1,4.1,4.4", "--cis-regions=us-east-1,eu-west-1",
            f"--cis-endpoint-url={moto_server}")
    pytester.runpytest_subprocess(*args, "--cis-json=one.json", timeout=240)
    result = pytester.runpytest_subprocess(*args, "--cis-json=two.json", "-p", "xdist", "-n", "2",
                                           timeout=240)
    result.stdout.fnmatch_lines(["*2 workers*"])
    assert result.stdout.str().count("CIS Amazon Web Services Foundations Benchmark v1.1.0 =") == 1
    one, two = (json.loads((pytester.path / name).read_text()) for name in ("one.json", "two.json"))
    for doc in (one, two):
        doc.pop("generated_at")
        # Each run is shown the report AWS (moto) dated when it asked: the times differ.
        assert set(doc.pop("credential_reports")["123456789012"]) == {"generated", "age_seconds"}
    one["api_calls"].pop("iam:GenerateCredentialReport", None)  # the report is ready on run two
    two["api_calls"].pop("iam:GenerateCredentialReport", None)
    assert one == two


def test_findings_on_one_resource_have_distinct_stable_ids() -> None:
    """1.3 judges a user's password and each key: one resource, several findings, each with an
    id of its own naming the part, the same in every run."""
    from pytest_cis_aws.report.json_export import row

    arn = "arn:aws:iam::123456789012:user/bob"
    result = {"id": "1.3", "stock": True, "account": None, "findings": [
        {"resource": arn, "region": None, "compliant": False, "reason": "password unused",
         "part": "console password"},
        {"resource": arn, "region": None, "compliant": False, "reason": "key 1 unused",
         "part": "access key 1"},
        {"resource": arn, "region": None, "compliant": True, "reason": "key 2 used",
         "part": "access key 2"}]}
    ids = [f["id"] for f in row(result, "123456789012")["findings"]]
    assert len(set(ids)) == 3
    # the part, not the order, names the finding: key 1's id without the password finding
    alone = row({**result, "findings": result["findings"][1:]}, "123456789012")["findings"]
    assert [f["id"] for f in alone] == ids[1:]
