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
