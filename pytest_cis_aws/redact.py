"""Keep credentials out of every log record, at any log level.

At DEBUG, botocore logs each request's signed headers (`Authorization: AWS4-HMAC-SHA256
Credential=AKIA.../...`, `X-Amz-Security-Token: ...`), its canonical request, its signature and
every response body, AssumeRole's credentials included; urllib3 logs URLs, presigned query
strings included. pytest then copies those records to the terminal (log_cli), the log file, the
"Captured log" sections of the terminal, the HTML report and the JUnit XML. The one place that
sees them all before they are written is a `logging.Filter`, so this module redacts there.

Where the filter goes. A filter on a logger applies only to records logged on that very logger,
not to those its children propagate (`botocore.endpoint` passes `botocore`'s filters by), and
botocore's module loggers only exist once botocore is imported, which a dormant plugin never
does. So the filter goes on the *handlers* that write records out (pytest's capture, report,
live and file handlers and whatever handlers the root and the AWS loggers have), which see
every record whichever logger it came from; and, as a second line for handlers added later,
on the botocore/boto3/urllib3/s3transfer loggers and every child of theirs that exists when
`sweep` runs (the plugin sweeps at configure, after session start and before each test). A
`logging.setLogRecordFactory` or `setLoggerClass` would catch everything too, but they are
process-wide hooks another library may also own; filters are attached to objects and taken
off again, exactly there, by `uninstall`.

Redacting means formatting the record once (`record.getMessage()`: botocore passes dicts of
headers and bytes bodies as arguments) and, when anything changed, replacing `msg` and `args`
with the clean text; a traceback attached to the record is formatted and cleaned the same way.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from typing import TYPE_CHECKING

from .text import mask_key_ids

if TYPE_CHECKING:
    import pytest

REDACTED = "[redacted]"
LOGGERS = ("botocore", "boto3", "urllib3", "s3transfer")

# Names under which a credential's secret half travels: response members (AssumeRole,
# GetSessionToken, GetFederationToken, SSO, Cognito), headers, query parameters, environment
# variables and boto3 keyword arguments.
_NAMES = (r"(?:aws_)?secret_?access_?key|secret_?key|(?:aws_)?session_?token"
          r"|(?:x-amz-)?security[-_]?token|authorization_?token")
# name, an optional closing quote, ":" or "=", an optional b'...' or quote, then the value up to
# whatever ends it in a header dict, a JSON body, a query string or a canonical request line.
_NAMED = re.compile(rf"(?i)((?<![A-Za-z0-9])(?:{_NAMES})[\"']?\s*[:=]\s*(?:b?[\"'])?)"
                    r"[^\"'&\s,;}<>\\]+")
# XML bodies: <SecretAccessKey>...</SecretAccessKey>, <SessionToken>...</SessionToken>.
_XML = re.compile(rf"(?i)(<(?:{_NAMES})>)[^<]+")
# Signatures (Authorization's Signature=, presigned X-Amz-Signature=, botocore's "Signature:\n"
# line): not the key, but they authorise their request to whoever replays it.
_SIGNATURE = re.compile(r"(?i)((?:x-amz-)?signature[\"']?\s*[:=]\s*(?:b?[\"'])?)"
                        r"[A-Za-z0-9%+/=]{16,}")
# SigV2-style "AWS AKIA...:signature" (the key id is masked first, so it reads ****...WXYZ).
_SIGV2 = re.compile(r"(\bAWS [A-Z0-9*]{20}:)[A-Za-z0-9+/=%]{16,}")


def redact(text: str) -> str:
    """`text` without secret keys, session tokens or signatures, access key ids masked."""
    text = mask_key_ids(text)
    text = _XML.sub(rf"\1{REDACTED}", text)
    text = _NAMED.sub(rf"\1{REDACTED}", text)
    text = _SIGNATURE.sub(rf"\1{REDACTED}", text)
    return _SIGV2.sub(rf"\1{REDACTED}", text)


class RedactingFilter(logging.Filter):
    """Rewrites each record it sees with `redact`; never drops one."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:
            # A bad format string: the handler would print msg and args as they are.
            message = f"{record.msg!r} % {record.args!r}"
            record.msg = None
        clean = redact(message)
        if clean != message or record.msg is None:
            record.msg, record.args = clean, None
        if record.exc_info and not record.exc_text:
            # What the handler's Formatter would print; cached on the record, so it prints this.
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return True


class Redaction:
    """One run's filter: where it was attached, so `uninstall` takes it off exactly there."""

    def __init__(self) -> None:
        self.filter = RedactingFilter()
        self._attached: list[logging.Filterer] = []

    def attach(self, targets: Iterable[logging.Filterer | None]) -> None:
        for target in targets:
            if target is not None and self.filter not in target.filters:
                target.addFilter(self.filter)
                self._attached.append(target)

    def sweep(self) -> None:
        """Attach to the AWS loggers and their children as they exist now, to every handler of
        theirs and of the root logger, and to logging's last-resort handler."""
        manager = logging.Logger.manager
        loggers = [logging.getLogger(name) for name in LOGGERS]
        loggers += [logger for name, logger in list(manager.loggerDict.items())
                    if isinstance(logger, logging.Logger) and name.startswith(
                        tuple(f"{n}." for n in LOGGERS))]
        self.attach(loggers)
        for logger in [logging.getLogger(), *loggers]:
            self.attach(list(logger.handlers))
        self.attach([logging.lastResort])  # warnings logged while no handler is configured

    def uninstall(self) -> None:
        for target in self._attached:
            target.removeFilter(self.filter)
        self._attached.clear()


def pytest_handlers(config: pytest.Config) -> list[logging.Handler | None]:
    """The handlers pytest's logging plugin records with: caplog, the reports' captured-log
    sections (terminal, HTML, JUnit), --log-file and log_cli."""
    plugin = config.pluginmanager.get_plugin("logging-plugin")
    names = ("caplog_handler", "report_handler", "log_file_handler", "log_cli_handler")
    return [getattr(plugin, name, None) for name in names] if plugin is not None else []
