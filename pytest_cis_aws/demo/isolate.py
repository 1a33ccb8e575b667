"""Keep the demo away from every real AWS account: fake credentials, no user configuration, no
network, and settings that name no real account.

Nothing leaves the machine. moto's mock answers every botocore request for an AWS endpoint
inside the process (`before-send`), before a socket is opened; anything it does not serve
(an endpoint outside `*.amazonaws.com`, say) would reach botocore's HTTP layer, which is
patched here to refuse instead of connecting. The fake credentials and the cleared
AWS_PROFILE / AWS_ENDPOINT_URL / config files make sure no real account is ever addressed.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable
from dataclasses import replace
from typing import Any
from unittest import mock

import pytest

from ..settings import OPTIONS, Settings

REAL_ACCOUNT = ("profile", "role_arn", "endpoint_url")  # settings that would reach AWS
MOTO_CONFIG: Any = {"core": {  # moto's own config type is a TypedDict it does not export
    "mock_credentials": False,  # the credentials are ours (FAKE_ENVIRONMENT)
    "passthrough": {"urls": [], "services": []},  # moto hands no request to the network
    "reset_boto3_session": True,
    "service_whitelist": None,
}}

# Obviously fake credentials: even if a request escaped, no account would accept them.
FAKE_ENVIRONMENT = {
    "AWS_ACCESS_KEY_ID": "AKIADEMODEMODEMODEMO",
    "AWS_SECRET_ACCESS_KEY": "pytest-cis-aws-demo-not-a-secret",
    "AWS_SESSION_TOKEN": "pytest-cis-aws-demo",
    "AWS_DEFAULT_REGION": "us-east-1",
    # No profile, endpoint, SSO or credential_process from the user's files; no instance metadata.
    "AWS_CONFIG_FILE": os.devnull,
    "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
    "AWS_EC2_METADATA_DISABLED": "true",
    # moto builds hundreds of sample images in every region it touches; the demo needs none.
    "MOTO_EC2_LOAD_DEFAULT_AMIS": "false",
}


def import_moto() -> Callable[..., Any]:
    """moto's `mock_aws`, in process; a usage error without moto or with moto's server modes."""
    try:
        from moto import mock_aws, settings
    except ImportError:
        raise pytest.UsageError("--cis-demo needs moto: pip install 'pytest-cis-aws[demo]'") \
            from None
    if settings.TEST_SERVER_MODE or settings.is_test_proxy_mode():
        # moto would then forward every call to a moto server over the network.
        raise pytest.UsageError("--cis-demo runs moto in process: unset TEST_SERVER_MODE and "
                                "TEST_PROXY_MODE")
    return mock_aws


def isolate_environment(stack: contextlib.ExitStack) -> None:
    """Replace every AWS_* variable (and moto's switch) with FAKE_ENVIRONMENT until `stack`
    closes and puts them back."""

    def ours(name: str) -> bool:
        return name.startswith("AWS_") or name in FAKE_ENVIRONMENT

    saved = {name: value for name, value in os.environ.items() if ours(name)}

    def restore() -> None:
        for name in [n for n in os.environ if ours(n)]:
            del os.environ[name]
        os.environ.update(saved)

    stack.callback(restore)
    for name in saved:
        del os.environ[name]
    os.environ.update(FAKE_ENVIRONMENT)


def refuse_network(stack: contextlib.ExitStack) -> None:
    """Make botocore's HTTP layer refuse to connect: what moto does not answer fails, loudly."""
    from botocore.exceptions import BotoCoreError
    from botocore.httpsession import URLLib3Session

    class NetworkRefused(BotoCoreError):
        fmt = "--cis-demo sends nothing over the network; refused {url}"

    def refuse(self: URLLib3Session, request: Any) -> Any:
        raise NetworkRefused(url=request.url)

    stack.enter_context(mock.patch.object(URLLib3Session, "send", refuse))


def demo_settings(settings: Settings, regions: tuple[str, ...]) -> Settings:
    """`settings` without what would reach a real account; the demo's `regions` unless some
    were named."""
    sources = {k: v for k, v in settings.sources.items() if k not in REAL_ACCOUNT}
    named = settings.regions or settings.all_regions
    if not named:
        sources["regions"] = "--cis-demo"
    return replace(settings, profile=None, role_arn=None, endpoint_url=None, sources=sources,
                   regions=settings.regions if named else regions)


def warn_about_ignored(config: pytest.Config, settings: Settings) -> None:
    """Say so when a real account was named: the demo audits its own, whatever was asked."""
    ignored = [o.flag for o in OPTIONS if o.name in REAL_ACCOUNT and getattr(settings, o.name)]
    if ignored and not hasattr(config, "workerinput"):  # once, from the controller
        config.issue_config_time_warning(pytest.PytestConfigWarning(
            f"--cis-demo audits the simulated account; ignoring {', '.join(ignored)}"),
            stacklevel=1)
