"""Fail closed: whatever breaks a data source, no check that needs it passes, and the run ends.

Every run audits one account on which every check passes (or is manual), in us-east-1 and
eu-west-1, with faults injected by botocore event handlers (faults.py). The sources are every
operation the audit calls, read from its own `--cis-api-stats` table so the list cannot go stale;
which check reads which source is learnt from the same run (the calls each fixture makes), and
which of those reads decide its verdict is what the catalog's `permissions` say.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import pytest
from moto import mock_aws

import accounts_full
import faults
from clients import client_maker
from faults import Fault, Injector
from pytest_cis_aws import catalog
from test_checks_logging import api_calls

ARGS = ("--cis-level=2", "-p", "no:cacheprovider")
# Short: a faulted "is the report ready?" answer is polled until this deadline.
INI = accounts_full.INI + "cis_credential_report_timeout = 2\n"
# Read by the controller before any fixture: tested on their own below.
SESSION_SOURCES = frozenset({"sts:GetCallerIdentity", "ec2:DescribeRegions"})
# The sweep's kinds of fault. A kind's variants take turns over the sources (the plugin reads
# each variant of a kind the same way: each needs covering, not each on every source). Expired
# credentials also get every source after the first few calls: test_credentials_expiring_mid_run.
SWEEP: dict[str, tuple[Fault, ...]] = {
    "refused": (faults.DENIED, faults.DENIED_XML, faults.EXPIRED, faults.INVALID_TOKEN),
    "unreachable": (faults.UNREACHABLE,),
    "partial": (faults.PARTIAL,),
    "mistyped": (faults.MISTYPED, faults.RESHAPED),
}
MANUAL = frozenset(rec.id for rec in catalog.CATALOG.values() if not rec.automated)
# Automated checks whose audit also has a step no API answers: they can fail, they cannot pass,
# so on a compliant account they end manual (with what they read as evidence).
CANNOT_PASS = frozenset({"1.21"})
# One qualifying trail proves these: what other regions hold cannot undo it.
EXISTENTIAL = frozenset({"2.1", *(f"3.{n}" for n in range(1, 15))})


@pytest.fixture(scope="module")
def account(_setup_clients: dict[tuple[str, str], Any]) -> Iterator[None]:
    """The compliant account, built once per module: every run only reads it."""
    client = client_maker(_setup_clients)

    with mock_aws(), pytest.MonkeyPatch.context() as patch:
        accounts_full.compliant(client, patch)
        yield


@pytest.fixture(autouse=True)
def _no_backoff(monkeypatch: pytest.MonkeyPatch) -> None:
    """Retries keep their count but not their sleep: these tests count attempts, not seconds."""
    from botocore.retries import bucket, standard

    monkeypatch.setattr(standard.ExponentialBackoff, "delay_amount", lambda self, context: 0)
    monkeypatch.setattr(bucket.TokenBucket, "acquire", lambda self, amount=1, block=True: True)


Audit = tuple[dict[str, str], pytest.RunResult]  # (outcome by check id, the run)


def audit(pytester: pytest.Pytester, injector: Injector, *args: str,
          regions: str | None = accounts_full.REGIONS_ARG) -> Audit:
    """Run the whole stock suite with `injector` on the run's session."""
    pytester.makeini(INI)
    pytester.makeconftest(faults.CONFTEST)
    injector.canned.update(accounts_full.CANNED)
    faults.ACTIVE = injector
    try:
        result = pytester.runpytest(*ARGS, *args, *([regions] if regions else []))
    finally:
        faults.ACTIVE = None
    return faults.outcomes(result), result


def assert_ran_to_the_end(result: pytest.RunResult, got: Mapping[str, str]) -> None:
    output = result.stdout.str() + result.stderr.str()
    assert "INTERNALERROR" not in output, output
    assert result.ret in (pytest.ExitCode.OK, pytest.ExitCode.TESTS_FAILED), output
    assert len(got) == len(catalog.CATALOG), output


@dataclass(frozen=True)
class Baseline:
    outcomes: dict[str, str]
    calls: dict[str, int]  # the run's own --cis-api-stats table
    sent: frozenset[str]  # operations that reached the wire (before-send)
    reads: dict[str, set[str]]  # operation -> the checks whose fixtures call it
    regions: dict[str, set[str]]  # operation -> the regions it was called in

    def needs(self, operation: str) -> set[str]:
        """The readers whose verdict rests on `operation`: the catalog names it for them."""
        return {rec for rec in self.reads.get(operation, ())
                if operation in catalog.get(rec).permissions}


_BASELINE: list[Baseline] = []


def baseline(pytester: pytest.Pytester) -> Baseline:
    """The fault-free run, once per process (the account is the same for every test)."""
    if not _BASELINE:
        injector = Injector()
        got, result = audit(pytester, injector, "--cis-api-stats")
        assert_ran_to_the_end(result, got)
        _BASELINE.append(Baseline(got, api_calls(result), frozenset(injector.attempts),
                                  faults.readers(injector, faults.FIXTURES), injector.regions_seen))
    return _BASELINE[0]


def test_baseline_every_check_is_decided(pytester: pytest.Pytester, account: None) -> None:
    base = baseline(pytester)
    assert {rec for rec, outcome in base.outcomes.items() if outcome != "passed"} == (
        MANUAL | CANNOT_PASS)
    assert all(base.outcomes[rec] == "manual" for rec in MANUAL | CANNOT_PASS)
    # Every operation but the session's is read by some check: the sweep reaches them all.
    assert set(base.reads) == set(base.calls) - SESSION_SOURCES
    assert len(base.calls) >= 30


def test_the_whole_audit_only_reads(pytester: pytest.Pytester, account: None) -> None:
    """Every operation of the stock suite is a read, by the guard's own rule, both in the
    --cis-api-stats table and among the requests that reached the wire."""
    from pytest_cis_aws.aws.guard import is_read

    base = baseline(pytester)
    assert base.sent == set(base.calls)
    assert [op for op in base.calls if not is_read(*op.split(":"))] == []


def test_every_source_a_check_names_is_one_it_reads(pytester: pytest.Pytester,
                                                    account: None) -> None:
    """The catalog's permissions are the checks' real dependencies, or the sweep tests less."""
    base = baseline(pytester)
    named_not_read = {(rec.id, permission) for rec in catalog.CATALOG.values()
                      for permission in rec.permissions
                      if rec.id not in base.reads.get(permission, ())}
    # DescribeRegions is read once for all (the sweep's runs name their regions); 1.15 has no
    # API; 1.12 judges root keys from the credential report alone.
    assert named_not_read == {(rec.id, "ec2:DescribeRegions") for rec in catalog.CATALOG.values()
                              if "ec2:DescribeRegions" in rec.permissions} | {
        ("1.15", "account:GetAccountInformation"), ("1.12", "iam:GetAccountSummary")}


# -- the invariant --------------------------------------------------------------------------------


def proven_elsewhere(rec: str, operations: set[str], injector: Injector,
                     found: Mapping[str, list[dict[str, Any]]]) -> bool:
    """An existential check's pass stands on what was read: a compliant finding (the qualifying
    trail) from a region where all of `operations` answered."""
    unread_regions = set().union(*(injector.unread_at().get(op, set()) for op in operations))
    return rec in EXISTENTIAL and any(
        f["compliant"] is True and f["region"] not in unread_regions for f in found.get(rec, ()))


def violations(base: Baseline, injector: Injector, result: pytest.RunResult) -> set[str]:
    """What a run did wrong, as "<source> <fault>: <check> <outcome>": a check whose verdict
    rests on a source the run could not read that passed (or crashed), another reader of one that
    crashed, or a check that reads none of them whose outcome changed."""
    got, found = faults.outcomes(result), faults.findings(result)
    errors = set()
    unread = injector.unread() - SESSION_SOURCES
    needed = {rec: {op for op in unread if rec in base.needs(op)} for rec in got}
    for rec, outcome in got.items():
        reading = sorted(op for op in unread if rec in base.reads[op])
        if not reading:
            if outcome != base.outcomes[rec]:
                errors.add(f"{rec} {outcome} (reads nothing faulted; was {base.outcomes[rec]})")
            continue
        if needed[rec]:
            # A manual check may also end in error: it could not gather its evidence.
            allowed = {"manual", "error"} if rec in MANUAL else {"error", "failed"}
            if proven_elsewhere(rec, needed[rec], injector, found):
                allowed.add("passed")
        else:
            allowed = {base.outcomes[rec], "error", "failed"}
        if outcome not in allowed:
            operation = min(needed[rec]) if needed[rec] else reading[0]
            fault = injector.faults.get(operation)
            # Not faulted itself: its endpoint was found unreachable by an earlier call.
            errors.add(f"{operation} {fault.name if fault else 'unreachable'}: {rec} {outcome}")
    return errors


# Passes on data the plugin could not read: none (any new one is a bug).
KNOWN: dict[str, set[str]] = {kind: set() for kind in SWEEP}


@pytest.mark.parametrize("kind", list(SWEEP))
def test_no_check_passes_on_a_source_it_cannot_read(kind: str, pytester: pytest.Pytester,
                                                    account: None) -> None:
    base = baseline(pytester)
    variants = iter(SWEEP[kind] * len(base.reads))  # in turn, across every source
    found: set[str] = set()
    for group in faults.disjoint_groups(base.reads):
        injector = Injector(faults={op: next(variants) for op in group})
        got, result = audit(pytester, injector)
        assert_ran_to_the_end(result, got)
        assert injector.hit, group  # the fault reached the sources, or the run tells nothing
        found |= violations(base, injector, result)
    assert found == KNOWN[kind]


def test_sources_are_grouped_without_shared_readers(pytester: pytest.Pytester,
                                                    account: None) -> None:
    base = baseline(pytester)
    groups = faults.disjoint_groups(base.reads)
    assert sorted(op for group in groups for op in group) == sorted(base.reads)
    for group in groups:
        readers = [base.reads[op] for op in group]
        assert sum(map(len, readers)) == len(set().union(*readers)), group


def test_a_malformed_report_state_is_not_polled_until_the_deadline(
    pytester: pytest.Pytester, account: None,
) -> None:
    injector = Injector(faults={"iam:GenerateCredentialReport": faults.PARTIAL})
    got, result = audit(pytester, injector, "--cis-id=1.2", regions="--cis-regions=us-east-1")
    assert got == {"1.2": "error"}
    assert injector.calls["iam:GenerateCredentialReport"] == 1, "polled the malformed answer"
    result.stdout.fnmatch_lines(["*could not read iam:GetCredentialReport: unexpected response "
                                 "shape (KeyError: 'State')*"])


def test_a_check_that_crashes_on_its_data_ends_in_error(
    pytester: pytest.Pytester, account: None, monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Defence in depth: answers are type-checked, but a rule may still meet data it did not
    expect. A crash is not a verdict: it must not count as a failed (evaluated) check."""

    def crash(*args: Any, **kwargs: Any) -> Any:
        raise AttributeError("'str' object has no attribute 'get'")

    monkeypatch.setattr("pytest_cis_aws.rules.networking.port_open_to_world", crash)
    got, result = audit(pytester, Injector(), "--cis-id=4.1", regions="--cis-regions=us-east-1")
    assert got == {"4.1": "error"}
    result.stdout.fnmatch_lines(["*AttributeError: 'str' object has no attribute 'get'"])


def test_a_bug_in_the_plugin_is_an_error_that_says_so_not_an_unreadable_source(
    pytester: pytest.Pytester, account: None, monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Only AWS's own failures read as "could not read": a KeyError in our collector (inside
    reading() and the fan-out), in a fixture's own parsing or in a rule is a plugin bug, with
    its traceback."""

    def collector_bug(aws: Any, region: str) -> Any:
        return {}["GroupId"]  # our own dict, not AWS's answer

    def rule_bug(*args: Any, **kwargs: Any) -> Any:
        raise KeyError("TrailARN")

    def parsing_bug(*args: Any, **kwargs: Any) -> Any:
        raise TypeError("'NoneType' object is not subscriptable")

    monkeypatch.setattr("pytest_cis_aws.aws.collect_networking.security_groups", collector_bug)
    monkeypatch.setattr("pytest_cis_aws.rules.logging.multi_region_trail", rule_bug)
    monkeypatch.setattr("pytest_cis_aws.credential_report.reconcile", parsing_bug)
    got, result = audit(pytester, Injector(), "--cis-id=1.2,2.1,4.1", "--cis-json=out.json",
                        regions="--cis-regions=us-east-1")
    assert got == {"1.2": "error", "2.1": "error", "4.1": "error"}
    reasons = {r["id"]: r["reason"] for r in json.loads(
        (pytester.path / "out.json").read_text(encoding="utf-8"))["results"]}
    said = " (a bug in pytest-cis-aws, not an AWS read failure: please report it with the " \
           "traceback below)"
    assert reasons == {
        "1.2": "pytest-cis-aws bug: TypeError: 'NoneType' object is not subscriptable" + said,
        "2.1": "pytest-cis-aws bug: KeyError: 'TrailARN'" + said,
        "4.1": "pytest-cis-aws bug: KeyError: 'GroupId'" + said}
    output = result.stdout.str()
    assert "could not read" not in output and "unexpected response shape" not in output
    # The traceback stays, down to the line that failed.
    result.stdout.fnmatch_lines(['*return {}?"GroupId"?*', "E*KeyError: 'GroupId'"])


# -- faults that pass: throttling ----------------------------------------------------------------


@pytest.mark.parametrize("throttle", [faults.throttling_for, lambda op: faults.TOO_MANY],
                         ids=["service-throttling-codes", "http-429"])
def test_throttling_bursts_are_retried_and_change_no_verdict(
    throttle: Any, pytester: pytest.Pytester, account: None,
) -> None:
    base = baseline(pytester)
    # Every source at once: any verdict that moves shows against the baseline.
    injector = Injector(faults={op: throttle(op) for op in base.calls})
    got, result = audit(pytester, injector)
    assert_ran_to_the_end(result, got)
    assert got == base.outcomes
    # Each call: two throttled attempts (fault.times), then the answer.
    assert {op: injector.attempts[op] for op in injector.calls} == {
        op: 3 * n for op, n in injector.calls.items()}


# -- a region that does not answer ----------------------------------------------------------------

EU = "eu-west-1"


def test_a_region_whose_endpoints_refuse_connections(pytester: pytest.Pytester,
                                                     account: None) -> None:
    base = baseline(pytester)
    injector = Injector(everything=faults.UNREACHABLE, regions=frozenset({EU}))
    got, result = audit(pytester, injector)
    assert_ran_to_the_end(result, got)
    assert violations(base, injector, result) == set()
    # The checks that read eu-west-1 end in error (but those a trail read in us-east-1 proves:
    # the alarm chains that notify a topic there); the others are judged as before.
    readers = {rec for op in base.reads if EU in base.regions[op] for rec in base.needs(op)}
    in_eu = readers - MANUAL
    assert in_eu >= {"1.21", "2.5", "2.8", "4.1", "4.2", "4.3", "4.4"}
    errors = {rec for rec, outcome in got.items() if outcome == "error"}
    # A manual check may end in error too: it could not gather its evidence (4.5's routes; 3.15,
    # whose review would miss the topics of eu-west-1).
    assert in_eu - EXISTENTIAL <= errors <= readers
    assert "3.15" in errors
    assert {rec for rec in in_eu & EXISTENTIAL if got[rec] == "passed"} == {
        "2.1", "3.1", "3.4", "3.7", "3.10", "3.13"}  # their alarms notify the us-east-1 topic
    # ... with the other region judged, finding by finding.
    found = faults.findings(result)
    for rec in ("1.21", "2.5", "2.8", "4.1", "4.3", "4.4"):
        verdicts = {(f["region"], f["compliant"]) for f in found[rec]}
        assert (EU, None) in verdicts and ("us-east-1", True) in verdicts, (rec, verdicts)
        assert {r for r, ok in verdicts if ok is None} == {EU}, (rec, verdicts)
    # Bounded: once an endpoint failed through botocore's retries (5, so 6 attempts, each
    # bounded by the connect timeout), it is not asked again: one call's attempts per service,
    # however many calls, resources and checks would have asked it.
    dead = {service: n for (service, region), n in injector.sent.items() if region == EU}
    assert dead and all(n == 6 for n in dead.values()), dead
    asked = sum(n for op, n in injector.calls.items() if EU in injector.regions_seen[op])
    assert asked > len(dead)  # more calls than services: the later ones failed at once


# -- credentials that stop working --------------------------------------------------------------


@pytest.mark.parametrize("fault", [faults.EXPIRED, faults.INVALID_TOKEN], ids=lambda f: f.name)
def test_credentials_expiring_mid_run(fault: Fault, pytester: pytest.Pytester,
                                      account: None) -> None:
    base = baseline(pytester)
    # The account was identified and a few sources read; every call after that is refused.
    injector = Injector(everything=fault, after=8)
    got, result = audit(pytester, injector)
    assert_ran_to_the_end(result, got)
    assert violations(base, injector, result) == set()
    passed = {rec for rec, outcome in got.items() if outcome == "passed"}
    # Only checks whose every source was read before the credentials expired may pass.
    for rec in passed:
        assert all(op not in injector.unread() for op, recs in base.reads.items()
                   if rec in recs), rec
    assert sum(outcome == "error" for outcome in got.values()) > 20
    result.stdout.fnmatch_lines([f"*could not evaluate: *{fault.code}*"])


# -- the sources read before any check ----------------------------------------------------------


@pytest.mark.parametrize("kind", list(SWEEP))
def test_an_unreadable_identity_stops_the_run_with_one_line(
    kind: str, pytester: pytest.Pytester, account: None,
) -> None:
    injector = Injector(faults={"sts:GetCallerIdentity": SWEEP[kind][0]})
    got, result = audit(pytester, injector)
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    assert got == {}
    errors = [line for line in result.stderr.lines if line.startswith("ERROR")]
    assert len(errors) == 1 and errors[0].startswith(
        "ERROR: pytest-cis-aws could not identify the AWS account: "), result.stderr.str()
    assert "Traceback" not in result.stderr.str() + result.stdout.str()


@pytest.mark.parametrize("kind", ["refused", "partial", "unreachable"])
def test_unreadable_regions_with_named_regions_change_nothing(
    kind: str, pytester: pytest.Pytester, account: None,
) -> None:
    base = baseline(pytester)
    injector = Injector(faults={"ec2:DescribeRegions": SWEEP[kind][0]})
    got, result = audit(pytester, injector)
    assert_ran_to_the_end(result, got)
    assert "ec2:DescribeRegions" in injector.unread()
    # --cis-regions named them: the user's list is trusted, and every check judged as before
    # (but for an unreachable endpoint: EC2 in us-east-1 is then dead for the whole run).
    assert violations(base, injector, result) == set()
    assert (got == base.outcomes) is (kind != "unreachable")


def test_unreadable_regions_error_every_regional_check(pytester: pytest.Pytester,
                                                       account: None) -> None:
    base = baseline(pytester)
    injector = Injector(faults={"ec2:DescribeRegions": faults.DENIED})
    got, result = audit(pytester, injector, regions=None)  # every region the account has
    assert_ran_to_the_end(result, got)
    # Every check that reads a region's data: which ones, the baseline says.
    regional = {rec for op, recs in base.reads.items() if EU in base.regions[op] for rec in recs}
    assert {rec for rec, outcome in got.items() if outcome == "error"} == regional
    assert all(got[rec] == base.outcomes[rec] for rec in set(got) - regional)
    result.stdout.fnmatch_lines(["*could not read ec2:DescribeRegions*AccessDenied*"])
