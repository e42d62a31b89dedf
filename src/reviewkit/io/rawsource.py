"""The raw tag/value pairs of stored records, read again from the kept export files.

The store keeps normalised fields only; the export file in the project is
the record of what the database delivered.
"""

from __future__ import annotations

from reviewkit.errors import ReviewkitError
from reviewkit.io import ParsedFile, read_file
from reviewkit.project.config import Project
from reviewkit.searches.log import load_searches
from reviewkit.store.base import StoredRecord


class RawSource:
    """Re-parses each export file at most once, the way the store read it."""

    def __init__(self, project: Project) -> None:
        self.project = project
        self._how = {f: (s.format or None, s.columns or None)
                     for s in load_searches(project) for f in s.files}
        self._files: dict[str, ParsedFile] = {}

    def pairs(self, sr: StoredRecord) -> list[tuple[str, str]]:
        pf = self._files.get(sr.file)
        if pf is None:
            fmt, columns = self._how.get(sr.file, (None, None))
            pf = read_file(self.project.root / sr.file, fmt, columns)
            self._files = {sr.file: pf}  # records come grouped by file: keep one
        index = sr.record.position - 1
        if not 0 <= index < len(pf.records):
            raise ReviewkitError(f"record {sr.id} points at entry {index + 1}, which the file "
                                 "no longer has; run any command to refresh the store",
                                 file=sr.file)
        return pf.records[index].raw
