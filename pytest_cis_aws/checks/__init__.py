"""The stock checks: one marked test function per recommendation, each a thin call of its rule.

A rule (rules/) judges; a check hands it the fixtures' data and ends as the rule says:
`assert_compliant` for a list of findings, `conclude` for a `Judgement` (a rule whose audit has a
step no API answers).
"""

from __future__ import annotations

from pytest_cis_aws import assert_compliant, manual
from pytest_cis_aws.rules.judgement import Judgement


def conclude(judgement: Judgement) -> None:
    """Can fail, cannot pass: the findings decide (fail, error, or pass with no review left);
    where a review remains and none of them fails or is unknown, the check ends *manual* with
    everything the rule saw as evidence."""
    seen = [*judgement.findings, *judgement.evidence]
    if judgement.review is None or any(f.compliant is not True for f in judgement.findings):
        assert_compliant(seen)
    else:
        manual(judgement.review, seen)
