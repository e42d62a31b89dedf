"""The project folder: config, paths, scaffolding, locking."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from reviewkit.project.config import Project, find_project, init_project

__all__ = ["Project", "find_project", "init_project"]


def __getattr__(name: str) -> Any:
    # loaded on first use: reviewkit.project.statuscache answers `status` before the config
    # models (pydantic) are imported
    if name in __all__:
        from reviewkit.project import config

        return getattr(config, name)
    raise AttributeError(name)
