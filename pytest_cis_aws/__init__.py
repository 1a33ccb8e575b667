"""pytest-cis-aws: the CIS Amazon Web Services Foundations Benchmark v1.1.0 as a pytest plugin.

Public API for organisation checks::

    from pytest_cis_aws import AwsClientFactory, Finding, assert_compliant

    @pytest.mark.cis(id="ORG-1", level=1, section="networking")
    def test_no_world_open_ports(aws_client: AwsClientFactory, cis_regions: tuple[str, ...]
                                 ) -> None: ...

`manual(reason, evidence)` ends a check that no API can decide as *manual*. `AwsClientFactory`,
`CredentialReport` and `CredentialRow` type the fixtures that hand them out.
"""

import pytest

# The stock checks live in site-packages, outside the user's python_files: ask pytest to
# rewrite their asserts anyway (an editable install would not be marked for rewriting).
pytest.register_assert_rewrite("pytest_cis_aws.checks")

from .catalog import CATALOG, Recommendation  # noqa: E402
from .credential_report import CredentialReport, CredentialRow  # noqa: E402
from .errors import CouldNotEvaluate, DataUnavailable, ReadOnlyViolation  # noqa: E402
from .finding import Finding  # noqa: E402
from .findings import assert_compliant, manual, recommendation  # noqa: E402
from .types import AwsClientFactory  # noqa: E402

__all__ = [
    "CATALOG",
    "AwsClientFactory",
    "CouldNotEvaluate",
    "CredentialReport",
    "CredentialRow",
    "DataUnavailable",
    "Finding",
    "ReadOnlyViolation",
    "Recommendation",
    "assert_compliant",
    "manual",
    "recommendation",
]
