"""The state of one audit run in one pytest process: settings, AWS access, shared data."""

from __future__ import annotations

import json
import shutil
import signal
import tempfile
import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from .errors import DataUnavailable
from .settings import Settings

if TYPE_CHECKING:
    from .aws.cache import CrossRunCache
    from .aws.regions import Regions
    from .aws.session import Aws, Identity
    from .aws.store import RunStore
    from .report.gate import Verdict
    from .waivers import Waivers

RUN_KEY = pytest.StashKey["CisRun"]()
WORKERINPUT_KEY = "cis_aws"


class CisRun:
    _previous_sigterm: Any = None  # the SIGTERM handler to restore, once ours is installed

    def __init__(self, config: pytest.Config, settings: Settings) -> None:
        self.config = config
        self.settings = settings
        shared: dict[str, Any] = getattr(config, "workerinput", {}).get(WORKERINPUT_KEY, {})
        self._shared = shared
        self._aws: Aws | None = None
        self._store: RunStore | None = None
        self._identity: Identity | None = None
        self._regions: Regions | DataUnavailable | None = None
        self._own_dir: Path | None = None
        self._accounts: list[str] | None = None
        self._selected: list[str] | None = None  # the accounts before --cis-shard's slice
        self._account_runs: dict[str, AccountRun] = {}
        # Region fan-out threads may be the first to touch `aws`: build it once, under a lock.
        self._lock = threading.RLock()
        self.worker_calls: dict[str, int] = {}
        self.worker_cache_ages: list[float] = []
        self.cache_dir: Path | None = None  # the cross-run cache's directory, once prepared
        self.cache_cleared: int | None = None  # entries --cis-cache-clear removed
        # {account: {"generated", "age_seconds", "ignored_rows"}}: the credential report used,
        # for the summary header (workers send theirs to the controller).
        self.credential_reports: dict[str, dict[str, Any]] = {}
        from .report.results import Results

        self.results = Results()
        self.waivers: Waivers | None = None  # when --cis-waivers is given
        # The baseline gate (report/baseline.py, report/gate.py), on the controller: the
        # --cis-baseline document, read at configure time; this run's document, built once at
        # session end (pytest-html's summary may ask for it first); failed tests that are not
        # CIS checks (--cis-fail-on=new|none leaves them failing the run); the gate's verdict.
        self.baseline: dict[str, Any] | None = None
        self.document: dict[str, Any] | None = None
        self.other_failures = 0
        self.verdict: Verdict | None = None
        self.started = time.monotonic()

    def shared_input(self) -> dict[str, Any]:
        """What the xdist controller sent this worker ({} when not a worker)."""
        return self._shared

    # -- AWS access, created on first use so a run that reads nothing imports nothing --------

    @property
    def aws(self) -> Aws:
        with self._lock:
            if self._aws is None:
                from .aws.session import Aws

                self._aws = Aws(self.settings, credentials=self._shared.get("credentials"))
            return self._aws

    @property
    def store(self) -> RunStore:
        with self._lock:
            if self._store is None:
                from .aws.store import RunStore

                directory = self._shared.get("store_dir")
                self._store = RunStore(Path(directory) if directory else None,
                                       cache=self._cross_run_cache())
            return self._store

    def prepare_cache(self) -> Path | None:
        """The private directory of the cross-run cache, emptied first under --cis-cache-clear
        (by the controller only: workers start after it). A directory that cannot be trusted
        is a usage error, before any AWS call."""
        if not (self.settings.cache_ttl or self.settings.cache_clear):
            return None
        from .aws.cache import UnsafeCache, clear, secure_directory

        option = "--cis-cache-ttl" if self.settings.cache_ttl else "--cis-cache-clear"
        cache = getattr(self.config, "cache", None)
        if cache is None:
            raise pytest.UsageError(f"{option} needs pytest's cache, which is off "
                                    "(-p no:cacheprovider)")
        try:
            directory = Path(cache.mkdir("cis_aws"))
            secure_directory(directory)
            if self.settings.cache_clear and not hasattr(self.config, "workerinput"):
                self.cache_cleared = clear(directory)
        except (OSError, UnsafeCache) as exc:
            raise pytest.UsageError(f"{option}: cross-run cache: {exc}") from None
        self.cache_dir = directory
        return directory

    def _cross_run_cache(self) -> CrossRunCache | None:
        if not self.settings.cache_ttl:
            return None
        from .aws.cache import CrossRunCache

        directory = self.cache_dir or self.prepare_cache()
        assert directory is not None
        return CrossRunCache(directory, float(self.settings.cache_ttl), self._cache_scope())

    def _cache_scope(self) -> dict[str, Any]:
        """Everything besides the store key that decides what AWS answers: where the calls go,
        who makes them, with which role, for which regions, read by which version."""
        import os
        from importlib import metadata

        try:
            version = metadata.version("pytest-cis-aws")
        except metadata.PackageNotFoundError:
            version = "unknown"
        settings = self.settings
        identity = self.identity()
        endpoints = {name: value for name, value in sorted(os.environ.items())
                     if name.startswith(("AWS_ENDPOINT_URL", "AWS_IGNORE_CONFIGURED_ENDPOINT"))}
        return {
            "plugin": version,
            "demo": settings.demo,
            "endpoint_url": settings.endpoint_url,
            "endpoint_environment": endpoints,
            # Where boto3 actually sends calls (a profile's endpoint_url included).
            "sts_endpoint": self.aws.client("sts").meta.endpoint_url,
            "partition": identity.partition,
            "account": identity.account,
            "caller": identity.arn,
            "profile": settings.profile or os.environ.get("AWS_PROFILE"),
            "role_arn": settings.role_arn,
            "org_role": settings.org_role,
            "external_id": settings.external_id,
            "regions": "all" if settings.all_regions else list(settings.regions or ()),
        }

    def cache_ages(self) -> list[float]:
        """Ages (s) of the data reused from earlier runs, this process and xdist workers."""
        own = self._store.cache.reused_ages if self._store and self._store.cache else []
        return sorted([*own, *self.worker_cache_ages])

    def identity(self) -> Identity:
        with self._lock:
            return self._identity_locked()

    def header_lines(self) -> list[str]:
        """The report header: who and where, as far as it is known when pytest prints it
        (nothing is fetched for it), then each setting and where it came from."""
        from . import catalog

        benchmark = catalog.current()
        lines = [f"pytest-cis-aws: {benchmark.name} v{benchmark.version}"]
        if self._identity is not None:
            lines.append(f"  account: {self._identity.account} ({self._identity.arn})")
        if isinstance(self._regions, DataUnavailable):
            lines.append(f"  audited regions: unknown ({self._regions}): every regional "
                         "recommendation ends in error")
        elif self._regions is not None:
            lines += _region_lines(self._regions, named=bool(self.settings.regions))
        lines += [f"  {line}" for line in self.settings.describe()]
        if self.cache_dir is not None:
            cleared = (f"; emptied, {self.cache_cleared} entries removed"
                       if self.cache_cleared is not None else "")
            lines.append(f"  cross-run cache: {self.cache_dir} (private: 0700, entries "
                         f"0600{cleared})")
        return lines

    def worker_output(self) -> dict[str, Any]:
        """What an xdist worker hands its controller at the end: its API calls, the waivers it
        used, the ages of cached data it reused, the credential reports it read."""
        output: dict[str, Any] = {
            "cis_aws_cache_ages": self.cache_ages(),
            "cis_aws_credential_reports": self.credential_reports,
        }
        if self._aws is not None:
            output["cis_aws_calls"] = self._aws.calls.as_dict()
        if self.waivers is not None:
            output["cis_aws_waivers_used"] = sorted(self.waivers.used)
        return output

    def note_credential_report(self, account: str, facts: dict[str, Any]) -> None:
        with self._lock:
            self.credential_reports.setdefault(account, {}).update(facts)

    def _identity_locked(self) -> Identity:
        if self._identity is None:
            from .aws.session import Identity

            if "identity" in self._shared:
                self._identity = Identity(**self._shared["identity"])
            else:
                self._identity = self.aws.identity()
        return self._identity

    def regions(self) -> Regions:
        with self._lock:
            return self._regions_locked()

    def _regions_locked(self) -> Regions:
        if self._regions is None:
            from .aws.regions import Regions

            if "regions" in self._shared:
                self._regions = Regions(**{k: tuple(v)
                                           for k, v in self._shared["regions"].items()})
            else:
                self._regions = _discover_regions(self.aws, self.settings,
                                                  self.identity().partition)
        if isinstance(self._regions, DataUnavailable):
            raise self._regions
        return self._regions

    # -- an AWS Organization: one account scope per member account -----------------------------

    def accounts(self) -> list[str]:
        """The accounts an organization audit covers: listed once (by the xdist controller)."""
        with self._lock:
            if self._accounts is None:
                if "accounts" in self._shared:
                    self._accounts = list(self._shared["accounts"])
                else:
                    self._accounts = self._list_accounts()
            return self._accounts

    def _list_accounts(self) -> list[str]:
        from . import org
        from .aws.collect_org import active_accounts

        try:
            listed = [a["id"] for a in active_accounts(self.aws)]
        except DataUnavailable as exc:
            raise pytest.UsageError(f"--cis-org-role: could not list the organization's "
                                    f"accounts: {exc}") from None
        missing = sorted((self.settings.accounts or set()) - set(listed))
        if missing:
            raise pytest.UsageError(f"--cis-accounts: not active accounts of the organization: "
                                    f"{', '.join(missing)}")
        self._selected = org.selected(listed, self.settings)
        return org.select(listed, self.settings)

    def release(self, account: str) -> None:
        """Forget an audited account's AWS clients and the data fetched for it (its role's
        credentials stay: should its tests come back, the role is not assumed again)."""
        with self._lock:
            scope = self._account_runs.get(account)
        if scope is not None:
            scope.release()
        if self._store is not None:
            self._store.forget(f"{account}/")

    def for_account(self, account: str) -> AccountRun:
        with self._lock:
            if account not in self._account_runs:
                self._account_runs[account] = AccountRun(self, account)
            return self._account_runs[account]

    # -- the controller's duties ---------------------------------------------------------------

    def start(self) -> None:
        """Identify the account and its regions once, before any test; bad access ends here."""
        try:
            identity = self.identity()
        except DataUnavailable as exc:
            raise pytest.UsageError(
                f"pytest-cis-aws could not identify the AWS account: {exc.reason}. "
                "Check your credentials (AWS_PROFILE / --cis-profile, environment, SSO login)."
            ) from None
        if self.settings.org_role:
            self.accounts()  # each account discovers its own regions when it is audited
            self.check_baseline(self.accounts())
            return
        self.check_baseline([identity.account])  # before the regions are read
        try:
            regions = self.regions()
        except DataUnavailable:
            return  # region checks will end in error, naming the permission
        if regions.unknown:
            raise pytest.UsageError(
                f"--cis-regions: unknown region(s) for account {identity.account}: "
                f"{', '.join(regions.unknown)}"
            )

    def check_baseline(self, accounts: list[str]) -> None:
        """--cis-baseline must have audited some of these accounts (report/baseline.py)."""
        if self.baseline is None:
            return
        from .report.baseline import BaselineError, check_accounts

        try:
            check_accounts(self.baseline, accounts)
        except BaselineError as exc:
            raise pytest.UsageError(f"--cis-baseline {self.settings.baseline}: {exc}") from None

    def worker_input(self) -> dict[str, Any]:
        """What every xdist worker needs to share this run's identity, regions and store."""
        if self._own_dir is None:
            self._own_dir = Path(tempfile.mkdtemp(prefix="pytest-cis-aws-"))
        data: dict[str, Any] = {"store_dir": str(self._own_dir)}
        if self._identity is not None:
            data["identity"] = self._identity.to_dict()
        if self._regions is not None and not isinstance(self._regions, DataUnavailable):
            data["regions"] = self._regions.to_dict()
        if self._aws is not None and (credentials := self._aws.frozen_credentials()):
            data["credentials"] = credentials
        if self.settings.org_role:
            data["accounts"] = self.accounts()
        # Workers decide on their own whether to tag node ids with their xdist group; they
        # must when the controller schedules by group (see plugin.pytest_configure).
        data["loadgroup"] = getattr(self.config.option, "dist", "no") == "loadgroup"
        return data

    def api_calls(self) -> dict[str, int]:
        """This process's calls plus those reported by xdist workers."""
        counts = dict(self._aws.calls.as_dict()) if self._aws is not None else {}
        for key, value in self.worker_calls.items():
            counts[key] = counts.get(key, 0) + value
        return dict(sorted(counts.items()))

    def summary_header(self) -> dict[str, Any]:
        """Who and where was audited, for the terminal summary, the HTML and the JSON."""
        regions = self._regions
        calls = self.api_calls()
        return {
            "account": self._identity.account if self._identity else "unknown",
            "regions": list(regions.selected) if regions is not None and not isinstance(
                regions, DataUnavailable) else list(self.settings.regions or ()),
            # Why no region was audited, when none was: every regional check erred for it.
            "no_regions": self._no_regions(),
            "level": self.settings.level,
            "duration": time.monotonic() - self.started,
            "api_calls": sum(calls.values()),
            "api_call_counts": calls,
            "waivers": self._waiver_summary(),
            "cache_ages": self.cache_ages(),
            "credential_reports": dict(sorted(self.credential_reports.items())),
            "shard": self._shard(),
        }

    def _shard(self) -> dict[str, Any] | None:
        """Which slice of which selection this run audited (--cis-shard): `pytest-cis-aws
        merge` tells shards of one run from the same accounts audited twice, and names the
        accounts of a shard it was not given."""
        if not self.settings.org_role or self.settings.shard is None or self._selected is None:
            return None
        index, count = self.settings.shard
        return {"index": index, "count": count, "accounts": list(self._selected)}

    def final_document(self) -> dict[str, Any]:
        """This run's --cis-json document, compared with --cis-baseline when given: built once,
        when the results are final (session end), for the JSON, every export, HTML, the gate."""
        if self.document is None:
            from .report import json_export

            doc = json_export.document(self.results, self.summary_header())
            if self.baseline is not None:
                from .report.baseline import compare

                doc = compare(self.baseline, doc, self.settings.baseline)
            self.document = doc
        return self.document

    def _no_regions(self) -> str | None:
        regions = self._regions
        if regions is None:
            return None
        if isinstance(regions, DataUnavailable):
            return f"the regions could not be read ({regions})"
        return regions.none_audited()

    def _waiver_summary(self) -> dict[str, list[str]]:
        if self.waivers is None:
            return {"expired": [], "unused": []}
        return {"expired": [w.describe() for w in self.waivers.expired()],
                "unused": [w.describe() for w in self.waivers.unused(self.waivers.used)]}

    # -- what was collected, and how a run ends early ---------------------------------------

    def record_collected(self, collected: dict[str, dict[str, Any]]) -> None:
        """The CIS checks this process collected. An xdist worker leaves them in the run's
        directory: the controller collects nothing, and must account for the checks of a
        worker that dies or of a run that is interrupted."""
        worker = getattr(self.config, "workerinput", None)
        directory = self._shared.get("store_dir")
        if worker is None or not directory:
            self.results.expect(collected)
            return
        target = Path(directory) / f"collected-{worker.get('workerid', 'gw')}.json"
        tmp = target.with_suffix(".tmp")  # the directory is this run's own (mkdtemp, 0700)
        tmp.write_text(json.dumps(collected), encoding="utf-8")
        tmp.replace(target)

    def collected_by_workers(self) -> None:
        if self._own_dir is None:
            return
        for path in sorted(self._own_dir.glob("collected-*.json")):
            try:
                self.results.expect(json.loads(path.read_text(encoding="utf-8")))
            except (OSError, ValueError):
                continue  # another worker's copy says the same

    def catch_sigterm(self) -> None:
        """SIGTERM (a CI job cancelled, a container stopped) ends the run as Ctrl-C does: the
        reports are still written, and say the run is incomplete. pytest leaves SIGTERM to its
        default, which kills the process and writes nothing."""
        if threading.current_thread() is not threading.main_thread():
            return
        try:
            previous = signal.signal(signal.SIGTERM, signal.default_int_handler)
        except (ValueError, OSError, AttributeError):  # no SIGTERM here, or not allowed
            return
        # None: a handler set outside Python, which cannot be put back; the default is closest.
        self._previous_sigterm = signal.SIG_DFL if previous is None else previous

    def _restore_sigterm(self) -> None:
        previous = self._previous_sigterm
        if previous is not None and threading.current_thread() is threading.main_thread():
            signal.signal(signal.SIGTERM, previous)
            self._previous_sigterm = None

    def close(self) -> None:
        self._restore_sigterm()
        if self._own_dir is not None:
            shutil.rmtree(self._own_dir, ignore_errors=True)
            self._own_dir = None


def _discover_regions(aws: Aws, settings: Settings, partition: str) -> Regions | DataUnavailable:
    from .aws.regions import Regions, discover

    try:
        return discover(aws, settings, partition)
    except DataUnavailable as exc:
        if settings.regions:  # trust the user's list when the account's cannot be read
            return Regions(selected=settings.regions)
        return exc


class AccountRun:
    """One member account of an organization audit: the same face as CisRun for fixtures.

    Access comes from assuming the organization role in the account; when that fails, every
    read raises the same DataUnavailable, so each check of this account ends in error.
    """

    def __init__(self, parent: CisRun, account: str) -> None:
        self.parent = parent
        self.account = account
        self.settings = parent.settings
        self.config = parent.config
        self._aws: Aws | None = None
        self._credentials: dict[str, str] | None = None
        self._failure: DataUnavailable | None = None
        self._regions: Regions | DataUnavailable | None = None
        self._lock = threading.RLock()

    @property
    def store(self) -> RunStore:
        return self.parent.store

    def note_credential_report(self, account: str, facts: dict[str, Any]) -> None:
        self.parent.note_credential_report(account, facts)

    def release(self) -> None:
        with self._lock:
            self._aws = None  # its session and clients are most of an account's memory

    @property
    def aws(self) -> Aws:
        with self._lock:
            if self._failure is not None:
                raise self._failure
            if self._aws is None:
                self._aws = self._assume()
            return self._aws

    def _assume(self) -> Aws:
        from .aws.collect_org import assume_account_role
        from .aws.session import Aws

        base = self.parent.aws
        if self._credentials is None:
            try:
                self._credentials = assume_account_role(
                    base, self.account, str(self.settings.org_role),
                    self.parent.identity().partition, self.settings.external_id)
            except DataUnavailable as exc:
                self._failure = exc
                raise
        return Aws(self.settings, credentials=self._credentials, calls=base.calls)

    def identity(self) -> Identity:
        from .aws.session import Identity

        self.aws  # noqa: B018  (no identity without access: a role that failed is an error)
        partition = self.parent.identity().partition
        return Identity(account=self.account, arn=f"arn:{partition}:sts::{self.account}:"
                                                  f"assumed-role/{self.settings.org_role}")

    def regions(self) -> Regions:
        with self._lock:
            if self._regions is None:
                self._regions = _discover_regions(self.aws, self.settings,
                                                  self.parent.identity().partition)
            if isinstance(self._regions, DataUnavailable):
                raise self._regions
            return self._regions


def get_run(config: pytest.Config) -> CisRun:
    run = config.stash.get(RUN_KEY, None)
    if run is None:  # fixtures used while the plugin is dormant: resolve settings lazily
        from .settings import resolve

        run = CisRun(config, resolve(config))
        config.stash[RUN_KEY] = run
    return run


def _region_lines(regions: Regions, *, named: bool) -> list[str]:
    lines = []
    why = regions.none_audited()
    if why is None:
        lines.append(f"  audited regions: {', '.join(regions.selected)}")
    else:
        lines.append(f"  audited regions: none ({why}): every regional recommendation ends "
                     "in error")
    if regions.skipped:
        what = ("named in --cis-regions but not enabled for the account (not audited)" if named
                else "skipped regions (not enabled)")
        lines.append(f"  {what}: {', '.join(regions.skipped)}")
    return lines
