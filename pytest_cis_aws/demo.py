"""--cis-demo: a simulated account (moto, in process) with a realistic mix of findings.

Placeholder until the demo account is seeded: see `start`.
"""

from __future__ import annotations

import pytest

from .settings import Settings


def start(config: pytest.Config, settings: Settings) -> Settings:
    raise pytest.UsageError("--cis-demo is not available yet")
