"""team push: the folder's logs and documents to the server, idempotent by event id."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any

from reviewkit.errors import ReviewkitError
from reviewkit.project.config import Project
from reviewkit.team.folder import Row, Skipped, document_files, inside, log_files, rows_of


@dataclass
class PushResult:
    sent: int = 0          # lines sent (yours; all of them for the lead)
    added: int = 0         # of those, new on the server
    documents: int = 0     # document versions added
    not_yours: int = 0     # lines of other people's logs, left for them to push
    skipped: list[Skipped] = field(default_factory=list)


def push(project: Project, con: Any) -> PushResult:
    """Upload every log line and changed document this login may write, in one transaction:
    the server takes all of it or (a refused row) none of it."""
    import psycopg

    from reviewkit.team.connect import server_error
    from reviewkit.team.members import whoami

    me, role = whoami(con)
    if role == "viewer":
        raise ReviewkitError("a viewer cannot write to the server")
    out = PushResult()
    ids: set[str] = set()
    rows: list[Row] = []
    for rel in log_files(project):
        found, skipped = rows_of(rel, inside(project, rel).read_bytes())
        out.skipped += skipped
        for row in found:
            if role != "lead" and row.reviewer != me:
                out.not_yours += 1
            elif row.kind == "resolution" and role == "reviewer":
                # the server refuses it too; saying where is kinder than its policy message
                raise ReviewkitError("a resolution is sent by an arbiter or the lead, not by "
                                     f"a reviewer ({me})", file=str(inside(project, rel)),
                                     line=row.number)
            elif row.event_id in ids:
                out.skipped.append(Skipped(rel, row.number, f"event id {row.event_id} came "
                                           "before: sent once (a pull will not repeat it)"))
            else:
                ids.add(row.event_id)
                rows.append(row)
    docs = _documents(project, me, role)
    out.sent = len(rows)
    try:
        with con.transaction():
            out.added = _send(con, rows)
            out.skipped += _edited(con, rows)
            out.documents = _send_documents(con, docs)
    except psycopg.DatabaseError as exc:
        raise server_error(exc) from None
    return out


def _send(con: Any, rows: list[Row]) -> int:
    """COPY into a temporary table, then one INSERT in file order (seq follows it)."""
    con.execute("CREATE TEMP TABLE incoming (ord integer, event_id text, log text, kind text, "
                "stage text, record text, reviewer text, line text) ON COMMIT DROP")
    with con.cursor().copy("COPY incoming FROM STDIN") as copy:
        for i, r in enumerate(rows):
            copy.write_row((i, r.event_id, r.log, r.kind, r.stage, r.record, r.reviewer,
                            r.line))
    cur = con.execute(
        "INSERT INTO events (event_id, log, kind, stage, record, reviewer, line) "
        "SELECT event_id, log, kind, stage, record, reviewer, line FROM incoming "
        "ORDER BY ord ON CONFLICT (event_id) DO NOTHING")
    return cur.rowcount


def _edited(con: Any, rows: list[Row]) -> list[Skipped]:
    """Lines whose event id the server holds with other text (edited by hand after they
    were sent): the server keeps its copy, append-only, so the folder and it now differ."""
    ords = [i for (i,) in con.execute(
        "SELECT i.ord FROM incoming i JOIN events e USING (event_id) "
        "WHERE e.line <> i.line ORDER BY i.ord")]
    return [Skipped(rows[i].log, rows[i].number, f"event {rows[i].event_id} differs from "
                    "the server's copy (edited after it was sent?); the server keeps its "
                    "own: undo or decide again instead of editing the line")
            for i in ords]


def _documents(project: Project, me: str, role: str) -> list[tuple[str, str, str, str]]:
    """(path, reviewer, content, sha256) of each document this login may write."""
    out = []
    for rel in document_files(project):
        name = rel.rsplit("/", 1)[1].removesuffix(".yaml")
        if role != "lead" and name != me and not (role == "arbiter" and name == "consensus"):
            continue
        data = inside(project, rel).read_bytes()
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            continue  # the extraction and appraisal readers report it
        out.append((rel, name, text, hashlib.sha256(data).hexdigest()))
    return out


def _send_documents(con: Any, docs: list[tuple[str, str, str, str]]) -> int:
    """A new version of each document whose newest version on the server differs."""
    newest = dict(con.execute("SELECT DISTINCT ON (path) path, sha256 FROM documents "
                              "ORDER BY path, seq DESC").fetchall())
    added = 0
    for path, reviewer, content, sha in docs:
        if newest.get(path) != sha:
            con.execute("INSERT INTO documents (path, reviewer, content, sha256) "
                        "VALUES (%s, %s, %s, %s)", (path, reviewer, content, sha))
            added += 1
    return added
