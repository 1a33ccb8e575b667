"""The least-privilege IAM policy an audit needs, from the benchmark's data.

Each recommendation names the actions its check reads (`permissions` in benchmarks/*.toml); the
run itself asks who it is (sts:GetCallerIdentity, free on AWS but called). Their union, reads
only, is the policy: `pytest-cis-aws policy` prints it for the default benchmark or the one
`--benchmark` names, and policy/pytest-cis-aws-readonly.json is the default's, kept equal to this
by tests/test_least_privilege.py (which also proves it is enough, under moto's IAM enforcement).
"""

from __future__ import annotations

import json
from typing import Any

from .catalog import Benchmark

# Called by every run whatever it audits: the account and partition the audit is of.
RUN_ACTIONS = ("sts:GetCallerIdentity",)


def actions(benchmark: Benchmark) -> list[str]:
    """Every action the stock checks of `benchmark` and the run read, sorted."""
    named = {p for rec in benchmark.recommendations.values() for p in rec.permissions}
    return sorted(named | set(RUN_ACTIONS))


def document(benchmark: Benchmark) -> dict[str, Any]:
    return {
        "Version": "2012-10-17",
        "Statement": [{
            "Sid": "PytestCisAwsReadOnlyAudit",
            "Effect": "Allow",
            "Action": actions(benchmark),
            "Resource": "*",
        }],
    }


def render(benchmark: Benchmark) -> str:
    """The policy as the file in policy/ holds it."""
    return json.dumps(document(benchmark), indent=2) + "\n"
