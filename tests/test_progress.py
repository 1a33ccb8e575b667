"""Progress while data is fetched: a note erased in place on a terminal, milestone lines in a CI
log, nothing under -qq; fed by the AWS layer's events (aws/events.py)."""

from __future__ import annotations

import threading
from typing import Any

import pytest

from pytest_cis_aws import progress
from pytest_cis_aws.aws import events
from pytest_cis_aws.aws.fanout import per_region
from pytest_cis_aws.progress import Progress


class Screen:
    """A one-line terminal: text overwrites, a backspace moves left (never past column 0)."""

    def __init__(self, line: str = "", width: int = 80) -> None:
        self.cells = list(line)
        self.cursor = len(line)
        self.width = width
        self.pytest_line = len(line)  # what pytest's writer counts as its line
        self.lines: list[str] = []

    def raw(self, text: str) -> None:
        for char in text:
            if char == "\b":
                self.cursor = max(0, self.cursor - 1)
                continue
            if self.cursor == len(self.cells):
                self.cells.append(char)
            else:
                self.cells[self.cursor] = char
            self.cursor += 1

    def line(self, text: str) -> None:
        self.lines.append(text)

    def room(self) -> int:
        return self.width - self.pytest_line - 1

    def shown(self) -> str:
        return "".join(self.cells).rstrip()


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def task(listener: Progress, phase: str, key: str = "k", label: str = "credential report",
         **data: Any) -> None:
    listener("task", {"phase": phase, "key": key, "label": label, **data})


def test_a_terminal_note_updates_in_place_and_leaves_the_line_as_pytest_wrote_it() -> None:
    screen, clock = Screen("checks/cis_aws_1_iam.py "), Clock()
    listener = Progress(screen, tty=True, clock=clock)
    task(listener, "start")
    assert screen.shown() == "checks/cis_aws_1_iam.py  credential report..."
    clock.now += 6
    task(listener, "update", state="generating")
    assert screen.shown() == "checks/cis_aws_1_iam.py  credential report: generating... 6 s"
    task(listener, "start", key="r", label="ec2 instances")
    clock.now += 1
    task(listener, "update", key="r", label="ec2 instances", done=7, total=17, unit="regions")
    assert screen.shown() == "checks/cis_aws_1_iam.py  ec2 instances: regions 7/17"
    task(listener, "end", key="r", label="ec2 instances")  # the one still running shows again
    assert screen.shown() == "checks/cis_aws_1_iam.py  credential report: generating... 6 s"
    task(listener, "end")
    assert screen.shown() == "checks/cis_aws_1_iam.py"
    assert screen.cursor == len("checks/cis_aws_1_iam.py ")  # pytest's next dot lands here
    assert screen.lines == []


def test_a_terminal_note_fits_the_line_or_is_not_shown() -> None:
    screen = Screen("x" * 50, width=80)
    listener = Progress(screen, tty=True, clock=Clock())
    task(listener, "update", label="a very long label " * 4, done=1, total=2)
    assert len(screen.shown()) == 79 and screen.shown().endswith("~")
    task(listener, "end", label="a very long label " * 4)
    assert screen.shown() == "x" * 50
    narrow = Screen("x" * 75, width=80)
    Progress(narrow, tty=True, clock=Clock())("task", {"phase": "start", "key": "k",
                                                       "label": "credential report"})
    assert narrow.shown() == "x" * 75


def test_close_erases_what_an_interrupted_task_left() -> None:
    screen = Screen("t.py ")
    listener = Progress(screen, tty=True, clock=Clock())
    task(listener, "start")
    listener.close()
    assert screen.shown() == "t.py"


def test_a_log_hears_only_of_slow_tasks_with_milestones_then_the_time_taken() -> None:
    screen, clock = Screen(), Clock()
    listener = Progress(screen, tty=False, clock=clock, after=2)
    task(listener, "start", key="fast", label="ec2 vpcs")
    task(listener, "update", key="fast", label="ec2 vpcs", done=1, total=1, unit="regions")
    task(listener, "end", key="fast", label="ec2 vpcs")
    task(listener, "start")
    clock.now += 1
    task(listener, "update", state="generating")
    clock.now += 2
    task(listener, "update", state="generating")
    clock.now += 5  # within MILESTONE_EVERY of the last line: no repeat
    task(listener, "update", state="generating")
    clock.now += 10
    task(listener, "update", state="throttled")
    task(listener, "end")
    assert screen.lines == ["credential report: generating, 3 s so far",
                            "credential report: throttled, 18 s so far",
                            "credential report: done in 18 s"]
    assert screen.cells == []  # never a raw write


def test_events_from_many_threads_and_a_failing_listener_never_break_a_fetch() -> None:
    seen: list[dict[str, Any]] = []
    lock = threading.Lock()

    def listener(event: str, data: dict[str, Any]) -> None:
        with lock:
            seen.append(data)

    def broken(event: str, data: dict[str, Any]) -> None:
        raise RuntimeError("a terminal that went away")

    stops = [events.subscribe(listener), events.subscribe(broken)]
    try:
        results = per_region([f"r{n}" for n in range(8)], lambda region: region.upper(), 4,
                             label="ec2 instances")
    finally:
        for stop in stops:
            stop()
    assert list(results) == [f"r{n}" for n in range(8)]  # in the order asked
    assert results["r3"].value == "R3" and results["r3"].ok
    assert [d["phase"] for d in seen] == ["start", *["update"] * 9, "end"]
    assert [d.get("done") for d in seen[1:-1]] == list(range(9))
    assert not events.listening()


@pytest.fixture
def milestones_at_once(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(progress, "MILESTONE_AFTER", 0.0)  # in-process runs: every task is slow


ARGS = ("--cis-id=1.2,2.1", "--cis-regions=us-east-1", "-p", "no:cacheprovider")


def test_a_log_gets_milestone_lines(pytester: pytest.Pytester, moto: None,
                                    milestones_at_once: None) -> None:
    result = pytester.runpytest(*ARGS)
    result.stdout.fnmatch_lines([
        "credential report: generating, * s so far",
        "credential report: done in * s",
        "*cis_aws_2_logging.py*",
        "cloudtrail trails: regions 0/1, * s so far",
        "cloudtrail trails: done in * s",
    ])
    assert "\b" not in result.stdout.str()


def test_quiet_quiet_shows_no_progress(pytester: pytest.Pytester, moto: None,
                                       milestones_at_once: None) -> None:
    result = pytester.runpytest(*ARGS, "-qq")
    assert "so far" not in result.stdout.str() and "done in" not in result.stdout.str()
    assert not events.listening()  # and the run let go of the AWS layer
