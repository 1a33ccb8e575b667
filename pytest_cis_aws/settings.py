"""The plugin's settings: declared once, resolved once (command line > environment > ini).

Each option is one entry of OPTIONS (at the end of this module), carrying its names, help,
kind, parser, default and Settings field; resolve() builds Settings from that table in one loop.
Every option has an ini name and an environment variable, and all but the tuning ones a
command-line flag. Values are validated here, so a bad value is one clear `pytest.UsageError`
before anything talks to AWS.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal
from urllib.parse import urlsplit

import pytest

from . import catalog, inputfile

SOURCE_CLI = "command line"
SOURCE_ENV = "environment"
SOURCE_INI = "ini file"
SOURCE_DEFAULT = "default"

# ASCII only: Python's \d, \w, int() and str.isdigit() also take other scripts' digits ("٣"),
# superscripts ("²") or letters, which no AWS name and no count in this plugin is made of.
REGION_RE = re.compile(r"[a-z]{2}(-[a-z]+)+-[0-9]+", re.ASCII)
ROLE_ARN_RE = re.compile(r"arn:aws[a-z-]*:iam::[0-9]{12}:role/[\w+=,.@/-]+", re.ASCII)
ORG_ID_RE = re.compile(r"[A-Za-z][\w.-]*", re.ASCII)
WHOLE_NUMBER_RE = re.compile(r"[+-]?[0-9]+", re.ASCII)


Kind = Literal["flag", "value", "tuning"]
FLAG: Kind = "flag"  # a command-line switch (store_true), with ini and environment twins
VALUE: Kind = "value"  # a command-line value, with ini and environment twins
TUNING: Kind = "tuning"  # ini or environment only: tuning that rarely changes per run

# Options naming a file the run writes; each is checked writable at start-up.
OUTPUT_FILES = ("json", "sarif", "asff", "ocsf", "csv", "markdown")
FAIL_ON = ("any", "new", "none")
MAX_CACHE_TTL = 366 * 24 * 3600  # a year: beyond it the cache is not a cache


@dataclass(frozen=True)
class Option:
    """One setting, declared once: its names, help, kind, parser, default and Settings field."""

    name: str  # the ini name without the "cis_" prefix
    help: str
    parse: Callable[[Any, Option], Any]  # raw text (or list, or bool) -> value; raises UsageError
    kind: Kind = VALUE
    ini_type: str = "string"  # pytest ini type
    default: Any = None  # the Settings value when the option is not given
    field: str = ""  # the Settings field it fills; "" means the same as name
    activates: bool = True  # giving it on the command line turns the plugin on

    @property
    def flag(self) -> str:
        return "--cis-" + self.name.replace("_", "-")

    @property
    def ini(self) -> str:
        return f"cis_{self.name}"

    @property
    def env(self) -> str:
        return f"CIS_AWS_{self.name.upper()}"

    @property
    def dest(self) -> str:
        return f"cis_{self.name}"

    @property
    def attr(self) -> str:
        return self.field or self.name

    @property
    def ini_default(self) -> str | None:
        """A tuning option's ini default: its default as text (pytest's ini listing shows it)."""
        if self.kind != TUNING:
            return None
        return "" if self.default is None else str(self.default)


@dataclass(frozen=True)
class Settings:
    active: bool = False
    benchmark: catalog.Benchmark = catalog.DEFAULT
    level: int = 2
    sections: frozenset[str] | None = None  # None: every section
    ids: frozenset[str] | None = None  # None: every recommendation
    regions: tuple[str, ...] | None = None  # None: every enabled region
    all_regions: bool = False  # 'all': every region the partition offers, opted in or not
    profile: str | None = None
    role_arn: str | None = None
    endpoint_url: str | None = None
    no_stock: bool = False
    api_stats: bool = False
    strict_waivers: bool = False
    demo: bool = False
    json: str | None = None
    sarif: str | None = None
    asff: str | None = None
    ocsf: str | None = None
    csv: str | None = None
    markdown: str | None = None  # a path, or "auto" ($GITHUB_STEP_SUMMARY when set)
    baseline: str | None = None
    fail_on: str = "any"  # any | new | none
    fail_under: float | None = None  # percent, 0-100
    waivers: str | None = None
    org_role: str | None = None
    external_id: str | None = None
    accounts: frozenset[str] | None = None
    exclude_accounts: frozenset[str] = frozenset()
    shard: tuple[int, int] | None = None  # (K, N), 1 <= K <= N
    cache_ttl: int | None = None  # seconds; None: no cross-run cache
    cache_clear: bool = False  # empty the cross-run cache first
    root_usage_days: int = 1
    iam_master_role: str | None = None
    iam_manager_role: str | None = None
    max_workers: int = 8
    metric_filter_match: str = "covers"
    credential_report_timeout: float = 120.0
    call_timeout: float = 60.0
    sources: Mapping[str, str] = field(default_factory=dict)

    def output_targets(self) -> dict[str, str | None]:
        """{option name: path} of every file the run writes (markdown may be "auto")."""
        return {name: getattr(self, name) for name in OUTPUT_FILES}

    def wants_document(self) -> bool:
        """Is the --cis-json document needed: a file to write, a baseline, a gate?"""
        return (any(self.output_targets().values()) or self.baseline is not None
                or self.fail_on != "any" or self.fail_under is not None
                or self.strict_waivers)

    def describe(self) -> list[str]:
        """Lines for the report header: each resolved value and where it came from."""
        shown = {
            # Chosen only: the default's name already heads the header.
            **({"benchmark": f"{self.benchmark.short_name} v{self.benchmark.version}"}
               if "benchmark" in self.sources else {}),
            "level": str(self.level),
            "section": ",".join(sorted(self.sections)) if self.sections else "all",
            "id": ",".join(sorted(self.ids, key=_id_key)) if self.ids else "all",
            "regions": _describe_regions(self),
            "profile": self.profile or "boto3 default chain",
            "role_arn": self.role_arn or "none",
            "endpoint_url": self.endpoint_url or "AWS",
        }
        if self.demo:
            shown["demo"] = "simulated account (moto, in process)"
        if self.cache_ttl:
            shown["cache_ttl"] = f"reuse data younger than {self.cache_ttl} s"
        if self.cache_clear:
            shown["cache_clear"] = "empty the cross-run cache first"
        if self.org_role:
            shown["org_role"] = self.org_role
            if self.shard:
                shown["shard"] = f"{self.shard[0]}/{self.shard[1]}"
        return [f"{key}: {value} (from {self.sources.get(key, SOURCE_DEFAULT)})"
                for key, value in shown.items()]


def _describe_regions(settings: Settings) -> str:
    if settings.all_regions:
        return "all enabled regions"
    if settings.regions:
        return ",".join(settings.regions)
    return "every region enabled for the account"


def _id_key(rec_id: str) -> tuple[int, ...] | tuple[float, str]:
    try:
        return tuple(int(part) for part in rec_id.split("."))
    except ValueError:
        return (float("inf"), rec_id)


def add_options(parser: pytest.Parser) -> None:
    group = parser.getgroup("cis-aws", "CIS AWS Foundations Benchmark (pytest-cis-aws)")
    for option in OPTIONS:
        if option.kind == TUNING:
            parser.addini(option.ini, option.help, type="string", default=option.ini_default)
            continue
        helptext = f"{option.help} [ini {option.ini}, env {option.env}]"
        if option.kind == FLAG:
            group.addoption(option.flag, action="store_true", default=None, dest=option.dest,
                            help=helptext)
        else:
            group.addoption(option.flag, action="store", default=None, dest=option.dest,
                            metavar=option.name.upper(), help=helptext)
        parser.addini(option.ini, option.help, type=option.ini_type,  # type: ignore[arg-type]
                      default=None)


def _split(values: Any) -> list[str]:
    """Comma or whitespace separated values, from a string or a list of strings."""
    if values is None:
        return []
    if isinstance(values, str):
        values = [values]
    parts: list[str] = []
    for value in values:
        parts += [p for p in re.split(r"[,\s]+", str(value)) if p]
    return parts


class _Reader:
    """Reads each option's raw value once, remembering where it came from."""

    def __init__(self, config: pytest.Config, environ: Mapping[str, str]) -> None:
        self.config = config
        self.environ = environ
        self.sources: dict[str, str] = {}

    def raw(self, option: Option) -> Any:
        if option.kind == TUNING:
            return self.tuning(option)
        value = self.config.getoption(option.dest)
        if value is not None:
            self.sources[option.name] = SOURCE_CLI
            return value
        env = self.environ.get(option.env)
        if env not in (None, ""):
            self.sources[option.name] = SOURCE_ENV
            return env
        value = self.ini(option.ini)
        if value not in (None, "", []):
            self.sources[option.name] = SOURCE_INI
            return value
        return None

    def ini(self, name: str) -> Any:
        try:
            return self.config.getini(name)
        except (TypeError, ValueError) as exc:
            raise pytest.UsageError(f"ini option {name}: {exc}") from None

    def tuning(self, option: Option) -> str:
        # Always a value (the ini default at least), and not a source the header reports.
        env = self.environ.get(option.env)
        if env not in (None, ""):
            return str(env)
        return str(self.ini(option.ini))


def is_requested(config: pytest.Config, environ: Mapping[str, str] | None = None) -> bool:
    """Does this run ask for the plugin? Cheap: no AWS, no boto3."""
    environ = os.environ if environ is None else environ
    for option in OPTIONS:
        if (option.kind != TUNING and option.activates
                and config.getoption(option.dest) not in (None, False)):
            return True
    if environ.get("CIS_AWS_LEVEL"):
        return True
    try:
        return config.getini("cis_level") not in (None, "")
    except (TypeError, ValueError):
        return True  # a malformed value: resolve() will explain it


def resolve(config: pytest.Config, environ: Mapping[str, str] | None = None,
            *, active: bool | None = None) -> Settings:
    environ = os.environ if environ is None else environ
    reader = _Reader(config, environ)
    values: dict[str, Any] = {}
    for option in OPTIONS:
        raw = reader.raw(option)
        if (option.name == "benchmark" and raw is not None and config.inipath
                and reader.sources.get("benchmark") == SOURCE_INI
                and str(raw).strip().endswith(".toml")):
            # A data file named in the ini file is relative to that file, as waivers are.
            raw = str(config.inipath.parent / str(raw).strip())
        if raw is not None:
            values[option.name] = option.parse(raw, option)
        if option.name == "benchmark":
            # Before --cis-section and --cis-id are read: they name this benchmark's.
            catalog.activate(values.get("benchmark", catalog.DEFAULT))
    for name in ("waivers", "baseline", *OUTPUT_FILES):
        # A file named in the ini file is relative to that file, wherever pytest is run from.
        if (name in values and reader.sources.get(name) == SOURCE_INI and config.inipath
                and values[name] != "auto"):
            values[name] = str(config.inipath.parent / values[name])
    for name in OUTPUT_FILES:
        if name not in values or values[name] == "auto":
            continue
        # Known now, not after the audit: the report can be written where it is asked for.
        try:
            inputfile.check_writable(values[name])
        except inputfile.InputFileError as exc:
            raise _bad(_OPTION[name], f"cannot write {values[name]}: {exc}") from None
    fields = {option.attr: values.get(option.name, option.default) for option in OPTIONS}
    all_regions = fields["regions"] == "all"
    if all_regions:
        fields["regions"] = None
    return Settings(
        active=is_requested(config, environ) if active is None else active,
        all_regions=all_regions,
        sources=dict(reader.sources),
        **fields,
    )


def _bad(option: Option, message: str) -> pytest.UsageError:
    return pytest.UsageError(f"{option.flag} (ini {option.ini}, env {option.env}): {message}")


def _whole(minimum: int, maximum: int, to: Callable[[int], Any] = int
           ) -> Callable[[Any, Option], Any]:
    """A tuning setting's parser: a whole number from minimum to maximum; outside that range a
    value is a mistake (a hang of 10**9 threads, a root-usage window before the account existed)."""
    def parse(raw: Any, option: Option) -> Any:
        name = option.ini
        text = str(raw).strip()
        if not WHOLE_NUMBER_RE.fullmatch(text):
            raise pytest.UsageError(f"{name} must be a whole number (got {raw!r})")
        if len(text) > 12:  # int() refuses past 4300 digits; no setting needs more than a few
            raise pytest.UsageError(f"{name} must be at most {maximum} (got {text[:20]}...)")
        value = int(text)
        if value < minimum:
            raise pytest.UsageError(f"{name} must be at least {minimum} (got {value})")
        if value > maximum:
            raise pytest.UsageError(f"{name} must be at most {maximum} (got {value})")
        return to(value)
    return parse


def _one_of(*choices: str) -> Callable[[Any, Option], str]:
    """A tuning setting's parser: one of a few words, in any case."""
    def parse(raw: Any, option: Option) -> str:
        value = str(raw).strip().lower()
        if value not in choices:
            raise pytest.UsageError(
                f"{option.ini} must be one of {', '.join(choices)} (got {raw!r})")
        return value
    return parse


def _parse_optional_text(raw: Any, option: Option) -> str | None:
    return str(raw) or None  # a tuning setting left empty is not set


def _parse_level(raw: Any, option: Option) -> int:
    text = str(raw).strip()
    if text not in ("1", "2"):
        raise _bad(option, f"must be 1 or 2 (got {text!r})")
    return int(text)


def _parse_sections(raw: Any, option: Option) -> frozenset[str]:
    parts = _split(raw)
    if not parts:
        raise _bad(option, "give at least one section")
    try:
        return frozenset(catalog.section_of(part) for part in parts)
    except ValueError as exc:
        raise _bad(option, str(exc)) from None


def _parse_ids(raw: Any, option: Option) -> frozenset[str]:
    parts = _split(raw)
    if not parts:
        raise _bad(option, "give at least one recommendation id")
    for part in parts:
        # Numeric ids are the benchmark's and must exist; others name organisation checks.
        if re.fullmatch(r"[0-9]+(\.[0-9]+)*", part):
            if not catalog.known(part):
                raise _bad(option, f"unknown recommendation id {part!r} (the benchmark has "
                                   f"{catalog.id_ranges()})")
        elif not ORG_ID_RE.fullmatch(part):
            raise _bad(option, f"not a recommendation id: {part!r}")
    return frozenset(parts)


def _parse_benchmark(raw: Any, option: Option) -> catalog.Benchmark:
    try:
        benchmark = catalog.find(str(raw).strip())
    except ValueError as exc:
        raise _bad(option, str(exc)) from None
    from .rules.registry import RULES  # pure code, no AWS: only when a benchmark is chosen

    unknown = [rec for rec in benchmark.recommendations.values() if rec.rule not in RULES]
    if unknown:
        raise _bad(option, f"{raw}: recommendation {unknown[0].id} names rule "
                           f"{unknown[0].rule!r}, which no check implements (rules: "
                           f"{', '.join(sorted(RULES))})")
    return benchmark


def _parse_regions(raw: Any, option: Option) -> tuple[str, ...] | str:
    parts = _split(raw)
    if not parts:
        raise _bad(option, "give at least one region, or 'all'")
    if [p.lower() for p in parts] == ["all"]:
        return "all"
    for part in parts:
        if not REGION_RE.fullmatch(part):
            raise _bad(option, f"not a region name: {part!r} (expected e.g. eu-west-1, or 'all')")
    return tuple(dict.fromkeys(parts))


def _parse_text(raw: Any, option: Option) -> str:
    text = str(raw).strip()
    if not text:
        raise _bad(option, "must not be empty")
    if any(ord(char) < 32 or ord(char) == 127 for char in text):
        # A NUL ends a path early in C and is refused by Python; no option value needs one.
        raise _bad(option, f"must not contain control characters (got {text!r})")
    return text


def _parse_role_arn(raw: Any, option: Option) -> str:
    text = _parse_text(raw, option)
    if not ROLE_ARN_RE.fullmatch(text):
        raise _bad(option, f"not an IAM role ARN: {text!r} "
                           "(expected arn:aws:iam::123456789012:role/NAME)")
    return text


def _parse_url(raw: Any, option: Option) -> str:
    text = _parse_text(raw, option)
    try:
        url = urlsplit(text)
        port = url.port  # raises for a port that is not a number in 0-65535
    except ValueError as exc:
        raise _bad(option, f"not an http(s) URL: {text!r} ({exc})") from None
    if url.scheme not in ("http", "https") or not url.hostname or " " in text:
        raise _bad(option, f"not an http(s) URL: {text!r} (expected e.g. http://localhost:5000)")
    if port == 0:
        raise _bad(option, f"not an http(s) URL: {text!r} (port 0)")
    if url.username is not None or url.password is not None:
        # It is printed in the report header: a password in it would be too.
        raise _bad(option, "must not carry a user name or password")
    return text


def _parse_role_name(raw: Any, option: Option) -> str:
    text = _parse_text(raw, option)
    if not re.fullmatch(r"[\w+=,.@/-]{1,128}", text) or text.startswith("arn:"):
        raise _bad(option, f"not an IAM role name: {text!r} (give the name, e.g. "
                           "OrganizationAccountAccessRole, not an ARN)")
    return text


def _parse_accounts(raw: Any, option: Option) -> frozenset[str]:
    parts: list[str] = []
    for part in _split(raw):
        if part.startswith("@"):
            parts += _accounts_file(part[1:], option)
        else:
            parts.append(part)
    for part in parts:
        if not re.fullmatch(r"[0-9]{12}", part):
            raise _bad(option, f"not an AWS account id: {part!r} (expected 12 digits)")
    if not parts:
        raise _bad(option, "give at least one account id")
    return frozenset(parts)


def _accounts_file(path: str, option: Option) -> list[str]:
    try:
        text = inputfile.read_text(path)
    except inputfile.InputFileError as exc:
        raise _bad(option, f"cannot read {path} ({exc})") from None
    lines = (line.split("#", 1)[0] for line in text.splitlines())
    return [p for line in lines for p in re.split(r"[,\s]+", line) if p]


def _parse_seconds(raw: Any, option: Option) -> int:
    text = str(raw).strip()
    if not re.fullmatch(r"[0-9]{1,12}", text) or not 1 <= int(text) <= MAX_CACHE_TTL:
        raise _bad(option, f"must be a whole number of seconds, at least 1 and at most "
                           f"{MAX_CACHE_TTL} (got {raw!r})")
    return int(text)


def _parse_shard(raw: Any, option: Option) -> tuple[int, int]:
    match = re.fullmatch(r"\s*([0-9]{1,6})\s*/\s*([0-9]{1,6})\s*", str(raw))
    if not match or not 1 <= int(match[1]) <= int(match[2]):
        raise _bad(option, f"expected K/N with 1 <= K <= N, e.g. 2/5 (got {raw!r})")
    return int(match[1]), int(match[2])


def _parse_markdown(raw: Any, option: Option) -> str:
    text = _parse_text(raw, option)
    return "auto" if text.lower() == "auto" else text


def _parse_fail_on(raw: Any, option: Option) -> str:
    text = str(raw).strip().lower()
    if text not in FAIL_ON:
        raise _bad(option, f"must be one of {', '.join(FAIL_ON)} (got {raw!r})")
    return text


def _parse_percent(raw: Any, option: Option) -> float:
    text = str(raw).strip().removesuffix("%").strip()
    if not re.fullmatch(r"[0-9]{1,3}(\.[0-9]{1,2})?", text, re.ASCII) or float(text) > 100:
        raise _bad(option, f"must be a percentage from 0 to 100, e.g. 80 (got {raw!r})")
    return float(text)


def _parse_bool(raw: Any, option: Option) -> bool:
    if isinstance(raw, bool):
        return raw
    text = str(raw).strip().lower()
    if text in ("1", "true", "yes", "on"):
        return True
    if text in ("0", "false", "no", "off"):
        return False
    raise _bad(option, f"must be true or false (got {raw!r})")


# Every setting, once. Order is the order of --help and of the ini listing; the first bad value
# met in this order is the one reported.
OPTIONS: tuple[Option, ...] = (
    # First: the sections and ids below are this benchmark's (resolve activates it).
    Option("benchmark",
           f"the benchmark to audit: {catalog.DATA_FILE.stem} (the default), another shipped "
           "one by name, or the path of a benchmark .toml file",
           _parse_benchmark, default=catalog.DEFAULT),
    Option("level", "benchmark profile to run: 1, or 2 (Level 2 includes Level 1)",
           _parse_level, default=2),
    Option("section",
           "comma list of sections by name or number, e.g. "
           f"{', '.join(catalog.DEFAULT.sections.values())} "
           f"(or {', '.join(catalog.DEFAULT.sections)})",
           _parse_sections, ini_type="args", field="sections"),
    Option("id", "comma list of recommendation ids, e.g. 1.2,2.1",
           _parse_ids, ini_type="args", field="ids"),
    Option("regions",
           "comma list of regions, or 'all'; default: every region enabled for the account",
           _parse_regions, ini_type="args"),
    Option("profile", "AWS profile to audit with (default: boto3's usual chain)", _parse_text),
    Option("role_arn", "IAM role to assume before auditing", _parse_role_arn),
    Option("endpoint_url",
           "send every AWS call to this endpoint (a local emulator such as moto server); "
           "AWS_ENDPOINT_URL works too", _parse_url),
    Option("no_stock",
           "run only your own tests (the fixtures stay available), not the stock checks",
           _parse_bool, FLAG, "bool", default=False),
    Option("demo",
           "audit a built-in simulated account (moto, in process, no network) instead of AWS",
           _parse_bool, FLAG, "bool", default=False),
    Option("json", "write every result and finding as JSON to this file", _parse_text),
    Option("sarif", "write SARIF 2.1.0 (GitHub code scanning) to this file", _parse_text),
    Option("asff",
           "write AWS Security Finding Format findings (for securityhub batch-import-findings)",
           _parse_text),
    Option("ocsf", "write OCSF Compliance Finding (class 2003) events as JSON", _parse_text),
    Option("csv", "write one CSV row per finding to this file", _parse_text),
    Option("markdown",
           "write a Markdown summary (a pull request comment, a CI job page) to this file; "
           "'auto': append it to $GITHUB_STEP_SUMMARY when that is set", _parse_markdown),
    Option("baseline",
           "an earlier --cis-json file: tag each finding new or unchanged, list what was resolved",
           _parse_text),
    Option("fail_on",
           "what fails the run: any (default) non-compliant or could-not-evaluate result, only "
           "new ones against --cis-baseline, or none", _parse_fail_on, default="any"),
    Option("fail_under", "fail the run when the selected level's score is below PCT percent",
           _parse_percent),
    Option("waivers", "TOML file of accepted exceptions (id, resource glob, reason, expires)",
           _parse_text),
    Option("org_role",
           "audit every active account of the AWS Organization by assuming this role in each",
           _parse_role_name),
    Option("external_id", "external id to pass when assuming --cis-org-role", _parse_text),
    Option("accounts",
           "with --cis-org-role: only these account ids (comma list, or @FILE with one per line)",
           _parse_accounts, ini_type="args"),
    Option("exclude_accounts",
           "with --cis-org-role: leave these account ids out (comma list, or @FILE)",
           _parse_accounts, ini_type="args", default=frozenset()),
    Option("shard",
           "with --cis-org-role: audit only slice K of N of the accounts, e.g. 2/5 (CI matrices)",
           _parse_shard),
    Option("cache_ttl",
           "reuse AWS data an earlier run fetched if it is younger than SECONDS (off by default; "
           "for iterating on your own checks)", _parse_seconds),
    Option("cache_clear", "empty the cross-run cache of --cis-cache-ttl before the run",
           _parse_bool, FLAG, "bool", default=False),
    Option("api_stats", "print the AWS API calls made, by service and operation",
           _parse_bool, FLAG, "bool", default=False),
    Option("strict_waivers",
           "fail the run (exit 1) when a waiver has expired or matched nothing it could have",
           _parse_bool, FLAG, "bool", default=False),
    Option("root_usage_days", "1.1: root used within this many days fails (default 1)",
           _whole(0, 3650), TUNING, default=1),
    Option("iam_master_role", "1.18: name of the IAM Master role",
           _parse_optional_text, TUNING),
    Option("iam_manager_role", "1.18: name of the IAM Manager role",
           _parse_optional_text, TUNING),
    Option("max_workers", "threads fetching per-region data concurrently (default 8)",
           _whole(1, 64), TUNING, default=8),
    Option("metric_filter_match",
           "3.1-3.14: a metric filter must cover the benchmark's pattern (covers, default) or "
           "match exactly the same events (equivalent)",
           _one_of("covers", "equivalent"), TUNING, default="covers"),
    Option("credential_report_timeout",
           "seconds to wait for the IAM credential report to be generated (default 120)",
           _whole(1, 3600, float), TUNING, default=120),
    Option("call_timeout",
           "seconds one AWS call may take, retries included; an endpoint that uses it up is not "
           "asked again this run (default 60)", _whole(1, 3600, float), TUNING, default=60),
)

_OPTION = {option.name: option for option in OPTIONS}
