"""Does a run's CIS document fail the run? --cis-fail-on and --cis-fail-under, decided from the
--cis-json document alone (pure), so the exit status says what every output says.

- `any` (default): every non-compliant or could-not-evaluate result fails the run, as pytest
  already counts it.
- `new`: only an open item the baseline did not have (report/baseline.py tags them). Without
  a baseline every open item is new. An incomplete run fails: what did not run may hold a new
  finding.
- `none`: CIS results never fail the run.
- `--cis-fail-under PCT`: the selected level's score (passed / evaluated) below PCT fails the
  run, whatever --cis-fail-on says; nothing evaluated is nothing proven, and fails too.
- `--cis-strict-waivers`: an expired waiver, or one that matched nothing although its
  recommendation was judged in this run, fails the run whatever --cis-fail-on says. A waiver
  whose check did not run (a narrowed run) or could not read its data is not called unused:
  nothing says it would have matched nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from .baseline import changes
from .items import open_items


@dataclass(frozen=True)
class Verdict:
    # Do the CIS results fail the run? None: as pytest counted them (--cis-fail-on=any).
    results_fail: bool | None
    below: bool  # the score is under --cis-fail-under
    stale_waivers: bool = False  # --cis-strict-waivers and a waiver expired or unused
    # (line, does it fail the run?) for the terminal: why the CIS results fail it or not.
    reasons: list[tuple[str, bool]] = field(default_factory=list)

    def exit_status(self, status: int, other_failures: int) -> int:
        """The run's exit status from pytest's (`status`) and the count of failed tests that
        are not CIS checks. Only 0 and 1 are ever changed: an interruption, an internal or
        usage error, no tests collected keep their code."""
        if status not in (0, 1):
            return status
        if self.results_fail is None:
            failing = status == 1
        else:
            failing = self.results_fail or other_failures > 0
        return 1 if failing or self.below or self.stale_waivers else 0


def decide(doc: Mapping[str, Any], *, fail_on: str = "any", fail_under: float | None = None,
           strict_waivers: bool = False) -> Verdict:
    reasons: list[tuple[str, bool]] = []
    results_fail: bool | None = None
    if fail_on == "new":
        if "baseline" in doc:
            new, what = len(changes(doc)["new"]), "--cis-fail-on=new: "
        else:
            new = len(open_items(doc))
            what = "--cis-fail-on=new without --cis-baseline (every open item is new): "
        if new:
            reasons.append((f"{what}{new} new non-compliant or could-not-evaluate "
                            f"item{'s' if new != 1 else ''}: the run fails", True))
        elif not doc.get("complete", True):
            reasons.append((f"{what}the run is incomplete, what did not run may hold a new "
                            "finding: the run fails", True))
        else:
            reasons.append((f"{what}nothing new is non-compliant or could not be evaluated: "
                            "CIS results do not fail the run", False))
        results_fail = bool(new) or not doc.get("complete", True)
    elif fail_on == "none":
        results_fail = False
        reasons.append(("--cis-fail-on=none: CIS results do not fail the run", False))
    below = False
    if fail_under is not None:
        level = str(doc.get("level", 2))
        score = doc["score"][level]
        if not score["evaluated"]:
            below = True
            reasons.append((f"--cis-fail-under={fail_under:g}: no level {level} scored "
                            "recommendation was evaluated (nothing proven): the run fails", True))
        else:
            pct = 100 * score["passed"] / score["evaluated"]
            below = pct < fail_under
            verdict = "below" if below else "at or above"
            reasons.append((f"--cis-fail-under={fail_under:g}: level {level} score "
                            f"{score['passed']}/{score['evaluated']} = {pct:.1f}% is {verdict} "
                            f"{fail_under:g}%" + (": the run fails" if below else ""), below))
    stale = stale_waivers(doc) if strict_waivers else []
    reasons += [(f"--cis-strict-waivers: {line}: the run fails", True) for line in stale]
    return Verdict(results_fail=results_fail, below=below, stale_waivers=bool(stale),
                   reasons=reasons)


# A recommendation judged on its data: a waiver for it that matched nothing is truly unused.
JUDGED = frozenset({"passed", "failed", "waived"})


def stale_waivers(doc: Mapping[str, Any]) -> list[str]:
    """Why each waiver is stale: expired, or unused although its recommendation was judged."""
    from ..waivers import rec_id_of

    waivers = doc.get("waivers") or {}
    judged = {str(r.get("id")) for r in doc.get("results") or [] if r.get("outcome") in JUDGED}
    lines = [f"expired waiver {w}" for w in waivers.get("expired") or []]
    lines += [f"unused waiver {w}" for w in waivers.get("unused") or []
              if rec_id_of(w) in judged]
    return lines
