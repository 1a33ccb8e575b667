"""Run pytest in a child process and measure it: wall time, CPU, peak memory, AWS calls.

Each command runs under `launch.py`, a small stdlib launcher that reports the command's own
rusage (see there why the bench process cannot measure it itself).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

LAUNCHER = Path(__file__).with_name("launch.py")
STATS_HEADER = re.compile(r"^-+ AWS API calls: (\d+) -+$")
STATS_ROW = re.compile(r"^\s+([a-z][\w-]*)\s+([A-Z]\w+)\s+(\d+)\s*$")
OUTCOME_LINE = re.compile(r"^=*\s*((?:\d+ \w+(?:, )?)+) in [\d.]+s")


@dataclass(frozen=True)
class Measured:
    """One child process: how long it took and what it used."""

    returncode: int
    wall: float
    cpu: float  # user + system seconds of the child and the descendants it reaped
    peak_mb: float  # the largest single process
    tree_mb: float  # all processes together (sampled)
    output: str
    started_at: float = 0.0  # epoch seconds just before the command started, and after it ended
    ended_at: float = 0.0


@dataclass(frozen=True)
class AuditRun:
    users: int
    regions: int
    workers: int  # 0: a single process; n: pytest -n n
    measured: Measured
    calls: dict[str, int] = field(default_factory=dict)
    outcomes: str = ""

    @property
    def total(self) -> int:
        return sum(self.calls.values())


def fake_aws_env() -> dict[str, str]:
    """The child's environment: fake credentials, no AWS config, no way out but localhost."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("AWS_", "CIS_AWS_", "PYTEST_"))}
    env.update(
        AWS_ACCESS_KEY_ID="testing", AWS_SECRET_ACCESS_KEY="testing",
        AWS_SESSION_TOKEN="testing", AWS_DEFAULT_REGION="us-east-1",
        AWS_CONFIG_FILE=os.devnull, AWS_SHARED_CREDENTIALS_FILE=os.devnull,
        AWS_EC2_METADATA_DISABLED="true",
        # Anything that is not for the local endpoint goes to a dead proxy and fails at once.
        HTTP_PROXY="http://127.0.0.1:9", HTTPS_PROXY="http://127.0.0.1:9",
        NO_PROXY="127.0.0.1,localhost",
    )
    return env


def measure(argv: list[str], cwd: Path, env: dict[str, str], timeout: float) -> Measured:
    """Run argv to completion under the launcher; its output and what it cost."""
    with tempfile.TemporaryDirectory(prefix="cis-bench-measure-") as scratch:
        report, log = Path(scratch, "cost.json"), Path(scratch, "output.txt")
        with log.open("wb") as out:
            subprocess.run([sys.executable, str(LAUNCHER), str(report), str(timeout), "--",
                            *argv], cwd=cwd, env=env, stdout=out, stderr=subprocess.STDOUT,
                           check=True, timeout=timeout + 60)
        cost = json.loads(report.read_text(encoding="utf-8"))
        output = log.read_text(encoding="utf-8", errors="replace")
    return Measured(returncode=cost["returncode"], wall=cost["wall"], cpu=cost["cpu"],
                    peak_mb=cost["peak_mb"], tree_mb=cost["tree_mb"], output=output,
                    started_at=cost["started_at"], ended_at=cost["ended_at"])


def audit_argv(endpoint_url: str, regions: tuple[str, ...], workers: int,
               python: str = sys.executable) -> list[str]:
    """The audit's command line; no `regions`: every region the account has enabled."""
    named = [f"--cis-regions={','.join(regions)}"] if regions else []
    argv = [python, "-m", "pytest", "--cis-level=2", *named,
            f"--cis-endpoint-url={endpoint_url}", "--cis-api-stats", "-p", "no:cacheprovider",
            "-q"]
    if workers:
        argv += ["-p", "xdist", "-n", str(workers)]
    return argv


def parse_calls(output: str) -> dict[str, int]:
    """The `--cis-api-stats` table: {"service:Operation": calls}; checked against its total."""
    calls: dict[str, int] = {}
    expected: int | None = None
    for line in output.splitlines():
        header = STATS_HEADER.match(line)
        if header:
            expected, calls = int(header.group(1)), {}
        elif expected is not None and (row := STATS_ROW.match(line)):
            calls[f"{row.group(1)}:{row.group(2)}"] = int(row.group(3))
    if expected is None or sum(calls.values()) != expected:
        raise ValueError(f"no complete --cis-api-stats table in the output (total {expected})")
    return calls


def parse_outcomes(output: str) -> str:
    found = [m.group(1) for line in output.splitlines() if (m := OUTCOME_LINE.match(line))]
    return found[-1] if found else "?"


def calls_or_explain(measured: Measured, label: str) -> dict[str, int]:
    """The run's --cis-api-stats table; a run that printed none fails with its last lines."""
    try:
        return parse_calls(measured.output)
    except ValueError as exc:
        tail = "\n".join(measured.output.splitlines()[-40:])
        raise RuntimeError(f"{label} (exit {measured.returncode}): {exc}\n{tail}") from None


def run_audit(endpoint_url: str, users: int, regions: tuple[str, ...], workers: int,
              timeout: float) -> AuditRun:
    """The full Level 2 audit of the seeded account, from an empty directory."""
    with tempfile.TemporaryDirectory(prefix="cis-bench-") as empty:
        measured = measure(audit_argv(endpoint_url, regions, workers), Path(empty),
                           fake_aws_env(), timeout)
    calls = calls_or_explain(measured, f"audit U={users} R={len(regions)} -n {workers}")
    return AuditRun(users=users, regions=len(regions), workers=workers, measured=measured,
                    calls=calls, outcomes=parse_outcomes(measured.output))
