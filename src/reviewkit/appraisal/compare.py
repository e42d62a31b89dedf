"""Two reviewers' appraisals side by side, and the consensus record they agree on."""

from __future__ import annotations

from dataclasses import dataclass

from reviewkit.appraisal.checklist import Checklist, with_checklist
from reviewkit.appraisal.records import (
    CONSENSUS,
    Answer,
    Appraisal,
    check_answer,
    load_appraisals,
    read_appraisal,
    record_path,
    save_appraisal,
)
from reviewkit.errors import ReviewkitError
from reviewkit.project import yamlfile
from reviewkit.project.config import Project
from reviewkit.records.studies import require_study


@dataclass
class Disagreement:
    question: str
    text: str
    answers: dict[str, str | None]  # reviewer -> answer value (None: not answered)


def study_appraisals(project: Project, study: str, checklist: Checklist,
                     reviewers: list[str] | None = None) -> list[Appraisal]:
    """The reviewers' own records (not the consensus) for one study and checklist."""
    require_study(project, study)
    found = [a for a in load_appraisals(project, with_checklist(project, checklist))
             if a.study == study and a.checklist == checklist.id and a.reviewer != CONSENSUS]
    if reviewers:
        missing = [r for r in reviewers if r not in {a.reviewer for a in found}]
        if missing:
            raise ReviewkitError(f"no {checklist.id} appraisal of {study!r} by "
                                 f"{', '.join(missing)}")
        found = [a for a in found if a.reviewer in reviewers]
    return found


def two_or_more(appraisals: list[Appraisal], study: str, purpose: str) -> list[Appraisal]:
    """``appraisals`` if two or more reviewers made them; one alone agrees with nothing."""
    if len(appraisals) < 2:
        raise ReviewkitError(f"{purpose} needs two reviewers' appraisals of {study!r}; "
                             f"found {len(appraisals)}")
    return appraisals


def disagreements(project: Project, study: str, checklist: Checklist,
                  reviewers: list[str] | None = None
                  ) -> tuple[list[Appraisal], list[Disagreement]]:
    """The reviewers' appraisals of ``study`` (two or more) and where they differ."""
    appraisals = two_or_more(study_appraisals(project, study, checklist, reviewers), study,
                             "a comparison")
    return appraisals, compare(appraisals, checklist)


def compare(appraisals: list[Appraisal], checklist: Checklist) -> list[Disagreement]:
    """Questions where the reviewers' answers differ (an unanswered question differs too)."""
    out = []
    for q in checklist.questions:
        values = {a.reviewer: a.value(q.id) for a in appraisals}
        if len(set(values.values())) > 1:
            out.append(Disagreement(q.id, q.text, values))
    return out


def make_consensus(project: Project, study: str, checklist: Checklist,
                   resolutions: dict[str, str] | None = None,
                   reviewers: list[str] | None = None, replace: bool = False) -> Appraisal:
    """Write ``casp/<study>/consensus.yaml`` from agreed answers plus resolutions.

    A resolution is an answer value, or ``@reviewer`` to take that reviewer's answer.
    Every disagreement must be resolved; otherwise nothing is written. A consensus
    already recorded that answers otherwise is kept unless ``replace`` (which keeps its
    comments on the answers it does not change); one that answers the same is left as it
    is, whatever its comments say.
    """
    appraisals = two_or_more(study_appraisals(project, study, checklist, reviewers), study,
                             "a consensus")
    resolutions = resolutions or {}
    for qid in resolutions:
        if checklist.question(qid) is None:
            raise ReviewkitError(f"{checklist.id} has no question {qid!r}", field=qid)
    by_reviewer = {a.reviewer: a for a in appraisals}
    open_ = [d.question for d in compare(appraisals, checklist) if d.question not in resolutions]
    if open_:
        raise ReviewkitError(f"unresolved disagreements on {', '.join(open_)}: give each an "
                             "answer, e.g. --set q7=yes or --set q7=@reviewer")
    # drafts may leave a question unanswered by everyone: there is nothing to agree on
    blank = [q.id for q in checklist.questions
             if q.id not in resolutions and all(q.id not in a.answers for a in appraisals)]
    if blank:
        raise ReviewkitError(f"no reviewer answered {', '.join(blank)}: give each an answer, "
                             f"e.g. --set {blank[0]}=yes")
    answers: dict[str, Answer] = {}
    for q in checklist.questions:
        notes = "; ".join(f"{a.reviewer}: {a.answers[q.id].comment}" for a in appraisals
                          if q.id in a.answers and a.answers[q.id].comment)
        if q.id in resolutions:
            value = resolutions[q.id]
            if value.startswith("@"):
                source = by_reviewer.get(value[1:])
                if source is None or q.id not in source.answers:
                    raise ReviewkitError(f"{value[1:]!r} has no answer to {q.id}", field=q.id)
                value = source.answers[q.id].value
            answers[q.id] = Answer(check_answer(checklist, q.id, value), notes)
        else:
            answers[q.id] = Answer(appraisals[0].answers[q.id].value, notes)
    result = Appraisal(study, CONSENSUS, checklist.id, checklist.version, "final", answers,
                       record_path(project, study, CONSENSUS, checklist.id))
    if result.path.exists():
        prior = read_appraisal(project, result.path, with_checklist(project, checklist))
        if prior.checklist == checklist.id:
            # answers, not comments: a note typed into the consensus is the team's own; a
            # draft's blank answers are for this run to fill in, its given ones are kept
            differing = [q.id for q in checklist.questions if prior.value(q.id) not in
                         (result.value(q.id), *([None] if prior.status == "draft" else []))]
            if not differing and prior.status == "final":
                return prior
            if differing and not replace:
                yamlfile.refuse_overwrite(project.relative(result.path), "consensus",
                                          differing)
            for qid, ans in prior.answers.items():  # notes on answers kept stay
                if qid not in differing and ans.comment:
                    answers[qid] = Answer(answers[qid].value, ans.comment)
    save_appraisal(project, result, checklist)  # validates each resolved value first
    return result


def record_consensus(project: Project, study: str, checklist: Checklist,
                     resolutions: dict[str, str] | None = None,
                     reviewers: list[str] | None = None, replace: bool = False) -> str:
    """make_consensus, said in one line: 'wrote <file>' or 'unchanged <file>'."""
    path = record_path(project, study, CONSENSUS, checklist.id)
    before = path.read_bytes() if path.is_file() else None
    result = make_consensus(project, study, checklist, resolutions, reviewers, replace)
    return yamlfile.written_line(project.relative(result.path), before, result.path)

