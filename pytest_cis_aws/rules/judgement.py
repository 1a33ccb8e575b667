"""What a rule concludes where the benchmark's audit has a step no API answers.

Most rules return a list of findings, and a check passes, fails or errs on them. Some cannot
prove compliance from what an API shows (1.15 security questions, 1.19 contact details, 3.15
subscribers, 4.5 peering routes, part of 1.18 and 1.21): the rule says what a person must still
review, and the check ends *manual* with what the rule saw, unless a finding already fails or
could not be evaluated ("can fail, cannot pass"). The rule decides which it is; the check only
ends as the judgement says (checks/__init__.py: `conclude`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..finding import Finding


@dataclass(frozen=True)
class Judgement:
    """`findings` are judged (a False fails, a None is an error); with `review` set and none of
    them failing or unknown, the outcome is *manual*: `review` says what to check and the
    findings, then `evidence`, are what was seen. `evidence` is never judged: findings shown to
    the reviewer (often `Finding.unknown`, "for a person to judge"), recorded as they are."""

    findings: list[Finding]
    review: str | None = None  # what a person must still check when nothing fails
    evidence: list[Finding] = field(default_factory=list)
