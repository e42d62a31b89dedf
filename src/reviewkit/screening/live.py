"""The ranked queue that learns while a reviewer screens (``[screening] order = "ranked"``).

After each decision the model refits in a worker process (live_worker.py;
warm-started from its last fit) and the rest of the queue takes the newest
ranking; the record on screen never changes under the reviewer. The stopping
test runs beside it in that process, never on a keypress.

What the model learns from, for one reviewer's queue:
- settled outcomes (two reviewers agreed, or a conflict was resolved), for everyone;
- the reviewer's own current decisions, at once (a "maybe" counts as relevant);
- never another reviewer's unsettled decision, so one blind reviewer's work
  cannot move a record up or down the other's queue.

Features are the expensive part (minutes at 100k records): they are kept in
``.reviewkit/`` (a cache like the store: delete it any time), keyed by the
records' text and the model's feature settings.
"""

from __future__ import annotations

import subprocess
import sys
import threading
from collections import deque
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from reviewkit.screening.state import ReviewerLog, StageState

RELEVANT = ("include", "maybe")   # a maybe counts as relevant until it is settled


def label_of(decision: str) -> int:
    return int(decision in RELEVANT)


def settled_labels(state: StageState, units: list[str]) -> dict[str, int]:
    """Units whose outcome is settled (agreed or resolved): 1 include, 0 exclude."""
    out = {}
    for unit in units:
        outcome = state.outcome(unit)
        if outcome in ("include", "exclude"):
            out[unit] = int(outcome == "include")
    return out


def own_labels(log: ReviewerLog, eligible: set[str]) -> dict[str, int]:
    """What the reviewer's own decisions teach their queue: 1 include or maybe, else 0."""
    return decision_labels(own_decisions(log, eligible))


def decision_labels(own: Mapping[str, str]) -> dict[str, int]:
    return {unit: label_of(decision) for unit, decision in own.items()}


def queue_labels(settled: Mapping[str, int], own: Mapping[str, int]) -> dict[str, int]:
    """What one reviewer's ranking learns from: their own labels, settled ones winning."""
    return {**own, **settled}


def own_decisions(log: ReviewerLog, eligible: set[str]) -> dict[str, str]:
    """The reviewer's current decision on each eligible unit, in the order they first
    decided it (as ranked.stopping_labels reads the log): the live queue's input."""
    out: dict[str, str] = {}
    for event in log.stack:
        if event["id"] in log.undone:
            continue
        unit = log.unit_of(event.get("record", ""))
        if unit in eligible and unit not in out and (now := log.current(unit)) is not None:
            out[unit] = now["decision"]
    return out


def stop_labels(own: Mapping[str, str], settled: Mapping[str, int]) -> list[int]:
    """The stopping test's labels, as ``screen stop`` gives them (ranked.stopping_labels):
    one per unit, in the order first decided; a maybe counts as relevant until the unit
    is settled, then as its outcome."""
    return [settled.get(u, 1) if d == "maybe" else int(d == "include") for u, d in own.items()]


def stopping_options(project: Any) -> dict[str, Any]:
    """The project's ``[stopping]`` rule as ``screen stop`` reads it (ranking.stopping's
    keyword arguments): the live queue exists only in ranked order, so an unset bias is
    the default rule's. A bad section raises the same one-line error as ``screen stop``."""
    from reviewkit.ranking.stopping import DEFAULT_BIAS
    from reviewkit.reporting.report.settings import StoppingSettings, stopping_settings

    conf = stopping_settings(project) or StoppingSettings()
    return {"target": conf.target, "confidence": conf.confidence,
            "heuristic_n": conf.heuristic_n or 50,  # stopping_status's default, as there
            "bias": DEFAULT_BIAS if conf.bias is None else conf.bias}


def stopping_now(labels: list[int], total: int, **options: Any) -> Any:
    """The stopping test on one reviewer's labels, from scratch (``options``: those of
    stopping_options)."""
    from reviewkit.ranking.stopping import stopping_status

    return stopping_status(labels, total, **options) if labels else None


class Stopper:
    """The stopping test kept up to date (ranking.stopping.StoppingMonitor): when the labels
    only grew, only the new ones are added; an undo or a changed label starts it again.
    Equal to stopping_now on the same labels and options."""

    def __init__(self, **options: Any) -> None:
        self.options = options
        self.monitor: Any = None
        self.fed: list[int] = []

    def __call__(self, labels: list[int], total: int) -> Any:
        from reviewkit.ranking.stopping import StoppingMonitor

        if not labels:
            return None
        if self.monitor is None or self.monitor.n_total != total:
            self.monitor, self.fed = StoppingMonitor(total, **self.options), []
        k = len(self.fed)
        if len(labels) >= k and labels[:k] == self.fed:
            status = self.monitor.update(labels[k:])
        else:
            status = self.monitor.reset(labels)
        self.fed = list(labels)
        return status


# the live queue -------------------------------------------------------------
class RankedQueue:
    """The screener's queue once a live ranking arrives, used as its deque was.

    A few units in front (the one on screen, an undone one), then the ranking as
    positions into ``ids`` (a numpy array, read one at a time), then the skipped ones.
    Taking a new ranking swaps one array: no 100k-record list is built, copied or
    freed on the screener's thread (touching 100k objects costs 30-100 ms there).
    """

    def __init__(self, ids: Any, order: Any, front: list[str], skipped: set[str]) -> None:
        self.ids, self.order, self.pos = ids, order, 0
        self.front = deque(front)
        self.skipped = skipped            # shared with the session: they wait at the back
        self.back = deque(sorted(skipped))

    def _peek_ranked(self) -> str | None:
        while self.pos < len(self.order):
            unit = self.ids[self.order[self.pos]]
            if unit not in self.skipped:
                return unit
            self.pos += 1
        return None

    def __bool__(self) -> bool:
        return bool(self.front) or self._peek_ranked() is not None or bool(self.back)

    def __getitem__(self, i: int) -> str:
        if i != 0:
            raise IndexError("only the first unit can be read")
        if self.front:
            return self.front[0]
        unit = self._peek_ranked()
        if unit is not None:
            return unit
        return self.back[0]

    def popleft(self) -> str:
        if self.front:
            return self.front.popleft()
        unit = self._peek_ranked()
        if unit is not None:
            self.pos += 1
            return unit
        return self.back.popleft()

    def appendleft(self, unit: str) -> None:
        self.front.appendleft(unit)

    def append(self, unit: str) -> None:
        self.back.append(unit)

    def __iter__(self) -> Iterator[str]:
        yield from self.front
        for j in range(self.pos, len(self.order)):
            unit = self.ids[self.order[j]]
            if unit not in self.skipped:
                yield unit
        yield from self.back


@dataclass
class LiveOrder:
    order: Any             # positions into the ids (numpy): every unit, unlabelled best
                           # first, then the labelled ones
    version: str           # model version and training-set size (logged with decisions)
    n_labelled: int
    seconds: float         # refit + rerank


@dataclass
class LiveStart:
    """What the worker needs for one queue: the pile's ids (the order's positions point
    into them) and either the file its features are cached in (the sitting ranked its
    first order itself) or the project to compute them from (it opened on the last
    sitting's saved ranking: live_resume.py). ``save_to``: where the worker keeps the
    newest ranking for the next sitting."""

    ids: list[str]
    seed: int | None
    features: str | None = None
    root: str | None = None
    save_to: str | None = None

    @classmethod
    def from_ranker(cls, ranker: Any, save_to: str | None = None) -> LiveStart:
        return cls(list(ranker.ids_), ranker.random_state, str(ranker.features_file_),
                   save_to=save_to)


class LiveQueue:
    """One reviewer's ranking, refitted after every decision by a worker process
    (live_worker.py), and the stopping test beside it.

    The screener tells it each change (``decided``, ``undone``: a few bytes down a
    pipe, never a wait); a reader thread keeps the newest results, which
    ``newest()`` and ``stopping_status()`` hand out.
    """

    def __init__(self, start: LiveStart, settled: Mapping[str, int], own: Mapping[str, str],
                 total: int,
                 on_ready: Callable[[], None] | None = None,
                 stopping: Mapping[str, Any] | None = None) -> None:
        import socket
        from multiprocessing.connection import Connection

        import numpy as np

        self.on_ready = on_ready
        self._ids = np.empty(len(start.ids), dtype=object)
        self._ids[:] = start.ids
        spec = {"ids": list(start.ids), "seed": start.seed, "features": start.features,
                "root": start.root, "save_to": start.save_to, "settled": dict(settled),
                "own": dict(own), "total": total,
                "stopping": dict(stopping or {})}  # the [stopping] rule, as screen stop
        # a plain child process (not multiprocessing's spawn, which runs the parent's
        # main script again in the child), talking over a socket pair
        mine, theirs = socket.socketpair()
        self._proc = subprocess.Popen(
            [sys.executable, "-m", "reviewkit.screening.live_worker", str(theirs.fileno())],
            pass_fds=[theirs.fileno()], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL, close_fds=True)
        theirs.close()
        self._conn = Connection(mine.detach())
        self._spec: dict | None = spec  # sent by the reader thread: the UI never waits
        self._backlog: list[list[tuple]] = []
        self._sending = threading.Lock()
        self._cv = threading.Condition()
        self._sent = 0
        self._ranked_seen = self._stop_seen = -1   # the worker's first results are due
        self._latest: LiveOrder | None = None
        self._taken: LiveOrder | None = None
        self.status: Any = None
        self.error = ""
        self.stop_error = ""          # the last stopping test failed: why
        self.refits: list[float] = []  # seconds each refit took
        self.tests: list[float] = []   # seconds each stopping test took
        self._reader = threading.Thread(target=self._read, name="reviewkit-live-reader",
                                        daemon=True)
        self._reader.start()

    # the screener's side: cheap, never waits
    def changed(self, unit: str | None, decision: str | None) -> None:
        """A decision or an undo of the reviewer's: ``decision`` is the unit's current one
        (None: none left); ``unit`` None when it is not eligible (nothing to learn)."""
        self._send([] if unit is None else [("own", unit, decision)])

    def _send(self, msgs: list[tuple]) -> None:
        if self.error:
            return
        with self._cv:
            self._sent += 1
        with self._sending:
            if self._spec is not None:  # the worker is still being given its pile
                self._backlog.append(msgs)
                return
            try:
                self._conn.send(msgs)
            except (OSError, ValueError) as exc:
                self.error = f"the ranking worker stopped ({exc})"

    def newest(self) -> LiveOrder | None:
        """The newest ranking not yet taken, or None."""
        latest = self._latest
        if latest is None or latest is self._taken:
            return None
        self._taken = latest
        return latest

    @property
    def ids(self) -> Any:
        """The unit ids (a numpy object array) the orders' positions point into."""
        return self._ids

    @property
    def latest(self) -> LiveOrder | None:
        """The newest ranking, taken or not."""
        return self._latest

    def stopping_status(self) -> Any:
        return self.status

    def ranking_busy(self) -> bool:
        with self._cv:
            return not self.error and self._ranked_seen < self._sent

    def stopping_busy(self) -> bool:
        with self._cv:
            return not self.error and self._stop_seen < self._sent

    def wait(self, timeout: float | None = None) -> bool:
        """Block until the results of everything sent are in (scripts and tests)."""
        with self._cv:
            return self._cv.wait_for(lambda: self.error or (
                self._ranked_seen >= self._sent and self._stop_seen >= self._sent), timeout)

    def _read(self) -> None:
        try:
            self._conn.send(self._spec)  # the pile: a few MB at 100k records
            with self._sending:
                for msgs in self._backlog:
                    self._conn.send(msgs)
                self._spec, self._backlog = None, []
        except (OSError, ValueError):
            with self._cv:
                self.error = "the ranking worker did not start"
                self._cv.notify_all()
            return
        while True:
            try:
                message = self._conn.recv()
            except (EOFError, OSError):
                with self._cv:
                    self.error = self.error or "the ranking worker stopped"
                    self._cv.notify_all()
                return
            if message[0] == "ranked":
                _, seen, order, version, n, seconds = message
                ranked = LiveOrder(order, version, n, seconds)
                with self._cv:
                    self._latest, self._ranked_seen = ranked, seen
                    self.refits.append(seconds)
                    self._cv.notify_all()
            elif message[0] == "failed":
                with self._cv:
                    self.error = message[1]
                    self._cv.notify_all()
            elif message[0] == "stop":
                _, seen, status, seconds, problem = message
                with self._cv:
                    self.status, self._stop_seen = status, seen
                    self.stop_error = problem
                    self.tests.append(seconds)
                    self._cv.notify_all()
            if self.on_ready is not None:
                self.on_ready()

    def close(self, timeout: float | None = None) -> None:
        try:
            self._conn.send([("close",)])
        except (OSError, ValueError):
            pass
        try:
            self._proc.wait(timeout)
        except subprocess.TimeoutExpired:  # mid-refit: it has nothing to save
            self._proc.kill()
            self._proc.wait(5)
        self._conn.close()
