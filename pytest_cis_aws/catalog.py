"""The benchmark's recommendations, read from the data file shipped in the package.

The data (benchmark name and version, sections, and per recommendation its title, level, scored
and automated flags, remediation, CLI hint and permissions, plus the metric filter patterns) lives
in ``benchmarks/cis-aws-foundations-1.1.0.toml``: adding or correcting a recommendation is a data
edit, and a later CIS version has somewhere to go. It is read and validated once, at import: a bad
entry stops pytest from starting with an error naming the entry, rather than surfacing as a wrong
outcome later. This module is imported while pytest starts, so it uses the standard library only
(plus tomli before Python 3.11) and reads only that one file.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Any

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10 only
    import tomli as tomllib

# A section's key ("iam", "logging", ...): the names --cis-section and the reports use.
Section = str

DATA_FILE = Path(__file__).with_name("benchmarks") / "cis-aws-foundations-1.1.0.toml"

_ID_RE = re.compile(r"(?P<major>[0-9]+)(\.[0-9]+)+")  # 1.2; later CIS versions have 2.1.1
_SECTION_KEY_RE = re.compile(r"[a-z][a-z0-9_]*")
_RULE_RE = re.compile(r"[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+")


class BenchmarkDataError(ValueError):
    """The benchmark data file is malformed; the message names the file and the entry."""


@dataclass(frozen=True)
class Recommendation:
    """One CIS recommendation: the compliant state, how to reach it, and what checking it reads."""

    id: str
    # The check this recommendation is verified by, named by what it judges (e.g.
    # "iam.console_users_without_mfa"): the same rule serves every benchmark that asks for it.
    rule: str
    title: str
    section: Section
    level: int
    scored: bool
    automated: bool
    remediation: str
    cli: str
    permissions: tuple[str, ...]

    def __post_init__(self) -> None:
        if not _ID_RE.fullmatch(self.id):
            raise ValueError(f"recommendation id {self.id!r} is not of the form 1.2")
        if self.level not in (1, 2) or isinstance(self.level, bool):
            raise ValueError(f"recommendation {self.id!r}: level {self.level!r} is not 1 or 2")

    @property
    def sort_key(self) -> tuple[int, ...]:
        return tuple(int(part) for part in self.id.split("."))

    @property
    def section_number(self) -> str:
        return self.id.split(".")[0]


@dataclass(frozen=True)
class Benchmark:
    """One benchmark data file, validated: what the rest of this module exposes."""

    name: str
    short_name: str
    label: str  # how a message names a recommendation: "CIS 1.2 <title>: ..."
    version: str
    sections: Mapping[str, Section]  # number -> key, in benchmark order
    section_titles: Mapping[Section, str]
    recommendations: Mapping[str, Recommendation]  # id -> recommendation, in benchmark order
    by_rule: Mapping[str, Recommendation]  # rule name -> the recommendation it verifies
    metric_filter_patterns: Mapping[str, str]  # rule name -> CloudWatch Logs filter pattern


# --- loading and validation -------------------------------------------------------------------

_RECOMMENDATION_FIELDS: dict[str, type] = {
    "id": str,
    "rule": str,
    "title": str,
    "section": str,
    "level": int,
    "scored": bool,
    "automated": bool,
    "remediation": str,
    "cli": str,
    "permissions": list,
}
_SECTION_FIELDS: dict[str, type] = {"number": str, "key": str, "title": str}
_BENCHMARK_FIELDS: dict[str, type] = {"name": str, "short_name": str, "label": str,
                                       "version": str}
# The version as --cis-json's schema takes it (and finding ids are keyed by it): 1.1.0.
_VERSION_RE = re.compile(r"[0-9]+\.[0-9]+\.[0-9]+")


def _fields(raw: Any, expected: dict[str, type], where: str) -> dict[str, Any]:
    """The entry's fields, each present and of its type, and nothing else (a typo in a field
    name would otherwise drop the value silently)."""
    if not isinstance(raw, dict):
        raise BenchmarkDataError(f"{where}: expected a table, got {type(raw).__name__}")
    missing = [name for name in expected if name not in raw]
    if missing:
        raise BenchmarkDataError(f"{where}: missing field(s) {', '.join(missing)}")
    unknown = sorted(set(raw) - set(expected))
    if unknown:
        raise BenchmarkDataError(f"{where}: unknown field(s) {', '.join(unknown)}")
    for name, kind in expected.items():
        value = raw[name]
        # bool is an int in Python; a level of `true` is a mistake, not a 1.
        if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
            raise BenchmarkDataError(f"{where}: field {name!r} must be {kind.__name__}, "
                                     f"got {value!r}")
    return dict(raw)


def _list(data: dict[str, Any], key: str, source: str) -> list[Any]:
    value = data.get(key)
    if not isinstance(value, list) or not value:
        raise BenchmarkDataError(f"{source}: [[{key}]] is missing or empty")
    return value


def _sections(data: dict[str, Any], source: str) -> tuple[dict[str, Section], dict[Section, str]]:
    numbers: dict[str, Section] = {}
    titles: dict[Section, str] = {}
    for index, raw in enumerate(_list(data, "sections", source)):
        where = f"{source}: sections[{index}]"
        entry = _fields(raw, _SECTION_FIELDS, where)
        number, key = entry["number"], entry["key"]
        where = f"{where} (section {number!r})"
        if not number.isdigit():
            raise BenchmarkDataError(f"{where}: number must be digits")
        if not _SECTION_KEY_RE.fullmatch(key):
            raise BenchmarkDataError(f"{where}: key {key!r} must be a lowercase name")
        if number in numbers or key in titles:
            raise BenchmarkDataError(f"{where}: duplicate section number or key {key!r}")
        numbers[number] = key
        titles[key] = entry["title"]
    return numbers, titles


def _recommendation(raw: Any, index: int, sections: Mapping[str, Section],
                    source: str) -> Recommendation:
    rec_id = raw.get("id") if isinstance(raw, dict) else None
    where = f"{source}: recommendations[{index}]" + (f" (id {rec_id!r})" if rec_id else "")
    entry = _fields(raw, _RECOMMENDATION_FIELDS, where)
    match = _ID_RE.fullmatch(entry["id"])
    if match is None:
        raise BenchmarkDataError(f"{where}: id must be of the form 1.2")
    if entry["section"] not in sections.values():
        raise BenchmarkDataError(f"{where}: unknown section {entry['section']!r}; expected one "
                                 f"of: {', '.join(sections.values())}")
    if sections.get(match["major"]) != entry["section"]:
        raise BenchmarkDataError(f"{where}: id {entry['id']!r} is not in section "
                                 f"{entry['section']!r}")
    if not _RULE_RE.fullmatch(entry["rule"]):
        raise BenchmarkDataError(f"{where}: rule {entry['rule']!r} must be a dotted name like "
                                 "iam.root_mfa")
    if entry["level"] not in (1, 2):
        raise BenchmarkDataError(f"{where}: level {entry['level']!r} is not 1 or 2")
    permissions = entry["permissions"]
    if not all(isinstance(p, str) and p for p in permissions):
        raise BenchmarkDataError(f"{where}: permissions must be non-empty strings")
    return Recommendation(**{**entry, "permissions": tuple(permissions)})


def parse(text: str, source: str) -> Benchmark:
    """Validate benchmark data (TOML text); BenchmarkDataError naming `source` and the entry."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise BenchmarkDataError(f"{source}: not valid TOML: {exc}") from None
    header = _fields(data.get("benchmark"), _BENCHMARK_FIELDS, f"{source}: [benchmark]")
    if not _VERSION_RE.fullmatch(header["version"]):
        raise BenchmarkDataError(f"{source}: [benchmark]: version {header['version']!r} must be "
                                 "of the form 1.1.0")
    sections, titles = _sections(data, source)
    by_id: dict[str, Recommendation] = {}
    by_rule: dict[str, Recommendation] = {}
    for index, raw in enumerate(_list(data, "recommendations", source)):
        rec = _recommendation(raw, index, sections, source)
        if rec.id in by_id:
            raise BenchmarkDataError(f"{source}: recommendations[{index}] (id {rec.id!r}): "
                                     "duplicate id")
        if rec.rule in by_rule:
            # One check function per rule: two ids on one rule would share one outcome.
            raise BenchmarkDataError(f"{source}: recommendations[{index}] (id {rec.id!r}): rule "
                                     f"{rec.rule!r} is already {by_rule[rec.rule].id}'s")
        by_id[rec.id] = rec
        by_rule[rec.rule] = rec
    patterns = data.get("metric_filter_patterns", {})
    if not isinstance(patterns, dict):
        raise BenchmarkDataError(f"{source}: [metric_filter_patterns] must be a table")
    for rule, pattern in patterns.items():
        if rule not in by_rule or not isinstance(pattern, str):
            raise BenchmarkDataError(f"{source}: metric_filter_patterns {rule!r}: must name the "
                                     "rule of a recommendation and give a pattern string")
    unknown = sorted(set(data) - {"benchmark", "sections", "recommendations",
                                  "metric_filter_patterns"})
    if unknown:
        raise BenchmarkDataError(f"{source}: unknown table(s) {', '.join(unknown)}")
    ordered = sorted(by_id.values(), key=lambda r: r.sort_key)
    return Benchmark(
        name=header["name"],
        short_name=header["short_name"],
        label=header["label"],
        version=header["version"],
        sections=MappingProxyType(sections),
        section_titles=MappingProxyType(titles),
        recommendations=MappingProxyType({rec.id: rec for rec in ordered}),
        by_rule=MappingProxyType({rec.rule: rec for rec in ordered}),
        metric_filter_patterns=MappingProxyType(dict(patterns)),
    )


def load(path: Path) -> Benchmark:
    """Read and validate a benchmark data file."""
    return parse(path.read_text(encoding="utf-8"), path.name)


BENCHMARKS_DIR = DATA_FILE.parent


def available() -> dict[str, Path]:
    """The benchmarks shipped in the package, by name (the data file's stem)."""
    return {path.stem: path for path in sorted(BENCHMARKS_DIR.glob("*.toml"))}


def find(name: str) -> Benchmark:
    """The benchmark named `name` (a shipped one, by --cis-benchmark's name) or the data file at
    that path; ValueError saying what is known, or what is wrong with the file."""
    if name == DATA_FILE.stem:
        return DEFAULT  # read once, at import
    shipped = available()
    if name in shipped:
        return load(shipped[name])
    path = Path(name)
    if path.suffix == ".toml":
        try:
            return load(path)
        except OSError as exc:
            raise ValueError(f"cannot read {name}: {exc.strerror or exc}") from None
        except BenchmarkDataError as exc:
            raise ValueError(str(exc)) from None
    raise ValueError(f"unknown benchmark {name!r}; shipped: {', '.join(shipped)} (or the path "
                     "of a benchmark .toml file)")


DEFAULT: Benchmark = load(DATA_FILE)
_current: list[Benchmark] = [DEFAULT]


def current() -> Benchmark:
    """The benchmark this run audits: the default unless --cis-benchmark chose another."""
    return _current[0]


def activate(benchmark: Benchmark) -> None:
    """Make `benchmark` the one ids, sections, titles and reports refer to for this process's run
    (settings.resolve does, once the option is read; pytest_unconfigure restores the default).
    One run per process, as pytest has: the choice is a fact of the run, like its config."""
    _current[0] = benchmark


# The default benchmark's recommendations: public API (pytest_cis_aws.CATALOG) for those who
# read the shipped data. The plugin itself asks current().
CATALOG: Mapping[str, Recommendation] = DEFAULT.recommendations
# The default benchmark's CloudWatch Logs filter patterns, by rule name: the reference the metric
# filter corpora are checked against (rules/metric_filters.py, the tests, bench/seed.py).
METRIC_FILTER_PATTERNS: dict[str, str] = dict(DEFAULT.metric_filter_patterns)


def get(rec_id: str) -> Recommendation:
    """The recommendation with this id (e.g. ``"1.2"``); KeyError naming the id if there is none."""
    try:
        return current().recommendations[rec_id]
    except KeyError:
        raise KeyError(f"unknown CIS recommendation id {rec_id!r}") from None


def known(rec_id: str) -> bool:
    """Whether the current benchmark has a recommendation with this id."""
    return rec_id in current().recommendations


def by_rule(rule: str) -> Recommendation:
    """The recommendation verified by this rule; KeyError naming the rule if there is none."""
    try:
        return current().by_rule[rule]
    except KeyError:
        raise KeyError(f"no recommendation of the benchmark is verified by rule {rule!r}") from None


def recommendations() -> tuple[Recommendation, ...]:
    """All recommendations, in benchmark order (1.1, 1.2, ..., 1.24, 2.1, ...)."""
    return tuple(current().recommendations.values())


def sections() -> dict[str, Section]:
    """The current benchmark's sections: number -> key, in benchmark order."""
    return dict(current().sections)


def id_ranges() -> str:
    """The benchmark's ids per section as ranges, e.g. ``"1.1-1.24, 2.1-2.8"``, for messages."""
    ranges = []
    ordered = recommendations()
    for number in current().sections:
        ids = [rec.id for rec in ordered if rec.section_number == number]
        if ids:
            ranges.append(ids[0] if len(ids) == 1 else f"{ids[0]}-{ids[-1]}")
    return ", ".join(ranges)


def section_of(value: str) -> Section:
    """Resolve a section given by number ("1") or name ("iam"), ignoring case and surrounding
    whitespace."""
    key = value.strip().lower()
    numbers = current().sections
    if key in numbers:
        return numbers[key]
    names = list(numbers.values())
    if key in names:
        return key
    choices = ", ".join([*numbers, *names])
    raise ValueError(f"unknown CIS section {value!r}; expected one of: {choices}")
