"""An audit ends without Python's final garbage collection over its heap (shutdown.py)."""

from __future__ import annotations

import gc
import subprocess
import sys
from pathlib import Path

import pytest

from pytest_cis_aws import shutdown

# A reference cycle whose finalizer says when it ran; the module is loaded from its file, so the
# child imports neither pytest nor the package.
CHILD = """
import importlib.util, sys
spec = importlib.util.spec_from_file_location("shutdown", sys.argv[1])
module = importlib.util.module_from_spec(spec)
spec.loader.exec_module(module)

class Cycle:
    def __del__(self):
        print("finalized", flush=True)

cycle = Cycle()
cycle.me = cycle
del cycle
import gc
gc.disable()  # leave the cycle to the collection at exit
if sys.argv[2] == "freeze":
    module.freeze_heap_at_exit()
"""


@pytest.mark.parametrize(("mode", "finalized"), [("freeze", False), ("control", True)])
def test_the_heap_is_frozen_at_exit(mode: str, finalized: bool) -> None:
    source = Path(shutdown.__file__)
    done = subprocess.run([sys.executable, "-c", CHILD, str(source), mode],
                          capture_output=True, text=True, timeout=60, check=True)
    assert ("finalized" in done.stdout) is finalized  # the control shows the cycle is collected


def test_registered_once_per_process(monkeypatch: pytest.MonkeyPatch) -> None:
    registered: list[object] = []
    monkeypatch.setattr(shutdown, "_registered", False)
    monkeypatch.setattr(shutdown.atexit, "register", registered.append)
    shutdown.freeze_heap_at_exit()
    shutdown.freeze_heap_at_exit()
    assert registered == [gc.freeze]


def test_an_active_run_registers_it_a_dormant_one_does_not(
        pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> None:
    registered: list[object] = []
    monkeypatch.setattr(shutdown, "_registered", False)
    monkeypatch.setattr(shutdown.atexit, "register", registered.append)
    pytester.makepyfile(test_plain="def test_plain():\n    pass\n")
    pytester.runpytest_inprocess("-p", "no:cacheprovider", "--collect-only", "-q")
    assert registered == []
    pytester.runpytest_inprocess("-p", "no:cacheprovider", "--collect-only", "-q",
                                 "--cis-level=1", "--cis-no-stock")
    assert registered == [gc.freeze]
