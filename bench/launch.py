"""Run one command and write what it cost as JSON: python launch.py OUT TIMEOUT -- ARGV...

A small launcher, so that the measured process is forked from a small one: on Linux a child's
peak RSS (ru_maxrss) starts at the size of the process that forked it, and the bench process
holds the whole moto server. Stdlib only, imported by nothing.

  wall      seconds from start to exit
  cpu       user + system seconds of the command and every descendant it reaped
  peak_mb   ru_maxrss: the peak of the largest single process (pytest, or an xdist worker)
  tree_mb   the largest total RSS of the command's whole session, sampled every 100 ms
  started_at, ended_at   time.time() just before the command is started and just after it
            exits: epoch seconds, to set against the times a server in another process saw
"""

from __future__ import annotations

import json
import os
import resource
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

PAGE = os.sysconf("SC_PAGE_SIZE")
SAMPLE_EVERY = 0.1


def session_rss(session: int) -> int:
    """Total resident bytes of the processes whose session id is `session`."""
    total = 0
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            stat = Path(entry.path, "stat").read_text().rsplit(")", 1)[1].split()
            if int(stat[3]) == session:  # fields after the name: state ppid pgrp session
                total += int(Path(entry.path, "statm").read_text().split()[1]) * PAGE
        except (OSError, IndexError, ValueError):
            continue  # the process ended while we looked
    return total


def sample(session: int, done: threading.Event, peak: list[int]) -> None:
    while not done.is_set():
        peak[0] = max(peak[0], session_rss(session))
        done.wait(SAMPLE_EVERY)


def main(argv: list[str]) -> int:
    out, timeout, command = Path(argv[0]), float(argv[1]), argv[3:]
    started_at, started = time.time(), time.perf_counter()
    proc = subprocess.Popen(command, start_new_session=True)
    done, peak = threading.Event(), [0]
    sampler = threading.Thread(target=sample, args=(proc.pid, done, peak), daemon=True)
    sampler.start()
    try:
        returncode = proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)  # pytest and its xdist workers
        returncode = proc.wait()
    wall, ended_at = time.perf_counter() - started, time.time()
    done.set()
    sampler.join()
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    out.write_text(json.dumps({
        "returncode": returncode, "wall": wall, "cpu": usage.ru_utime + usage.ru_stime,
        "peak_mb": usage.ru_maxrss / 1024, "tree_mb": peak[0] / 2**20,
        "started_at": started_at, "ended_at": ended_at,
    }))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
