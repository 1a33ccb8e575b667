"""Test setup: fake credentials only, moto intercepting every AWS call, clients built once."""

from __future__ import annotations

import os
import sys

# Some containers set PYTHONDONTWRITEBYTECODE=1: pytest then rewrites the asserts of every test
# module and stock check again in each of the suite's in-process pytester runs (about 20 s of
# the whole suite on 2 cores). The suite's own caches are worth writing.
sys.dont_write_bytecode = False

# Before boto3 is imported anywhere: never a real account, never the user's AWS config.
for _name in list(os.environ):
    if _name.startswith(("AWS_", "CIS_AWS_")):
        del os.environ[_name]
os.environ.update(
    AWS_ACCESS_KEY_ID="testing",
    AWS_SECRET_ACCESS_KEY="testing",
    AWS_SESSION_TOKEN="testing",
    AWS_DEFAULT_REGION="us-east-1",
    AWS_CONFIG_FILE=os.devnull,
    AWS_SHARED_CREDENTIALS_FILE=os.devnull,
    AWS_EC2_METADATA_DISABLED="true",
    # Anything that escapes moto (a test without the mock, a subprocess) goes to a dead local
    # proxy and fails at once, instead of reaching for the network.
    HTTP_PROXY="http://127.0.0.1:9",
    HTTPS_PROXY="http://127.0.0.1:9",
    NO_PROXY="127.0.0.1,localhost",
)

import json  # noqa: E402
import re  # noqa: E402
from collections.abc import Callable, Iterator  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

import hypothesis  # noqa: E402, F401  (imported once here, not again in every pytester run)
import pytest  # noqa: E402
from moto import mock_aws  # noqa: E402
from moto.server import ThreadedMotoServer  # noqa: E402

from clients import client_maker  # noqa: E402
from pytest_cis_aws.aws.session import Aws  # noqa: E402
from pytest_cis_aws.settings import Settings  # noqa: E402

REGIONS = ("us-east-1", "eu-west-1")


@pytest.fixture(scope="session", autouse=True)
def _credential_reports_dated_now() -> Iterator[None]:
    """moto dates every credential report 2015; AWS, when it made it (demo/moto_patches.py)."""
    from pytest_cis_aws.demo import report_generated_now

    with report_generated_now():
        yield


@pytest.fixture(scope="session", autouse=True)
def _every_cis_json_follows_its_schema() -> Iterator[None]:
    """Every --cis-json document any test writes in this process (the plugin's own runs in
    pytester, merge) is checked against the schema the package ships before it is written."""
    from pytest_cis_aws.report import json_export
    from schemas import validate_cis_json

    original = json_export.dumps

    def checked(doc: Any) -> str:
        validate_cis_json(doc)
        return original(doc)

    json_export.dumps = checked  # type: ignore[assignment]
    if GOLDEN_DIR:
        yield from _saving_golden()
    else:
        yield
    json_export.dumps = original  # type: ignore[assignment]


# CIS_GOLDEN_DIR=DIR: every --cis-json document a test writes is also saved there, one file per
# test and document, with what changes from run to run (times, temporary paths) blanked. Two runs
# of the suite, before and after a refactor, then show with tests/golden_compare.py that no
# outcome, finding or reason moved.
GOLDEN_DIR = os.environ.get("CIS_GOLDEN_DIR", "")
_golden_test: list[str] = [""]
_golden_count: dict[str, int] = {}
_VOLATILE = (
    (re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(\+00:00|Z)?"), "<time>"),
    (re.compile(r'"(duration|seconds|elapsed)": [0-9.e-]+'), r'"\1": 0'),
    (re.compile(r"/tmp/[^\s\"']*"), "<tmp>"),
    (re.compile(r"\d+(\.\d+)? ?(ms|s)\b"), "<dur>"),
)


@pytest.fixture(autouse=True)
def _golden_name(request: pytest.FixtureRequest) -> None:
    _golden_test[0] = request.node.nodeid


def _saving_golden() -> Iterator[None]:
    """Every run builds its document (as if --cis-json were given), and each is saved."""
    from pytest_cis_aws.report import json_export
    from pytest_cis_aws.settings import Settings

    document, wants = json_export.document, Settings.wants_document

    def saved(*args: Any, **kwargs: Any) -> dict[str, Any]:
        doc = document(*args, **kwargs)
        _save_golden(json.dumps(doc, indent=1, sort_keys=True, default=str))
        return doc

    json_export.document = saved  # type: ignore[assignment]
    Settings.wants_document = lambda self: True  # type: ignore[method-assign]
    yield
    json_export.document, Settings.wants_document = document, wants  # type: ignore[method-assign]


def _save_golden(text: str) -> None:
    for pattern, blank in _VOLATILE:
        text = pattern.sub(blank, text)
    test = _golden_test[0]
    _golden_count[test] = _golden_count.get(test, 0) + 1
    name = re.sub(r"[^A-Za-z0-9_.-]+", "_", test)[:200] + f".{_golden_count[test]}.json"
    Path(GOLDEN_DIR, name).write_text(text, encoding="utf-8")


@pytest.fixture(scope="session")
def _setup_clients() -> dict[tuple[str, str], Any]:
    return {}


@pytest.fixture
def moto() -> Iterator[None]:
    """A fresh, empty simulated AWS account for one test."""
    with mock_aws():
        yield


@pytest.fixture
def setup_client(moto: None, _setup_clients: dict[tuple[str, str], Any]) -> Callable[..., Any]:
    """Unguarded clients for arranging account state (writes allowed), created once."""
    return client_maker(_setup_clients)


@pytest.fixture(scope="session")
def _aws_once() -> Aws:
    return Aws(Settings(active=True, regions=REGIONS, credential_report_timeout=10))


@pytest.fixture
def aws(moto: None, _aws_once: Aws) -> Aws:
    """The plugin's own guarded AWS access, reused across tests with a clean call count."""
    _aws_once.calls.counts.clear()
    return _aws_once


@pytest.fixture(autouse=True)
def _lean_inner_runs(monkeypatch: pytest.MonkeyPatch) -> None:
    """pytester runs in-process: hypothesis' plugin re-imports (and re-rewrites) ~80 modules
    in every inner run; the plugin's own tests do not need it there."""
    monkeypatch.setenv("PYTEST_ADDOPTS", "-p no:hypothesispytest -p no:benchmark")


@pytest.fixture
def moto_server() -> Iterator[str]:
    """A moto server on loopback, for runs in subprocesses (xdist) that cannot share the
    in-process mock."""
    import logging

    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    try:
        yield f"http://{host}:{port}"
    finally:
        server.stop()
