"""Files the project itself reads: no command's -o may write over them.

Outputs (tables, diagrams, exports) go wherever a person asks, even inside the
project, and re-running a command rewrites its own output; what is refused is a
name that already holds one of the team's inputs: the config, the studies, the
search log and its exports, decisions, judgements, appraisals, codes, sources,
full texts and the derived store.
"""

from __future__ import annotations

from pathlib import Path

from reviewkit.errors import ReviewkitError
from reviewkit.project.config import CONFIG
from reviewkit.records.studies import STUDIES_FILE

TOP_FILES = {CONFIG, STUDIES_FILE}
# folders whose every file is an input, whatever its name
WHOLE = ("searches/exports", "fulltext", "synthesis/sources", "casp", "templates", ".reviewkit")
# folders whose data files are inputs (a report or table a team saved there is not)
FOLDERS = ("searches", "screening", "dedup", "extraction", "synthesis")
DATA = {".toml", ".yaml", ".yml", ".jsonl", ".tsv", ".json", ".qdc", ".qdpx"}


def project_of(path: Path) -> Path | None:
    """The nearest folder at or above ``path``'s folder holding reviewkit.toml."""
    for folder in (path.parent, *path.parent.parents):
        if (folder / CONFIG).is_file():
            return folder
    return None


def owned(path: Path) -> str | None:
    """The project-relative name of ``path`` if it is a project input, else None: an
    existing input, or any name in a folder whose every file is one (or a top file such as
    studies.toml): written there, an output would be read as an input by the next command."""
    path = path.absolute()
    if path.exists() and not path.is_file():
        return None
    root = project_of(path)
    if root is None:
        return None
    rel = path.relative_to(root).as_posix()
    if rel in TOP_FILES or any(rel.startswith(f"{w}/") for w in WHOLE):
        return rel
    if path.is_file() and any(rel.startswith(f"{f}/") for f in FOLDERS) \
            and path.suffix.lower() in DATA:
        return rel
    return None


def refuse_owned(path: Path, option: str = "-o") -> None:
    """One line, before anything is written, when ``option`` names a project input."""
    rel = owned(Path(path))
    if rel is None:
        return
    if Path(path).is_file():
        raise ReviewkitError(f"is one of the project's own files ({rel}); {option} would "
                             "write over it: choose a new file name", file=str(path))
    raise ReviewkitError(f"is where the project keeps its own files ({rel}); {option} would "
                         "add one that the next command reads as input: choose a place "
                         "outside it", file=str(path))


def present(path: Path, shown: str | None = None) -> bool:
    """Whether a project file exists; a folder (or other non-file) in its place is an
    error to fix, never read as "not there yet" (which would hide the team's work)."""
    if not path.exists():
        return False
    if not path.is_file():
        raise ReviewkitError("is a folder, not a file: move it aside or remove it",
                             file=shown or str(path))
    return True
