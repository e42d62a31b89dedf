"""team status: progress per reviewer and stage and conflicts waiting, from the server,
without any decision (the server's reviewkit_progress() counts behind the blinding)."""

from __future__ import annotations

from typing import Any


def team_status(con: Any) -> dict:
    """{"me", "role", "schema", "members", "progress"}: plain data for the CLI to print."""
    from reviewkit.team.members import list_members, whoami
    from reviewkit.team.migrate import applied

    me, role = whoami(con)
    progress = [{"stage": s, "reviewer": r, "decided": d,
                 "conflicts": "" if c is None else c, "waiting": "" if w is None else w}
                for s, r, d, c, w in con.execute("SELECT * FROM reviewkit_progress()")]
    unblinded = [s for (s,) in con.execute("SELECT stage FROM unblinded ORDER BY stage")]
    return {"me": me, "role": role, "schema": max(applied(con) or {0}),
            "members": list_members(con), "progress": progress, "unblinded": unblinded}


def team_stopping(project: Any, store: Any, con: Any) -> list[dict]:
    """The stopping test (screening/ranked.py `stopping`) per reviewer at the first stage,
    from the decisions the server shows this connection: the lead gets everyone's, anyone
    else their own."""
    from reviewkit.screening.ranked import stopping
    from reviewkit.team.members import whoami
    from reviewkit.team.view import server_screening

    me, role = whoami(con)
    with server_screening(project, store, con) as screening:
        stage = screening.conf.stages[0]
        # an arbiter sees only the conflicting part of others' logs: a test on that would
        # mislead, so theirs is their own, like a reviewer's
        names = sorted(screening.state(stage).logs) if role == "lead" else [me]
        rows = [stopping(screening, stage, name) for name in names]
    return [row for row in rows if row["screened"]]
