"""Lines of the people's logs that every reader skipped, for status, report and prisma."""

from __future__ import annotations

from pathlib import Path

from reviewkit.dedup.judgements import judgement_problems
from reviewkit.project.config import Project
from reviewkit.screening import screening_problems


def log_problems(project: Project) -> list[str]:
    """`file:line: what is wrong` for every skipped line of the screening and dedup logs."""
    return named(project, screening_problems(project) + judgement_problems(project))


def named(project: Project, problems: list) -> list[str]:
    """Problems as `file:line: message`, the file relative to the project."""
    out = []
    for p in problems:
        path = Path(p.file)
        rel = project.relative(path) if path.is_absolute() else p.file
        out.append(f"{rel}:{p.line}: {p.message}" if p.line else f"{rel}: {p.message}")
    return out
