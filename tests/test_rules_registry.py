"""The registry of rules by name: every rule the benchmark data names exists, and every rule is
run by exactly one stock check, which calls that rule. A typo in the data, in a check's
`@check(...)` or in the registry fails here, not as a run where a recommendation has no check."""

from __future__ import annotations

import importlib
import inspect
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from pytest_cis_aws import catalog
from pytest_cis_aws.rules import monitoring
from pytest_cis_aws.rules.registry import MANUAL_ONLY, RULES, Rule, get
from pytest_cis_aws.selection import CHECKS_DIR

BENCHMARKS = [*sorted(Path(catalog.DATA_FILE).parent.glob("*.toml")),
              Path(__file__).parent / "data" / "example-baseline-0.1.0.toml"]


def _check_modules() -> list[ModuleType]:
    return [importlib.import_module(f"pytest_cis_aws.checks.{path.stem}")
            for path in sorted(CHECKS_DIR.glob("cis_aws_*.py"))]


def _stock_checks() -> list[tuple[str, Callable[..., Any]]]:
    """(rule, check function) for every marked stock check, read from its cis marker."""
    found = []
    for module in _check_modules():
        for name, func in vars(module).items():
            if not (name.startswith("test_") and callable(func)):
                continue
            marks = [m for m in getattr(func, "pytestmark", []) if m.name == "cis"]
            assert len(marks) == 1, f"{module.__name__}.{name} has no single cis marker"
            found.append((str(marks[0].kwargs["rule"]), func))
    return found


STOCK = _stock_checks()


@pytest.mark.parametrize("path", BENCHMARKS, ids=[p.name for p in BENCHMARKS])
def test_every_rule_the_benchmark_data_names_is_registered(path: Path) -> None:
    benchmark = catalog.load(path)
    named = [rec.rule for rec in benchmark.recommendations.values()]
    assert [rule for rule in named if rule not in RULES] == []
    assert [rule for rule in benchmark.metric_filter_patterns if rule not in RULES] == []


@pytest.mark.parametrize("path", BENCHMARKS, ids=[p.name for p in BENCHMARKS])
def test_a_rule_needs_the_same_permissions_in_every_benchmark(path: Path) -> None:
    """What a check reads is the rule's, whichever id a benchmark gives it: a second benchmark's
    policy (pytest-cis-aws policy) is then exactly enough for its checks."""
    for rec in catalog.load(path).recommendations.values():
        assert rec.permissions == catalog.DEFAULT.by_rule[rec.rule].permissions, rec.id


def test_each_registered_rule_is_run_by_exactly_one_stock_check() -> None:
    rules = [rule for rule, _ in STOCK]
    assert sorted(rules) == sorted(RULES)
    assert len(rules) == len(set(rules))


def _reference(rule: Rule) -> str:
    """How a check writes a call of the rule's function: `module.name(`, or the alarm's factory."""
    if isinstance(rule.judge, monitoring.Alarm):
        return f'monitoring.alarm("{rule.judge.meaning}")('
    module = inspect.getmodule(rule.judge)
    assert module is not None
    name = next(n for n, value in vars(module).items() if value is rule.judge)
    return f"{module.__name__.rsplit('.', 1)[-1]}.{name}("


@pytest.mark.parametrize(("rule", "check"), STOCK, ids=[rule for rule, _ in STOCK])
def test_each_check_calls_its_registered_rule(rule: str, check: Callable[..., Any]) -> None:
    assert _reference(RULES[rule]) in inspect.getsource(check)


def test_the_registry_names_each_rule_by_its_own_name() -> None:
    assert all(rule.name == name for name, rule in RULES.items())
    assert set(RULES) >= MANUAL_ONLY
    assert get("iam.security_questions").manual_only
    assert not get("iam.root_mfa").manual_only
    with pytest.raises(KeyError, match=r"iam\.root_mfaa"):
        get("iam.root_mfaa")


def test_alarm_rules_are_named_by_meaning() -> None:
    assert RULES["monitoring.alarm.vpc_changes"].judge == monitoring.alarm("vpc_changes")
    assert monitoring.alarm("vpc_changes").rule == "monitoring.alarm.vpc_changes"
    with pytest.raises(KeyError, match="unauthorised_api_calls"):
        monitoring.alarm("unauthorised_api_calls")
