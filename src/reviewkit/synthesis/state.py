"""Everything a synthesis command reads, loaded once: codebook, sources, the folded coding."""

from __future__ import annotations

from dataclasses import dataclass, field

from reviewkit.project.config import Project
from reviewkit.project.owned import present
from reviewkit.records.studies import load_studies
from reviewkit.screening.log import Problem
from reviewkit.synthesis.codebook import CODEBOOK, Codebook, codebook_path, load_codebook
from reviewkit.synthesis.coding import Coding, fold
from reviewkit.synthesis.sources import SOURCES, Source, check_sources, load_sources


@dataclass
class Synthesis:
    codebook: Codebook
    sources: list[Source]
    coding: Coding
    coders: list[str] = field(default_factory=list)  # only these coders' segments; [] all

    @property
    def problems(self) -> list[Problem]:
        return self.coding.problems

    def study_of(self, source: str) -> str:
        return next((s.study for s in self.sources if s.id == source), "")


def load_synthesis(project: Project, need_codebook: bool = True,
                   check_studies: bool = True) -> Synthesis:
    """The codebook, the sources and the coding; a segment on an unknown source is a
    problem and left out. Without ``need_codebook`` a missing codebook is an empty one
    (method ''), and codings are not checked against it. Without ``check_studies`` a
    source naming an unknown study is not a problem here (the caller lists orphans)."""
    if need_codebook or present(codebook_path(project), CODEBOOK):
        book = load_codebook(project)
        coding = fold(project, set(book.codes))
    else:
        book = Codebook("")
        coding = fold(project)
    sources = load_sources(project)
    known = {s.id for s in sources}
    studies = {s.id for s in load_studies(project)} if check_studies else set()
    for s in sources:  # a hand edit: kept (its codes still show), but said every time
        if check_studies and s.study not in studies:
            coding.problems.append(Problem(SOURCES, s.study_line, f"source {s.id!r} names study "
                                           f"{s.study!r}, which is not in studies.toml: add "
                                           "the study or correct the id"))
    for seg in list(coding.segments.values()):
        if seg.source not in known:
            coding.problems.append(Problem(seg.file, seg.line, f"segment {seg.id} is on "
                                           f"source {seg.source!r}, not in sources.toml; "
                                           "left out"))
            del coding.segments[seg.id]
    for m in coding.memos:
        if m.on == "source" and m.target not in known:
            coding.problems.append(Problem(m.file, m.line, f"memo on source {m.target!r}, "
                                           "not in sources.toml; kept"))
    return Synthesis(book, sources, coding)


def synthesis_status(project: Project, check_studies: bool = True) -> dict:
    """Counts for `reviewkit synthesis status` (and the project status, which lists a
    source's unknown study among its orphans: ``check_studies=False``); a project with
    no codebook yet gives method '' and zero codes."""
    from reviewkit.synthesis.anchor import anchor_segments

    syn = load_synthesis(project, need_codebook=False, check_studies=check_studies)
    segments = list(syn.coding.segments.values())
    anchors = anchor_segments(project, segments, syn.sources)
    coders = sorted({s.coder for s in segments})
    return {
        "method": syn.codebook.method,
        "codes": len(syn.codebook.codes),
        "sources": len(syn.sources),
        "studies": len({s.study for s in syn.sources}),
        "segments": len(segments),
        "coded segments": sum(1 for s in segments if s.codes),
        "memos": len(syn.coding.memos),
        "coders": ", ".join(coders),
        "segments moved": sum(1 for a in anchors if a.status in ("moved", "fuzzy")),
        "segments lost": sum(1 for a in anchors if a.status == "lost"),
        "warnings": [str(p) for p in syn.problems]
        + [str(p) for p in check_sources(project)]
        + [f"segment {a.segment} lost: its text is no longer in its source"
           for a in anchors if a.status == "lost"],
    }
