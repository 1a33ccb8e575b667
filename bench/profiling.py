"""Where the audit's time goes: cProfile of the pytest process (the moto server is not in it)."""

from __future__ import annotations

import io
import pstats
import sys
import tempfile
from pathlib import Path

from audit import audit_argv, fake_aws_env, measure

TOP = 30


def profile_audit(endpoint_url: str, regions: tuple[str, ...], out: Path, timeout: float) -> str:
    """Run one single-process audit under cProfile; the top functions by cumulative time."""
    return profile_argv(audit_argv(endpoint_url, regions, 0), out, timeout)


def profile_argv(argv: list[str], out: Path, timeout: float) -> str:
    """Run `python -m pytest ...` (argv) under cProfile, from an empty directory; its top."""
    argv = [argv[0], "-m", "cProfile", "-o", str(out.resolve()), *argv[1:]]
    with tempfile.TemporaryDirectory(prefix="cis-bench-profile-") as empty:
        measured = measure(argv, Path(empty), fake_aws_env(), timeout)
    if measured.returncode not in (0, 1):  # 1: some checks fail, as they should
        raise RuntimeError(f"profiled audit failed ({measured.returncode}):\n{measured.output}")
    return _top(out, "cumulative") + _top(out, "tottime")


def _top(path: Path, key: str) -> str:
    stream = io.StringIO()
    stats = pstats.Stats(str(path), stream=stream)
    stats.strip_dirs().sort_stats(key).print_stats(TOP)
    return f"\n--- top {TOP} by {key} ---\n" + stream.getvalue()


if __name__ == "__main__":
    print(_top(Path(sys.argv[1]), sys.argv[2] if len(sys.argv) > 2 else "cumulative"))
