"""`pytest-cis-aws merge` cannot mislead: each document's own account, nothing counted twice,
nothing empty, malformed or of another version merged, shard gaps said; and `--version`.

Hand-built documents (json_export's own row and assemble), no AWS: every case is cheap.
"""

from __future__ import annotations

import copy
import importlib.util
import json
from pathlib import Path
from typing import Any

import pytest

from pytest_cis_aws.catalog import CATALOG
from pytest_cis_aws.cli import main
from pytest_cis_aws.report import contract, json_export, outputs
from pytest_cis_aws.report.merge import MergeError, merge
from schemas import cis_json_validator, validate_cis_json

A, B, C, MGMT = "111111111111", "222222222222", "333333333333", "999999999999"


def result(rec: str, outcome: str, *, account: str | None = None, nodeid: str | None = None,
           resource: str = "arn:aws:iam::x:root") -> dict[str, Any]:
    r = CATALOG[rec]
    compliant = {"passed": True, "failed": False, "error": None}.get(outcome)
    findings = ([] if outcome not in ("passed", "failed", "error") else
                [{"resource": resource, "region": None, "compliant": compliant,
                  "reason": outcome}])
    param = f"[{account}]" if account else ""
    return {"id": rec, "title": r.title, "section": r.section, "level": r.level,
            "scored": r.scored, "stock": True, "account": account, "outcome": outcome,
            "reason": "" if outcome == "passed" else outcome,
            "nodeid": nodeid or f"pytest_cis_aws/checks/test_x.py::test_{rec}{param}",
            "findings": findings, "notes": []}


def document(account: str, results: list[dict[str, Any]], *, generated: str | None = None,
             shard: dict[str, Any] | None = None, level: int = 1) -> dict[str, Any]:
    header = {"account": account, "regions": ["us-east-1"], "level": level, "shard": shard}
    own = None if account == "unknown" else account  # as json_export.document
    doc = json_export.assemble([json_export.row(r, own) for r in results], header)
    if generated:
        doc["generated_at"] = generated
    validate_cis_json(doc)
    return doc


def single(account: str, outcome_15: str = "failed", outcome_19: str = "passed",
           **kwargs: Any) -> dict[str, Any]:
    """A single-account run: its rows name no account, the document does."""
    return document(account, [result("1.5", outcome_15), result("1.9", outcome_19)], **kwargs)


def shard(index: int, count: int, selection: list[str], *, extra: list[dict[str, Any]] = (),
          **kwargs: Any) -> dict[str, Any]:
    """Shard index/count of an organization run from MGMT over `selection`."""
    mine = [a for i, a in enumerate(sorted(selection)) if i % count == index - 1]
    rows = [result("1.5", "failed", account=a) for a in mine] + list(extra)
    return document(MGMT, rows, shard={"index": index, "count": count,
                                       "accounts": sorted(selection)}, **kwargs)


def write(tmp_path: Path, name: str, doc: Any) -> str:
    path = tmp_path / name
    path.write_text(doc if isinstance(doc, str) else json.dumps(doc))
    return str(path)


def run(tmp_path: Path, capsys: pytest.CaptureFixture[str], *args: str
        ) -> tuple[int, dict[str, Any] | None, str]:
    out = tmp_path / "merged.json"
    code = main(["merge", *args, "-o", str(out)])
    err = capsys.readouterr().err
    merged = json.loads(out.read_text()) if out.exists() else None
    if merged is not None:
        out.unlink()
    return code, merged, err


def outcomes(doc: dict[str, Any]) -> dict[tuple[str, str], str]:
    return {(r["account"], r["id"]): r["outcome"] for r in doc["results"]}


# -- each document's own account -----------------------------------------------------------

def test_single_account_documents_keep_their_own_accounts(tmp_path: Path,
                                                          capsys: pytest.CaptureFixture[str]
                                                          ) -> None:
    a = write(tmp_path, "a.json", single(A, "failed", "passed"))
    b = write(tmp_path, "b.json", single(B, "passed", "failed"))
    html = tmp_path / "org.html"
    code, merged, err = run(tmp_path, capsys, a, b, "--html", str(html))
    assert code == 0 and err == ""
    assert merged is not None
    assert outcomes(merged) == {(A, "1.5"): "failed", (A, "1.9"): "passed",
                                (B, "1.5"): "passed", (B, "1.9"): "failed"}
    assert merged["account"] == "organization" and merged["accounts"] == [A, B]
    assert merged["score_by_account"][A]["1"] == {"passed": 1, "evaluated": 2}
    assert merged["score"]["1"] == {"passed": 2, "evaluated": 4}
    assert merged["complete"] is True and merged["collected"] == 4
    # every id still belongs to the account its row now names: the merged file merges again
    contract.check(merged)
    page = html.read_text()
    assert "Organization total" in page and A in page and "Level 1: 2/4" in page


def test_one_document_merged_is_its_account(tmp_path: Path) -> None:
    merged = merge([single(A)]).doc
    assert merged["account"] == A and {r["account"] for r in merged["results"]} == {A}


def test_the_merged_level_is_the_one_every_document_audited() -> None:
    merged = merge([single(A, level=2), single(B, level=1)], ["a.json", "b.json"])
    assert merged.doc["level"] == 1
    assert merged.notes == ["level 1: not every document audited level 2 (a.json: 2, b.json: 1)"]


# -- refused: one ERROR line, exit 4, nothing written ----------------------------------------

def _edit(change: Any) -> dict[str, Any]:
    doc = single(A)
    change(doc)
    return doc


REFUSED = {
    "{}": ({}, "empty (no results and no checks not run)"),
    "no results": (_edit(lambda d: d.update(results=[], not_run=[])), "empty"),
    "a list": ([], "not a JSON object"),
    "benchmark 1.2.0": (_edit(lambda d: d.update(version="1.2.0")), "benchmark version '1.2.0'"),
    "schema 2.0": (_edit(lambda d: d.update(schema_version="2.0")),
                   "schema_version 2.0: this pytest-cis-aws reads 1.x"),
    "newer minor": (_edit(lambda d: d.update(schema_version="1.999")), "upgrade it"),
    "no schema_version": (_edit(lambda d: d.pop("schema_version")), "no schema_version"),
    "bad outcome": (_edit(lambda d: d["results"][0].update(outcome="maybe")),
                    "results[0].outcome: 'maybe' is not one of passed"),
    "missing field": (_edit(lambda d: d["results"][1].pop("nodeid")),
                      "results[1]: missing nodeid"),
    "unknown field": (_edit(lambda d: d.update(extra=1)), "unknown field 'extra'"),
    "bool as level": (_edit(lambda d: d.update(level=True)), "level: True is not one of 1, 2"),
    "bad id form": (_edit(lambda d: d["results"][0]["findings"][0].update(id="x")),
                    "findings[0].id: 'x' does not match"),
    "account edited": (_edit(lambda d: d.update(account=B)),
                       "item_id does not match its recommendation and account 222222222222"),
    "row pasted from another account": (
        _edit(lambda d: d["results"].__setitem__(0, single(B)["results"][0])),
        "results[0] (1.5): item_id does not match"),
    "unknown account": (document("unknown", [result("1.5", "error")]),
                        "its results name no account and neither does the document"),
    "bad date": (_edit(lambda d: d.update(generated_at="yesterday")),
                 "generated_at: 'yesterday' is not an RFC 3339 date-time"),
    "shard 3/2": (_edit(lambda d: d.update(shard={"index": 3, "count": 2, "accounts": [A]})),
                  "malformed shard"),
    "shard of others": (shard(1, 2, [B, C], extra=[result("1.5", "passed", account=A)]),
                        "its accounts are not shard 1/2 of the accounts it names"),
    "not JSON": ("{not json", "not JSON"),
    "NaN": (json.dumps(single(A)).replace('"oldest_seconds": 0', '"oldest_seconds": NaN'),
            "NaN is not a JSON number"),
}


@pytest.mark.parametrize("case", REFUSED)
def test_refused_with_one_error_line(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                     case: str) -> None:
    doc, message = REFUSED[case]
    good = write(tmp_path, "good.json", single(B))
    bad = write(tmp_path, "bad.json", doc)
    code, merged, err = run(tmp_path, capsys, good, bad, "--html", str(tmp_path / "m.html"))
    assert (code, merged) == (4, None)
    assert err.count("\n") == 1 and err.startswith(f"ERROR: {bad}: ")
    assert message in err
    assert not (tmp_path / "m.html").exists()


def test_unreadable_files(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    for path, message in ((tmp_path / "missing.json", "No such file"),
                          (tmp_path, "Is a directory")):
        code, _, err = run(tmp_path, capsys, str(path))
        assert code == 4 and err.startswith(f"ERROR: {path}: cannot read it") and message in err


def test_usage_errors_are_error_lines_too(tmp_path: Path,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    a = write(tmp_path, "a.json", single(A))
    for argv, message in ((["merge", a], "the following arguments are required: -o/--output"),
                          ([], "a command is required"),
                          (["merge", a, "-o", a, "--bogus"], "unrecognized arguments: --bogus"),
                          (["merge", a, "-o", str(tmp_path / "x.json"), "--html",
                            str(tmp_path / "x.json")], "-o and --html name the same file"),
                          (["merge", a, "-o", str(tmp_path / "no" / "x.json")],
                           "-o: cannot write")):
        assert main(argv) == 4
        err = capsys.readouterr().err
        assert err.startswith("ERROR: ") and err.count("\n") == 1 and message in err, err


def test_a_hostile_file_name_stays_one_line(tmp_path: Path,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    bad = write(tmp_path, "a\nERROR: forged\x1b[2J.json", "{}")
    code, _, err = run(tmp_path, capsys, bad)
    assert code == 4 and err.count("\n") == 1 and "\\n" in err and "\x1b" not in err


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--version"]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"pytest-cis-aws {json_export.tool_version()} (")
    assert "v1.1.0" in out and json_export.SCHEMA_VERSION in out


# -- the same account twice ----------------------------------------------------------------

OLD, NEW = "2026-01-01T00:00:00+00:00", "2026-02-01T00:00:00+00:00"


def test_the_same_account_twice_is_an_error_unless_latest(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    new = write(tmp_path, "new.json", single(A, "passed", generated=NEW))
    old = write(tmp_path, "old.json", single(A, "failed", generated=OLD))
    other = write(tmp_path, "b.json", single(B))
    code, merged, err = run(tmp_path, capsys, old, other, new)
    assert (code, merged) == (4, None)
    assert err == (f"ERROR: account {A} is in both {old} and {new}: merge one of them, or "
                   "pass --latest to keep the newer\n")
    code, merged, err = run(tmp_path, capsys, old, other, new, "--latest")
    assert code == 0 and merged is not None
    assert err == (f"dropped {old} (generated {OLD}): account {A} is also in {new} "
                   f"(generated {NEW})\n")
    assert outcomes(merged)[(A, "1.5")] == "passed" and merged["accounts"] == [A, B]
    assert len(merged["results"]) == 4


def test_runs_from_different_roots_are_not_counted_twice(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The same account's run from two checkouts: other node ids, the same checks."""
    here = single(A, generated=OLD)
    there = document(A, [result("1.5", "failed", nodeid="elsewhere/test_x.py::test_1_5"),
                         result("1.9", "passed", nodeid="elsewhere/test_x.py::test_1_9")],
                     generated=NEW)
    a, b = write(tmp_path, "a.json", here), write(tmp_path, "b.json", there)
    assert run(tmp_path, capsys, a, b)[0] == 4
    code, merged, _ = run(tmp_path, capsys, a, b, "--latest")
    assert code == 0 and merged is not None
    assert merged["score"]["1"] == {"passed": 1, "evaluated": 2} and len(merged["results"]) == 2


def test_latest_cannot_choose_between_equal_times() -> None:
    with pytest.raises(MergeError, match=r"both generated at .*which is newer is unknown"):
        merge([single(A, generated=NEW), single(A, generated=NEW)], latest=True)


def test_an_organization_run_and_a_member_run_overlap() -> None:
    org = document(MGMT, [result("1.5", "failed", account=A), result("1.5", "passed",
                                                                       account=B)])
    with pytest.raises(MergeError, match=f"account {A} is in both document 1 and document 2"):
        merge([org, single(A)])


# -- shards --------------------------------------------------------------------------------

SELECTION = [A, B, C]


def test_shards_of_one_run_are_parts_not_duplicates(tmp_path: Path,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    # a check no account parametrizes runs in every shard, as the caller's own account
    common = [result("1.9", "passed", nodeid="org/test_own.py::test_1_9")]
    parts = [write(tmp_path, f"part{k}.json",
                   shard(k, 3, SELECTION, extra=[result("1.9", "failed" if k == 2 else "passed",
                                                       nodeid="org/test_own.py::test_1_9")]
                         if k > 1 else common)) for k in (1, 2, 3)]
    code, merged, err = run(tmp_path, capsys, *parts)
    assert code == 0 and err == "" and merged is not None
    assert merged["complete"] is True and "missing_shards" not in merged
    assert "shard" not in merged and merged["account"] == "organization"
    assert merged["accounts"] == [A, B, C, MGMT]
    # counted once, and the failure of one shard is not hidden by another's pass
    assert outcomes(merged)[(MGMT, "1.9")] == "failed"
    assert len(merged["results"]) == 4


def test_a_shard_set_with_a_gap_is_merged_but_incomplete(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    parts = [write(tmp_path, f"part{k}.json", shard(k, 3, SELECTION)) for k in (1, 3)]
    html = tmp_path / "org.html"
    code, merged, err = run(tmp_path, capsys, *parts, "--html", str(html))
    assert code == 0 and merged is not None
    assert merged["complete"] is False
    assert merged["missing_shards"] == [{"index": 2, "count": 3, "accounts": [B]}]
    assert err.splitlines() == [f"shard 2/3 was not given: {B} not audited",
                                "incomplete: shard 2/3 not merged (1 account not audited)"]
    assert "incomplete: shard 2/3 not merged" in html.read_text()


def test_a_missing_shard_covered_by_another_document_is_no_gap() -> None:
    merged = merge([shard(1, 2, [A, B]), single(B)]).doc
    assert merged["complete"] is True and outcomes(merged)[(B, "1.5")] == "failed"
    # the caller's own rows in a shard do not stand for that account's audit in another shard
    own = [result("1.9", "passed", nodeid="org/test_own.py::test_1_9")]
    merged = merge([shard(2, 2, [A, MGMT], extra=own)]).doc
    assert merged["missing_shards"] == [{"index": 1, "count": 2, "accounts": [A]}]
    merged = merge([shard(1, 2, [A, MGMT], extra=own)]).doc
    assert merged["missing_shards"] == [{"index": 2, "count": 2, "accounts": [MGMT]}]


def test_the_same_shard_twice_and_mixed_counts() -> None:
    with pytest.raises(MergeError, match="shard 1/2 is in both document 1 and document 2"):
        merge([shard(1, 2, SELECTION, generated=OLD), shard(1, 2, SELECTION, generated=NEW)])
    merged = merge([shard(1, 2, SELECTION, generated=OLD), shard(1, 2, SELECTION, generated=NEW),
                    shard(2, 2, SELECTION)], latest=True)
    assert merged.dropped == [f"dropped document 1 (generated {OLD}): shard 1/2 is also in "
                              f"document 2 (generated {NEW})"]
    assert merged.doc["complete"] is True
    # 1/2 holds A and C; 2/3 holds B: no account twice, but not one run's shards
    with pytest.raises(MergeError, match=r"different counts \(1/2 in document 1, 2/3 in "
                                         r"document 2\): not one run's shards"):
        merge([shard(1, 2, SELECTION), shard(2, 3, SELECTION)])


# -- writes JSON, HTML and the exports -------------------------------------------------------

@pytest.mark.parametrize("name", outputs.EXPORTS)
def test_merge_writes_each_export(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                  name: str) -> None:
    a = write(tmp_path, "a.json", single(A))
    target = tmp_path / f"out.{name}"
    argv = ["merge", a, "-o", str(tmp_path / "m.json"), f"--{name}", str(target)]
    if importlib.util.find_spec(outputs.EXPORTS[name]) is None:
        assert main(argv) == 4
        assert f"--{name}: this pytest-cis-aws has no {name} export" in capsys.readouterr().err
        assert not (tmp_path / "m.json").exists()
        pytest.skip(f"{outputs.EXPORTS[name]} is not on this branch yet")
    assert main(argv) == 0
    assert target.read_text() == outputs.render(name, json.loads(
        (tmp_path / "m.json").read_text()))


def test_merge_hands_the_merged_document_to_the_exports(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The wiring, whatever renderers this branch has: a stand-in export gets the merged
    document, written where its option says."""
    (tmp_path / "standin_export.py").write_text(
        "def render(doc):\n    return doc['account'] + ' ' + ','.join(doc['accounts'])\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setitem(outputs.EXPORTS, "csv", "standin_export")
    a, b = write(tmp_path, "a.json", single(A)), write(tmp_path, "b.json", single(B))
    assert main(["merge", a, b, "-o", str(tmp_path / "m.json"), "--csv",
                 str(tmp_path / "m.csv")]) == 0
    assert (tmp_path / "m.csv").read_text() == f"organization {A},{B}"


# -- the runtime contract check agrees with jsonschema ---------------------------------------

def _mutations() -> list[Any]:
    base = single(A)
    docs: list[Any] = [base, shard(1, 2, SELECTION)]
    for key in list(base):
        docs.append({k: v for k, v in base.items() if k != key})
        for wrong in (None, "x", 3, [], {}, True):
            docs.append({**base, key: wrong})
    for key in list(base["results"][0]):
        for wrong in (None, "", 7, [{}], {"a": 1}):
            bad = copy.deepcopy(base)
            bad["results"][0][key] = wrong
            docs.append(bad)
    for key in list(base["results"][0]["findings"][0]):
        for wrong in (None, "", 1.5, False):
            bad = copy.deepcopy(base)
            bad["results"][0]["findings"][0][key] = wrong
            docs.append(bad)
    return docs


def test_runtime_check_and_jsonschema_agree() -> None:
    validator = cis_json_validator()  # with its format checker, as every test validates
    docs = _mutations()
    for doc in docs:
        try:
            contract.validate(doc, json_export.schema())
            ours = True
        except contract.DocumentError:
            ours = False
        assert ours == validator.is_valid(doc), json.dumps(doc)[:300]
    assert sum(validator.is_valid(d) for d in docs) > 2  # the mutations are not all broken


KEYWORD_CASES = [
    ({"maximum": 3}, [3, 4, 2.5, "x"]),
    ({"exclusiveMinimum": 1}, [1, 2, 0.5]),
    ({"exclusiveMaximum": 1}, [1, 0, 2]),
    ({"minLength": 2, "maxLength": 3}, ["a", "ab", "abcd", 5]),
    ({"minItems": 1, "maxItems": 2}, [[], [1], [1, 2, 3], "x"]),
    ({"uniqueItems": True}, [[1, 2], [1, 1], [{"a": 1}, {"a": 1}], [1, True]]),
    ({"allOf": [{"type": "integer"}, {"minimum": 2}]}, [1, 2, "x"]),
    ({"anyOf": [{"type": "string"}, {"type": "null"}]}, ["x", None, 1]),
    ({"oneOf": [{"type": "integer"}, {"minimum": 0}]}, [-1, 1, 1.5, "x"]),
    ({"pattern": "^[0-9]{2}$"}, ["12", "123", "12\n"]),
    ({"enum": [1, 2]}, [1, True, 1.0, "1"]),
    ({"type": "integer"}, [1, 1.0, 1.5, True]),
    ({"format": "date-time"}, ["2026-01-01T00:00:00Z", "2026-01-01T00:00:00+00:00",
                               "2026-13-01T00:00:00Z", "2026-01-01", 7]),
    ({"patternProperties": {"^[12]$": {"type": "integer"}}, "additionalProperties": False},
     [{"1": 1}, {"1": "x"}, {"3": 1}]),
]


@pytest.mark.parametrize(("spec", "values"), KEYWORD_CASES)
def test_each_keyword_as_jsonschema_reads_it(spec: dict[str, Any], values: list[Any]) -> None:
    import jsonschema

    cls = jsonschema.Draft202012Validator
    validator = cls({"$schema": "https://json-schema.org/draft/2020-12/schema", **spec},
                    format_checker=cls.FORMAT_CHECKER)
    for value in values:
        try:
            contract.validate(value, spec)
            ours = True
        except contract.DocumentError:
            ours = False
        # ECMA-262's $ does not match before a final newline; Python's re (and jsonschema) do
        expected = validator.is_valid(value) and value != "12\n"
        assert ours == expected, (spec, value)


def test_a_keyword_the_interpreter_lacks_is_loud() -> None:
    with pytest.raises(contract.SchemaKeywordError, match="propertyNames"):
        contract.validate({}, {"type": "object", "propertyNames": {"maxLength": 3}})
