"""What the screener calls in team mode (the TUI wires these in; no logic lives there).

- ``TeamScreening.next_record()``: the record leased for this reviewer (allocation on the
  server), or None: nothing left for them, or the server is away (the screener then goes
  on in its own order, as without a server; ``status_line()`` says which).
- ``TeamScreening.record_decision(event)``: saved to the local log (fsynced) first, then
  sent; a failed send waits in the outbox and goes with the next one.
- ``attach(session, team)``: every write of a ScreenSession (decide, undo, note, bulk) is
  saved to the local log (fsynced) and sent with the ask for the next lease, in one round
  trip; ``lease_into(session)`` (on opening, and after each key that moves on) shows that
  leased record next.
- ``retry()``: for a timer (every second or two): sends what waits (a note, or everything
  once the server is back).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from reviewkit.project.config import Project
from reviewkit.team.allocate import Lease, open_records
from reviewkit.team.outbox import Connect, Outbox, OutboxStatus, connector, project_connector


class TeamScreening:
    def __init__(self, project: Project, reviewer: str, stage: str,
                 connect: Connect | str | None = None, retry_seconds: float = 2.0) -> None:
        """``connect``: a URL, a Connect, or None for the project's own server."""
        self.project, self.reviewer, self.stage = project, reviewer, stage
        if connect is None:
            connect = project_connector(project)
        elif isinstance(connect, str):
            connect = connector(connect)
        self.outbox = Outbox(project.root, stage, reviewer, connect, retry_seconds)
        self.lease: Lease | None = None
        self.lease_error = ""  # why the server gave no lease (a stage not allocated, rights)
        self.asked = False     # a write just asked for the next lease: lease_into takes it

    def next_record(self) -> str | None:
        """Send what waits and lease the next record in one statement (one round trip, one
        commit); None when nothing is left for this reviewer, or the server cannot be
        reached (see ``status``). The sends go first, so the server never hands back a
        record this reviewer has already decided."""
        return self._lease(self.outbox.flush(lease=(self.stage, self.reviewer)))

    def decide_next(self, event: dict) -> str | None:
        """What a key does: the decision saved locally (fsynced) and sent with the lease of
        the next record; returns the next record (None: see next_record)."""
        return self._lease(self.outbox.record([event], lease=(self.stage, self.reviewer)))

    def _lease(self, sent: bool) -> str | None:
        self.lease, self.lease_error = None, ""
        row = self.outbox.leased
        if not sent or row is None:
            return None
        if row[3] is not None:
            self.lease_error = row[3]  # a stage not allocated, or no right to screen it
            return None
        self.lease = Lease(*row[:3])
        return self.lease.record

    def open_elsewhere(self) -> int | None:
        """Records still short of k (held by others when next_record gave nothing), or None
        offline: the screener shows "waiting for the others" and asks again later."""
        conn = self.outbox.connection()
        if conn is None:
            return None
        import psycopg

        try:
            return open_records(conn, self.stage)
        except psycopg.OperationalError as exc:
            self.outbox.offline(exc)
            return None

    def record_decision(self, event: dict) -> bool:
        """Saved locally when this returns; True when the server has it too."""
        return self.outbox.record([event])

    def retry(self) -> bool:
        return self.outbox.flush(force=True)

    @property
    def status(self) -> OutboxStatus:
        return self.outbox.status

    def status_line(self) -> str:
        return str(self.status)

    def close(self) -> None:
        self.outbox.close()


class TeamLogWriter:
    """Stands in for a ScreenSession's LogWriter: same append/close/path, through the outbox."""

    def __init__(self, team: TeamScreening) -> None:
        self.team = team

    @property
    def path(self) -> Path:
        return self.team.outbox.path

    @property
    def restored(self) -> int:  # lines written back after the log was replaced
        return self.team.outbox.writer.restored

    def append(self, events: list[dict]) -> None:
        # saved (fsynced) and sent with the ask for the next lease in one round trip, the
        # fsync running meanwhile; lease_into takes that lease without asking again
        team = self.team
        team._lease(team.outbox.record(events, lease=(team.stage, team.reviewer)))
        team.asked = True

    def close(self) -> None:
        self.team.close()


def attach(session: Any, team: TeamScreening) -> None:
    """Route a ScreenSession's writes through ``team``'s outbox (same log file)."""
    if session.writer.path != team.outbox.path:
        raise ValueError("the session and the team screening write different logs")
    session.writer.close()
    session.writer = TeamLogWriter(team)


def lease_into(session: Any) -> str | None:
    """Show the leased record next (as a jump does) in a session ``attach`` wired; the
    session's own order when there is no lease (nothing left, or offline: the reviewer
    screens on locally). Call it when the screener opens and after each decision."""
    team = session.writer.team
    unit = team.lease.record if team.asked and team.lease else None
    if not team.asked:
        unit = team.next_record()
    team.asked = False
    if unit is not None and unit in session.eligible and session.mine(unit) is None:
        session.visiting = unit
        return unit
    return None


def team_for(session: Any) -> TeamScreening | None:
    """The screener's team link when the project is in team mode (REVIEWKIT_DATABASE_URL or
    [team] database), its writes attached; None otherwise. A bad URL is the usual one-line
    error; an unreachable server is not: the reviewer screens on locally."""
    from reviewkit.errors import ReviewkitError
    from reviewkit.team.config import database_url

    try:
        database_url(session.project)
    except ReviewkitError as exc:
        if exc.message.startswith("team mode is off"):
            return None
        raise
    team = TeamScreening(session.project, session.reviewer, session.stage)
    attach(session, team)
    return team
