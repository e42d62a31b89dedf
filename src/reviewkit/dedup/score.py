"""Compare two records: certain duplicate, possible duplicate, or distinct.

Conflicts (different DOIs, start pages or volumes, years two apart) weigh
more than agreements: merging two different studies loses one, which is
worse than leaving a duplicate for a person.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from rapidfuzz import fuzz

from reviewkit.dedup.features import Features, rules

CERTAIN, POSSIBLE, DISTINCT = "certain", "possible", "distinct"


@dataclass
class Verdict:
    label: str
    score: float
    evidence: dict = field(default_factory=dict)


_UNLIKE = Verdict(DISTINCT, 0.0, {"title": "below the variant threshold"})


def _agree(a: str, b: str) -> bool | None:
    """True/False when both sides have a value, None when either is missing."""
    if not a or not b:
        return None
    return a == b


def journals_agree(a: tuple[str, ...], b: tuple[str, ...]) -> bool | None:
    """'curr opin lipidol' agrees with 'current opinion lipidology'; prefixes allowed."""
    if not a or not b:
        return None
    if a == b:
        return True
    short, long_ = (a, b) if len(a) <= len(b) else (b, a)
    j = 0
    for word in short:
        while j < len(long_) and not long_[j].startswith(word) and not word.startswith(long_[j]):
            j += 1
        if j == len(long_):
            return _acronym(a, b) or _acronym(b, a)
        j += 1
    return True


def _acronym(a: tuple[str, ...], b: tuple[str, ...]) -> bool:
    """'icww theme' names 'international conference w1 w2': a word of ``a`` is the
    initials of every word of ``b``."""
    if len(b) < rules()["venue"]["acronym_length"]:
        return False
    initials = "".join(w[0] for w in b)
    return initials in a


def pages_agree(a: Features, b: Features) -> bool | None:
    """Same first page, or one range holding the other's first page (569 in 567-569).

    Article numbers (e12724, c1804) and printed pages cannot be compared.
    """
    (pa, sa, ea), (pb, sb, eb) = a.pages, b.pages
    if sa is None or sb is None or pa != pb:
        return None
    if a.doi_tail is not None and a.doi == b.doi and a.doi_tail in (sa, sb) and sa != sb:
        return None  # '9' (a page count) vs '100123', the article number the DOI ends in
    if sa == sb or (ea is not None and ea == eb and ea > 9):
        return True  # same first page, or a typo in one first page but the same last page
    return (ea is not None and sa <= sb <= ea) or (eb is not None and sb <= sa <= eb)


def volumes_agree(a: Features, b: Features) -> bool | None:
    if not a.volume or not b.volume:
        return None
    if a.volume == b.volume:
        return True
    years = {str(y) for y in (a.year, b.year) if y}
    if a.volume in years or b.volume in years:
        return None  # the year typed in the volume field
    if a.volume in b.issue_numbers or b.volume in a.issue_numbers:
        return None  # one side put the supplement number in the volume field
    return False


def _title(a: Features, b: Features, floor: float) -> float:
    if a.bare_key or b.bare_key:  # 'Research note: <title>' is the title
        if (a.bare_key or a.key) == (b.bare_key or b.key):
            return 100.0
    title = fuzz.ratio(a.title, b.title) if a.title and b.title else 0.0
    if title < floor and min(len(a.key), len(b.key)) >= 30 and (
            a.key.startswith(b.key) or b.key.startswith(a.key) or
            a.key.endswith(b.key) or b.key.endswith(a.key)):
        title = floor  # a subtitle, section heading or translated tail on one side only
    return title


def issues_conflict(a: Features, b: Features) -> bool:
    """Issues 1 and 2 of one volume, with no pages and no DOI to tell them apart: a
    recurring column ('From the editor'), two records. Anywhere else a different issue
    is too often a typo or a supplement code to count."""
    if not a.issue or not b.issue or a.issue == b.issue:
        return False
    small = rules()["thresholds"]["small_issue"]
    return (a.issue_numbers == {a.issue} and b.issue_numbers == {b.issue}
            and int(a.issue) <= small and int(b.issue) <= small
            and volumes_agree(a, b) is True and not (a.doi or b.doi)
            and a.pages[1] is None and b.pages[1] is None)


def _same_item(a: Features, b: Features, ev: dict) -> str | None:
    """Why two records with one whole page range are one item whatever their titles
    say, or None. Called only when the whole page range is equal and nothing is in
    hard conflict."""
    t = rules()["thresholds"]
    if a.notice != b.notice or ev["journal"] is not True:
        return None
    authors = ev["authors"]
    if (not a.generic and not b.generic and ev["volume"] is True and a.issue
            and a.issue == b.issue and ev["year_gap"] == 0 and authors is not None
            and authors >= 90):
        return "whole citation agrees (translated title)"
    short, long_ = (a, b) if len(a.key) <= len(b.key) else (b, a)
    if (long_.title.startswith(short.title + " ") and len(short.key) >= t["subtitle_main_min"]
            and short.key not in rules()["generic_titles"] and ev["volume"] is not False
            and authors is not None and authors >= t["authors_agree"]):
        return "main title without its subtitle, same pages and venue"
    return None


def compare(a: Features, b: Features) -> Verdict:
    v = _compare(a, b)
    if v is _UNLIKE:
        return v  # most pairs
    ev = v.evidence
    if (v.label != CERTAIN and a.pages[2] is not None and a.pages == b.pages
            and "hard" in ev and not ev["hard"]):
        why = _same_item(a, b, ev)
        if why:
            v = Verdict(CERTAIN, v.score, dict(ev, rule=why))
    if v.label == CERTAIN and a.notice != b.notice and v.evidence.get("pages") is not True:
        # an erratum shares its article's title and authors; on other pages it is a
        # record of its own (on the same pages, one database titled the notice itself)
        v = Verdict(POSSIBLE, v.score, dict(v.evidence, notice="one is a notice"))
    return v


def _compare(a: Features, b: Features) -> Verdict:
    t = rules()["thresholds"]
    title = _title(a, b, t["title_possible"])
    if title < t["title_variant"] and (a.pages[2] is None or a.pages != b.pages):
        return _UNLIKE  # most candidate pairs end here: keep this path lean
    ev: dict = {"title": round(title, 1)}
    doi = _agree(a.doi, b.doi)
    pages = pages_agree(a, b)
    volume = volumes_agree(a, b)
    journal = journals_agree(a.journal, b.journal)
    if journal is False and a.issn & b.issn:
        journal = True  # transliterated or renamed journal, same ISSN
    year_gap = abs(a.year - b.year) if a.year and b.year else None
    authors = (fuzz.token_set_ratio(" ".join(a.authors), " ".join(b.authors))
               if a.authors and b.authors else None)
    abstract = (fuzz.ratio(a.abstract, b.abstract) if len(a.abstract) > 50 and
                len(b.abstract) > 50 else None)
    authors_ok = authors is not None and authors >= t["authors_agree"]
    # hard: two different records; soft: often just how a database spells things
    hard = [n for n, bad in (("doi", doi is False), ("pages", pages is False),
                             ("year", year_gap is not None and year_gap > 1)) if bad]
    soft = [n for n, bad in (("volume", volume is False), ("journal", journal is False),
                             ("authors", authors is not None and authors < 50)) if bad]
    support = sum((doi is True, pages is True, volume is True, journal is True, authors_ok,
                   abstract is not None and abstract >= t["abstract_agree"], year_gap == 0))
    citation = pages is True and volume is True and (year_gap or 0) <= 1
    ev.update(doi=doi, pages=pages, volume=volume, journal=journal, year_gap=year_gap,
              authors=authors, abstract=abstract, hard=hard, soft=soft, support=support)
    score = title + 2 * support - 10 * len(hard) - 5 * len(soft)
    if title < t["title_variant"]:
        return Verdict(DISTINCT, score, ev)
    if a.issue != b.issue and issues_conflict(a, b):
        ev["hard"] = hard + ["issue"]
        return Verdict(DISTINCT, score - 10, ev)
    if a.generic or b.generic:
        # 'Editorial' equals 'Editorial' in every journal: only the citation can tell
        ok = not hard and not soft and (doi or citation)
        return Verdict(CERTAIN if ok and title >= t["title_certain"] else DISTINCT, score, ev)
    if title < t["title_possible"]:
        # translated or reworded title: only a full citation by the same authors
        ok = citation and authors is not None and authors >= 90 and not hard and not soft
        return Verdict(CERTAIN if ok else DISTINCT, score, ev)
    if hard:
        strong = (title >= 98 and support >= 4 and len(hard) == 1 and not soft
                  and "doi" not in hard)
        return Verdict(POSSIBLE if strong else DISTINCT, score, ev)
    if len(soft) >= 2 and doi is not True:
        return Verdict(DISTINCT, score, ev)  # another venue and volume: abstract vs article
    if soft:
        proof = doi is True or (abstract or 0) >= 95 or (citation and authors_ok)
        if title >= 98 and proof and support >= 4:
            return Verdict(CERTAIN, score, ev)
        return Verdict(POSSIBLE if title >= t["title_certain"] and support >= 3 else DISTINCT,
                       score, ev)
    if title >= t["title_certain"] and support >= 2:
        return Verdict(CERTAIN, score, ev)
    if title >= 98 and (abstract or 0) >= 98:
        return Verdict(CERTAIN, score, ev)  # the same title and abstract: one record
    if title >= t["title_with_doi"] and doi is True:
        return Verdict(CERTAIN, score, ev)
    if title >= t["title_with_citation"] and citation and authors_ok:
        return Verdict(CERTAIN, score, ev)
    if support >= 1 and (authors is None or authors_ok):
        return Verdict(POSSIBLE, score, ev)
    return Verdict(DISTINCT, score, ev)
