"""Benchmark: the cost of a full Level 2 audit does not grow with the account.

Builds synthetic accounts of U IAM users and R regions in a moto server running in this process,
audits each with the real plugin in a pytest subprocess (and with `-n 4`), and prints wall time,
CPU, peak memory and the AWS calls by operation. Fake credentials only; nothing leaves 127.0.0.1.

    python bench/run.py                       # U in 10,100,1000,5000 x R in 1,4,17
    python bench/run.py --users 10,100 --regions 1,4 --out table.md
    python bench/run.py --quick               # a smoke run, well under a minute
"""

from __future__ import annotations

import argparse
import os
import platform
import shlex
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from audit import AuditRun, fake_aws_env, run_audit
from dormant import measure_dormant
from report import Results, Skipped, check_lines, dormant_lines, render, sizes_table
from seed import (
    REGIONS,
    Clients,
    complete_credential_report,
    seed_account_settings,
    seed_regions,
    seed_users,
)
from server import moto_server

QUICK = {"users": (10, 30), "regions": (1, 2), "dormant": 3}


def _ints(text: str) -> tuple[int, ...]:
    values = tuple(sorted({int(part) for part in text.split(",") if part.strip()}))
    if not values or values[0] < 1:
        raise argparse.ArgumentTypeError(f"expected positive integers, got {text!r}")
    return values


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=_ints, default=(10, 100, 1000, 5000),
                        help="comma list of IAM user counts (default 10,100,1000,5000)")
    parser.add_argument("--regions", type=_ints, default=(1, 4, 17),
                        help=f"comma list of region counts, at most {len(REGIONS)} "
                             "(default 1,4,17)")
    parser.add_argument("--workers", type=int, default=4,
                        help="xdist workers for the second variant (default 4; 0: skip it)")
    parser.add_argument("--xdist-regions", type=_ints, default=None,
                        help="run the -n variant only for these region counts (default: all)")
    parser.add_argument("--dormant-repeats", type=int, default=15,
                        help="runs of the dormant-overhead probe per variant (0: skip)")
    parser.add_argument("--max-seed-seconds", type=float, default=900.0,
                        help="skip a size whose seeding is estimated to take longer")
    parser.add_argument("--timeout", type=float, default=900.0, help="per pytest run, seconds")
    parser.add_argument("--profile", type=Path, default=None,
                        help="also cProfile the largest audit into this file and print its top")
    parser.add_argument("--no-stub", action="store_true",
                        help="let moto answer cur:DescribeReportDefinitions itself (HTTP 500, "
                             "retried with back-off: ~17 s per audit)")
    parser.add_argument("--no-bytecode-cache", action="store_true",
                        help="keep PYTHONDONTWRITEBYTECODE as it is: pytest then rewrites every "
                             "plugin module in every run (default: a private PYTHONPYCACHEPREFIX)")
    parser.add_argument("--keep-output", type=Path, default=None,
                        help="save the output of every pytest run in this directory")
    parser.add_argument("--quick", action="store_true", help="tiny smoke run: U 10,30 x R 1,2")
    parser.add_argument("--out", type=Path, default=None, help="write the markdown here")
    args = parser.parse_args(argv)
    if args.quick:
        args.users, args.regions = QUICK["users"], QUICK["regions"]
        args.dormant_repeats = min(args.dormant_repeats, QUICK["dormant"])
    if args.regions[-1] > len(REGIONS):
        parser.error(f"--regions: at most {len(REGIONS)}")
    return args


def say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def timed(label: str, work: Callable[[], None], log: list[tuple[str, float]]) -> float:
    started = time.perf_counter()
    work()
    elapsed = time.perf_counter() - started
    say(f"  {label}: {elapsed:.1f} s")
    log.append((label, elapsed))
    return elapsed


class Bench:
    def __init__(self, args: argparse.Namespace, clients: Clients) -> None:
        self.args = args
        self.clients = clients
        self.results = Results(runs=[], skipped=[])
        self.seeded = 0
        self.seconds_per_user: float | None = None

    def seed_static(self) -> None:
        regions = REGIONS[: self.args.regions[-1]]
        log = self.results.seeding
        timed("account settings", lambda: seed_account_settings(self.clients), log)
        timed(f"{len(regions)} regions", lambda: seed_regions(self.clients, regions), log)

    def grow_to(self, users: int) -> bool:
        """Seed users up to `users`; False (and recorded) when it would take too long."""
        new = users - self.seeded
        if self.seconds_per_user is not None:
            estimate = new * self.seconds_per_user
            if estimate > self.args.max_seed_seconds:
                self.results.skipped.append(Skipped(
                    users, f"seeding estimated at ~{estimate:.0f} s, over --max-seed-seconds"))
                say(f"  skipping {users} users: seeding estimated at {estimate:.0f} s")
                return False
        start = self.seeded
        elapsed = timed(f"users {start}..{users - 1}",
                        lambda: seed_users(self.clients, start, users), self.results.seeding)
        complete_credential_report(self.clients)
        self.seconds_per_user = elapsed / new
        self.seeded = users
        return True

    def audit(self, users: int, regions: int, workers: int) -> AuditRun:
        run = run_audit(self.clients.endpoint_url, users, REGIONS[:regions], workers,
                        self.args.timeout)
        m = run.measured
        say(f"  U={users} R={regions} -n {workers}: {m.wall:.1f} s wall, {m.cpu:.1f} s CPU, "
            f"{m.peak_mb:.0f} MB, {run.total} calls, {len(m.output) // 1024} KiB of output, "
            f"{run.outcomes}")
        self.results.runs.append(run)
        if self.args.keep_output is not None:
            self.args.keep_output.mkdir(parents=True, exist_ok=True)
            name = f"audit-u{users}-r{regions}-n{workers}.txt"
            (self.args.keep_output / name).write_text(m.output, encoding="utf-8")
        return run

    def wants_xdist(self, regions: int) -> bool:
        chosen = self.args.xdist_regions
        return self.args.workers > 0 and (chosen is None or regions in chosen)

    def run(self) -> Results:
        say("seeding (boto3 to moto server):")
        self.seed_static()
        say("warm-up audit (not recorded)")
        run_audit(self.clients.endpoint_url, 0, REGIONS[:1], 0, self.args.timeout)
        for users in self.args.users:
            if not self.grow_to(users):
                continue
            for regions in self.args.regions:
                self.audit(users, regions, 0)
                if self.wants_xdist(regions):
                    self.audit(users, regions, self.args.workers)
        return self.results


def profile_largest(args: argparse.Namespace, endpoint_url: str, users: int) -> None:
    from profiling import profile_audit

    say(f"profiling the audit of {users} users x {args.regions[-1]} regions")
    print(profile_audit(endpoint_url, REGIONS[: args.regions[-1]], args.profile, args.timeout))


def bytecode_cache(args: argparse.Namespace, directory: str) -> None:
    """Let the pytest children cache bytecode (and pytest its rewritten modules), as on a
    developer's machine, in a private directory rather than beside the sources."""
    if not args.no_bytecode_cache:
        os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
        os.environ["PYTHONPYCACHEPREFIX"] = directory


def measure_all(args: argparse.Namespace) -> Results:
    with moto_server(stub=not args.no_stub) as endpoint_url:
        bench = Bench(args, Clients(endpoint_url))
        results = bench.run()
        if args.profile is not None:
            profile_largest(args, endpoint_url, bench.seeded)
    if args.dormant_repeats > 0:
        say("dormant-plugin overhead")
        results.dormant = measure_dormant(args.dormant_repeats)
    return results


def source_state() -> str:
    """The plugin's source: its git commit, and the files changed since (others may be editing
    the working tree while the bench runs: the audits measure whatever is there)."""
    import subprocess

    root = Path(__file__).resolve().parent.parent

    def git(*argv: str) -> str:
        return subprocess.run(["git", "-C", str(root), *argv], capture_output=True, text=True,
                              check=True).stdout

    try:
        head = git("rev-parse", "--short", "HEAD").strip()
        changed = [line[3:] for line in git("status", "--porcelain", "--", "pytest_cis_aws")
                   .splitlines()]
    except (OSError, subprocess.CalledProcessError):
        return "not from a git checkout"
    return f"git {head}" + (f" with uncommitted changes to {', '.join(changed)}"
                            if changed else ", no uncommitted changes")


def preamble(argv: list[str] | None, script: str = "bench/run.py",
             sources: tuple[str, str] | None = None) -> list[str]:
    """Date, machine, versions and command; `sources`: source_state() at start and at end."""
    from datetime import datetime, timezone
    from importlib.metadata import version

    command = shlex.join(["python", script, *(sys.argv[1:] if argv is None else argv)])
    packages = ", ".join(f"{name} {version(name)}" for name in
                         ("pytest-cis-aws", "pytest", "pytest-xdist", "boto3", "moto"))
    lines = [
        f"Measured {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC on {os.cpu_count()} CPUs, "
        f"Python {platform.python_version()}, {packages}.",
    ]
    if sources is not None:
        start, end = sources
        lines.append(f"Plugin source: {start}." if start == end else
                     f"Plugin source **changed during the run**: {start} at the start, "
                     f"{end} at the end.")
    return [*lines, "", f"    {command}"]


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    os.environ.update(fake_aws_env())  # the seeding clients: fake credentials, local only
    started, source_at_start = time.perf_counter(), source_state()
    with tempfile.TemporaryDirectory(prefix="cis-bench-pycache-") as pycache:
        bytecode_cache(args, pycache)
        results = measure_all(args)
    say(f"done in {time.perf_counter() - started:.0f} s")
    print(sizes_table(results))
    print("\n".join(check_lines(results)))
    if results.dormant is not None:
        print("\n".join(dormant_lines(results.dormant)))
    if args.out is not None:
        sources = (source_at_start, source_state())
        args.out.write_text(render(results, preamble(argv, sources=sources)), encoding="utf-8")
        say(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
