"""Two assessors' CERQual worksheets side by side, and the consensus they agree on.

The consensus is written to its own file (consensus.yaml); the assessors' worksheets
are kept as they are.
"""

from __future__ import annotations

from dataclasses import dataclass

from reviewkit.appraisal.records import CONSENSUS
from reviewkit.errors import ReviewkitError
from reviewkit.project import yamlfile
from reviewkit.project.config import Project
from reviewkit.synthesis.confidence.cerqual import match, spec
from reviewkit.synthesis.confidence.findings import Findings
from reviewkit.synthesis.confidence.worksheet import (
    Judgement,
    Worksheet,
    load_worksheets,
    read_worksheet,
    save_worksheet,
    worksheet_path,
)

OVERALL = "overall"


@dataclass
class Comparison:
    part: str  # a component id or "overall"
    name: str
    levels: dict[str, str]  # assessor -> level ('' not given)

    @property
    def agreed(self) -> bool:
        return len(set(self.levels.values())) == 1 and "" not in self.levels.values()


def assessor_sheets(project: Project, findings: Findings, finding: str,
                    assessors: list[str] | None = None) -> list[Worksheet]:
    """The assessors' own worksheets (not the consensus) for one finding."""
    findings.get(finding)
    found = [w for w in load_worksheets(project, findings)
             if w.finding == finding and w.assessor != CONSENSUS]
    if assessors:
        missing = [a for a in assessors if a not in {w.assessor for w in found}]
        if missing:
            raise ReviewkitError(f"no worksheet of finding {finding!r} by {', '.join(missing)}")
        found = [w for w in found if w.assessor in assessors]
    return found


def compare(sheets: list[Worksheet], also: set[str] | frozenset[str] = frozenset()
            ) -> list[Comparison]:
    """Every component (optional ones when anyone judged them, or named in ``also``) and
    the overall level."""
    s = spec()
    out = []
    for c in s.components:
        if c.optional and c.id not in also and not any(w.concern(c.id) for w in sheets):
            continue
        out.append(Comparison(c.id, c.name, {w.assessor: w.concern(c.id) for w in sheets}))
    out.append(Comparison(OVERALL, "Overall assessment",
                          {w.assessor: w.confidence for w in sheets}))
    return out


def agreement(project: Project, findings: Findings) -> list[dict]:
    """Per component, over the findings two or more assessors judged: how many agree."""
    by_finding: dict[str, list[Worksheet]] = {}
    for w in load_worksheets(project, findings):
        if w.assessor != CONSENSUS:
            by_finding.setdefault(w.finding, []).append(w)
    pairs = [sheets for sheets in by_finding.values() if len(sheets) >= 2]
    tallies: dict[str, list[bool]] = {}
    names: dict[str, str] = {}
    for sheets in pairs:
        for cmp in compare(sheets):
            tallies.setdefault(cmp.part, []).append(cmp.agreed)
            names[cmp.part] = cmp.name
    return [{"component": part, "name": names[part], "findings": len(v),
             "agreed": sum(v), "percent": round(100 * sum(v) / len(v), 1)}
            for part, v in tallies.items()]


def make_consensus(project: Project, findings: Findings, finding: str,
                   resolutions: dict[str, str] | None = None,
                   explanations: dict[str, str] | None = None,
                   assessors: list[str] | None = None, replace: bool = False) -> Worksheet:
    """Write ``synthesis/cerqual/<finding>/consensus.yaml`` (final) from the levels the
    assessors agree on plus resolutions (a level, or ``@assessor`` for theirs). A
    consensus already recorded that judges otherwise is kept unless ``replace``.

    Each part's explanation is the one given with ``explanations``, else that of the
    (first) assessor whose level was taken. Every disagreement must be resolved;
    otherwise nothing is written.
    """
    f = findings.get(finding)
    sheets = assessor_sheets(project, findings, finding, assessors)
    if len(sheets) < 2:
        raise ReviewkitError(f"a consensus needs two assessors' worksheets of finding "
                             f"{finding!r}; found {len(sheets)}")
    resolutions, explanations = resolutions or {}, explanations or {}
    s = spec()
    parts = {c.id for c in s.components} | {OVERALL}
    for key in (*resolutions, *explanations):
        if key not in parts:
            raise ReviewkitError(f"no component {key!r} (components: "
                                 f"{', '.join(sorted(parts))})", field=key)
    by = {w.assessor: w for w in sheets}
    # an optional part no assessor judged is in the consensus when the team names it
    parts_now = compare(sheets, set(resolutions) | set(explanations))
    open_ = [c.part for c in parts_now if not c.agreed and c.part not in resolutions]
    if open_:
        raise ReviewkitError(f"unresolved disagreements on {', '.join(open_)}: give each a "
                             "level, e.g. --set coherence=minor or --set coherence=@assessor")
    result = Worksheet(finding, CONSENSUS, "final",
                       path=worksheet_path(project, finding, CONSENSUS))
    for cmp in parts_now:
        options = s.confidence if cmp.part == OVERALL else s.concerns
        level, source = _resolve(cmp, resolutions.get(cmp.part), options, by)
        text = explanations.get(cmp.part)
        if text is None:
            text = _explanation(source, cmp.part) if source else ""
        if not text.strip():
            raise ReviewkitError(f"{cmp.part}: no assessor gave level {level!r}; write the "
                                 f"agreed explanation with --explain {cmp.part}=TEXT",
                                 field=cmp.part)
        if cmp.part == OVERALL:
            result.confidence, result.explanation = level, text
        else:
            marks = dict(source.components[cmp.part].studies) if source \
                else _agreed_marks(sheets, cmp.part)
            result.components[cmp.part] = Judgement(level, text, "", marks)
    if result.path.exists():
        prior = read_worksheet(project, result.path, findings)
        differing = _differing(prior, result)
        if not differing and prior.status == "final":
            return prior  # the same consensus again: its file (and private notes) stay
        if differing and not replace:
            yamlfile.refuse_overwrite(project.relative(result.path), "consensus", differing)
    save_worksheet(project, result, f)
    return result


def _differing(a: Worksheet, b: Worksheet) -> list[str]:
    """The parts two worksheets judge otherwise (levels, explanations, study marks; the
    private notes are not a judgement)."""
    def said(w: Worksheet, part: str) -> tuple:
        if part == OVERALL:
            return (w.confidence, w.explanation)
        j = w.components.get(part)
        return (j.concern, j.explanation, sorted(j.studies.items())) if j else ()
    order = [c.id for c in spec().components]  # as the worksheet lists them
    parts = sorted({*a.components, *b.components}, key=lambda p: (p not in order,
                   order.index(p) if p in order else 0, p)) + [OVERALL]
    return [p for p in parts if said(a, p) != said(b, p)]


def record_consensus(project: Project, findings: Findings, finding: str,
                     resolutions: dict[str, str] | None = None,
                     explanations: dict[str, str] | None = None,
                     assessors: list[str] | None = None, replace: bool = False) -> str:
    """make_consensus, said in one line: 'wrote <file>' or 'unchanged <file>'."""
    path = worksheet_path(project, finding, CONSENSUS)
    before = path.read_bytes() if path.is_file() else None
    result = make_consensus(project, findings, finding, resolutions, explanations,
                            assessors, replace)
    return yamlfile.written_line(project.relative(result.path), before, result.path)


def _resolve(cmp: Comparison, given: str | None, options: dict[str, dict],
             by: dict[str, Worksheet]) -> tuple[str, Worksheet | None]:
    """(level, the assessor's worksheet it came from, if any)."""
    if given is None:
        level = next(iter(cmp.levels.values()))
    elif given.startswith("@"):
        name = given[1:]
        if name not in by or not cmp.levels.get(name):
            raise ReviewkitError(f"{name!r} gave no level for {cmp.part}", field=cmp.part)
        return cmp.levels[name], by[name]
    else:
        value = match(given, options)
        if value is None:
            raise ReviewkitError(f"{given!r} is not a level for {cmp.part} (expected "
                                 f"{', '.join(options)})", field=cmp.part)
        level = value
    source = next((by[a] for a in sorted(by) if cmp.levels.get(a) == level), None)
    return level, source


def _agreed_marks(sheets: list[Worksheet], part: str) -> dict[str, str]:
    """The assessors' study marks of ``part`` when they all gave the same ones, else {}:
    a level no assessor gave keeps the record of the studies it was judged on."""
    given = [dict(w.components[part].studies) if part in w.components else {}
             for w in sheets]
    return given[0] if given[0] and all(g == given[0] for g in given) else {}


def _explanation(w: Worksheet, part: str) -> str:
    return w.explanation if part == OVERALL else w.components[part].explanation
