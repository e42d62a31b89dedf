"""The PRISMA2020 R package's CSV schemas: which rows each release has, and how reviewkit
puts a number in a cell so that the package's reader takes it as the diagram means it.

What the package's ``PRISMA_data()`` (v1.1.4) does with a cell, read from its code:
a count cell loses every non-digit and becomes a number, so ``NA`` or any word is ``NA``,
which its diagram reads as "leave this line out"; a list cell is split at ``;`` and each
entry at its first ``,``; a row that is missing takes the template's default with a warning,
except that v1.1.4 stops without the meta-analysis rows; v1.1.3 matches ``total_studies``
by a pattern that the meta-analysis rows also match, so it must not get them.
"""

from __future__ import annotations

from reviewkit.errors import ReviewkitError

SCHEMAS = ("1.1.4", "1.1.3", "0.0.3")  # newest first; "0.0.3" is the 2021 release
WRITABLE = ("1.1.4", "1.1.3")
DEFAULT = "1.1.4"
MA_ROWS = ("total_studies_ma", "total_reports_ma")  # v1.1.4 only
SPECIFIC_ROWS = ("database_specific_results", "register_specific_results")  # since 1.1.x


def detect_schema(keys: set[str]) -> str:
    """The release whose template has these rows (the newest rows present decide)."""
    if any(k in keys for k in MA_ROWS):
        return "1.1.4"
    if any(k in keys for k in SPECIFIC_ROWS):
        return "1.1.3"
    return "0.0.3"


def check_schema(schema: str) -> str:
    if schema not in WRITABLE:
        raise ReviewkitError(f"--schema {schema}: not a PRISMA2020 CSV schema reviewkit "
                             f"writes; give {' or '.join(WRITABLE)} (the package's releases)")
    return schema


def absent_rows(schema: str) -> tuple[str, ...]:
    """Count rows a schema must not have."""
    return MA_ROWS if schema == "1.1.3" else ()
