"""`reviewkit prisma` as one call: check the targets, get the counts, draw, write.

Everything that can fail is tried before anything is written: the extensions and
targets first, then the counts, then the picture (no Graphviz fails here), and only
then the files.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from reviewkit.errors import ReviewkitError
from reviewkit.project.problems import log_problems
from reviewkit.project.session import session
from reviewkit.reporting.prisma.csvio import read_counts_csv, write_counts_csv
from reviewkit.reporting.prisma.files import check_output_file, write_file
from reviewkit.reporting.prisma.invariants import check_invariants
from reviewkit.reporting.prisma.project import review_counts
from reviewkit.reporting.prisma.render import diagram_bytes, output_format
from reviewkit.reporting.prisma.schema import DEFAULT, check_schema


@dataclass
class PrismaRun:
    warnings: list[str] = field(default_factory=list)
    wrote: list[Path] = field(default_factory=list)


def run_prisma(where: Path | None, counts: Path | None, output: Path | None,
               export_counts: Path | None, schema: str = DEFAULT) -> PrismaRun:
    """Counts from ``counts`` (a PRISMA2020 CSV) or the project at ``where`` (with its
    ``[report] counts`` file over them, as in its report); the diagram to ``output`` and/or
    the counts to ``export_counts`` in the package's ``schema``."""
    check_schema(schema)
    if output is None and export_counts is None:
        raise ReviewkitError("nothing to do: give --output OUT.svg (or .png/.pdf/.dot) and/or "
                             "--export-counts FILE.csv")
    if output is not None:
        output_format(output)  # a wrong extension fails before anything is written
        check_output_file(output)
    if export_counts is not None:
        check_output_file(export_counts, "--export-counts")
    run = PrismaRun()
    if counts is not None:
        data = read_counts_csv(counts)
        broken = check_invariants(data)
    else:
        with session(where) as (project, store):
            data, broken = review_counts(project, store)  # naming the open records
            run.warnings += [f"skipped: {line}" for line in log_problems(project)]
    run.warnings += [f"counts do not add up: {b.detail}" for b in broken]
    if data.in_progress:
        run.warnings.append(data.in_progress)
    picture = diagram_bytes(data, output) if output is not None else None
    if export_counts is not None:
        run.warnings += write_counts_csv(data, export_counts, schema=schema)
        run.wrote.append(export_counts)
    if output is not None and picture is not None:
        write_file(output, picture)
        run.wrote.append(output)
    return run
