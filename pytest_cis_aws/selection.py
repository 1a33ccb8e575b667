"""Markers and selection: which tests are CIS checks, and which of them this run wants."""

from __future__ import annotations

import fnmatch
import re
from pathlib import Path
from typing import Any

import pytest

from . import catalog
from .settings import ORG_ID_RE, Settings

CHECKS_DIR = Path(__file__).parent / "checks"

def plain_markers() -> dict[str, str]:
    """The markers `-m` selects on: the levels, the current benchmark's sections, scored."""
    benchmark = catalog.current()
    sections = {f"cis_{key}": f"CIS section {number}: {benchmark.section_titles[key]}"
                for number, key in benchmark.sections.items()}
    return {"cis_level1": "CIS Level 1 recommendation",
            "cis_level2": "CIS Level 2 recommendation",
            **sections,
            "cis_scored": "a Scored CIS recommendation"}


def register_markers(config: pytest.Config) -> None:
    """Declared for --strict-markers and --markers; again once settings chose the benchmark,
    whose sections may differ from the default's."""
    lines = config.getini("markers")
    wanted = ["cis(id, level=1, section=None, scored=True): the CIS recommendation (or "
              "organisation check) a test verifies; --cis-level, --cis-section and --cis-id "
              "select on it",
              *(f"{name}: {text}" for name, text in plain_markers().items())]
    for line in wanted:
        if line not in lines:
            config.addinivalue_line("markers", line)


def matches_python_files(config: pytest.Config, path: Path) -> bool:
    patterns = config.getini("python_files") or []
    return any(fnmatch.fnmatch(path.name, str(p)) for p in patterns if "/" not in str(p))


def metadata(item: pytest.Item) -> dict[str, Any] | None:
    """The test's CIS metadata as plain data (for reports), or None for a plain test."""
    marker = item.get_closest_marker("cis")
    if marker is None:
        return None
    kwargs = dict(marker.kwargs)
    if marker.args and "id" not in kwargs:
        kwargs["id"] = marker.args[0]
    if "rule" in kwargs and "id" not in kwargs:
        # A stock check (findings.check): the benchmark says what it is, or leaves it out.
        rule = catalog.current().by_rule.get(str(kwargs["rule"]))
        if rule is None:
            return None
        kwargs["id"] = rule.id
    rec_id = _valid_id(item, kwargs.get("id"))
    rec = catalog.current().recommendations.get(rec_id)
    level = kwargs.get("level", rec.level if rec else 1)
    section = kwargs.get("section", rec.section if rec else None)
    scored = kwargs.get("scored", rec.scored if rec else False)
    _validate(item, level, section, scored)
    return {
        "id": rec_id,
        "level": int(level),
        "section": catalog.section_of(str(section)) if section is not None else None,
        "scored": bool(scored),
        "title": str(kwargs.get("title", rec.title if rec else item.name)),
        "stock": Path(item.path).parent == CHECKS_DIR,
        "account": account_of(item),
    }


def account_of(item: pytest.Item) -> str | None:
    callspec = getattr(item, "callspec", None)
    return callspec.params.get("cis_account") if callspec is not None else None


def group_by_account(items: list[pytest.Item]) -> None:
    """One xdist group per account: its checks share one worker and fetch its data once."""
    for item in items:
        account = account_of(item)
        if account is not None:
            item.add_marker(pytest.mark.xdist_group(f"cis_aws_account_{account}"), append=False)


def _valid_id(item: pytest.Item, rec_id: Any) -> str:
    """The benchmark's ids must exist; others name organisation checks (as --cis-id takes them).
    A test without one would be reported under its function name, selectable by no --cis-id."""
    where = f"{item.nodeid}: @pytest.mark.cis"
    if rec_id is None:
        raise pytest.UsageError(f"{where}: give the recommendation id, e.g. "
                                '@pytest.mark.cis(id="ORG-1", level=1)')
    if not isinstance(rec_id, str):
        raise pytest.UsageError(f'{where}: id must be a string like "1.2" or "ORG-1" '
                                f"(got {rec_id!r})")
    if re.fullmatch(r"[0-9]+(\.[0-9]+)*", rec_id):
        if not catalog.known(rec_id):
            raise pytest.UsageError(f"{where}: unknown recommendation id {rec_id!r} (the "
                                    f"benchmark has {catalog.id_ranges()})")
    elif not ORG_ID_RE.fullmatch(rec_id):
        raise pytest.UsageError(f"{where}: not a recommendation id: {rec_id!r} (a benchmark id "
                                "like 1.2, or a name like ORG-1)")
    return rec_id


def _validate(item: pytest.Item, level: Any, section: Any, scored: Any) -> None:
    where = f"{item.nodeid}: @pytest.mark.cis"
    if str(level) not in ("1", "2"):
        raise pytest.UsageError(f"{where}: level must be 1 or 2 (got {level!r})")
    if section is not None:
        try:
            catalog.section_of(str(section))
        except ValueError as exc:
            raise pytest.UsageError(f"{where}: {exc}") from None
    if not isinstance(scored, bool):
        raise pytest.UsageError(f"{where}: scored must be True or False (got {scored!r})")


_MARKED = pytest.StashKey[bool]()  # complete_markers has given this item its markers


def complete_markers(items: list[pytest.Item]) -> None:
    """Give organisation tests that carry `cis` the plain markers `-m` selects on, and record
    the metadata as JUnit properties (set directly: record_property warns under xunit2).
    Once per item: plugin.py's hook and an active run's both call it, in either order."""
    for item in items:
        meta = metadata(item)
        if meta is None or item.stash.get(_MARKED, False):
            continue
        item.stash[_MARKED] = True
        if "id" not in item.get_closest_marker("cis").kwargs:  # type: ignore[union-attr]
            # A stock check: its recommendation, first among its markers, for every reader.
            item.add_marker(pytest.mark.cis(id=meta["id"], level=meta["level"],
                                            section=meta["section"], scored=meta["scored"]),
                            append=False)
        names = {m.name for m in item.iter_markers()}
        wanted = [f"cis_level{meta['level']}"]
        if meta["section"]:
            wanted.append(f"cis_{meta['section']}")
        if meta["scored"]:
            wanted.append("cis_scored")
        for name in wanted:
            if name not in names:
                item.add_marker(name)
        item.user_properties.extend(junit_properties(meta))


def junit_properties(meta: dict[str, Any]) -> list[tuple[str, str]]:
    return [("cis_id", meta["id"]), ("cis_level", str(meta["level"])),
            ("cis_section", meta["section"] or "")]


def deselect(config: pytest.Config, items: list[pytest.Item], settings: Settings) -> None:
    keep: list[pytest.Item] = []
    dropped: list[pytest.Item] = []
    for item in items:
        meta = metadata(item)
        if meta is None and not_in_benchmark(item):
            dropped.append(item)
        elif meta is None or _selected(meta, settings):
            keep.append(item)
        else:
            dropped.append(item)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = keep


def not_in_benchmark(item: pytest.Item) -> bool:
    """A stock check of a rule the benchmark this run audits does not ask for."""
    marker = item.get_closest_marker("cis")
    return (marker is not None and "rule" in marker.kwargs and "id" not in marker.kwargs
            and str(marker.kwargs["rule"]) not in catalog.current().by_rule)


def _selected(meta: dict[str, Any], settings: Settings) -> bool:
    if meta["level"] > settings.level:
        return False
    if settings.sections is not None and meta["section"] not in settings.sections:
        return False
    return settings.ids is None or meta["id"] in settings.ids
