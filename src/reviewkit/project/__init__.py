"""The project folder: config, paths, scaffolding, locking."""

from reviewkit.project.config import Project, find_project, init_project

__all__ = ["Project", "find_project", "init_project"]
