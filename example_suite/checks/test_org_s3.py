"""ORG-1: every S3 bucket says who owns it, so a finding always reaches someone."""

from __future__ import annotations

import pytest

from pytest_cis_aws import Finding, assert_compliant


# `section` is optional: this check belongs to none of the benchmark's four sections.
@pytest.mark.cis(id="ORG-1", level=1, title="Every S3 bucket has an owner tag")
def test_every_bucket_has_an_owner(s3_bucket_tags: dict[str, dict[str, str] | str]) -> None:
    findings: list[Finding] = []
    for bucket, tags in sorted(s3_bucket_tags.items()):
        arn = f"arn:aws:s3:::{bucket}"
        if isinstance(tags, str):  # not readable: the check cannot pass on it, nor fail
            findings.append(Finding.unknown(arn, tags))
        elif tags.get("owner", "").strip():
            findings.append(Finding.of(arn, True, f"owner: {tags['owner']}"))
        else:
            findings.append(Finding.of(arn, False, "no owner tag"))
    # No bucket at all is compliant here, and saying so is the evidence (no finding and no
    # `empty=` would be an error: nothing judged is nothing proven).
    assert_compliant(findings, empty="no S3 buckets in the account")
