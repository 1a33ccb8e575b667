"""Read: "a value, or the reason it could not be read", and what the run store makes of it."""

from __future__ import annotations

from pathlib import Path

import pytest

from pytest_cis_aws.aws.store import RunStore, dumps, holds_failure
from pytest_cis_aws.errors import DataUnavailable
from pytest_cis_aws.read import Read, is_failure

DENIED = DataUnavailable("ec2:DescribeVpcs", "AccessDenied", region="eu-west-1")


def test_a_value_or_the_reason_it_could_not_be_read() -> None:
    read = Read.attempt(lambda: [1, 2])
    assert read.ok and read.get() == [1, 2] and read.reason is None

    def denied() -> list[int]:
        raise DENIED

    failed = Read.attempt(denied)
    assert not failed.ok and failed.value is None
    assert failed.reason == ("could not read ec2:DescribeVpcs in eu-west-1: AccessDenied "
                             "(needs permission ec2:DescribeVpcs)")
    with pytest.raises(DataUnavailable, match="could not read ec2:DescribeVpcs"):
        failed.get()
    assert Read(None).ok, "None is a value: there is none"
    with pytest.raises(ValueError):
        Read(1, DENIED)


def test_a_bug_is_not_a_read_that_failed() -> None:
    def bug() -> int:
        return {}["VpcId"]  # type: ignore[no-any-return]

    with pytest.raises(KeyError):
        Read.attempt(bug)


def test_the_wire_form_is_the_one_the_store_always_wrote() -> None:
    # The store's files and the cross-run cache's entries keep their format.
    assert dumps(Read({"b": 1, "a": [2]})) == '{"value": {"a": [2], "b": 1}}'
    assert dumps(Read(error=DENIED)) == dumps({"error": DENIED.to_dict()})
    for read in (Read([1]), Read(None), Read(error=DENIED)):
        again = Read.from_dict(read.to_dict())
        assert (again.value, again.reason) == (read.value, read.reason)
    assert is_failure(Read(error=DENIED).to_dict()) and not is_failure(Read([]).to_dict())


def test_the_store_keeps_a_failure_and_lets_a_bug_through(tmp_path: Path) -> None:
    store = RunStore(tmp_path)
    nested = {"us-east-1": Read([1]), "eu-west-1": Read(error=DENIED)}
    assert store.get("acct/x", lambda: nested) == {k: v.to_dict() for k, v in nested.items()}
    assert holds_failure(nested) and not holds_failure({"us-east-1": Read([1])})

    def denied() -> int:
        raise DENIED

    for _ in range(2):  # asked again: the stored failure, not a second call
        with pytest.raises(DataUnavailable, match="AccessDenied"):
            store.get("acct/denied", denied)
    assert store.fetched == ["acct/x", "acct/denied"]

    def bug() -> int:
        raise KeyError("ours")

    with pytest.raises(KeyError):
        store.get("acct/bug", bug)
    assert not list(tmp_path.glob("acct_bug.json")), "a bug is never stored as data"
