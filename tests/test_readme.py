"""README's first commands are what a newcomer types: keep them working."""

from __future__ import annotations

import re
import shlex
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).parent.parent


def _first_commands() -> list[str]:
    block = re.search(r"```bash\n(.*?)```", (ROOT / "README.md").read_text(), re.S)
    assert block is not None
    return [line.split("#")[0].strip() for line in block.group(1).splitlines() if line.strip()]


def test_readme_opens_with_install_then_the_demo_audit() -> None:
    install, audit = _first_commands()[:2]
    assert install == "pip install -e '.[test]'"
    assert audit.startswith("pytest --cis-demo")


def test_the_demo_audit_in_this_repository_runs_the_stock_checks_only(tmp_path: Path) -> None:
    audit = shlex.split(_first_commands()[1])
    assert audit[0] == "pytest"
    report = tmp_path / "cis-report.html"
    args = [a if not a.startswith("--html=") else f"--html={report}" for a in audit[1:]]
    done = subprocess.run([sys.executable, "-m", "pytest", *args, "-p", "no:cacheprovider"],
                          cwd=ROOT, capture_output=True, text=True, timeout=300)
    # the repository's own tests (testpaths) are not part of an audit
    assert re.search(r"\b\d+ failed, \d+ passed, \d+ skipped in ", done.stdout), done.stdout
    counts = [int(n) for n in re.findall(r"(\d+) (?:failed|passed|skipped)", done.stdout)]
    assert sum(counts[-3:]) == 52
    assert report.exists()
