"""Files the plugin writes (--cis-json, `pytest-cis-aws merge`) are replaced whole, through a
temporary file created exclusively beside them: nothing planted there is followed."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from pytest_cis_aws import atomicfile
from pytest_cis_aws.cli import main as cli_main
from pytest_cis_aws.report import json_export
from pytest_cis_aws.report.results import Results

HEADER = {"account": "123456789012", "regions": ["us-east-1"], "level": 1}


def _doc() -> dict:
    return json_export.document(Results(), HEADER)


def _merge_input() -> dict:
    """A document merge accepts: one with a result (an empty one is refused)."""
    row = {"id": "ORG-1", "title": "t", "section": None, "level": 1, "scored": True,
           "stock": False, "account": None, "outcome": "passed", "reason": "",
           "nodeid": "t.py::test_org", "findings": [], "notes": []}
    return json_export.assemble([json_export.row(row, HEADER["account"])], HEADER)


def _plant(directory: Path, name: str) -> Path:
    """A symlink at the fixed temporary name the writer used to use, pointing at a victim."""
    victim = directory / "victim.txt"
    victim.write_text("precious")
    (directory / name).symlink_to(victim)
    return victim


def test_json_report_does_not_follow_a_planted_symlink(tmp_path: Path) -> None:
    victim = _plant(tmp_path, "report.json.tmp")
    target = json_export.write(str(tmp_path / "report.json"), _doc())
    assert victim.read_text() == "precious"
    assert (tmp_path / "report.json.tmp").is_symlink()
    assert json.loads(target.read_text())["account"] == "123456789012"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.json", "report.json.tmp",
                                                          "victim.txt"]


def test_a_new_report_has_ordinary_permissions(tmp_path: Path) -> None:
    """mkstemp makes 0600 files: the report gets what open() would have given it."""
    umask = os.umask(0o022)
    try:
        target = atomicfile.write_text(tmp_path / "r.json", "{}")
    finally:
        os.umask(umask)
    assert target.stat().st_mode & 0o777 == 0o644


def test_a_failed_write_leaves_the_old_report_and_no_temporary_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    target = tmp_path / "r.json"
    target.write_text("old")

    def no_room(*_: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(atomicfile.os, "replace", no_room)
    with pytest.raises(OSError, match="No space left"):
        atomicfile.write_text(target, "new")
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["r.json"]


def test_merge_writes_safely_and_refuses_what_it_cannot_write(
    tmp_path: Path, capsys: pytest.CaptureFixture[str],
) -> None:
    part = tmp_path / "part.json"
    json_export.write(str(part), _merge_input())
    victim = _plant(tmp_path, "merged.json.tmp")
    assert cli_main(["merge", str(part), "-o", str(tmp_path / "merged.json"),
                     "--html", str(tmp_path / "merged.html")]) == 0
    assert victim.read_text() == "precious"
    assert len(json.loads((tmp_path / "merged.json").read_text())["results"]) == 1
    assert cli_main(["merge", str(part), "-o", str(tmp_path / "no" / "m.json")]) == 4
    assert "directory" in capsys.readouterr().err
    os.mkfifo(tmp_path / "fifo")
    assert cli_main(["merge", str(tmp_path / "fifo"), "-o", str(tmp_path / "m.json")]) == 4
    assert "not a regular file" in capsys.readouterr().err
