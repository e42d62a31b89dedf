"""synthesis/findings.yaml: review findings, each resting on themes of the codebook.

A finding names its themes; the segments and studies behind it are computed from the
coding (a segment counts when it is coded with a theme or any code below it), never
typed: a hand-typed list would drift from the data.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from reviewkit.errors import ReviewkitError
from reviewkit.project import yamlfile
from reviewkit.project.config import Project
from reviewkit.project.owned import present
from reviewkit.records.studies import load_studies
from reviewkit.synthesis.coders import for_outputs
from reviewkit.synthesis.coding import Segment
from reviewkit.synthesis.state import Synthesis, load_synthesis

FINDINGS = "synthesis/findings.yaml"
FINDING_ID = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
KEYS = ("id", "statement", "themes", "contradicting", "notes")
COMPUTED = ("studies", "segments", "contributing")


@dataclass
class Finding:
    id: str
    statement: str
    themes: list[str]
    contradicting: list[str] = field(default_factory=list)
    notes: str = ""
    line: int | None = None
    # computed
    segments: list[Segment] = field(default_factory=list)
    studies: list[str] = field(default_factory=list)  # most segments first
    per_study: dict[str, int] = field(default_factory=dict)
    against: list[Segment] = field(default_factory=list)  # segments flagged as contradicting

    @property
    def words(self) -> int:
        return sum(len(s.text.split()) for s in self.segments)


@dataclass
class Findings:
    findings: dict[str, Finding]
    synthesis: Synthesis
    file: str = FINDINGS
    note: str = ""  # shown under every confidence table (e.g. "illustrative")

    def get(self, fid: str) -> Finding:
        if fid not in self.findings:
            known = ", ".join(self.findings) or "none yet"
            raise ReviewkitError(f"no finding {fid!r} (findings: {known})", file=self.file)
        return self.findings[fid]


def load_findings(project: Project, syn: Synthesis | None = None) -> Findings:
    """The validated findings with their contributing segments and studies."""
    path = project.root / FINDINGS
    if not present(path, FINDINGS):
        raise ReviewkitError("no review findings yet: write synthesis/findings.yaml "
                             "(see docs/confidence.md)", file=FINDINGS)
    data, lines = yamlfile.load(path)
    syn = syn or for_outputs(project, load_synthesis(project))
    found = parse_findings(data, lines, syn)
    note = data.get("note") if isinstance(data, dict) else ""
    return Findings(found, syn, note=note if isinstance(note, str) else "")


def parse_findings(data: object, lines: yamlfile.Lines, syn: Synthesis) -> dict[str, Finding]:
    def fail(msg: str, *loc: object, fld: str | None = None) -> ReviewkitError:
        return ReviewkitError(msg, file=FINDINGS, line=yamlfile.line_at(lines, loc), field=fld)

    if not isinstance(data, dict) or set(data) - {"findings", "note"}:
        raise fail("expected a mapping with `findings:` (a list) and an optional `note:`")
    if not isinstance(data.get("note", ""), str):
        raise fail("`note` is text shown under the confidence tables", "note", fld="note")
    raw = data.get("findings") or []
    if not isinstance(raw, list):
        raise fail("`findings` must be a list", "findings", fld="findings")
    book = syn.codebook
    out: dict[str, Finding] = {}
    for i, item in enumerate(raw):
        at = ("findings", str(i))
        if not isinstance(item, dict):
            raise fail("a finding is a mapping with id, statement and themes", *at)
        for key in item:
            if key in COMPUTED:
                raise fail(f"`{key}:` is computed from the finding's themes, never typed; "
                           "remove it", *at, key, fld=str(key))
            if key not in KEYS:
                raise fail("unknown key (check the spelling)", *at, key, fld=str(key))
        fid = item.get("id")
        if not isinstance(fid, str) or not FINDING_ID.match(fid):
            raise fail("finding ids use lower-case letters, digits, '-' or '_'", *at, "id",
                       fld="id")
        if fid in out:
            raise fail(f"finding id {fid!r} is used twice", *at, "id", fld="id")
        statement = item.get("statement")
        if not isinstance(statement, str) or not statement.strip():
            raise fail(f"finding {fid!r} has no statement", *at, fld="statement")
        lists: dict[str, list[str]] = {}
        for key in ("themes", "contradicting"):
            value = item.get(key) or []
            if isinstance(value, str):
                value = [value]
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                raise fail("a list of code ids", *at, key, fld=key)
            known = set(book.codes)
            now: list[str] = []
            for j, code in enumerate(value):
                # a theme renamed or merged since the file was written: follow it, as
                # codings and memos do (the id's meaning is kept by the logged event)
                code = code if code in known else syn.coding.resolve(code, known)
                if code not in known:
                    raise fail(f"{value[j]!r} is not a code of the codebook", *at, key,
                               str(j), fld=key)
                if code not in now:
                    now.append(code)
            lists[key] = now
        if not lists["themes"]:
            raise fail(f"finding {fid!r} rests on no theme: give `themes:` (code ids)", *at,
                       fld="themes")
        notes = item.get("notes") or ""
        finding = Finding(fid, " ".join(statement.split()), lists["themes"],
                          lists["contradicting"], str(notes), yamlfile.line_at(lines, at))
        _contributions(finding, syn)
        out[fid] = finding
    return out


def _under(syn: Synthesis, codes: list[str]) -> set[str]:
    out: set[str] = set()
    for c in codes:
        out |= syn.codebook.descendants(c) | {c}
    return out


def _contributions(f: Finding, syn: Synthesis) -> None:
    """Segments on the finding's themes and, from them, its studies (most segments first,
    then the sources' order)."""
    under = _under(syn, f.themes)
    order = {s.id: i for i, s in enumerate(syn.sources)}
    segs = sorted((s for s in syn.coding.segments.values() if s.codes & under),
                  key=lambda s: (order.get(s.source, 0), s.start))
    f.segments = segs
    counts: dict[str, int] = {}
    for s in segs:
        study = syn.study_of(s.source)
        counts[study] = counts.get(study, 0) + 1
    first = {}
    for s in syn.sources:
        first.setdefault(s.study, len(first))
    f.studies = sorted(counts, key=lambda st: (-counts[st], first.get(st, 0)))
    f.per_study = counts
    if f.contradicting:
        against = _under(syn, f.contradicting)
        f.against = [s for s in syn.coding.segments.values() if s.codes & against]


def require_several_studies(f: Finding) -> None:
    """CERQual rates findings of a synthesis, never one study's own results."""
    if len(f.studies) < 2:
        what = f"one study ({f.studies[0]})" if f.studies else "no coded segment"
        raise ReviewkitError(f"finding {f.id!r} rests on {what}: CERQual is not applied to "
                             "one study's own results (code its themes in two or more "
                             "studies, or merge the finding)", file=FINDINGS, line=f.line,
                             field="themes")


def short_cite(citation: str, fallback: str) -> str:
    """"Callanan et al. (2012)" from "Callanan M, Ranns H, Turley C, et al. (2012) ..."."""
    m = re.match(r"^(.*?)\s*\((\d{4}[a-z]?)\)", citation)
    if not m:
        return fallback
    authors = [a.strip() for a in m.group(1).split(",") if a.strip()]
    names = [a.split()[0] for a in authors if a != "et al." and a.split()]
    if not names:
        return fallback
    year = m.group(2)
    if len(names) == 1 and "et al." not in authors:
        return f"{names[0]} ({year})"
    if len(names) == 2 and "et al." not in authors:
        return f"{names[0]} & {names[1]} ({year})"
    return f"{names[0]} et al. ({year})"


def citations(project: Project) -> dict[str, str]:
    """Study id -> short citation, as the tables cite studies."""
    return {s.id: short_cite(s.citation, s.id) for s in load_studies(project)}
