"""--cis-demo: audit a simulated AWS account (moto, in process) instead of a real one.

`start` runs in `pytest_configure` of every process (the controller and each xdist worker). It
swaps the process's AWS environment for obviously fake credentials, starts moto's in-process
mock and hands back the settings to audit it with. The account is built on the process's first
AWS call (`SeedOnFirstCall`), the same in every process: `--collect-only` never pays for it.
The cleanup it registers stops the mock, undoes every patch of moto and restores the
environment.

One job a module:
- `isolate`: fake credentials, no user configuration, no network, no real account named;
- `moto_patches`: what moto cannot do through its API, done to its internals and botocore's;
- `seed_iam`, `seed_logging`, `seed_monitoring`, `seed_networking` (and `common`): the account
  builders, API calls only, shared with the plugin's tests and the benchmark;
- `account`: the demo account, built from them; `hostile`: the hostile text it carries.
"""

from __future__ import annotations

import contextlib
import threading
from typing import Any

import pytest
from botocore.exceptions import BotoCoreError

from ..settings import Settings
from . import isolate, moto_patches
from .account import REGIONS, seed_account
from .hostile import HOSTILE
from .moto_patches import report_generated_now

__all__ = ["HOSTILE", "REGIONS", "DemoAccountUnavailable", "SeedOnFirstCall",
           "report_generated_now", "seed_account", "simulate", "start"]


def start(config: pytest.Config, settings: Settings) -> Settings:
    """Start the simulated account for this process; return the settings to audit it with."""
    # One stack for the whole run: the seeding, on the first AWS call, adds its patches of moto
    # to it, and the cleanup undoes them with the rest.
    stack = contextlib.ExitStack()
    try:
        simulate(stack)
    except BaseException:
        stack.close()  # a failure part way closes what was opened
        raise
    config.add_cleanup(stack.close)
    isolate.warn_about_ignored(config, settings)
    return isolate.demo_settings(settings, REGIONS)


def simulate(stack: contextlib.ExitStack) -> None:
    """Fake environment, moto, network guard, the account seeded on the first AWS call: closing
    `stack` undoes them all."""
    mock_aws = isolate.import_moto()
    isolate.isolate_environment(stack)
    stack.enter_context(mock_aws(config=isolate.MOTO_CONFIG))
    isolate.refuse_network(stack)
    moto_patches.answer_cost_and_usage_reports(stack)
    moto_patches.share_model_loader(stack)
    # Before parameters are even validated: before moto's own `before-send` could answer; on
    # every botocore session created from now on (the audit's and the seeding's own).
    moto_patches.builtin_handler(stack, "before-parameter-build", SeedOnFirstCall(stack))


class DemoAccountUnavailable(BotoCoreError):
    fmt = "--cis-demo could not build the simulated account: {error}"


class SeedOnFirstCall:
    """A botocore handler that seeds the account before the first request moto answers.

    Seeding is most of the demo's start-up, and a run that makes no AWS call (`--collect-only`,
    an empty selection) has no use for it. Region fan-out threads may make the first call
    together: the others wait on the lock until the account is complete. The seeding's own
    calls come back here on the same thread (the lock is re-entrant) and pass. A seeding that
    failed fails every later call as well: half an account must not be audited. Once the demo
    is closed, a client made before (its session keeps its handlers) seeds nothing: its
    patches would never be undone.
    """

    def __init__(self, stack: contextlib.ExitStack) -> None:
        self._stack = stack
        self._lock = threading.RLock()
        self._state = "waiting"  # then "seeding", "seeded" or "failed"; or "closed"
        self._error: BaseException | None = None
        stack.callback(self._close)

    def _close(self) -> None:
        with self._lock:
            self._state = "closed"

    def __call__(self, **_: Any) -> None:
        if self._state in ("seeded", "closed"):
            return
        with self._lock:
            if self._state == "waiting":
                self._state = "seeding"
                try:
                    seed_account(self._stack)  # this module's name: tests replace it
                except BaseException as exc:
                    self._state, self._error = "failed", exc
                    if not isinstance(exc, Exception):
                        raise  # an interrupt stays an interrupt; later calls still fail
                else:
                    self._state = "seeded"
            if self._state == "failed":
                raise DemoAccountUnavailable(error=self._error) from self._error
