"""The Summary of Qualitative Findings, the CERQual Evidence Profile, the ConQual Summary
of Findings and every judgement, as Table objects for the existing writers.

Each builder returns (Table, warnings), like the appraisal tables.
"""

from __future__ import annotations

from reviewkit.project.config import Project
from reviewkit.project.owned import present
from reviewkit.reporting.outputs import Table
from reviewkit.synthesis.confidence.cerqual import spec
from reviewkit.synthesis.confidence.conqual import conqual_all, rules
from reviewkit.synthesis.confidence.counted import ILLUSTRATIVE, counted
from reviewkit.synthesis.confidence.evidence import gather
from reviewkit.synthesis.confidence.findings import FINDINGS, Findings, citations, load_findings
from reviewkit.synthesis.confidence.worksheet import Worksheet, load_worksheets, stale_warning
from reviewkit.synthesis.sources import SOURCES

UNGRADED = "not yet graded"


def _studies_cell(findings: Findings, fid: str, cites: dict[str, str]) -> str:
    """The contributing studies in studies.toml order, cited as the report cites them;
    one studies.toml lacks (a source names it) by its id after them, never left out."""
    mine = findings.findings[fid].studies
    return "; ".join([cite for study, cite in cites.items() if study in mine]
                     + [study for study in mine if study not in cites])


def _uncited(findings: Findings, cites: dict[str, str]) -> list[str]:
    """A warning per source whose study studies.toml lacks, when it contributes."""
    out = []
    for src in findings.synthesis.sources:
        used = [f.id for f in findings.findings.values() if src.study in f.per_study]
        if src.study not in cites and used:
            out.append(f"{SOURCES}:{src.study_line}: source {src.id!r} names study "
                       f"{src.study!r}, which is not in studies.toml; it contributes to "
                       f"{', '.join(used)}: add the study or correct the id")
    return out


def _note(findings: Findings) -> list[str]:
    return [findings.note] if findings.note else []


def _load(project: Project) -> tuple[Findings, list[Worksheet], dict[str, str]]:
    findings = load_findings(project)
    return findings, load_worksheets(project, findings), citations(project)


def soqf_table(project: Project) -> tuple[Table, list[str]]:
    """#, summarised review finding, CERQual assessment of confidence, explanation,
    studies contributing: one row per finding."""
    findings, sheets, cites = _load(project)
    s = spec()
    rows, warnings = [], _uncited(findings, cites)
    for n, f in enumerate(findings.findings.values(), 1):
        w, warning = counted(sheets, f.id)
        warning = warning or (stale_warning(project, w, f) if w else "")
        if warning:
            warnings.append(warning)
        rows.append({"number": n, "finding": f.id, "statement": f.statement,
                     "confidence": s.confidence_label(w.confidence) if w else ILLUSTRATIVE,
                     "explanation": w.explanation if w else ILLUSTRATIVE,
                     "studies": _studies_cell(findings, f.id, cites)})
    columns = [("number", "#"), ("statement", "Summarised review finding"),
               ("confidence", "GRADE-CERQual assessment of confidence"),
               ("explanation", "Explanation of GRADE-CERQual assessment"),
               ("studies", "Studies contributing to the review finding")]
    return Table("cerqual-soqf", "Summary of qualitative findings", columns, rows,
                 [f"GRADE-CERQual: {s.source}.", *_note(findings)]), warnings


def evidence_profile_table(project: Project) -> tuple[Table, list[str]]:
    """The CERQual Evidence Profile: each component's concern and explanation; the
    limitations column also lists each contributing study's appraisal answers."""
    findings, sheets, cites = _load(project)
    s = spec()
    rows, warnings = [], _uncited(findings, cites)
    for f in findings.findings.values():
        w, warning = counted(sheets, f.id)
        warning = warning or (stale_warning(project, w, f) if w else "")
        if warning:
            warnings.append(warning)
        ev = gather(project, f, cites)
        row = {"finding": f.id, "statement": f.statement,
               "studies": _studies_cell(findings, f.id, cites),
               "confidence": s.confidence_label(w.confidence) if w else ILLUSTRATIVE,
               "explanation": w.explanation if w else ILLUSTRATIVE}
        for c in s.components:
            j = w.components.get(c.id) if w else None
            text = f"{s.concern_label(j.concern)}: {j.explanation}" if j and j.concern \
                else ("" if c.optional else ILLUSTRATIVE)
            if c.id == "limitations":
                text = " ".join([text, "Appraisals:", " | ".join(ev.lines("limitations"))])
            row[c.id] = text
        rows.append(row)
    columns = [("statement", "Summary of review finding"),
               ("studies", "Studies contributing to the review finding")]
    columns += [(c.id, c.name) for c in s.components
                if not c.optional or any(r[c.id] for r in rows)]
    columns += [("confidence", "GRADE-CERQual assessment of confidence"),
                ("explanation", "Explanation of GRADE-CERQual assessment")]
    return Table("cerqual-profile", "GRADE-CERQual Evidence Profile", columns, rows,
                 [f"GRADE-CERQual: {s.source}.", *_note(findings)]), warnings


def conqual_table(project: Project, partial: bool = False) -> tuple[Table, list[str]]:
    """The ConQual Summary of Findings (meta-aggregation); ``partial``: a finding whose
    studies are not all appraised yet is shown ungraded, with a warning (the report)."""
    findings = load_findings(project)
    cites = citations(project)
    labels = rules()["labels"]
    graded = conqual_all(project, findings, partial)
    rows = [{"finding": c.finding, "statement": findings.findings[c.finding].statement,
             "type": "Qualitative research", "dependability": c.dependability,
             "credibility": c.credibility, "score": labels[c.level] if c.level else UNGRADED,
             "studies": _studies_cell(findings, c.finding, cites)}
            for c in graded]
    ungraded = [f"ConQual: finding {c.finding!r}: "
                f"{c.dependability.removeprefix('not graded: ')}; shown as {UNGRADED}"
                for c in graded if not c.level]
    columns = [("statement", "Synthesised finding"), ("type", "Type of research"),
               ("dependability", "Dependability"), ("credibility", "Credibility"),
               ("score", "ConQual score"), ("studies", "Studies contributing")]
    return Table("conqual-sof", "ConQual Summary of Findings", columns, rows,
                 [f"ConQual: {rules()['source']}. Starts high for qualitative research.",
                  *_note(findings)]), _uncited(findings, cites) + ungraded


def judgements_table(project: Project) -> tuple[Table, list[str]]:
    """Every judgement of every worksheet (assessors and consensus): one row per part.
    Private notes are left out."""
    findings, sheets, _ = _load(project)
    s = spec()
    rows = []
    for w in sheets:
        for c in s.components:
            j = w.components.get(c.id)
            if j is None:
                continue
            rows.append({"finding": w.finding, "assessor": w.assessor, "status": w.status,
                         "part": c.id, "level": j.concern, "explanation": j.explanation,
                         "relevance": dict(j.studies) if j.studies else None})
        rows.append({"finding": w.finding, "assessor": w.assessor, "status": w.status,
                     "part": "overall", "level": w.confidence, "explanation": w.explanation,
                     "relevance": None})
    columns = [("finding", "Finding"), ("assessor", "Assessor"), ("status", "Status"),
               ("part", "Component"), ("level", "Level"), ("explanation", "Explanation"),
               ("relevance", "Relevance by study")]
    return Table("cerqual-judgements", "GRADE-CERQual judgements", columns, rows), []


def report_tables(project: Project) -> list[tuple[Table, list[str]]]:
    """What a report shows, in order: the SoQF (near the top), the Evidence Profile, and
    for meta-aggregation the ConQual Summary of Findings; nothing without findings.yaml."""
    if not present(project.root / FINDINGS, FINDINGS):
        return []
    out = [soqf_table(project), evidence_profile_table(project)]
    if load_findings(project).synthesis.codebook.method == "meta-aggregation":
        out.append(conqual_table(project, partial=True))
    return out
