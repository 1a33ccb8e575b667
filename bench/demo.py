"""How long `pytest --cis-demo --cis-level=2` takes from start to exit, and `--collect-only`.

    python bench/demo.py                      # 5 runs of each, this interpreter
    python bench/demo.py --python /path/to/venv/bin/python --repeats 9

Each run is a fresh `python -m pytest` in an empty temporary directory (no conftest, no ini),
timed by bench/launch.py: wall time, and CPU (user + system) of the process. The runs alternate
(demo, collect-only) so a busy machine slows both alike; medians and minimums are printed, with
the load average before and after. Every demo run must end with the same summary line.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import sys
import tempfile
from pathlib import Path

from audit import fake_aws_env, measure

RUNS = {
    "demo": ["--cis-demo", "--cis-level=2", "-p", "no:cacheprovider", "-q"],
    "collect-only": ["--cis-demo", "--cis-level=2", "-p", "no:cacheprovider", "--collect-only",
                     "-q"],
}
SUMMARY = re.compile(r"^(\d+ failed.*|\d+ tests collected) in ", re.MULTILINE)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--python", default=sys.executable, help="the venv's interpreter")
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    env = fake_aws_env()
    bytecode = os.environ.get("PYTHONDONTWRITEBYTECODE", "")
    print(f"python {args.python}; PYTHONDONTWRITEBYTECODE={bytecode!r}; "
          f"load average before: {os.getloadavg()[0]:.2f}")
    seen: dict[str, dict[str, list[float]]] = {name: {"wall": [], "cpu": []} for name in RUNS}
    summaries: dict[str, set[str]] = {name: set() for name in RUNS}
    with tempfile.TemporaryDirectory(prefix="cis-bench-demo-") as scratch:
        for _ in range(args.repeats):
            for name, flags in RUNS.items():
                run = measure([args.python, "-m", "pytest", *flags], Path(scratch), env, 300)
                summary = SUMMARY.search(run.output)
                summaries[name].add(summary.group(1) if summary else run.output[-300:])
                seen[name]["wall"].append(run.wall)
                seen[name]["cpu"].append(run.cpu)
    print(f"load average after: {os.getloadavg()[0]:.2f}")
    for name, values in seen.items():
        wall, cpu = values["wall"], values["cpu"]
        print(f"{name:13s} wall median {statistics.median(wall):5.2f} s (min {min(wall):.2f},"
              f" max {max(wall):.2f}); CPU median {statistics.median(cpu):5.2f} s"
              f" (min {min(cpu):.2f}); {' | '.join(sorted(summaries[name]))}")
    if any(len(found) != 1 for found in summaries.values()):
        sys.exit("the runs did not all end alike")


if __name__ == "__main__":
    main()
