"""Every number of a PRISMA 2020 flow diagram; None means unknown (drawn as "not reported")."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field, fields
from typing import Any

# Other-method routes, in the template's order; the last collects hand searching, contacts…
OTHER_GROUPS = ("websites", "organisations", "citations", "other_methods")


@dataclass
class Count:
    """A named number: one database, one register, one exclusion reason."""

    name: str
    n: int | None = None


@dataclass
class Sources:
    """Records identified by one route, with the per-source breakdown when known."""

    total: int | None = None
    sources: list[Count] = field(default_factory=list)

    @property
    def value(self) -> int | None:
        """The stated total, else the sum of the sources when every one is known."""
        if self.total is not None:
            return self.total
        return _sum(self.sources)

    @property
    def active(self) -> bool:
        """Used in this review: some records, or at least one named source."""
        return bool(self.sources) or bool(self.value)


@dataclass
class Reports:
    """One column's reports: sought, not retrieved, assessed, excluded with reasons.

    ``excluded`` empty means unknown; a single entry with an empty name is a total
    without reasons (``[Count("", 0)]`` says none were excluded).
    """

    sought: int | None = None
    not_retrieved: int | None = None
    assessed: int | None = None
    excluded: list[Count] = field(default_factory=list)

    @property
    def excluded_total(self) -> int | None:
        return _sum(self.excluded)


@dataclass
class PrismaCounts:
    """The PRISMA 2020 flow: records → reports → studies, for both identification columns.

    Leave a number None only when it is unknown: a route not used is ``Sources(0)``, and a
    review with no other methods says so with websites, organisations and citations at 0.
    """

    # identification via databases and registers
    databases: Sources = field(default_factory=Sources)
    registers: Sources = field(default_factory=Sources)
    # identification via other methods
    websites: Sources = field(default_factory=Sources)
    organisations: Sources = field(default_factory=Sources)
    citations: Sources = field(default_factory=Sources)
    other_methods: Sources = field(default_factory=Sources)
    # records removed before screening
    duplicates: int | None = None
    automation_excluded: int | None = None  # incl. records a stopping rule left unscreened
    removed_other: int | None = None
    # screening (title/abstract)
    screened: int | None = None
    records_excluded: int | None = None
    records_excluded_reasons: list[Count] = field(default_factory=list)
    # reports, per column
    dbr: Reports = field(default_factory=Reports)
    other: Reports = field(default_factory=Reports)
    # included (the new studies of an updated review)
    included_studies: int | None = None
    included_reports: int | None = None
    # updated reviews
    previous_studies: int | None = None
    previous_reports: int | None = None
    total_studies: int | None = None
    total_reports: int | None = None
    # meta-analysis (the package's v1.1.4 rows); None: the review has none
    ma_studies: int | None = None
    ma_reports: int | None = None
    # Other-method routes whose records were de-duplicated and screened together with the
    # database records (the PRISMA 2009 flow many reviews used), e.g. ("websites",).
    merged_other: tuple[str, ...] = ()
    # Set while screening is unfinished ("Screening in progress: 27 of 251 records…"):
    # drawn above the diagram, so an interim diagram cannot pass for the final one.
    in_progress: str = ""
    # The rows of the counts file these were read from, kept so that writing them back
    # loses nothing (texts, tooltips, rows reviewkit has no use for); not a count.
    source: Any = field(default=None, compare=False, repr=False)  # csvio.SourceFile
    schema: str = field(default="", compare=False)  # "1.1.4", "1.1.3" or "0.0.3" when read

    def __post_init__(self) -> None:
        self.merged_other = tuple(self.merged_other)
        unknown = set(self.merged_other) - set(OTHER_GROUPS)
        if unknown:
            raise ValueError(f"merged_other: unknown route(s) {sorted(unknown)}; "
                             f"expected some of {OTHER_GROUPS}")

    @property
    def is_update(self) -> bool:
        """An updated review: a previous version included something."""
        return any(v for v in (self.previous_studies, self.previous_reports))

    @property
    def has_meta_analysis(self) -> bool:
        """The review has a meta-analysis (the package's v1.1.4 box; 0 means none)."""
        return bool(self.ma_studies or self.ma_reports)

    def group(self, name: str) -> Sources:
        return getattr(self, name)

    @property
    def other_column(self) -> bool:
        """Draw the "via other methods" column: some other-method data is present."""
        return any(self.group(g).active for g in OTHER_GROUPS) or _positive(self.other)

    @property
    def other_flow(self) -> bool:
        """Some other-method records (or an unknown number) follow their own column to
        retrieval and eligibility. The template allows one path: when some routes were
        screened with the database records (``merged_other``), none has its own column."""
        if not self.other_column:
            return False
        if self.merged_other:
            return False  # screened with the database records: one path, not two
        for g in OTHER_GROUPS:
            s = self.group(g)
            # an unknown count is drawn (as "not reported") for the template's three routes
            if s.active or (s.value is None and g != "other_methods"):
                return True
        return _positive(self.other)

    def numbers(self) -> Iterator[tuple[str, int | None]]:
        """Every number with its path (``dbr.sought``, ``databases.sources[2]``…)."""
        for f in fields(self):
            value = getattr(self, f.name)
            if f.name in ("merged_other", "in_progress", "source", "schema"):
                continue
            if isinstance(value, Sources):
                yield f"{f.name}.total", value.total
                for i, c in enumerate(value.sources):
                    yield f"{f.name}.sources[{i}]", c.n
            elif isinstance(value, Reports):
                for k in ("sought", "not_retrieved", "assessed"):
                    yield f"{f.name}.{k}", getattr(value, k)
                for i, c in enumerate(value.excluded):
                    yield f"{f.name}.excluded[{i}]", c.n
            elif isinstance(value, list):
                for i, c in enumerate(value):
                    yield f"{f.name}[{i}]", c.n
            else:
                yield f.name, value


def _sum(items: list[Count]) -> int | None:
    if not items or any(c.n is None for c in items):
        return None
    return sum(c.n for c in items)  # type: ignore[misc]


def _positive(r: Reports) -> bool:
    return any(v for v in (r.sought, r.not_retrieved, r.assessed)) or any(
        c.n for c in r.excluded)
