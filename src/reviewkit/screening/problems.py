"""Every screening log line that readers skip, for `status`, `report` and `prisma` to show."""

from __future__ import annotations

from reviewkit.project.config import Project
from reviewkit.screening.config import ScreeningConfig, screening_config
from reviewkit.screening.log import Problem, read_log, screening_dir


def screening_problems(project: Project, conf: ScreeningConfig | None = None) -> list[Problem]:
    """Bad lines of every stage's logs (file:line: what is wrong), and logs no stage reads.

    Reads the logs the same way Screening does, without needing the store.
    """
    conf = conf or screening_config(project)
    out: list[Problem] = []
    for stage in conf.stages:
        folder = screening_dir(project) / stage
        for path in sorted(folder.glob("*.jsonl")) if folder.is_dir() else []:
            out += read_log(path, stage, conf.reasons)[1]
    return out + unread_logs(project, conf)


def unread_logs(project: Project, conf: ScreeningConfig) -> list[Problem]:
    """Logs in a folder that is not one of the configured stages: no reader counts them."""
    root = screening_dir(project)
    if not root.is_dir():
        return []
    return [Problem(str(folder), None, f"logs of a stage not in [screening] stages "
                    f"({', '.join(conf.stages)}); not read")
            for folder in sorted(p for p in root.iterdir() if p.is_dir())
            if folder.name not in conf.stages and any(folder.glob("*.jsonl"))]
