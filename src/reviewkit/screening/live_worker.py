"""The live queue's worker process: refits and stopping tests beside the screener.

Started by live.py as ``python -m reviewkit.screening.live_worker FD`` with one end
of a socket pair (stdout and stderr to /dev/null: the terminal is the screener's).
A process, not a thread: a refit at 100k records is seconds of numpy, scipy and
Python, and in a thread it would hold the interpreter lock against the screener's
keys. Here it runs on the other core, at a lower priority than the screener.

Messages in: lists of small tuples, pickled over a pipe:
``("own", unit, decision | None)`` the reviewer's current decision on an eligible unit
(None: undone, none left); ``("close",)``. Messages out:
``("ranked", seen, order, version, n_labelled, seconds)`` (``order``: int32 positions
into the ids the queue was given), ``("stop", seen, StoppingStatus | None, seconds,
problem)`` and ``("failed", text)`` (no ranking can be made: the features could not be
read or computed); ``seen`` counts the lists applied before the result was computed, so
the screener knows whether one is still coming.
"""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path
from typing import Any


def main(conn: Any, spec: dict) -> None:
    """Serve one screening sitting until told to close or the screener goes away."""
    try:
        os.nice(19)  # the screener first: a refit may wait, a key may not
    except OSError:  # pragma: no cover - not allowed here
        pass
    import numpy as np

    from reviewkit.ranking.ranker import LatestOnly
    from reviewkit.screening.live import Stopper, decision_labels, queue_labels, stop_labels

    prepared: list[Any] = []  # the ranker, made on the refit thread: tests need not wait
    settled: dict[str, int] = spec["settled"]
    own: dict[str, str] = dict(spec["own"])  # unit -> decision, in the order first decided
    total: int = spec["total"]
    sending = threading.Lock()

    def send(message: tuple) -> None:
        with sending:
            conn.send(message)

    def rank(args: tuple[int, dict[str, int], list[str]]) -> None:
        seen, labels, mine = args
        if not prepared:
            try:
                prepared.append(_ranker(spec))
            except Exception as exc:
                send(("failed", f"the ranking could not start: {exc}"))
                raise
        ranker = prepared[0]
        ranked = ranker.order(labels)
        # labelled units stay in the queue, last: settled ones this reviewer has not
        # decided still need their decision, and an undone one must come back
        own_now = set(mine)
        tail = [u for u in settled if u not in own_now] + mine
        order = np.fromiter((ranker.index_[u] for u in (*ranked.order, *tail)),
                            dtype=np.int32, count=len(ranked.order) + len(tail))
        keeper.newest(ranked.order, ranked.model_version)  # first: kept if we close now
        send(("ranked", seen, order, ranked.model_version, ranked.n_labelled,
              ranked.seconds))
        keeper.save_if_due()

    # incremental: a test per key costs the new labels, not all; the project's rule
    stopper = Stopper(**spec.get("stopping", {}))

    def stop(args: tuple[int, list[int]]) -> None:
        t = time.perf_counter()
        try:
            status, problem = stopper(args[1], total), ""
        except Exception as exc:  # noqa: BLE001 - shown, never a stuck "stop? …"
            status, problem = None, str(exc)
        send(("stop", args[0], status, time.perf_counter() - t, problem))

    keeper = _Keeper(spec.get("save_to"))
    refits = LatestOnly(rank, "reviewkit-ranker")
    tests = LatestOnly(stop, "reviewkit-stopping")
    seen = 0
    try:
        while True:
            mine = list(own)  # copies: the worker threads must not see own change
            refits.submit((seen, queue_labels(settled, decision_labels(own)), mine))
            tests.submit((seen, stop_labels(own, settled)))
            while True:  # take every waiting list before the next refit
                for message in conn.recv():  # blocks until the screener says something
                    kind = message[0]
                    if kind == "close":
                        return
                    if kind == "own":
                        if message[2] is None:
                            own.pop(message[1], None)
                        else:  # a unit already decided keeps its place
                            own[message[1]] = message[2]
                seen += 1
                if not conn.poll():
                    break
    except (EOFError, OSError):  # the screener quit or died
        return
    finally:
        refits.close(timeout=0)
        tests.close(timeout=0)
        keeper.save()  # the newest ranking, for the next sitting to open on


def _ranker(spec: dict) -> Any:
    """The pile's ranker, its features from the file the screener named, or (a sitting
    opened on a kept ranking or the seeded start) read or computed here from the
    project, off the screener's process."""
    if spec.get("features"):
        import numpy as np
        from scipy import sparse

        from reviewkit.ranking.ranker import Ranker

        X = sparse.load_npz(spec["features"]).tocsr().astype(np.float64)
        return Ranker(random_state=spec["seed"]).prepare([], spec["ids"], features=X)
    from reviewkit.project import find_project
    from reviewkit.screening.live_features import prepared_ranker
    from reviewkit.store import open_store

    project = find_project(Path(spec["root"]))
    if not project.store_path.is_file():  # never make an empty one: the ranking would
        raise FileNotFoundError(f"{project.store_path} is gone")  # be all ties
    store = open_store(project.store_path)
    try:
        return prepared_ranker(project, store, spec["ids"])  # the project's seed, as spec's
    finally:
        store.close()


class _Keeper:
    """Keeps the newest ranking in live_resume's file: at most every SAVE_EVERY seconds
    while screening (a sitting that dies loses little) and once more at the end."""

    SAVE_EVERY = 30.0

    def __init__(self, path: str | None) -> None:
        self.path = Path(path) if path else None
        self.lock = threading.Lock()
        self.latest: tuple[list[str], str] | None = None
        self.saved_at = 0.0
        self.dirty = False

    def newest(self, order: list[str], version: str) -> None:
        with self.lock:
            self.latest, self.dirty = (order, version), True

    def save_if_due(self) -> None:
        if time.monotonic() - self.saved_at >= self.SAVE_EVERY:
            self.save()

    def save(self) -> None:
        from reviewkit.screening.live_resume import save_queue

        with self.lock:
            if self.path is None or not self.dirty or self.latest is None:
                return
            order, version = self.latest
            self.dirty, self.saved_at = False, time.monotonic()
            try:
                save_queue(self.path, order, version)
            except OSError:  # a cache: the next sitting ranks from scratch instead
                pass


if __name__ == "__main__":  # python -m reviewkit.screening.live_worker FD (live.py starts it)
    import sys
    from multiprocessing.connection import Connection

    connection = Connection(int(sys.argv[1]))
    try:
        first = connection.recv()
    except (EOFError, OSError):
        sys.exit(0)
    main(connection, first)
