"""The list view: a stage's records filtered by words and fields, and bulk decisions.

A reviewer facing 84 off-topic records excludes them with one query. Each record still
gets its own decision event, with the query in its note and a batch id, so the log says
why and one undo takes the whole batch back. Blind mode still hides other reviewers.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from reviewkit.errors import ReviewkitError
from reviewkit.screening.config import DECISIONS
from reviewkit.screening.events import check_decision, decision_event, undo_event
from reviewkit.screening.log import new_id
from reviewkit.screening.selfconflict import differing
from reviewkit.screening.session import ScreenSession

FIELDS = ("title", "abstract", "author", "journal", "year", "source", "decision")
UNDECIDED = "none"
_STATES = (*DECISIONS, UNDECIDED)  # what decision:... and a reviewer's name can be
_YEARS = re.compile(r"^(\d{4})?-(\d{4})?$")


@dataclass(frozen=True)
class Row:
    unit: str
    title: str
    year: str
    journal: str
    source: str
    mine: str           # my decision (and reason), or ""
    others: str = ""    # other reviewers' decisions when not blind


@dataclass
class _Entry:
    title: str
    year: str
    journal: str
    source: str
    text: dict[str, str]  # field -> lower-case text of every member of the cluster


def _index(session: ScreenSession) -> dict[str, _Entry]:
    """One pass over the store: each eligible unit's shown fields and searchable text."""
    out: dict[str, _Entry] = {}
    for sr in session.store.iter_records():
        unit = session.screening.unit_of(sr.id)
        if unit not in session.eligible:
            continue
        r = sr.record
        entry = out.get(unit)
        if entry is None:
            entry = out[unit] = _Entry("", "", "", "", {f: "" for f in FIELDS[:6]})
        if sr.id == unit or not entry.title:  # the representative's fields are shown
            entry.title, entry.year = r.title, str(r.year or "")
            entry.journal, entry.source = r.journal, sr.source
        for field, value in (("title", r.title), ("abstract", r.abstract + " " +
                                                   " ".join(r.keywords)),
                             ("author", " ".join(r.authors)), ("journal", r.journal),
                             ("year", str(r.year or "")), ("source", sr.source)):
            entry.text[field] += " " + value.lower()
    return out


@dataclass(frozen=True)
class Term:
    field: str | None  # None: words in title, abstract or keywords
    value: str
    negate: bool = False


def parse_filter(query: str, reviewers: list[str] = ()) -> list[Term]:
    """'wildfire -smoke year:2015-2020 source:wos decision:none' -> terms; every term must
    hold. A reviewer's name as a field ('ben:exclude') works when not blind."""
    terms = []
    for token in query.split():
        negate = token.startswith("-") and len(token) > 1
        token = token[1:] if negate else token
        field, colon, value = token.partition(":")
        if not colon:
            terms.append(Term(None, token.lower(), negate))
            continue
        field = field.lower()
        if not value:
            # 'title:' matches every record, and '-title:' none: neither is meant
            raise ReviewkitError(f"{token} has no value; e.g. {field or 'title'}:budget",
                                 field="filter")
        if field not in FIELDS and field not in reviewers:
            raise ReviewkitError(f"unknown filter field {field!r} in {query!r}; fields: "
                                 f"{', '.join(FIELDS)}" + (f", or a reviewer: "
                                                           f"{', '.join(reviewers)}"
                                                           if reviewers else ""),
                                 field="filter")
        if field == "year" and not (value.isdigit() or _YEARS.match(value)):
            raise ReviewkitError(f"year:{value} is not a year or a range like 2010-2015",
                                 field="filter")
        span = _YEARS.match(value) if field == "year" else None
        if span and all(span.groups()) and int(span[1]) > int(span[2]):
            raise ReviewkitError(f"year:{value} runs backwards; the earlier year first: "
                                 f"year:{span[2]}-{span[1]}", field="filter")
        if (field == "decision" or field in reviewers) and value.lower() not in _STATES:
            # a typo matches no record, and negated every record: a bulk would take them all
            raise ReviewkitError(f"{field}:{value} is no decision; expected "
                                 f"{', '.join(DECISIONS)} or {UNDECIDED}", field="filter")
        terms.append(Term(field, value.lower(), negate))
    return terms


def _said(event: dict | None) -> str:
    if event is None:
        return ""
    return event["decision"] + (f" ({event['reason']})" if event.get("reason") else "")


def _holds(term: Term, entry: _Entry, mine: dict | None, others: dict[str, dict]) -> bool:
    if term.field is None:
        hit = any(term.value in entry.text[f] for f in ("title", "abstract"))
    elif term.field == "year":
        years = [int(y) for y in entry.text["year"].split() if y.isdigit()]
        if term.value.isdigit():
            hit = int(term.value) in years
        else:
            low, high = _YEARS.match(term.value).groups()
            hit = any(int(low or 0) <= y <= int(high or 9999) for y in years)
    elif term.field == "decision":
        got = mine["decision"] if mine else UNDECIDED
        hit = got == term.value
    elif term.field in entry.text:
        hit = term.value in entry.text[term.field]
    else:  # a reviewer's decision (not blind)
        event = others.get(term.field)
        hit = (event["decision"] if event else UNDECIDED) == term.value
    return hit != term.negate


def list_rows(session: ScreenSession, query: str = "") -> list[Row]:
    """The stage's records in the screener's order that match ``query``."""
    reviewers = [] if session.blind else [r for r in session.state.logs
                                          if r != session.reviewer]
    terms = parse_filter(query, reviewers)
    index = _index(session)
    _check_sources(terms, index)
    rows = []
    for unit in session.order:
        entry = index.get(unit)
        if entry is None:
            continue
        mine, others = session.mine(unit), session.others(unit)
        if all(_holds(t, entry, mine, others) for t in terms):
            rows.append(Row(unit, entry.title, entry.year, entry.journal, entry.source,
                            _said(mine), "; ".join(f"{r}: {_said(e)}"
                                                   for r, e in sorted(others.items()))))
    return rows


def _check_sources(terms: list[Term], index: dict[str, _Entry]) -> None:
    """A source term that is part of no source's name is a typo: it matches no record, and
    negated every record, so a bulk would take them all."""
    if not any(t.field == "source" for t in terms):
        return
    sources = sorted({s for e in index.values() for s in e.text["source"].split()})
    for t in terms:
        if t.field == "source" and not any(t.value in s for s in sources):
            raise ReviewkitError(f"source:{t.value} is part of no source's name; sources at "
                                 f"this stage: {', '.join(sources) or 'none'}", field="filter")


def bulk_plan(session: ScreenSession, query: str, decision: str, reason: str = "") -> list[str]:
    """The units ``screen bulk`` would decide, once its decision and reason are known to be
    writable (so the count without --yes never promises what the write then refuses)."""
    check_decision(session.conf, session.stage, decision, reason)
    return [r.unit for r in list_rows(session, query)]


def bulk_decide(session: ScreenSession, units: list[str], decision: str, reason: str = "",
                query: str = "") -> list[dict]:
    """One decision event per unit (the query in its note), written together and fsynced;
    units already given this same decision are left alone (re-running is safe)."""
    label, reason = check_decision(session.conf, session.stage, decision, reason)
    batch = new_id()
    note = f"bulk {label}, filter: {query}" if query else f"bulk {label}"
    events = []
    for unit in dict.fromkeys(units):
        if unit not in session.eligible:
            raise ReviewkitError(f"{unit} is not a record of stage {session.stage}",
                                 field="record_id")
        now = session.mine(unit)
        if now is not None and (now["decision"], now.get("reason", "")) == (label, reason) \
                and not differing(session.log, unit, session.screening.record_now):
            continue  # the same again; unless it confirms the study after a self-conflict
        event = decision_event(session.stage, session.reviewer, unit, label, reason, note,
                               via="list")
        if over := session.log.overridden(unit, unit):  # decided on the whole study
            event["over"] = over
        events.append({**event, "batch": batch})
    if events:
        session.write(events)
    return events


def undo_bulk(session: ScreenSession) -> list[dict]:
    """Take back the latest bulk decision, all of its records (one undo event each)."""
    last = session.log.last_active()
    if last is None or not last.get("batch"):
        return []
    batch = last["batch"]
    targets = [e for events in session.log.active.values() for e in events[-1:]
               if e.get("batch") == batch]
    undos = [undo_event(session.stage, session.reviewer, t, via="list") for t in targets]
    if undos:
        session.write(undos)
        back = [session.screening.unit_of(t["record"]) for t in targets]
        waiting = set(session.pending)
        for unit in back:
            if session.log.current(unit) is None and unit not in waiting:
                session.pending.appendleft(unit)
    return undos


def undo_latest(session: ScreenSession) -> list[dict]:
    """The list view's u: the latest bulk action whole, or the latest single decision."""
    last = session.log.last_active()
    if last is None:
        return []
    if last.get("batch"):
        return undo_bulk(session)
    undo = session.undo()
    session.visiting = None  # the list stays where it is; the screener would show it again
    return [undo] if undo else []


def decide_one(session: ScreenSession, unit: str, decision: str, reason: str = "") -> dict:
    """The list view's i / x / m on the row under the cursor: that record only, as the
    screener's own key would (durable before the table redraws)."""
    if unit not in session.eligible:
        raise ReviewkitError(f"{unit} is not a record of stage {session.stage}",
                             field="record_id")
    session.visiting = unit
    return session.decide(decision, reason)


SORTS = ("screener", "title", "year", "yours")  # the list view's s goes round these


def sort_rows(rows: list[Row], by: str) -> list[Row]:
    """Rows in the screener's order (as given), by title, newest first, or undecided first
    then by my decision; rows without the field last; ties keep the screener's order."""
    if by == "screener":
        return list(rows)
    if by == "title":
        return sorted(rows, key=lambda r: (not r.title, r.title.casefold()))
    if by == "year":
        return sorted(rows, key=lambda r: (not r.year[:4].isdigit(),
                                           -int(r.year[:4]) if r.year[:4].isdigit() else 0))
    if by == "yours":
        return sorted(rows, key=lambda r: (bool(r.mine), r.mine))
    raise ReviewkitError(f"unknown sort {by!r}; expected {', '.join(SORTS)}", field="sort")


def next_undecided(rows: list[Row], after: int) -> int | None:
    """The index of the first row after ``after`` with no decision of mine (wrapping)."""
    n = len(rows)
    for step in range(1, n + 1):
        i = (after + step) % n
        if not rows[i].mine:
            return i
    return None
