"""A reviewer screening in team mode, in its own process, until killed or out of records.

`python team_kill_worker.py ROOT URL STAGE REVIEWER` prints "saved ID RECORD" right after
each decision has returned from decide_next (what the screener shows as saved), and
"done" when nothing is left; first "start N": N events the last sitting left unsent."""

from __future__ import annotations

import sys
from pathlib import Path

from reviewkit.project.config import Config, Project
from reviewkit.screening.events import decision_event
from reviewkit.team.screener_hooks import TeamScreening


def main(root: str, url: str, stage: str, reviewer: str) -> None:
    project = Project(Path(root), Config(review={"title": "kill test"}))
    team = TeamScreening(project, reviewer, stage, url)
    print("start", len(team.outbox.pending), flush=True)  # left unsent by the last kill
    n, unit = 0, team.next_record()
    while unit is not None:
        event = decision_event(stage, reviewer, unit, ("include", "exclude")[n % 2],
                               note="x" * (n % 7) * 300)  # some lines are long: slow writes
        unit = team.decide_next(event)  # saved (fsynced) and sent, as a key in the screener
        print("saved", event["id"], event["record"], flush=True)
        n += 1
    print("done", team.status_line(), flush=True)


if __name__ == "__main__":
    main(*sys.argv[1:5])
