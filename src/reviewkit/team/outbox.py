"""The outbox: a decision made in team mode is on disk in the reviewer's own log first
(appended and fsynced, as without a server), then sent.

What is waiting is derived, not kept: the log's events whose ids the server has not yet
acknowledged (acknowledged ids are appended to .reviewkit/outbox/<stage>/<reviewer>.sent).
So a kill at any moment loses nothing: a line not yet acknowledged is sent again by the next
sitting, and the server keeps one row per event id (a retry inserts nothing). The .sent
file is a cache: losing it only means sending everything again, which adds nothing.

Server down: sends fail, events wait, the screener goes on deciding into the local log;
the next send after ``retry_seconds`` (or an explicit flush) delivers them in order.

An event the server refuses (a rule: a reviewer who decided a record may not resolve it)
waits, with the reason in the status; it holds back only the later events on its own
record, so the rest still go, and each record's events reach the server in log order.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from reviewkit.errors import ReviewkitError
from reviewkit.screening.log import BOM, SAFE_NAME, LogWriter, log_line, read_jsonl
from reviewkit.screening.reviewers import check_name
from reviewkit.team.folder import screening_kind

Connect = Callable[[], Any]  # returns an open psycopg connection in autocommit mode


# reviewkit_send (sql/0010_allocation.sql): the events, then optionally the next lease
SEND = "SELECT * FROM reviewkit_send(%s, %s, %s, %s, %s, %s, %s, %s, %s)"
COLUMNS = ("id", "log", "kind", "stage", "record", "reviewer", "line")


@dataclass(frozen=True)
class OutboxStatus:
    online: bool | None   # None: nothing tried yet
    waiting: int          # events saved locally, not yet on the server
    error: str            # why the last send failed ("" when it did not)

    def __str__(self) -> str:
        if self.online is False:
            return (f"team server unavailable ({self.error}): {self.waiting} decision"
                    f"{'s' if self.waiting != 1 else ''} kept locally, sent when it is back")
        if self.error:
            return f"team server refused: {self.error}; {self.waiting} waiting"
        return f"team: online, {self.waiting} waiting" if self.waiting else "team: online"


class Outbox:
    """One reviewer's log at one stage, mirrored to the server."""

    def __init__(self, root: Path, stage: str, reviewer: str, connect: Connect,
                 retry_seconds: float = 2.0) -> None:
        check_name(reviewer)
        if not SAFE_NAME.match(stage):
            raise ReviewkitError(f"stage {stage!r} cannot name a folder", field="stage")
        self.root, self.stage, self.reviewer = Path(root), stage, reviewer
        self.relpath = f"screening/{stage}/{reviewer}.jsonl"
        self.path = self.root / self.relpath
        self.sent_path = self.root / ".reviewkit" / "outbox" / stage / f"{reviewer}.sent"
        self.connect, self.retry_seconds = connect, retry_seconds
        self.writer = LogWriter(self.path)
        self.conn: Any = None
        self.online: bool | None = None
        self.error = ""
        self._next_try = 0.0
        self.leased: tuple | None = None  # (record, calibration, expires_at, refused)
        self.refused: dict[str, str] = {}  # event id -> why the server refused it
        self.pending: list[dict] = self._unsent()

    # what is waiting --------------------------------------------------------
    def _unsent(self) -> list[dict]:
        try:
            acked = set(self.sent_path.read_text("utf-8").split())
        except FileNotFoundError:
            acked = set()
        events, _ = read_jsonl(self.path)  # a torn or hand-broken line is push's business
        # as read_jsonl reads them: an editor's byte-order mark is not part of line 1
        lines = self.path.read_bytes().removeprefix(BOM).split(b"\n") if events else []
        return [self._row(event, lines[n - 1].decode("utf-8")) for n, event in events
                if isinstance(event.get("id"), str) and event["id"] not in acked]

    def _row(self, event: dict, line: str) -> dict:
        kind = screening_kind(event, self.stage, self.reviewer)  # as push files it
        return {"id": event["id"], "log": self.relpath, "kind": kind,
                # the folder's stage, as push sends it: a line naming another stage is
                # filed here as invalid, not refused by the policy (which held up the rest)
                "stage": self.stage,
                "record": event.get("record") if isinstance(event.get("record"), str) else None,
                "reviewer": self.reviewer, "line": line}

    @property
    def status(self) -> OutboxStatus:
        return OutboxStatus(self.online, len(self.pending), self.error)

    # writing ----------------------------------------------------------------
    def save(self, events: list[dict]) -> None:
        """Append ``events`` to the local log (fsynced when this returns) and queue them."""
        self.writer.write(events)
        self.writer.sync()
        self.pending += [self._row(e, log_line(e)) for e in events]

    def record(self, events: list[dict], lease: tuple[str, str] | None = None) -> bool:
        """Save ``events`` and send them (with ``lease``: and lease the next record, see
        flush); True when these are on the server and nothing else waits but what a
        refusal holds back. The lines are written first; their fsync
        runs while the statement is on the server (sent in pipeline mode, this thread syncs
        between sending it and reading the reply), and this returns when both are done, so
        a decision is on disk before the screen moves on and a key costs the slower of the
        two, not the sum. (Only a machine crash in that instant could leave the server a
        line the folder lost; `team pull` writes it back.)"""
        self.writer.write(events)
        self.pending += [self._row(e, log_line(e)) for e in events]
        synced: list[bool] = []

        def sync() -> None:
            synced.append(True)
            self.writer.sync()  # a disk that cannot fsync is an error, not a status

        try:
            mine = {e["id"] for e in events}
            return self.flush(lease=lease, meanwhile=sync) and not any(
                row["id"] in mine for row in self.pending)  # these are on the server
        finally:
            if not synced:  # nothing was sent (offline, or it failed before leaving)
                self.writer.sync()

    def flush(self, force: bool = False, lease: tuple[str, str] | None = None,
              meanwhile: Callable[[], None] | None = None) -> bool:
        """Send what is waiting, in log order, in one statement (one round trip, one
        transaction); True when nothing waits but what a refusal holds back (the status
        says so), so leases go on. ``lease`` (stage, reviewer): lease the next
        record in the same statement; the row lands in ``leased``. ``meanwhile``: called
        once the statement is on its way, before its reply is read. Offline, tries again
        only after ``retry_seconds`` unless ``force``."""
        self.leased = None
        if not self.pending and lease is None:
            return True
        if not force and self.online is False and time.monotonic() < self._next_try:
            return False
        import psycopg

        # what follows a refused event on its record waits behind it until the next retry
        held = self._held() if self.refused and time.monotonic() < self._next_try else set()
        batch = [row for row in self.pending if row["record"] not in held]
        if not batch and lease is None:
            return True  # only what waits behind a refusal: nothing to send before the retry
        try:
            rows = self._execute((*_columns(batch), *(lease or (None, None))), meanwhile)
        except (psycopg.OperationalError, ReviewkitError) as exc:  # down, restarting, gone
            self.offline(exc)
            return False
        except psycopg.DatabaseError as exc:  # refused (rights, a rule): kept, said once
            self.online = True
            self._next_try = time.monotonic() + self.retry_seconds
            if len(batch) <= 1:
                self._refuse(batch, exc)
            else:  # one statement refused them all: send one by one, so one held back
                self._one_by_one(batch)  # does not keep the others waiting
            return False
        self.online = True
        self.leased = rows[0] if rows else None
        self._sent(batch)
        self.error = self._refused_text()  # back online: only a refusal is still said
        held = self._held()
        return not any(row["record"] not in held for row in self.pending)

    def _held(self) -> set[str | None]:
        """Records with a refused event waiting: later events on them wait behind it, so
        the server's order of each record's events stays the folder's."""
        return {row["record"] for row in self.pending if row["id"] in self.refused}

    def _refuse(self, batch: list[dict], exc: Exception) -> None:
        for row in batch:
            self.refused[row["id"]] = _first_line(exc)
        self.error = self._refused_text()

    def _one_by_one(self, batch: list[dict]) -> None:
        import psycopg

        held: set[str | None] = set()
        for row in batch:
            if row["record"] in held:
                continue
            try:
                self._execute((*_columns([row]), None, None), None)
            except (psycopg.OperationalError, ReviewkitError) as exc:
                self.offline(exc)
                return
            except psycopg.DatabaseError as exc:
                held.add(row["record"])
                self._refuse([row], exc)
                continue
            self._sent([row])

    def _sent(self, batch: list[dict]) -> None:
        if not batch:
            return
        ids = {row["id"] for row in batch}
        self.pending = [row for row in self.pending if row["id"] not in ids]
        for i in ids:
            self.refused.pop(i, None)
        self.error = self._refused_text()
        self._acknowledge([row["id"] for row in batch])

    def _refused_text(self) -> str:
        if not self.refused:
            return ""
        n = len(self.refused)
        first = next(iter(self.refused.values()))
        return first if n == 1 else f"{n} events, first: {first}"

    def _execute(self, params: tuple, meanwhile: Callable[[], None] | None) -> list:
        conn = self._connection()
        if meanwhile is None:
            return conn.execute(SEND, params).fetchall()
        with conn.pipeline() as pipe:
            cur = conn.execute(SEND, params)  # on the wire: the server starts on it now
            meanwhile()  # the local fsync while the statement runs there
            pipe.sync()  # waits for the reply and the commit (autocommit: at the Sync)
            rows = cur.fetchall()
        return rows

    def _acknowledge(self, ids: list[str]) -> None:
        # not fsynced on purpose: a lost acknowledgement only means one harmless resend
        flags = os.O_WRONLY | os.O_CREAT | os.O_APPEND
        try:  # the folder is made when missing, not looked for on every key
            fd = os.open(self.sent_path, flags, 0o644)
        except FileNotFoundError:
            self.sent_path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.sent_path, flags, 0o644)
        try:
            os.write(fd, "".join(i + "\n" for i in ids).encode())
        finally:
            os.close(fd)

    # the connection ---------------------------------------------------------
    def _connection(self) -> Any:
        if self.conn is None or self.conn.closed or self.conn.broken:
            self.conn = None
            self.conn = self.connect()
        return self.conn

    def connection(self) -> Any | None:
        """The open connection, reconnecting when due; None while the server is away."""
        if self.online is False and time.monotonic() < self._next_try:
            return None
        import psycopg

        try:
            return self._connection()
        except (psycopg.OperationalError, ReviewkitError) as exc:
            self.offline(exc)
            return None

    def offline(self, exc: Exception) -> None:
        self.online, self.error = False, _first_line(exc)
        self._next_try = time.monotonic() + self.retry_seconds
        if self.conn is not None:
            try:
                self.conn.close()
            except Exception:  # noqa: BLE001 - a broken socket may fail to close; it is gone
                pass
            self.conn = None

    def close(self) -> None:
        self.writer.close()
        if self.conn is not None:
            self.conn.close()
            self.conn = None


def connector(url: str, timeout: int = 3) -> Connect:
    """A Connect for ``url`` (password from the environment or ~/.pgpass, as psycopg does)."""

    def connect() -> Any:
        import psycopg

        return psycopg.connect(url, autocommit=True, connect_timeout=timeout)

    return connect


def project_connector(project: Any) -> Connect:
    """A Connect for the project's team server ([team] database or REVIEWKIT_DATABASE_URL),
    its schema checked: a wrong URL, a refused password or a schema of another version
    is a ReviewkitError, which the outbox reports as its status and retries later."""

    def connect() -> Any:
        from reviewkit.team.connect import team_connection

        return team_connection(project)

    return connect


def _columns(batch: list[dict]) -> list[list]:
    return [[row[c] for row in batch] for c in COLUMNS]


def _first_line(exc: Exception) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__
