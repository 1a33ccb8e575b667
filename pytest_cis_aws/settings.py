"""The plugin's settings: declared once, resolved once (command line > environment > ini).

Every option has a command-line flag, an ini twin and an environment variable. Values are
validated here, so a bad value is one clear `pytest.UsageError` before anything talks to AWS.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any
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


@dataclass(frozen=True)
class Option:
    """One setting: its flag, ini name, environment variable and how to read it."""

    name: str  # attribute on Settings, also the ini name without the "cis_" prefix
    flag: str
    help: str
    ini_type: str = "string"  # pytest ini type
    is_flag: bool = False
    cli_only: bool = False
    activates: bool = True  # giving it on the command line turns the plugin on

    @property
    def ini(self) -> str:
        return f"cis_{self.name}"

    @property
    def env(self) -> str:
        return f"CIS_AWS_{self.name.upper()}"

    @property
    def dest(self) -> str:
        return f"cis_{self.name}"


OPTIONS: tuple[Option, ...] = (
    Option("level", "--cis-level", "benchmark profile to run: 1, or 2 (Level 2 includes Level 1)"),
    Option(
        "section",
        "--cis-section",
        "comma list of sections: iam, logging, monitoring, networking (or 1, 2, 3, 4)",
        ini_type="args",
    ),
    Option("id", "--cis-id", "comma list of recommendation ids, e.g. 1.2,2.1", ini_type="args"),
    Option(
        "regions",
        "--cis-regions",
        "comma list of regions, or 'all'; default: every region enabled for the account",
        ini_type="args",
    ),
    Option("profile", "--cis-profile", "AWS profile to audit with (default: boto3's usual chain)"),
    Option("role_arn", "--cis-role-arn", "IAM role to assume before auditing"),
    Option(
        "endpoint_url",
        "--cis-endpoint-url",
        "send every AWS call to this endpoint (a local emulator such as moto server); "
        "AWS_ENDPOINT_URL works too",
    ),
    Option(
        "no_stock",
        "--cis-no-stock",
        "run only your own tests (the fixtures stay available), not the stock checks",
        ini_type="bool",
        is_flag=True,
    ),
    Option(
        "demo",
        "--cis-demo",
        "audit a built-in simulated account (moto, in process, no network) instead of AWS",
        ini_type="bool",
        is_flag=True,
    ),
    Option(
        "json",
        "--cis-json",
        "write every result and finding as JSON to this file",
    ),
    Option("sarif", "--cis-sarif",
           "write SARIF 2.1.0 (GitHub code scanning) to this file"),
    Option("asff", "--cis-asff",
           "write AWS Security Finding Format findings (for securityhub batch-import-findings)"),
    Option("ocsf", "--cis-ocsf", "write OCSF Compliance Finding (class 2003) events as JSON"),
    Option("csv", "--cis-csv", "write one CSV row per finding to this file"),
    Option("markdown", "--cis-markdown",
           "write a Markdown summary (a pull request comment, a CI job page) to this file; "
           "'auto': append it to $GITHUB_STEP_SUMMARY when that is set"),
    Option("baseline", "--cis-baseline",
           "an earlier --cis-json file: tag each finding new or unchanged, list what was resolved"),
    Option("fail_on", "--cis-fail-on",
           "what fails the run: any (default) non-compliant or could-not-evaluate result, only "
           "new ones against --cis-baseline, or none"),
    Option("fail_under", "--cis-fail-under",
           "fail the run when the selected level's score is below PCT percent"),
    Option(
        "waivers",
        "--cis-waivers",
        "TOML file of accepted exceptions (id, resource glob, reason, expires)",
    ),
    Option(
        "org_role",
        "--cis-org-role",
        "audit every active account of the AWS Organization by assuming this role in each",
    ),
    Option("external_id", "--cis-external-id", "external id to pass when assuming --cis-org-role"),
    Option(
        "accounts",
        "--cis-accounts",
        "with --cis-org-role: only these account ids (comma list, or @FILE with one per line)",
        ini_type="args",
    ),
    Option(
        "exclude_accounts",
        "--cis-exclude-accounts",
        "with --cis-org-role: leave these account ids out (comma list, or @FILE)",
        ini_type="args",
    ),
    Option(
        "shard",
        "--cis-shard",
        "with --cis-org-role: audit only slice K of N of the accounts, e.g. 2/5 (CI matrices)",
    ),
    Option(
        "cache_ttl",
        "--cis-cache-ttl",
        "reuse AWS data an earlier run fetched if it is younger than SECONDS (off by default; "
        "for iterating on your own checks)",
    ),
    Option(
        "cache_clear",
        "--cis-cache-clear",
        "empty the cross-run cache of --cis-cache-ttl before the run",
        ini_type="bool",
        is_flag=True,
    ),
    Option(
        "api_stats",
        "--cis-api-stats",
        "print the AWS API calls made, by service and operation",
        ini_type="bool",
        is_flag=True,
    ),
    Option(
        "strict_waivers",
        "--cis-strict-waivers",
        "fail the run (exit 1) when a waiver has expired or matched nothing it could have",
        ini_type="bool",
        is_flag=True,
    ),
)

# Settings read only from ini (or environment): tuning that rarely changes per run.
# The range each whole-number tuning setting may take: outside it a value is a mistake (a hang
# of 10**9 threads, a root-usage window before the account could exist).
RANGES: dict[str, tuple[int, int]] = {
    "cis_root_usage_days": (0, 3650),
    "cis_max_workers": (1, 64),
    "cis_credential_report_timeout": (1, 3600),
    "cis_call_timeout": (1, 3600),
}
# Options naming a file the run writes; each is checked writable at start-up.
OUTPUT_FILES = ("json", "sarif", "asff", "ocsf", "csv", "markdown")
FAIL_ON = ("any", "new", "none")
MAX_CACHE_TTL = 366 * 24 * 3600  # a year: beyond it the cache is not a cache

INI_ONLY: tuple[tuple[str, str, str], ...] = (
    ("cis_root_usage_days", "1.1: root used within this many days fails (default 1)", "1"),
    ("cis_iam_master_role", "1.18: name of the IAM Master role", ""),
    ("cis_iam_manager_role", "1.18: name of the IAM Manager role", ""),
    ("cis_max_workers", "threads fetching per-region data concurrently (default 8)", "8"),
    (
        "cis_metric_filter_match",
        "3.1-3.14: a metric filter must cover the benchmark's pattern (covers, default) or "
        "match exactly the same events (equivalent)",
        "covers",
    ),
    (
        "cis_credential_report_timeout",
        "seconds to wait for the IAM credential report to be generated (default 120)",
        "120",
    ),
    (
        "cis_call_timeout",
        "seconds one AWS call may take, retries included; an endpoint that uses it up is not "
        "asked again this run (default 60)",
        "60",
    ),
)


@dataclass(frozen=True)
class Settings:
    active: bool = False
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
        helptext = f"{option.help} [ini {option.ini}, env {option.env}]"
        if option.is_flag:
            group.addoption(option.flag, action="store_true", default=None, dest=option.dest,
                            help=helptext)
        else:
            group.addoption(option.flag, action="store", default=None, dest=option.dest,
                            metavar=option.name.upper(), help=helptext)
        parser.addini(option.ini, option.help, type=option.ini_type,  # type: ignore[arg-type]
                      default=None)
    for name, helptext, default in INI_ONLY:
        parser.addini(name, helptext, type="string", default=default)


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

    def tuning(self, name: str) -> str:
        env = self.environ.get(f"CIS_AWS_{name.removeprefix('cis_').upper()}")
        if env not in (None, ""):
            return str(env)
        return str(self.ini(name))


def is_requested(config: pytest.Config, environ: Mapping[str, str] | None = None) -> bool:
    """Does this run ask for the plugin? Cheap: no AWS, no boto3."""
    environ = os.environ if environ is None else environ
    for option in OPTIONS:
        if option.activates and config.getoption(option.dest) not in (None, False):
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
        if raw is not None:
            values[option.name] = PARSERS[option.name](raw, option)
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
    regions = values.pop("regions", None)
    all_regions = regions == "all"
    settings = Settings(
        active=is_requested(config, environ) if active is None else active,
        level=values.get("level", 2),
        sections=values.get("section"),
        ids=values.get("id"),
        regions=None if all_regions else regions,
        all_regions=all_regions,
        profile=values.get("profile"),
        role_arn=values.get("role_arn"),
        endpoint_url=values.get("endpoint_url"),
        no_stock=bool(values.get("no_stock", False)),
        api_stats=bool(values.get("api_stats", False)),
        strict_waivers=bool(values.get("strict_waivers", False)),
        demo=bool(values.get("demo", False)),
        json=values.get("json"),
        sarif=values.get("sarif"),
        asff=values.get("asff"),
        ocsf=values.get("ocsf"),
        csv=values.get("csv"),
        markdown=values.get("markdown"),
        baseline=values.get("baseline"),
        fail_on=values.get("fail_on", "any"),
        fail_under=values.get("fail_under"),
        waivers=values.get("waivers"),
        org_role=values.get("org_role"),
        external_id=values.get("external_id"),
        accounts=values.get("accounts"),
        exclude_accounts=values.get("exclude_accounts", frozenset()),
        shard=values.get("shard"),
        cache_ttl=values.get("cache_ttl"),
        cache_clear=bool(values.get("cache_clear", False)),
        root_usage_days=_int(reader.tuning("cis_root_usage_days"), "cis_root_usage_days"),
        iam_master_role=reader.tuning("cis_iam_master_role") or None,
        iam_manager_role=reader.tuning("cis_iam_manager_role") or None,
        max_workers=_int(reader.tuning("cis_max_workers"), "cis_max_workers"),
        metric_filter_match=_choice(reader.tuning("cis_metric_filter_match"),
                                    "cis_metric_filter_match", ("covers", "equivalent")),
        credential_report_timeout=float(
            _int(reader.tuning("cis_credential_report_timeout"), "cis_credential_report_timeout")
        ),
        call_timeout=float(_int(reader.tuning("cis_call_timeout"), "cis_call_timeout")),
        sources=dict(reader.sources),
    )
    return settings


def _bad(option: Option, message: str) -> pytest.UsageError:
    return pytest.UsageError(f"{option.flag} (ini {option.ini}, env {option.env}): {message}")


def _int(raw: str, name: str) -> int:
    text = str(raw).strip()
    if not WHOLE_NUMBER_RE.fullmatch(text):
        raise pytest.UsageError(f"{name} must be a whole number (got {raw!r})")
    minimum, maximum = RANGES[name]
    if len(text) > 12:  # int() refuses past 4300 digits; no setting needs more than a few
        raise pytest.UsageError(f"{name} must be at most {maximum} (got {text[:20]}...)")
    value = int(text)
    if value < minimum:
        raise pytest.UsageError(f"{name} must be at least {minimum} (got {value})")
    if value > maximum:
        raise pytest.UsageError(f"{name} must be at most {maximum} (got {value})")
    return value


def _choice(raw: str, name: str, choices: tuple[str, ...]) -> str:
    value = raw.strip().lower()
    if value not in choices:
        raise pytest.UsageError(f"{name} must be one of {', '.join(choices)} (got {raw!r})")
    return value


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
            if part not in catalog.CATALOG:
                raise _bad(option, f"unknown recommendation id {part!r} (the benchmark has "
                                   "1.1-1.24, 2.1-2.8, 3.1-3.15, 4.1-4.5)")
        elif not ORG_ID_RE.fullmatch(part):
            raise _bad(option, f"not a recommendation id: {part!r}")
    return frozenset(parts)


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


PARSERS: dict[str, Callable[[Any, Option], Any]] = {
    "level": _parse_level,
    "section": _parse_sections,
    "id": _parse_ids,
    "regions": _parse_regions,
    "profile": _parse_text,
    "role_arn": _parse_role_arn,
    "endpoint_url": _parse_url,
    "no_stock": _parse_bool,
    "api_stats": _parse_bool,
    "strict_waivers": _parse_bool,
    "demo": _parse_bool,
    "json": _parse_text,
    "sarif": _parse_text,
    "asff": _parse_text,
    "ocsf": _parse_text,
    "csv": _parse_text,
    "markdown": _parse_markdown,
    "baseline": _parse_text,
    "fail_on": _parse_fail_on,
    "fail_under": _parse_percent,
    "waivers": _parse_text,
    "org_role": _parse_role_name,
    "external_id": _parse_text,
    "accounts": _parse_accounts,
    "exclude_accounts": _parse_accounts,
    "shard": _parse_shard,
    "cache_ttl": _parse_seconds,
    "cache_clear": _parse_bool,
}

_OPTION = {option.name: option for option in OPTIONS}
