"""What installing the plugin costs: time, size of site-packages, number of packages.

    python bench/install.py                     # this checkout: '.[test]' editable, '.[demo,html]'
    python bench/install.py --source DIR --repeats 3 --keep DIR

Each install goes into a fresh virtual environment (`python -m venv`, the interpreter running
this script) with pip's own configuration and cache as they are: run it once before measuring
so the cache is warm, and say so. Time is `venv` creation excluded, `pip install` alone.
Size is `du` of the environment's site-packages (pip and setuptools of the empty venv
included, reported separately); packages are `pip list` minus those of the empty venv.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

INSTALLS = {
    "editable '.[test]' (a contributor's)": ["-e", "{source}[test]"],
    "'.[demo,html]' (a user's)": ["{source}[demo,html]"],
}


@dataclass(frozen=True)
class Install:
    seconds: float
    site_mb: float
    packages: list[str]


def site_packages(venv: Path) -> Path:
    found = list(venv.glob("lib/python*/site-packages"))
    if len(found) != 1:
        raise RuntimeError(f"no single site-packages in {venv}: {found}")
    return found[0]


def du_mb(path: Path) -> float:
    done = subprocess.run(["du", "-sk", str(path)], capture_output=True, text=True, check=True)
    return int(done.stdout.split()[0]) / 1024


def listed(venv: Path) -> list[str]:
    done = subprocess.run([str(venv / "bin/python"), "-m", "pip", "list", "--format=json"],
                          capture_output=True, text=True, check=True)
    return sorted(p["name"].lower() for p in json.loads(done.stdout))


def install_once(args: list[str], where: Path) -> tuple[Install, Install]:
    """The install, and the empty venv it went into (for what it adds)."""
    venv = where / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    empty = Install(0.0, du_mb(site_packages(venv)), listed(venv))
    started = time.perf_counter()
    subprocess.run([str(venv / "bin/python"), "-m", "pip", "install", "-q", *args], check=True)
    seconds = time.perf_counter() - started
    return Install(seconds, du_mb(site_packages(venv)), listed(venv)), empty


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", type=Path, default=Path(__file__).resolve().parent.parent)
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--keep", type=Path, default=None,
                        help="also leave one venv of each install here, for inspection")
    args = parser.parse_args()
    print(f"source {args.source}; python {sys.version.split()[0]}")
    for name, template in INSTALLS.items():
        pip_args = [a.format(source=args.source) for a in template]
        runs: list[Install] = []
        for _ in range(args.repeats):
            with tempfile.TemporaryDirectory(prefix="cis-bench-install-") as scratch:
                run, empty = install_once(pip_args, Path(scratch))
                runs.append(run)
                if args.keep is not None:
                    target = args.keep / name.split()[0].strip("'.[]").replace(",", "-")
                    shutil.rmtree(target, ignore_errors=True)
                    shutil.copytree(Path(scratch, "venv"), target, symlinks=True)
        added = sorted(set(runs[-1].packages) - set(empty.packages))
        seconds = [r.seconds for r in runs]
        print(f"{name}: pip install {statistics.median(seconds):.1f} s (runs: "
              f"{', '.join(f'{s:.1f}' for s in seconds)}); site-packages "
              f"{runs[-1].site_mb:.0f} MB ({empty.site_mb:.0f} MB of it the empty venv's); "
              f"{len(added)} packages added: {' '.join(added)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
