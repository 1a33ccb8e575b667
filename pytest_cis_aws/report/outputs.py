"""The files a run writes from its --cis-json document: the JSON itself and every export.

Every export is a pure function of that one document (`render(doc) -> str` in its own module),
so the terminal, the JSON and each export agree id by id, and `pytest-cis-aws merge` writes the
same files from a merged document.
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from .. import atomicfile

# option name -> the module rendering it (imported only when asked for).
EXPORTS: dict[str, str] = {
    "sarif": "pytest_cis_aws.report.sarif",
    "asff": "pytest_cis_aws.report.asff",
    "ocsf": "pytest_cis_aws.report.ocsf",
    "csv": "pytest_cis_aws.report.csv_export",
    "markdown": "pytest_cis_aws.report.markdown",
}


def render(name: str, doc: Mapping[str, Any]) -> str:
    module = importlib.import_module(EXPORTS[name])
    return str(module.render(doc))


def markdown_target(value: str, environ: Mapping[str, str] | None = None
                    ) -> tuple[str, bool] | None:
    """(path, append?) for --cis-markdown: 'auto' appends to GitHub's job summary file when
    the run is a GitHub Actions step, and writes nothing elsewhere."""
    environ = os.environ if environ is None else environ
    if value != "auto":
        return value, False
    summary = environ.get("GITHUB_STEP_SUMMARY")
    return (summary, True) if summary else None


def write(doc: Mapping[str, Any], targets: Mapping[str, str | None]) -> list[Path]:
    """Write the JSON (`targets["json"]`) and each export asked for; each file whole or not
    at all (atomicfile), except GitHub's job summary, which is appended to as GitHub asks."""
    written = []
    if targets.get("json"):
        from .json_export import write as write_json

        written.append(write_json(str(targets["json"]), doc))
    for name in EXPORTS:
        value = targets.get(name)
        if not value:
            continue
        if name == "markdown":
            target = markdown_target(value)
            if target is None:
                continue
            path, append = target
            if append:
                with open(path, "a", encoding="utf-8") as out:
                    out.write(render(name, doc) + "\n")
                written.append(Path(path))
                continue
            value = path
        written.append(atomicfile.write_text(value, render(name, doc)))
    return written
