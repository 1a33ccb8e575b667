"""The audit's own overhead: pytest start to the first AWS call, and a full Level 2 audit of a
20-region account from start to exit, against a moto server in this process.

    python bench/overhead.py                          # 100 users, 5 runs of each variant
    python bench/overhead.py --python VENV/bin/python --repeats 9 --users 10

The account: `seed.py`'s account settings and users, and its regional resources in every region
moto offers the account enabled (20 in the `aws` partition). The audit names no region, so it
discovers them as it would on AWS. Each run is a fresh `python -m pytest` in an empty directory,
timed by `launch.py`; the server's side (`wire.py`) notes when the first signed request arrived
and when the last was answered, so a run splits into

    start   launch to the first AWS request: interpreter, pytest, plugins, options, collection
    audit   first request to the last answer: the calls, and the checks between them
    end     last answer to exit: the summary, reports, teardown, interpreter exit

Two variants alternate: bytecode cached in a private PYTHONPYCACHEPREFIX (a developer's or CI's
machine after the first run) and PYTHONDONTWRITEBYTECODE=1 (this machine's environment: pytest
re-rewrites every plugin module in every run). A `--collect-only` of the same audit runs beside
each, for what pytest, the plugin and the checks' modules cost with no AWS call at all.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import tempfile
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path

from audit import audit_argv, calls_or_explain, fake_aws_env, measure, parse_outcomes
from seed import (
    REGIONS,
    Clients,
    complete_credential_report,
    seed_account_settings,
    seed_regions,
    seed_users,
)
from server import moto_server
from wire import Wire

# moto lists these three as enabled for every account too (opt-in-not-required), so an audit
# that names no region audits them: 17 + 3 = every region of the partition moto offers.
MORE_REGIONS = ("af-south-1", "ap-southeast-3", "eu-south-1")
ALL_REGIONS = (*REGIONS, *MORE_REGIONS)
ACCOUNT = "123456789012"


@dataclass(frozen=True)
class Run:
    variant: str
    wall: float
    cpu: float
    peak_mb: float
    start: float  # launch to first AWS request
    end: float  # last answer to exit
    plugin_calls: int  # --cis-api-stats total
    server_calls: int  # requests the moto server received
    outcomes: str

    @property
    def audit(self) -> float:
        return self.wall - self.start - self.end


def say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def variants(pycache: str) -> dict[str, dict[str, str]]:
    base = {k: v for k, v in fake_aws_env().items()
            if k not in ("PYTHONDONTWRITEBYTECODE", "PYTHONPYCACHEPREFIX")}
    return {
        "bytecode cached": {**base, "PYTHONPYCACHEPREFIX": pycache},
        "PYTHONDONTWRITEBYTECODE=1": {**base, "PYTHONDONTWRITEBYTECODE": "1"},
    }


def audit_once(python: str, endpoint: str, wire: Wire, variant: str, env: dict[str, str],
               scratch: Path) -> Run:
    wire.reset()
    m = measure(audit_argv(endpoint, (), 0, python), scratch, env, 600)
    if wire.first_arrived is None or wire.last_answered is None:
        raise RuntimeError(f"the audit made no AWS call:\n{m.output[-3000:]}")
    calls = calls_or_explain(m, f"audit ({variant})")
    server = sum(wire.requests.values())
    return Run(variant, m.wall, m.cpu, m.peak_mb, wire.first_arrived - m.started_at,
               m.ended_at - wire.last_answered, sum(calls.values()), server,
               parse_outcomes(m.output))


def collect_once(python: str, endpoint: str, wire: Wire, env: dict[str, str],
                 scratch: Path) -> tuple[float, float, int]:
    wire.reset()
    m = measure([*audit_argv(endpoint, (), 0, python), "--collect-only"], scratch, env, 600)
    return m.wall, m.cpu, sum(wire.requests.values())


def med(values: list[float]) -> float:
    return statistics.median(values)


def table(runs: list[Run], collects: dict[str, list[tuple[float, float, int]]]) -> str:
    lines = ["| variant | start → first AWS call | audit (first call → last answer) | "
             "end (last answer → exit) | wall | CPU | peak MB | `--collect-only` wall (CPU) |",
             "| --- | --- | --- | --- | --- | --- | --- | --- |"]
    for variant in dict.fromkeys(r.variant for r in runs):
        mine = [r for r in runs if r.variant == variant]
        co = collects[variant]
        lines.append(
            f"| {variant} | {med([r.start for r in mine]):.2f} s | "
            f"{med([r.audit for r in mine]):.2f} s | {med([r.end for r in mine]):.2f} s | "
            f"**{med([r.wall for r in mine]):.2f} s** | {med([r.cpu for r in mine]):.2f} s | "
            f"{med([r.peak_mb for r in mine]):.0f} | {med([c[0] for c in co]):.2f} s "
            f"({med([c[1] for c in co]):.2f} s) |")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--python", default=sys.executable, help="the venv's interpreter")
    parser.add_argument("--users", type=int, default=100)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--keep-output", type=Path, default=None,
                        help="save the last audit's output here")
    args = parser.parse_args()
    os.environ.update(fake_aws_env())  # the seeding clients: fake credentials, local only
    wire = Wire(ACCOUNT)
    runs: list[Run] = []
    load_before = os.getloadavg()
    with (tempfile.TemporaryDirectory(prefix="cis-bench-overhead-") as scratch,
          moto_server(wrap=wire.wrap) as endpoint):
        clients = Clients(endpoint)
        say(f"seeding {len(ALL_REGIONS)} regions and {args.users} users")
        seed_account_settings(clients)
        seed_regions(clients, ALL_REGIONS)
        seed_users(clients, 0, args.users)
        complete_credential_report(clients)
        pycache = Path(scratch, "pycache")
        empty = Path(scratch, "run")
        empty.mkdir()
        envs = variants(str(pycache))
        collects: dict[str, list[tuple[float, float, int]]] = {v: [] for v in envs}
        say("warm-up (fills the bytecode cache; not recorded)")
        audit_once(args.python, endpoint, wire, "warm-up", envs["bytecode cached"], empty)
        for repeat in range(args.repeats):
            for variant, env in envs.items():
                run = audit_once(args.python, endpoint, wire, variant, env, empty)
                collects[variant].append(collect_once(args.python, endpoint, wire, env, empty))
                say(f"  {repeat + 1}/{args.repeats} {variant}: start {run.start:.2f} s, "
                    f"audit {run.audit:.2f} s, end {run.end:.2f} s, wall {run.wall:.2f} s, "
                    f"CPU {run.cpu:.2f} s, {run.plugin_calls} calls "
                    f"({run.server_calls} at the server), {run.outcomes}")
                runs.append(run)
        by_operation = dict(sorted(wire.requests.items()))  # of the last collect-only: none
    print(f"Measured on {os.cpu_count()} CPUs ({platform.processor() or platform.machine()}), "
          f"load average {load_before[0]:.2f} before and {os.getloadavg()[0]:.2f} after; "
          f"Python {platform.python_version()}, pytest {version('pytest')}, "
          f"boto3 {version('boto3')}, moto {version('moto')}; {args.users} users, "
          f"{len(ALL_REGIONS)} regions; medians of {args.repeats} runs per variant.")
    print()
    print(table(runs, collects))
    print()
    calls = sorted({(r.plugin_calls, r.server_calls) for r in runs})
    print(f"AWS calls per audit (plugin's count, server's count): {calls}; "
          f"outcomes: {sorted({r.outcomes for r in runs})}; "
          f"AWS calls during --collect-only: "
          f"{sorted({c[2] for co in collects.values() for c in co})}; {by_operation or ''}")
    return 0 if len(calls) == 1 and calls[0][0] == calls[0][1] else 1


if __name__ == "__main__":
    sys.exit(main())
