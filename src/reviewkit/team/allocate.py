"""Allocation in team mode: each record of a stage to k reviewers, balanced workloads, the
calibration sample to everyone first, and "next record" leased on the server.

The work happens in SQL functions (sql/0010_allocation.sql): one lease is one statement,
one transaction, `FOR UPDATE SKIP LOCKED`, so twenty screeners asking at once never give a
record to more than k of them and never wait on each other's rows. psycopg is imported by
the caller's connection only; this module needs none of it at import time.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from reviewkit.errors import ReviewkitError
from reviewkit.project.config import Project

LEASE_MINUTES = 15  # long enough to read an abstract; a closed screener frees it after this


@dataclass(frozen=True)
class Lease:
    record: str
    calibration: bool
    expires_at: datetime


def team_settings(project: Project) -> dict:
    """The [team] table of reviewkit.toml ({} when absent)."""
    value = (project.config.model_extra or {}).get("team") or {}
    return value if isinstance(value, dict) else {}


MAX_LEASE_MINUTES = 30 * 24 * 60  # a month: a lease longer than that is a record lost


def lease_seconds(project: Project) -> int:
    from reviewkit.project import tomlfile

    minutes = team_settings(project).get("lease_minutes", LEASE_MINUTES)
    if isinstance(minutes, bool) or not isinstance(minutes, (int, float)) or not (
            1 <= minutes <= MAX_LEASE_MINUTES):
        path = project.root / "reviewkit.toml"
        text = path.read_text("utf-8") if path.is_file() else ""
        raise ReviewkitError(f"lease_minutes must be a number of minutes from 1 to "
                             f"{MAX_LEASE_MINUTES:,} (30 days), not {minutes!r}",
                             file=str(path), line=tomlfile.line_of(text, "lease_minutes"),
                             field="team.lease_minutes")
    return round(minutes * 60)


def balanced_quota(records: int, calibration: int, k: int, reviewers: int) -> int | None:
    """Records per reviewer outside calibration so that the work is shared evenly:
    ceil(records x k / reviewers). None (no cap) without reviewers to share it."""
    if reviewers < 1:
        return None
    return max(1, math.ceil((records - calibration) * min(k, reviewers) / reviewers))


def allocate(conn: Any, stage: str, records: Sequence[str], k: int,
             calibration: Iterable[str] = (), reviewers: int = 0,
             lease: int = LEASE_MINUTES * 60) -> int:
    """Put ``records`` in the stage's pool (records already there stay as they are); returns
    how many were added. ``reviewers``: how many share the work (0: no quota)."""
    if k < 1:
        raise ReviewkitError("each record needs at least one reviewer", field="k")
    sample = [r for r in dict.fromkeys(calibration)]
    unknown = set(sample) - set(records)
    if unknown:
        raise ReviewkitError(f"calibration records not in the stage: {', '.join(sorted(unknown))}",
                             field="calibration")
    import psycopg

    try:
        return _fill(conn, stage, records, sample, k, reviewers, lease)
    except psycopg.errors.InsufficientPrivilege:
        raise ReviewkitError("only the lead (or the database owner) allocates a stage",
                             field="stage") from None


def _fill(conn: Any, stage: str, records: Sequence[str], sample: list[str], k: int,
          reviewers: int, lease: int) -> int:
    with conn.transaction():
        conn.execute(
            "INSERT INTO allocation (stage, k, quota, lease_seconds) VALUES (%s, %s, NULL, %s) "
            "ON CONFLICT (stage) DO UPDATE SET k = excluded.k, "
            "lease_seconds = excluded.lease_seconds", (stage, k, lease))
        cur = conn.execute(
            "INSERT INTO pool (stage, record, calibration) "
            "SELECT %s, r, r = ANY(%s::text[]) FROM unnest(%s::text[]) AS r "
            "ON CONFLICT DO NOTHING", (stage, sample, list(dict.fromkeys(records))))
        # the share from the pool as it now is: records already in it keep their place, so
        # a sample drawn after the first allocation is not calibration there
        total, calibration = conn.execute(
            "SELECT count(*), count(*) FILTER (WHERE calibration) FROM pool "
            "WHERE stage = %s", (stage,)).fetchone()
        conn.execute("UPDATE allocation SET quota = %s WHERE stage = %s",
                     (balanced_quota(total, calibration, k, reviewers), stage))
        count_decided(conn, stage)
        return cur.rowcount


def count_decided(conn: Any, stage: str) -> int:
    """Count the decisions pushed before their records were allocated (0012); how many."""
    return conn.execute("SELECT reviewkit_count_decided(%s)", (stage,)).fetchone()[0]


def set_ranks(conn: Any, stage: str, order: Sequence[str]) -> int:
    """Leases follow ``order`` (best first); records not in it come after, by id."""
    with conn.transaction():
        conn.execute("UPDATE pool SET rank = NULL WHERE stage = %s AND rank IS NOT NULL",
                     (stage,))
        cur = conn.execute(
            "UPDATE pool p SET rank = o.n FROM unnest(%s::text[]) WITH ORDINALITY AS o(r, n) "
            "WHERE p.stage = %s AND p.record = o.r", (list(order), stage))
        return cur.rowcount


def next_record(conn: Any, reviewer: str, stage: str) -> Lease | None:
    """Lease the record ``reviewer`` screens next at ``stage``, or None when nothing is left
    for them (every record has its k reviewers, or their share is done)."""
    import psycopg

    try:
        row = conn.execute("SELECT record, calibration, expires_at "
                           "FROM reviewkit_next_record(%s, %s)", (stage, reviewer)).fetchone()
    except (psycopg.errors.NoDataFound, psycopg.errors.InsufficientPrivilege) as exc:
        raise ReviewkitError(_server_message(exc), field="stage") from None
    return Lease(*row) if row else None


def allocation_summary(conn: Any, stage: str) -> dict:
    """What ``team allocate`` prints: k, the share, the lease, and the pool's counts."""
    row = conn.execute(
        "SELECT a.k, a.quota, a.lease_seconds, count(p.record), "
        "count(p.record) FILTER (WHERE p.calibration), count(p.rank), "
        "count(p.record) FILTER (WHERE p.open) "
        "FROM allocation a LEFT JOIN pool p USING (stage) WHERE a.stage = %s "
        "GROUP BY a.k, a.quota, a.lease_seconds", (stage,)).fetchone()
    if row is None:
        raise ReviewkitError(f"stage {stage} has not been allocated", field="stage")
    keys = ("k", "share", "lease_seconds", "records", "calibration", "ranked", "open")
    return dict(zip(keys, row, strict=True))


def open_records(conn: Any, stage: str) -> int:
    """Records of the stage still short of k decisions. When next_record gives a reviewer
    nothing while some are open, others hold them: the screener says "waiting for the
    others" and asks again later (a lease that runs out, or the end game, may free one)."""
    return conn.execute("SELECT count(*) FROM pool WHERE stage = %s AND open",
                        (stage,)).fetchone()[0]


def workloads(conn: Any, stage: str) -> dict[str, dict[str, int]]:
    """reviewer -> {"decided", "leased"} outside calibration (the lead's view)."""
    rows = conn.execute(
        "SELECT reviewer, count(*) FILTER (WHERE decided_at IS NOT NULL), "
        "count(*) FILTER (WHERE decided_at IS NULL) FROM assignments "
        "WHERE stage = %s AND NOT calibration GROUP BY reviewer ORDER BY reviewer",
        (stage,)).fetchall()
    return {r: {"decided": d, "leased": n} for r, d, n in rows}


def allocate_project(conn: Any, project: Project, store: Any, stage: str,
                     reviewers: int | None = None) -> int:
    """Allocate a project's stage: its eligible records, k from ``[screening]
    reviewers_per_record``, the drawn calibration sample, leases of ``[team] lease_minutes``;
    the work shared by ``reviewers`` (default: the project's reviewers)."""
    from reviewkit.screening.calibration import calibration_sample
    from reviewkit.screening.data import Screening

    screening = Screening(project, store)
    screening.conf.check_stage(stage)
    units = screening.eligible(stage)
    k = screening.conf.reviewers_per_record
    if reviewers is not None and not 0 <= reviewers <= max(1, len(units) * k):
        raise ReviewkitError(f"--reviewers is {reviewers}: give how many share the work, "
                             f"from 1 to {max(1, len(units) * k):,} (0: no share cap)",
                             field="--reviewers")
    count = len(project.config.reviewers) if reviewers is None else reviewers
    if count and k > count:
        raise ReviewkitError(f"[screening] reviewers_per_record is {k} but {count} "
                             "reviewer(s) share the work: no record could get its "
                             f"{k} decisions (lower it, or pass --reviewers)",
                             field="screening.reviewers_per_record")
    return allocate(conn, stage, units, k, calibration_sample(screening, stage), count,
                    lease_seconds(project))


def rank_project(conn: Any, project: Project, store: Any, stage: str) -> int:
    """Fill the pool's rank from the shared ranker, trained on settled outcomes only (agreed
    or resolved), so the order leaks no single reviewer's blind decision."""
    from reviewkit.screening.data import Screening
    from reviewkit.screening.ranked import ranked_order

    units = Screening(project, store).eligible(stage)
    return set_ranks(conn, stage, ranked_order(project, store, stage, units))


def _server_message(exc: Exception) -> str:
    text = str(getattr(exc, "diag", None) and exc.diag.message_primary or exc)
    return text.removeprefix("reviewkit: ")
