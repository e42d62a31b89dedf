"""CERQual worksheets: ``synthesis/cerqual/<finding>/<assessor>.yaml``, one writer per file.

As with appraisals (casp/<study>/<reviewer>.yaml) two assessors work blind, each in
their own file; the agreed worksheet is ``consensus.yaml`` beside them. A worksheet
judges one review finding; it never rates a study.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from reviewkit.appraisal.records import CONSENSUS, NAME
from reviewkit.errors import ReviewkitError
from reviewkit.project import yamlfile
from reviewkit.project.config import Project
from reviewkit.screening.reviewers import require_signer
from reviewkit.synthesis.confidence.cerqual import match, spec
from reviewkit.synthesis.confidence.findings import (
    Finding,
    Findings,
    citations,
    require_several_studies,
)

FOLDER = "synthesis/cerqual"
STATUSES = ("draft", "final")
TOP_KEYS = ("finding", "status", "components", "overall")
PART_KEYS = ("concern", "explanation", "notes", "studies")


@dataclass
class Judgement:
    concern: str = ""
    explanation: str = ""
    notes: str = ""  # private: never in a table
    studies: dict[str, str] = field(default_factory=dict)  # relevance: study -> mark


@dataclass
class Worksheet:
    finding: str
    assessor: str
    status: str = "draft"
    components: dict[str, Judgement] = field(default_factory=dict)
    confidence: str = ""
    explanation: str = ""
    path: Path | None = None
    # relevance marks of studies that no longer contribute (the coding changed since):
    # kept out of the judgement, and said (stale_warning) instead of refusing the file
    gone: list[str] = field(default_factory=list)

    def concern(self, cid: str) -> str:
        j = self.components.get(cid)
        return j.concern if j else ""

    def missing(self) -> list[str]:
        """What a final worksheet still lacks, in form order."""
        out = []
        for c in spec().required:
            j = self.components.get(c.id) or Judgement()
            if not j.concern:
                out.append(f"components.{c.id}.concern")
            if not j.explanation.strip():
                out.append(f"components.{c.id}.explanation")
        for cid, j in self.components.items():
            if j.concern and not j.explanation.strip() and \
                    f"components.{cid}.explanation" not in out:
                out.append(f"components.{cid}.explanation")
        if not self.confidence:
            out.append("overall.confidence")
        if not self.explanation.strip():
            out.append("overall.explanation")
        return out


def worksheet_path(project: Project, finding: str, assessor: str) -> Path:
    for what, name in (("finding", finding), ("assessor", assessor)):
        if not NAME.match(name) or ".." in name:
            raise ReviewkitError(f"{what} {name!r}: use lower-case letters, digits, '-' or '_'",
                                 field=what)
    return project.root / FOLDER / finding / f"{assessor}.yaml"


def parse_worksheet(data: Any, lines: yamlfile.Lines, path: str, finding: Finding,
                    assessor: str, studies: set[str] | None = None) -> Worksheet:
    """Validate one worksheet; every error names the file, line and field.

    ``studies`` (the project's study ids): a relevance mark on one of them that no longer
    contributes is kept in ``gone``, not refused; without it (saving) it is refused."""
    s = spec()

    def fail(msg: str, *loc: object, fld: str | None = None) -> ReviewkitError:
        return ReviewkitError(msg, file=path, line=yamlfile.line_at(lines, loc),
                              field=fld or (".".join(str(p) for p in loc) or None))

    if not isinstance(data, dict):
        raise fail("a worksheet is a mapping with finding, status, components and overall")
    for key in data:
        if key in ("study", "studies"):
            raise fail("CERQual judges review findings, never individual studies: a "
                       "worksheet has no study", key)
        if key not in TOP_KEYS:
            raise fail("unknown field (check the spelling)", key)
    if str(data.get("finding", finding.id)) != finding.id:
        raise fail(f"says finding {data['finding']!r} but the file is for {finding.id!r}",
                   "finding")
    try:
        require_several_studies(finding)
        single = None
    except ReviewkitError as exc:
        if studies is None:  # saving: a worksheet is never made on one study's results
            raise fail(exc.message, "finding", fld="finding") from None
        single = exc  # reading: refused below unless it marks the studies it was made on
    status = str(data.get("status", "draft"))
    if status not in STATUSES:
        raise fail(f"status must be draft or final, not {status!r}", "status")
    sheet = Worksheet(finding.id, assessor, status, path=Path(path))
    parts = data.get("components") or {}
    if not isinstance(parts, dict):
        raise fail("components is a mapping: component -> {concern, explanation}",
                   "components")
    for cid, raw in parts.items():
        cid = str(cid)
        comp = s.component(cid)
        if comp is None:
            ids = ", ".join(c.id for c in s.components)
            raise fail(f"unknown component {cid!r} (components: {ids})", "components", cid)
        if raw is None:
            continue
        if not isinstance(raw, dict):
            raise fail("write {concern: ..., explanation: ...}", "components", cid)
        for key in raw:
            if key not in PART_KEYS or (key == "studies" and cid != "relevance"):
                raise fail("unknown field (check the spelling)", "components", cid, key)
        j = Judgement(notes=str(raw.get("notes") or ""),
                      explanation=str(raw.get("explanation") or ""))
        if raw.get("concern") not in (None, ""):
            value = match(raw["concern"], s.concerns)
            if value is None:
                raise fail(f"{raw['concern']!r} is not a concern level (expected "
                           f"{', '.join(s.concerns)})", "components", cid, "concern")
            j.concern = value
        marks = raw.get("studies") or {}
        if not isinstance(marks, dict):
            raise fail("studies is a mapping: study -> direct, partial, indirect or unclear",
                       "components", cid, "studies")
        for study, mark in marks.items():
            if study not in finding.studies and studies is not None and study in studies:
                sheet.gone.append(str(study))
                continue
            if study not in finding.studies:
                raise fail(f"{study!r} does not contribute to finding {finding.id!r} "
                           f"(its studies: {', '.join(finding.studies)})",
                           "components", cid, "studies", study)
            if mark not in (None, "") and str(mark) not in s.relevance:
                raise fail(f"{mark!r} is not a relevance mark (expected "
                           f"{', '.join(s.relevance)})", "components", cid, "studies", study)
            if mark:
                j.studies[str(study)] = str(mark)
        sheet.components[cid] = j
    overall = data.get("overall") or {}
    if not isinstance(overall, dict) or set(overall) - {"confidence", "explanation"}:
        raise fail("overall is {confidence: ..., explanation: ...}", "overall")
    if overall.get("confidence") not in (None, ""):
        value = match(overall["confidence"], s.confidence)
        if value is None:
            raise fail(f"{overall['confidence']!r} is not a confidence level (expected "
                       f"{', '.join(s.confidence)})", "overall", "confidence")
        sheet.confidence = value
    sheet.explanation = str(overall.get("explanation") or "")
    made_on = set(sheet.components.get("relevance", Judgement()).studies) | set(sheet.gone)
    if single is not None and len(made_on) < 2:
        raise fail(single.message, "finding", fld="finding")
    if status == "final":
        missing = sheet.missing()
        if missing:
            where = missing[0].split(".")
            what = "explanation" if missing[0].endswith("explanation") else "level"
            raise fail(f"a final worksheet gives every level and explanation; missing "
                       f"{what}: {', '.join(missing)} (or set status: draft)", *where,
                       fld=missing[0])
    return sheet


def read_worksheet(project: Project, path: Path, findings: Findings,
                   studies: set[str] | None = None) -> Worksheet:
    rel = project.relative(path)
    assessor = path.stem
    if not NAME.match(assessor):
        raise ReviewkitError("worksheets are named <assessor>.yaml (lower-case letters, "
                             "digits, '-' or '_')", file=rel)
    fid = path.parent.name
    if fid not in findings.findings:
        raise ReviewkitError(f"no finding {fid!r} in {findings.file} (rename the folder)",
                             file=rel)
    require_signer(project, assessor, rel, CONSENSUS)
    data, lines = yamlfile.load(path)
    if studies is None:
        studies = set(citations(project))
    return parse_worksheet(data, lines, rel, findings.findings[fid], assessor, studies)


def load_worksheets(project: Project, findings: Findings) -> list[Worksheet]:
    """Every worksheet in the project; the first invalid file raises."""
    folder = project.root / FOLDER
    paths = sorted(folder.glob("*/*.yaml")) if folder.is_dir() else []
    studies = set(citations(project)) if paths else set()
    return [read_worksheet(project, p, findings, studies) for p in paths]


def stale_warning(project: Project, w: Worksheet, finding: Finding) -> str:
    """What changed in a finding's evidence since ``w`` marked the contributing studies'
    relevance: studies contributing now that it does not mark, marked ones that no longer
    contribute. '' when nothing did (or when the worksheet marks no study at all)."""
    marked = w.components.get("relevance", Judgement()).studies
    if not marked and not w.gone:
        return ""
    new = [st for st in finding.studies if st not in marked]
    if not new and not w.gone:
        return ""
    # assessed on several studies (its marks say so), and the coding left it with one
    one = [f"it rests on one study now ({finding.studies[0]}), and CERQual is not "
           "applied to one study's own results" if finding.studies
           else "no coded segment supports it now"] if len(finding.studies) < 2 else []
    said = one + ([f"{', '.join(new)} contribute{'s' if len(new) == 1 else ''} now but "
                   f"{'is' if len(new) == 1 else 'are'} not marked in it"] if new else [])
    if w.gone:
        said.append(f"{', '.join(w.gone)} no longer contribute{'s' if len(w.gone) == 1 else ''}")
    path = sheet_path(project, w)  # read sheets keep the project-relative name
    where = project.relative(path)
    again = f"consensus {w.finding} --set ..." if w.assessor == CONSENSUS else \
        f"assess {w.finding} -r {w.assessor}"
    return (f"{where}: finding {w.finding!r} was assessed on other evidence ({'; '.join(said)}):"
            f" review the assessment (reviewkit synthesis {again})")


def to_yaml(w: Worksheet, finding: Finding) -> str:
    s = spec()
    head = (f"# GRADE-CERQual worksheet: finding {w.finding} by {w.assessor}.\n"
            f"# {finding.statement}\n"
            f"# Concern levels: {', '.join(s.concerns)}; confidence: "
            f"{', '.join(s.confidence)}. Notes stay private (never in a table).\n")
    parts: dict[str, Any] = {}
    for c in s.components:
        j = w.components.get(c.id)
        if j is None:
            continue
        entry: dict[str, Any] = {"concern": j.concern or None, "explanation": j.explanation}
        if j.notes:
            entry["notes"] = j.notes
        if j.studies:
            entry["studies"] = dict(j.studies)
        parts[c.id] = entry
    data = {"finding": w.finding, "status": w.status, "components": parts,
            "overall": {"confidence": w.confidence or None, "explanation": w.explanation}}
    return head + yamlfile.dump(data)


def sheet_path(project: Project, w: Worksheet) -> Path:
    """Where ``w`` is (or will be) saved."""
    return w.path if w.path is not None and w.path.is_absolute() else \
        worksheet_path(project, w.finding, w.assessor)


def save_worksheet(project: Project, w: Worksheet, finding: Finding) -> Path:
    """Validate (through the same parser a hand-edited file goes through), then write
    atomically."""
    require_signer(project, w.assessor, None, CONSENSUS)
    path = sheet_path(project, w)
    text = to_yaml(w, finding)
    data, lines = yamlfile.loads(text, str(path))
    parse_worksheet(data, lines, str(path), finding, w.assessor)
    yamlfile.write_atomic(path, text)
    w.path = path
    return path


def open_worksheet(project: Project, findings: Findings, finding: str, assessor: str
                   ) -> Worksheet:
    """The assessor's worksheet for this finding, or a new draft (not yet written)."""
    f = findings.get(finding)
    require_several_studies(f)
    require_signer(project, assessor, None, CONSENSUS)
    path = worksheet_path(project, finding, assessor)
    if path.exists():
        w = read_worksheet(project, path, findings)
        w.path = path
        return w
    return Worksheet(finding, assessor, path=path)
