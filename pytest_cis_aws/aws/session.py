"""One boto3 session per run, one client per (service, region), every call guarded and counted."""

from __future__ import annotations

import threading
from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..errors import DataUnavailable
from ..settings import Settings
from .errors import describe, reading
from .guard import refuse_writes

if TYPE_CHECKING:
    import boto3

DEFAULT_REGION = "us-east-1"
ROLE_SESSION_NAME = "pytest-cis-aws"


@dataclass(frozen=True)
class Identity:
    account: str
    arn: str

    @property
    def partition(self) -> str:
        return self.arn.split(":")[1] if self.arn.startswith("arn:") else "aws"

    def to_dict(self) -> dict[str, str]:
        return {"account": self.account, "arn": self.arn}


class CallCounter:
    """Counts AWS operations by (service, operation); thread-safe, for `--cis-api-stats`."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.counts: Counter[tuple[str, str]] = Counter()

    def __call__(self, model: Any, **_: Any) -> None:
        with self._lock:
            self.counts[(model.service_model.service_name, model.name)] += 1

    def total(self) -> int:
        return sum(self.counts.values())

    def merge(self, counts: dict[str, int]) -> None:
        """Add counts sent by an xdist worker ("service:Operation" -> n)."""
        with self._lock:
            for key, value in counts.items():
                service, _, operation = key.partition(":")
                self.counts[(service, operation)] += int(value)

    def as_dict(self) -> dict[str, int]:
        return {f"{s}:{o}": n for (s, o), n in sorted(self.counts.items())}


_LOADER: Any = None


def _botocore_session() -> Any:
    """A botocore session sharing one model loader per process: service models are parsed once,
    not once per session (xdist workers, in-process pytester runs)."""
    global _LOADER
    import botocore.loaders
    import botocore.session

    session = botocore.session.get_session()
    if _LOADER is None:
        _LOADER = botocore.loaders.create_loader()
    session.register_component("data_loader", _LOADER)
    return session


def client_config(max_pool: int) -> Any:
    from botocore.config import Config

    # Adaptive retries absorb throttling; explicit timeouts keep a dead region from hanging
    # the run for minutes on botocore's defaults.
    return Config(
        retries={"mode": "adaptive", "max_attempts": 5},
        connect_timeout=5,
        read_timeout=30,
        max_pool_connections=max(10, max_pool),
        user_agent_extra="pytest-cis-aws",
    )


class Aws:
    """The AWS access of one pytest process."""

    def __init__(self, settings: Settings, *, credentials: dict[str, str] | None = None,
                 calls: CallCounter | None = None) -> None:
        self.settings = settings
        self.calls = calls if calls is not None else CallCounter()
        self._clients: dict[tuple[str, str], Any] = {}
        self._lock = threading.Lock()
        self._config = client_config(settings.max_workers)
        self.session = self._build_session(credentials)

    @property
    def home_region(self) -> str:
        return self.session.region_name or DEFAULT_REGION

    def client(self, service: str, region: str | None = None) -> Any:
        """A shared client; created once per (service, region), safe to use from threads."""
        key = (service, region or self.home_region)
        with self._lock:
            if key not in self._clients:
                self._clients[key] = self.session.client(
                    service,
                    region_name=key[1],
                    endpoint_url=self.settings.endpoint_url,
                    config=self._config,
                )
            return self._clients[key]

    def identity(self) -> Identity:
        with reading("sts:GetCallerIdentity", permission="sts:GetCallerIdentity"):
            answer = self.client("sts").get_caller_identity()
            return Identity(account=str(answer["Account"]), arn=str(answer["Arn"]))

    def frozen_credentials(self) -> dict[str, str] | None:
        """Credentials of an assumed role, to hand to xdist workers (never written to disk)."""
        if not self.settings.role_arn:
            return None
        creds = self.session.get_credentials().get_frozen_credentials()
        return {"aws_access_key_id": creds.access_key, "aws_secret_access_key": creds.secret_key,
                "aws_session_token": creds.token or ""}

    def _guarded(self, session: boto3.Session) -> boto3.Session:
        session.events.register("before-call", refuse_writes)
        session.events.register("before-call", self.calls)
        return session

    def _build_session(self, credentials: dict[str, str] | None) -> boto3.Session:
        import boto3
        from botocore.exceptions import BotoCoreError

        try:
            base = boto3.Session(profile_name=self.settings.profile,
                                 botocore_session=_botocore_session())
        except BotoCoreError as exc:  # e.g. ProfileNotFound
            raise DataUnavailable("boto3 session", describe(exc),
                                  permission="a valid AWS profile") from exc
        region = base.region_name or DEFAULT_REGION
        if credentials:
            return self._guarded(boto3.Session(region_name=region,
                                               botocore_session=_botocore_session(),
                                               **credentials))
        self._guarded(base)
        if not self.settings.role_arn:
            return base
        return self._guarded(self._assume_role(base, region))

    def _assume_role(self, base: boto3.Session, region: str) -> boto3.Session:
        import boto3

        sts = base.client("sts", region_name=region, endpoint_url=self.settings.endpoint_url,
                          config=self._config)
        with reading("sts:AssumeRole", permission=f"sts:AssumeRole on {self.settings.role_arn}"):
            creds = sts.assume_role(RoleArn=self.settings.role_arn,
                                    RoleSessionName=ROLE_SESSION_NAME)["Credentials"]
        return boto3.Session(
            botocore_session=_botocore_session(),
            aws_access_key_id=creds["AccessKeyId"],
            aws_secret_access_key=creds["SecretAccessKey"],
            aws_session_token=creds["SessionToken"],
            region_name=region,
        )
