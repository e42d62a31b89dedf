"""Included studies, listed by hand in ``studies.toml`` until screening lands.

PRISMA counts records, reports and studies: a study names the record ids of
its reports, and studies from one programme of work can share a ``programme``.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import tomlkit
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from reviewkit.errors import ReviewkitError
from reviewkit.project import tomlfile
from reviewkit.project.config import Project

if TYPE_CHECKING:  # records is a base layer: screening is only passed in
    from reviewkit.screening import Screening
    from reviewkit.store.base import Store

STUDIES_FILE = "studies.toml"
STUDY_ID = re.compile(r"^[a-z0-9][a-z0-9_.-]*$")


class Study(BaseModel):
    """One included study (the unit that is appraised and extracted)."""

    model_config = ConfigDict(extra="forbid")
    id: str
    citation: str
    reports: list[str] = Field(default_factory=list)  # record ids of its reports
    programme: str = ""
    notes: str = ""

    @field_validator("id")
    @classmethod
    def _id(cls, value: str) -> str:
        if not STUDY_ID.match(value):
            raise ValueError("study ids use lower-case letters, digits, '-', '_' or '.'")
        return value


class StudyList(BaseModel):
    model_config = ConfigDict(extra="forbid")
    study: list[Study] = Field(default_factory=list)


def studies_path(project: Project) -> Path:
    return project.root / STUDIES_FILE


def load_studies(project: Project) -> list[Study]:
    """The included studies in file order; none when the file does not exist yet."""
    return _load(project)[0]


def _load(project: Project) -> tuple[list[Study], str]:
    path = studies_path(project)
    if not path.exists():
        return [], ""
    data, text = tomlfile.load(path)
    try:
        studies = StudyList.model_validate(data).study
    except ValidationError as exc:
        raise tomlfile.validation_error(exc, path, text) from None
    seen: set[str] = set()
    for s in studies:
        if s.id in seen:
            raise ReviewkitError(f"study id {s.id!r} is listed twice", file=str(path),
                                 line=_line_of_id(text, s.id), field="study.id")
        seen.add(s.id)
    return studies, text


def study_ids(project: Project) -> list[str]:
    return [s.id for s in load_studies(project)]


def require_study(project: Project, study: str, file: str | None = None,
                  line: int | None = None) -> None:
    """Raise unless ``study`` is listed in studies.toml."""
    known = study_ids(project)
    if study not in known:
        hint = ", ".join(known[:8]) or f"none yet: list included studies in {STUDIES_FILE}"
        raise ReviewkitError(f"study {study!r} is not in {STUDIES_FILE} (known: {hint})",
                             file=file, line=line)


def _line_of_id(text: str, study: str) -> int | None:
    # the second occurrence: the duplicate, not the original
    hits = list(re.finditer(rf"^[ \t]*id[ \t]*=[ \t]*[\"']{re.escape(study)}[\"']", text, re.M))
    return text.count("\n", 0, hits[min(1, len(hits) - 1)].start()) + 1 if hits else None


@dataclass(frozen=True)
class StudyProblem:
    """A study in studies.toml that links a report PRISMA cannot count."""

    file: str
    line: int | None
    study: str
    report: str
    problem: str  # "is not a record in the project", "was excluded at full-text"

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        whose = f"study {self.study!r}: " if self.study else ""  # '': a report in no study
        return f"{where}: {whose}report {self.report!r} {self.problem}"


def check_studies(project: Project, store: Store, screening: Screening,
                  strict: bool = False, unlinked: bool = False) -> list[StudyProblem]:
    """Reports named in studies.toml that are not records, or that screening excluded.

    ``strict``: also every report not (yet) included at the last stage, and one linked
    to two studies (the studies commands ask this; status and PRISMA only refuse
    exclusions). ``unlinked``: also each report included at the last stage that no
    study lists (study ''; ``studies check`` asks this). ``store`` is unused
    today (``screening`` holds the records); it is taken so callers need not change
    when the check reads more. Duplicate study ids raise, as in ``load_studies``.
    """
    studies, text = _load(project)
    path = str(studies_path(project))
    blocks = _blocks(text)
    out = []
    linked: dict[str, str] = {}  # report's unit -> the study that lists it first
    for i, study in enumerate(studies):
        start, end = blocks[i] if i < len(blocks) else (None, None)
        for report in study.reports:
            problem = _report_problem(screening, report, strict)
            if strict and not problem:  # 'studies link' refuses this; a hand edit may not
                first = linked.setdefault(screening.unit_of(report), study.id)
                if first != study.id:
                    problem = (f"is also a report of study {first!r} (a report is linked to "
                               "one study)")
            if problem:
                out.append(StudyProblem(path, _line_in(text, report, start, end), study.id,
                                        report, problem))
    if unlinked:
        out += _unlinked(screening, {screening.unit_of(r) for s in studies for r in s.reports},
                         path)
    return out


def _unlinked(screening: Screening, linked: set[str], path: str) -> list[StudyProblem]:
    """Reports included at the last stage that no study lists: PRISMA's studies box
    would leave them out."""
    last = screening.conf.stages[-1]
    state = screening.state(last)
    return [StudyProblem(path, None, "", unit, f"is included at {last} but linked to no "
                         "study (reviewkit studies add | link)")
            for unit in screening.eligible(last)
            if unit not in linked and state.outcome(unit) == "include"]


def refuse_study_problems(problems: list[StudyProblem]) -> None:
    """Raise on the first problem (one line, with how many more); PRISMA cannot count
    included studies around reports that do not exist or were excluded."""
    if not problems:
        return
    first = problems[0]
    more = f" (and {len(problems) - 1} more in {STUDIES_FILE})" if len(problems) > 1 else ""
    raise ReviewkitError(f"study {first.study!r}: report {first.report!r} {first.problem}"
                         f"{more}; fix {STUDIES_FILE} before counting included studies",
                         file=first.file, line=first.line, field="study.reports")


def _report_problem(screening: Screening, report: str, strict: bool = False) -> str:
    if not screening.knows(report):
        return "is not a record in the project (check the id with 'reviewkit export')"
    unit = screening.unit_of(report)
    for stage in screening.conf.stages:
        if unit in screening.eligible(stage) and screening.state(stage).outcome(unit) == "exclude":
            return f"was excluded at {stage}"
    last = screening.conf.stages[-1]
    if strict and unit not in screening.eligible(last):
        return f"has not reached {last} (not included at {screening.conf.stages[0]} yet)"
    if strict and screening.state(last).outcome(unit) != "include":
        return f"is not included at {last} (outcome: {screening.state(last).outcome(unit)})"
    return ""


def _blocks(text: str) -> list[tuple[int, int]]:
    """(first, last) line of each [[study]] table, in file order."""
    starts = [text.count("\n", 0, m.start()) + 1
              for m in re.finditer(r"^[ \t]*\[\[[ \t]*study[ \t]*\]\]", text, re.M)]
    total = text.count("\n") + 1
    ends = [*starts[1:], total + 1][:len(starts)]
    return [(a, b - 1) for a, b in zip(starts, ends, strict=True)]


def _line_in(text: str, needle: str, start: int | None, end: int | None) -> int | None:
    if start is None:
        return None
    lines = text.splitlines()
    for n in range(start, min(end or start, len(lines)) + 1):
        if needle in lines[n - 1]:
            return n
    return start


# editing studies.toml (comments and layout kept; the file is hand-edited too) ----------
HEADER = """\
# Included studies: the unit that is appraised and extracted. Each [[study]] names
# the record ids of its reports (reviewkit studies add | link); edit by hand if you
# like, comments are kept.
"""


def add_study(project: Project, screening: Screening, study: str, report: str,
              citation: str = "") -> Study:
    """A new study whose first report is ``report`` (a full-text include)."""
    studies, _ = _load(project)
    if any(s.id == study for s in studies):
        raise ReviewkitError(f"study {study!r} is already in {STUDIES_FILE} (add reports "
                             f"with: reviewkit studies link {study} RECORD)", field="study.id")
    rid = _linkable(screening, studies, report)
    if not STUDY_ID.match(study):
        raise ReviewkitError(f"study id {study!r}: use lower-case letters, digits, '-', '_' "
                             "or '.' (e.g. smith-2019)", field="study.id")
    new = Study(id=study, reports=[rid],
                citation=" ".join(citation.split()) or _citation(screening, rid))
    path = studies_path(project)
    text = path.read_text("utf-8-sig") if path.exists() else HEADER
    table = tomlkit.document()
    table["study"] = tomlkit.aot()
    table["study"].append({key: getattr(new, key) for key in ("id", "citation", "reports")})
    # appended as text: every byte people wrote stays as it was
    gap = "" if not text or text.endswith("\n\n") else "\n" if text.endswith("\n") else "\n\n"
    _write(path, text + gap + tomlkit.dumps(table))
    return new


def link_report(project: Project, screening: Screening, study: str, report: str) -> str:
    """Add ``report`` to a study's reports; returns the record id written."""
    studies, _ = _load(project)
    require_study(project, study)
    rid = _linkable(screening, studies, report)
    doc = _document(project)
    table = next(t for t in doc["study"] if t.get("id") == study)
    if "reports" not in table:
        table["reports"] = tomlkit.array()
    table["reports"].append(rid)
    if len(table["reports"]) > 1:
        table["reports"].multiline(True)  # one report a line: easy to read and to diff
    _write(studies_path(project), tomlkit.dumps(doc))
    return rid


def unlink_report(project: Project, screening: Screening, study: str, report: str) -> str:
    """Remove ``report`` (any id of it, or the text as written) from a study's reports;
    returns the entry removed. A study's only report is kept: a study with none would
    be counted as a hand-listed study of one report."""
    studies, _ = _load(project)
    require_study(project, study)
    report = report.strip()
    listed = next(s for s in studies if s.id == study).reports
    unit = screening.unit_of(report) if screening.knows(report) else None
    hits = [r for r in listed if r == report or (unit and screening.unit_of(r) == unit)]
    if not hits:
        raise ReviewkitError(f"report {report!r} is not a report of study {study!r} (its "
                             f"reports: {', '.join(listed) or 'none'})",
                             file=str(studies_path(project)), field="study.reports")
    if len(hits) == len(listed):
        raise ReviewkitError(f"report {report!r} is the only report of study {study!r}; to drop "
                             f"the study, delete its [[study]] table from {STUDIES_FILE}",
                             file=str(studies_path(project)), field="study.reports")
    doc = _document(project)
    table = next(t for t in doc["study"] if t.get("id") == study)
    for gone in hits:
        table["reports"].remove(gone)
    _write(studies_path(project), tomlkit.dumps(doc))
    return hits[0]


def study_rows(project: Project, screening: Screening) -> list[dict]:
    """One row per study: its reports and what is wrong with them (strict check)."""
    problems = check_studies(project, screening.store, screening, strict=True)
    rows = []
    for s in load_studies(project):
        said = [f"{p.report} {p.problem}" for p in problems if p.study == s.id]
        rows.append({"study": s.id, "reports": "; ".join(s.reports), "programme": s.programme,
                     "citation": s.citation, "problems": "; ".join(said)})
    return rows


def _linkable(screening: Screening, studies: list[Study], report: str) -> str:
    """``report``'s current id, if it may be linked: a full-text include, not yet linked."""
    report = report.strip()
    problem = _report_problem(screening, report, strict=True)
    if problem:
        raise ReviewkitError(f"report {report!r} {problem}; a study's reports are full-text "
                             "includes", field="study.reports")
    rid = screening.store.resolve(report) or report
    unit = screening.unit_of(rid)
    for s in studies:
        for r in s.reports:
            if screening.unit_of(r) == unit:
                raise ReviewkitError(f"report {report!r} is already linked to study {s.id!r}"
                                     + (f" (as {r!r})" if r != rid else ""),
                                     file=str(studies_path(screening.project)),
                                     field="study.reports")
    return rid


def _write(path: Path, text: str) -> None:
    """Write studies.toml whole, with the byte order mark and line ends it was saved
    with (an editor adds a BOM, Windows ones write CRLF; read as text, both would be
    dropped and every line of the file change unasked)."""
    old = path.read_bytes() if path.is_file() else b""
    first = old.split(b"\n", 1)[0]
    if first != old and first.endswith(b"\r"):
        text = text.replace("\r\n", "\n").replace("\n", "\r\n")
    tomlfile.write_atomic(path, ("\ufeff" if old.startswith(codecs.BOM_UTF8) else "") + text)


def _document(project: Project) -> tomlkit.TOMLDocument:
    path = studies_path(project)
    if not path.exists():
        return tomlkit.parse(HEADER)
    return tomlkit.parse(path.read_text("utf-8-sig"))


def _citation(screening: Screening, record_id: str) -> str:
    """'Surname A, Surname B, et al. (2019) Title. Journal' from the record."""
    sr = screening.store.get_record(record_id)
    if sr is None:
        return record_id
    rec = sr.record
    # 'Gavaghan, BJ' -> 'Gavaghan BJ': commas then only separate people
    names = [a.replace(",", "", 1) for a in rec.authors[:3]]
    names += ["et al."] if len(rec.authors) > 3 else []
    parts = [", ".join(names), f"({rec.year})" if rec.year else "",
             rec.title.rstrip(".") + "." if rec.title else "", rec.journal]
    return " ".join(p for p in parts if p) or record_id


# re-running add or link is safe: the same request again writes nothing ---------------
def _holds(screening: Screening, study: str, report: str) -> Study | None:
    """The study ``study`` when ``report`` (any id of it) is already one of its reports."""
    studies, _ = _load(screening.project)
    rid = screening.store.resolve(report.strip()) or report.strip()
    unit = screening.unit_of(rid) if screening.knows(rid) else rid
    for s in studies:
        if s.id == study and any(r == rid or (screening.knows(r) and screening.unit_of(r) == unit)
                                 for r in s.reports):
            return s
    return None


def add_study_line(project: Project, screening: Screening, study: str, report: str,
                   citation: str = "") -> str:
    """add_study, said in one line; the same study with the same report again: nothing."""
    held = _holds(screening, study, report)
    if held is not None and (not citation.strip()
                             or " ".join(citation.split()) == held.citation):
        return f"study {study} already has report {report.strip()}: nothing to do"
    new = add_study(project, screening, study, report, citation)
    return f"added study {new.id}: {new.reports[0]}"


def link_report_line(project: Project, screening: Screening, study: str, report: str) -> str:
    """link_report, said in one line; a report the study already has: nothing to do."""
    if _holds(screening, study, report) is not None:
        return f"study {study} already has report {report.strip()}: nothing to do"
    return f"linked {link_report(project, screening, study, report)} to study {study}"
