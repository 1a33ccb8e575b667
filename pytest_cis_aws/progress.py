"""Progress while AWS data is fetched: the credential report can take minutes, regions fan out.

Fed by the AWS layer's task events (aws/events.py), written through pytest's terminal reporter:

- a terminal (tty): one updating note at the end of the current line ("credential report:
  generating... 6 s", "ec2 instances: regions 7/17"), erased when the task ends, so pytest's
  own line (the module name, the dots, the percentage) is left exactly as it was;
- anything else (a CI log): plain milestone lines, only for a task still running after
  `MILESTONE_AFTER` seconds, at most one every `MILESTONE_EVERY` seconds, then how long it took;
- `-q -q` (verbosity -2 and below): nothing; the plugin dormant or an xdist worker (whose
  terminal output xdist does not show): no listener at all;
- live logs (log_cli) on a terminal: the milestone lines, as a note would be cut by log lines.

The note is written with write_raw, which pytest's writer does not count as part of its line,
and erased with backspaces: no escape sequence a terminal might not know, no line it wraps.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    import pytest

# A CI log hears about a task only once it has taken this long (a fast fetch says nothing).
MILESTONE_AFTER = 2.0
MILESTONE_EVERY = 10.0
# A terminal note is redrawn at most this often (a 500-region fan-out is 500 events).
REDRAW_EVERY = 0.1
# Below this many free columns on the current line, a note would say nothing useful.
MIN_ROOM = 12


class Sink(Protocol):
    """Where progress goes: a note on the current line, or a line of its own."""

    def raw(self, text: str) -> None: ...

    def line(self, text: str) -> None: ...

    def room(self) -> int: ...


@dataclass
class _Task:
    label: str
    started: float
    text: str
    told: float | None = None  # when a milestone line last named it (CI logs)


class Progress:
    """Listener for aws/events.py: thread-safe, and never raises into a fetch (events.emit)."""

    def __init__(self, sink: Sink, *, tty: bool, clock: Callable[[], float] = time.monotonic,
                 after: float | None = None) -> None:
        self.sink = sink
        self.tty = tty
        self.clock = clock
        self.after = MILESTONE_AFTER if after is None else after
        self._tasks: dict[str, _Task] = {}
        self._latest: str | None = None  # the task the note shows
        self._shown = ""  # what the note holds on screen now
        self._drawn = 0.0
        self._lock = threading.Lock()

    def __call__(self, event: str, data: dict[str, Any]) -> None:
        if event != "task":
            return
        with self._lock:
            now = self.clock()
            key, phase = str(data.get("key")), data.get("phase")
            if phase == "end":
                task = self._tasks.pop(key, None)
                if task is not None and not self.tty and task.told is not None:
                    self.sink.line(f"{task.label}: done in {now - task.started:.0f} s")
                if key == self._latest:
                    self._latest = next(reversed(self._tasks), None)
                self._draw(now, force=True)
                return
            task = self._tasks.get(key)
            if task is None:
                task = self._tasks[key] = _Task(str(data.get("label")), now, "")
            self._latest = key
            if self.tty:
                task.text = describe(task.label, data, now - task.started)
                self._draw(now, force=phase == "start")
            elif phase == "update" and now - task.started >= self.after and (
                    task.told is None or now - task.told >= MILESTONE_EVERY):
                task.told = now
                self.sink.line(f"{describe(task.label, data)}, {now - task.started:.0f} s "
                               "so far")

    def close(self) -> None:
        """Erase the note, whatever is still running (an interrupted run)."""
        with self._lock:
            self._tasks.clear()
            self._latest = None
            self._draw(self.clock(), force=True)

    def _draw(self, now: float, *, force: bool) -> None:
        if not self.tty:
            return
        task = self._tasks.get(self._latest) if self._latest else None
        text = f" {task.text}" if task else ""
        if text and not force and now - self._drawn < REDRAW_EVERY:
            return
        room = self.sink.room() + len(self._shown)  # the note's own columns are free again
        if len(text) > room:
            text = text[:room - 1] + "~" if room >= MIN_ROOM else ""
        if text == self._shown:
            return
        erase = len(self._shown)
        # Back over the old note, write the new one, blank what is left of the old.
        tail = max(0, erase - len(text))
        self.sink.raw("\b" * erase + text + " " * tail + "\b" * tail)
        self._shown = text
        self._drawn = now


def describe(label: str, data: dict[str, Any], elapsed: float | None = None) -> str:
    """'credential report: generating... 6 s' (without the time: 'credential report:
    generating'), 'ec2 instances: regions 7/17', or 'label...' before any news."""
    if data.get("total") is not None:
        return f"{label}: {data.get('unit', 'regions')} {data.get('done', 0)}/{data['total']}"
    if data.get("state"):
        return f"{label}: {data['state']}" + (f"... {elapsed:.0f} s" if elapsed is not None
                                              else "")
    return f"{label}..."


class TerminalSink:
    """pytest's terminal reporter, with capture suspended while writing (as live logging
    does): a fixture fetching its data runs under capture."""

    def __init__(self, reporter: pytest.TerminalReporter, capture: Any) -> None:
        self.reporter = reporter
        self.capture = capture

    def _writing(self) -> Any:
        if self.capture is None:
            from contextlib import nullcontext

            return nullcontext()
        return self.capture.global_and_fixture_disabled()

    def raw(self, text: str) -> None:
        with self._writing():
            self.reporter.write_raw(text, flush=True)

    def line(self, text: str) -> None:
        with self._writing():
            self.reporter.write_line(text)
            self.reporter.flush()

    def room(self) -> int:
        writer = self.reporter._tw  # pytest has no public name for its columns
        return int(writer.fullwidth) - int(writer.width_of_current_line) - 1


def start(config: pytest.Config) -> Callable[[], None] | None:
    """Listen to the AWS layer for this run; returns what stops it (None: nothing to show)."""
    reporter = config.pluginmanager.get_plugin("terminalreporter")
    if reporter is None or config.get_verbosity() <= -2 or hasattr(config, "workerinput"):
        return None
    from .aws import events

    # Live logs (log_cli) write whole lines between pytest's: a note would be cut off by them.
    live_logs = bool(config.getini("log_cli")) or bool(config.getoption("log_cli_level", None))
    tty = bool(reporter.isatty) and os.environ.get("TERM") != "dumb" and not live_logs
    progress = Progress(TerminalSink(reporter, config.pluginmanager.get_plugin(
        "capturemanager")), tty=tty)
    unsubscribe = events.subscribe(progress)

    def stop() -> None:
        unsubscribe()
        progress.close()

    return stop
