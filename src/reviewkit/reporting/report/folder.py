"""The report's folder must be its own: never the project root or one of its data folders.

The report replaces its files whole and removes its own earlier pictures (prisma.*, the
plots), so written into screening/, casp/ or the root it would replace or delete files
of the same names there, and leave outputs where the next command looks for inputs.
"""

from __future__ import annotations

from pathlib import Path

from reviewkit.errors import ReviewkitError
from reviewkit.project.config import CONFIG, Project
from reviewkit.project.owned import FOLDERS, WHOLE
from reviewkit.screening.config import screening_config


def project_folder(folder: Path, project: Project) -> str | None:
    """``folder`` as a project folder ('screening/', 'synthesis/coding/', '.' for the
    root) when it is the root or lies in one of its data folders, else None. The root is
    the one holding ``folder`` (team report builds from a copy of the project and writes
    into the real one); the full-text folder is the one ``project`` names."""
    folder = folder.absolute().resolve()  # '..' and links: the folder the OS would write
    root = next((f for f in (folder, *folder.parents) if (f / CONFIG).is_file()), None)
    if root is None:
        return None
    if folder == root:
        return "."
    tops = {Path(name).parts[0] for name in (*WHOLE, *FOLDERS)}
    tops.add(Path(screening_config(project).fulltext_dir).parts[0])
    rel = folder.relative_to(root).parts
    return f"{'/'.join(rel)}/" if rel[0] in tops else None


def refuse_project_folder(folder: Path, project: Project, option: str = "-o") -> None:
    """One line, before anything is built, when ``folder`` is the project's own."""
    taken = project_folder(folder, project)
    if taken is None:
        return
    what = "the project folder itself" if taken == "." \
        else f"one of the project's own folders ({taken})"
    raise ReviewkitError(f"is {what}: the report would replace files there; give {option} "
                         "a folder of its own, such as report/", file=str(folder))
