"""The score says what it covers: the whole benchmark's wording only when every scored
recommendation of the level ran; otherwise the selection's, with the benchmark's count."""

from __future__ import annotations

from typing import Any

from pytest_cis_aws import catalog
from pytest_cis_aws.report.terminal import benchmark_counts, score_lines, selected_counts


def rows(outcomes: dict[str, str], account: str | None = None) -> list[dict[str, Any]]:
    return [{"id": rec, "level": catalog.CATALOG[rec].level,
             "scored": catalog.CATALOG[rec].scored, "stock": True, "account": account,
             "outcome": outcome} for rec, outcome in outcomes.items()]


def every_scored(outcome: str = "passed") -> dict[str, str]:
    return {rec.id: outcome for rec in catalog.CATALOG.values() if rec.scored}


def test_the_benchmark_counts_come_from_the_catalog() -> None:
    scored = [rec for rec in catalog.CATALOG.values() if rec.scored]
    assert benchmark_counts() == {"1": sum(rec.level == 1 for rec in scored),
                                  "2": len(scored)}  # Level 2 includes Level 1
    assert benchmark_counts() == {"1": 36, "2": 47}


def test_a_whole_run_reads_as_the_benchmark_s_score() -> None:
    outcomes = every_scored() | {"1.2": "failed", "1.3": "error", "2.1": "manual"}
    score = {"1": {"passed": 31, "evaluated": 34}, "2": {"passed": 40, "evaluated": 45}}
    assert score_lines(score, 2, None, rows(outcomes)) == [
        "Level 1: 31/34 scored recommendations pass (91%)",
        "Level 2: 40/45 scored recommendations pass (88%)"]


def test_a_selection_says_so_and_gives_the_benchmark_s_count() -> None:
    score = {"1": {"passed": 1, "evaluated": 2}, "2": {"passed": 1, "evaluated": 2}}
    assert score_lines(score, 2, None, rows({"1.2": "passed", "1.5": "failed"})) == [
        "Level 1: 1/2 of the selected scored recommendations pass (36 in the benchmark)",
        "Level 2: 1/2 of the selected scored recommendations pass (47 in the benchmark)"]


def test_level_1_whole_level_2_narrowed() -> None:
    level_1 = {rec: o for rec, o in every_scored().items() if catalog.CATALOG[rec].level == 1}
    score = {"1": {"passed": 36, "evaluated": 36}, "2": {"passed": 36, "evaluated": 36}}
    assert score_lines(score, 2, None, rows(level_1)) == [
        "Level 1: 36/36 scored recommendations pass (100%)",
        "Level 2: 36/36 of the selected scored recommendations pass (47 in the benchmark)"]


def test_nothing_scored_selected_gives_no_percentage() -> None:
    score = {"1": {"passed": 0, "evaluated": 0}}
    assert score_lines(score, 1, None, rows({"1.15": "manual"})) == [
        "Level 1: no scored recommendation selected (36 in the benchmark)"]
    assert score_lines(score, 1, None, rows({"1.2": "error", "1.3": "error"})) == [
        "Level 1: none of the 2 selected scored recommendations was evaluated automatically "
        "(36 in the benchmark)"]
    assert score_lines(score, 1, None, rows(every_scored("error"))) == [
        "Level 1: no scored recommendation was evaluated automatically"]


def test_skipped_checks_and_user_checks_do_not_count_as_selected() -> None:
    skipped = rows(every_scored()) + rows({"1.2": "skipped"})
    skipped = [r for r in skipped if not (r["id"] == "1.2" and r["outcome"] == "passed")]
    assert selected_counts(skipped)["1"] == 35
    own = [dict(r, stock=False) for r in rows(every_scored())]
    assert selected_counts(own) == {"1": 0, "2": 0}


def test_an_organization_counts_recommendations_not_accounts() -> None:
    both = rows({"1.2": "passed"}, "111111111111") + rows({"1.2": "failed"}, "222222222222")
    assert selected_counts(both) == {"1": 1, "2": 1}
