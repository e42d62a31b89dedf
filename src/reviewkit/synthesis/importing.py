"""`reviewkit synthesis import FILE`: what the file is decides which importer reads it."""

from __future__ import annotations

from pathlib import Path
from typing import Protocol

from reviewkit.errors import ReviewkitError
from reviewkit.project.config import Project
from reviewkit.screening.reviewers import resolve_reviewer

REFI = (".qdpx", ".qde", ".qdc")


class Report(Protocol):
    warnings: list[str]

    def summary(self) -> str: ...


def import_file(project: Project, file: Path, coder: str | None, method: str = "thematic"
                ) -> Report:
    """A REFI-QDA file, a Taguette highlights CSV or a codebook CSV (told by its header).
    ``coder`` (None: the default reviewer) is asked for only by imports that log codings."""
    suffix = Path(file).suffix.lower()
    if suffix in REFI:
        from reviewkit.synthesis.refi.load import import_refi

        return import_refi(project, file, resolve_reviewer(project, coder, "coding"))
    if suffix == ".csv":
        from reviewkit.synthesis.csvbook import import_codebook_csv, read_csv

        kind, rows = read_csv(file)
        if kind == "highlights":
            from reviewkit.synthesis.taguette import import_highlights

            return import_highlights(project, file, resolve_reviewer(project, coder, "coding"),
                                     method, rows)
        return import_codebook_csv(project, file, method, rows)
    raise ReviewkitError(f"cannot import a {suffix or 'suffix-less'} file; expected "
                         f"{', '.join(REFI)} or .csv", file=str(file))
