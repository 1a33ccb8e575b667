"""What the dormant plugin costs an unrelated pytest run, and whether it imports boto3."""

from __future__ import annotations

import statistics
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from audit import fake_aws_env, measure

PROBE = '''\
import os
import sys


def test_one():
    loaded = [m for m in ("boto3", "botocore", "pytest_cis_aws.aws") if m in sys.modules]
    with open(os.environ["BENCH_PROBE_OUT"], "w") as out:
        out.write(",".join(loaded))
'''
ARGV = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"]
DISABLED = ["-p", "no:cis_aws"]


@dataclass(frozen=True)
class Dormant:
    repeats: int
    with_plugin_ms: float  # median wall time
    without_plugin_ms: float
    loaded_with_plugin: str  # of boto3, botocore, pytest_cis_aws.aws: those imported
    loaded_without_plugin: str

    @property
    def overhead_ms(self) -> float:
        return self.with_plugin_ms - self.without_plugin_ms


def _once(directory: Path, extra: list[str]) -> tuple[float, str]:
    out = directory / "loaded.txt"
    env = {**fake_aws_env(), "BENCH_PROBE_OUT": str(out)}
    measured = measure([*ARGV, *extra], directory, env, timeout=120)
    if measured.returncode != 0:
        raise RuntimeError(f"dormant probe failed:\n{measured.output}")
    return measured.wall * 1000, out.read_text(encoding="utf-8")


def measure_dormant(repeats: int) -> Dormant:
    """Alternate runs with and without the plugin (after one warm-up each); medians."""
    times: dict[bool, list[float]] = {True: [], False: []}
    loaded: dict[bool, str] = {}
    with tempfile.TemporaryDirectory(prefix="cis-bench-dormant-") as name:
        directory = Path(name)
        (directory / "test_one.py").write_text(PROBE, encoding="utf-8")
        for enabled in (True, False):
            _once(directory, [] if enabled else DISABLED)
        for _ in range(repeats):
            for enabled in (True, False):
                wall, loaded[enabled] = _once(directory, [] if enabled else DISABLED)
                times[enabled].append(wall)
    return Dormant(repeats=repeats, with_plugin_ms=statistics.median(times[True]),
                   without_plugin_ms=statistics.median(times[False]),
                   loaded_with_plugin=loaded[True] or "none",
                   loaded_without_plugin=loaded[False] or "none")
